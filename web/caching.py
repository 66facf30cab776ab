"""HTTP caching of query results sent by GET: ETag, Cache-Control, Vary, 304 Not Modified.

A GET whose operation ran without any error may be kept by browsers and shared caches for
CACHE_MAX_AGE seconds, and revalidated with its ETag after that. Everything else from
/graphql (POST, errors, refusals) is `no-store`: a POST may be a mutation, and an error may
not outlive its cause (a time limit, a database away, a persisted query not yet registered).
"""

from __future__ import annotations

import hashlib
import re

from starlette.responses import Response

NO_STORE = "no-store"
#: What a /graphql answer depends on besides its URL: Accept picks the media type (and the
#: status of a refused query), or GraphiQL's page for a browser.
VARY = "Accept"
#: An entity tag in a list (RFC 9110 8.8.3): its opaque tag, quotes included; W/ is dropped,
#: since If-None-Match compares weakly.
ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')


def public(max_age: int) -> str:
    return f"public, max-age={max_age}"


def entity_tag(body: bytes, content_type: str) -> str:
    """A strong ETag for a representation: its bytes and media type, hashed. The media type
    counts because the same bytes as application/json and application/graphql-response+json
    are two representations, and a strong tag names only one."""
    digest = hashlib.sha256(content_type.encode("latin-1") + b"\n" + body)
    return f'"{digest.hexdigest()[:32]}"'


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether If-None-Match names the current representation, so that the answer is 304:
    `*`, or one of its entity tags equal to ETag by weak comparison (RFC 9110 13.1.2)."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return opaque in ENTITY_TAG.findall(if_none_match)


def for_query(
    response: Response, cacheable: bool, max_age: int, if_none_match: str | None
) -> Response:
    """The response with its caching headers; 304 Not Modified, without a body, if the
    request's If-None-Match names it. `cacheable`: a GET whose operation ran without errors."""
    response.headers["vary"] = VARY
    if not cacheable or response.status_code != 200:
        response.headers["cache-control"] = NO_STORE
        return response
    headers = {
        "etag": entity_tag(bytes(response.body), response.headers.get("content-type", "")),
        "cache-control": public(max_age),
        "vary": VARY,
    }
    response.headers.update(headers)
    if if_none_match is not None and none_match(if_none_match, headers["etag"]):
        # RFC 9110 15.4.5: a 304 carries the ETag, Cache-Control and Vary a 200 would have.
        return Response(status_code=304, headers=headers)
    return response
