"""Persisted queries: Apollo's automatic persisted queries, or registered operations only.

A request names a query by the SHA-256 of its text in
`extensions.persistedQuery = {"version": 1, "sha256Hash": "<64 hex digits>"}` (in the JSON
body, or JSON-encoded in the `extensions` parameter of a GET). The modes (PERSISTED_QUERIES):

- `automatic` (APQ, as Apollo Client's persisted-queries link and urql's persistedExchange
  speak it): an unknown hash sent alone is answered `PersistedQueryNotFound`, the client
  sends the hash with the query, the server checks the hash, runs the query and keeps it (the
  most recently used, up to `PERSISTED_QUERIES_CACHE_BYTES` of them per process), and later
  requests send the hash alone, by GET if they like, which caches well.
- `allow-list`: only the operations of a manifest run; free query text and unknown hashes are
  refused, and nothing is registered by sending it.
- `off`: a request with a persistedQuery is answered `PersistedQueryNotSupported`, which tells
  the clients to send their queries in full from then on.

Manifests of registered operations are read and written by `service.manifest`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from service.caches import Cache, text_bytes
from service.manifest import sha256
from service.settings import CacheBytes, Mode

VERSION = 1
SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")

# The messages and codes the clients match on. Apollo Client's link and urql's exchange
# retry with the query on PersistedQueryNotFound and stop hashing on PersistedQueryNotSupported.
NOT_FOUND = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PersistedQueryNotSupported"
NOT_SUPPORTED_CODE = "PERSISTED_QUERY_NOT_SUPPORTED"
# The allow-list refusals use codes neither client acts on, so a client neither stops hashing
# (which would turn every later request into a refused free query) nor retries in vain.
ONLY_REGISTERED = "Only registered operations are accepted"
ID_REQUIRED_CODE = "PERSISTED_QUERY_ID_REQUIRED"
NOT_IN_LIST_CODE = "PERSISTED_QUERY_NOT_IN_LIST"


class PersistedQueryError(Exception):
    """A request the persisted-query protocol refuses: one GraphQL error, and its HTTP status."""

    def __init__(self, message: str, status_code: int = 400, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code


# The status of the two protocol answers is 200 whatever the media type: Apollo Client 3's
# link stops using persisted queries altogether on a 400 or 500 (Apollo Server answers 200).
def not_found() -> PersistedQueryError:
    return PersistedQueryError(NOT_FOUND, 200, NOT_FOUND_CODE)


def not_supported() -> PersistedQueryError:
    return PersistedQueryError(NOT_SUPPORTED, 200, NOT_SUPPORTED_CODE)


class QueryStore:
    """Queries by hash, at most `budget` bytes of them (hash and text): the least recently
    used go first."""

    def __init__(self, budget: int) -> None:
        self._queries: Cache[str, str] = Cache(budget, _weigh)

    def get(self, digest: str) -> str | None:
        return self._queries.get(digest)

    def add(self, digest: str, query: str) -> None:
        self._queries.put(digest, query)

    @property
    def bytes(self) -> int:
        return self._queries.bytes

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, digest: object) -> bool:
        return digest in self._queries


def _weigh(digest: str, query: str) -> int:
    return text_bytes(digest) + text_bytes(query)


def requested_hash(persisted: Any) -> str:
    """The hash an `extensions.persistedQuery` value names, in lowercase; PersistedQueryError
    if it is not `{"version": 1, "sha256Hash": "<64 hex digits>"}`."""
    where = "extensions.persistedQuery"
    if not isinstance(persisted, dict):
        raise PersistedQueryError(
            f"{where} must be an object with version and sha256Hash, got {json.dumps(persisted)}"
        )
    version = persisted.get("version")
    # bool is an int in Python, and `true` is no version.
    if version != VERSION or isinstance(version, bool):
        raise PersistedQueryError(
            f"Unsupported persisted query version: {where}.version must be {VERSION}, "
            f"got {json.dumps(version)}"
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        raise PersistedQueryError(
            f"{where}.sha256Hash must be the SHA-256 of the query as 64 hexadecimal digits, "
            f"got {json.dumps(digest)}"
        )
    return digest.lower()


class PersistedQueries:
    """Finds the query a request runs, as the mode says; one per app, so the store of
    automatic persisted queries lives as long as the process."""

    def __init__(
        self,
        mode: Mode,
        budget: int = CacheBytes.persisted,
        registered: Mapping[str, str] | None = None,
    ) -> None:
        self.mode = mode
        self.store = QueryStore(budget)
        self.registered = dict(registered or {})

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None
    ) -> tuple[str | None, str | None]:
        """The query to run, and the hash to keep it under once it has run (None: nothing to
        keep). Raises PersistedQueryError for a request the mode refuses."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.mode == "allow-list":
                raise PersistedQueryError(
                    f"{ONLY_REGISTERED}: the request has a query but no "
                    "extensions.persistedQuery.sha256Hash naming a registered operation.",
                    400,
                    ID_REQUIRED_CODE,
                )
            return query, None
        if self.mode == "off":
            raise not_supported()
        digest = requested_hash(persisted)
        if query is not None and (actual := sha256(query)) != digest:
            raise PersistedQueryError(
                "provided sha does not match query: extensions.persistedQuery.sha256Hash is "
                f'"{digest}", but the SHA-256 of the query is "{actual}"'
            )
        if self.mode == "allow-list":
            registered = self.registered.get(digest)
            if registered is None:
                refusal = ", and this server registers no operation sent to it" if query else ""
                raise PersistedQueryError(
                    f'{ONLY_REGISTERED}: no operation is registered with sha256Hash "{digest}"'
                    f"{refusal}.",
                    404,
                    NOT_IN_LIST_CODE,
                )
            return registered, None
        if query is not None:
            return query, digest
        stored = self.store.get(digest)
        if stored is None:
            raise not_found()
        return stored, None

    def keep(self, digest: str, query: str) -> None:
        """Keeps a query a client sent with its hash, once it has run."""
        self.store.add(digest, query)
