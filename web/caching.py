"""HTTP caching of query results sent by GET: ETag, Cache-Control, Vary, 304 Not Modified.

A GET whose operation ran without any error may be kept by browsers and shared caches for
CACHE_MAX_AGE seconds, and revalidated with its ETag after that. Everything else from
/graphql (POST, errors, refusals) is `no-store`: a POST may be a mutation, and an error may
not outlive its cause (a time limit, a database away, a persisted query not yet registered).
`HTTPCaching` is the ASGI middleware around /graphql that does it, from the request's RequestOutcome
(schema/context.py).
"""

from __future__ import annotations

import hashlib
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.context import RequestOutcome

NO_STORE = "no-store"
#: What a /graphql answer depends on besides its URL: Accept picks the media type (and the
#: status of a refused query), or GraphiQL's page for a browser.
VARY = "Accept"
#: An entity tag in a list (RFC 9110 8.8.3): its opaque tag, quotes included; W/ is dropped,
#: since If-None-Match compares weakly.
ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')


def uncached(headers: MutableHeaders) -> None:
    """What an answer that may not be kept gets (every POST's): it varies on Accept, and is
    `no-store`."""
    headers["vary"] = VARY
    headers["cache-control"] = NO_STORE


def _uncached_raw() -> tuple[tuple[bytes, bytes], ...]:
    headers = MutableHeaders(raw=[])
    uncached(headers)
    return tuple(headers.raw)


#: `uncached`'s headers as ASGI sends them, for an answer written without Starlette's
#: headers (web/fast_lane.py).
UNCACHED = _uncached_raw()


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


class HTTPCaching:
    """ASGI middleware: every answer varies on Accept; a GET without a token whose operation
    ran without errors is `public, max-age` with a strong ETag, and 304 Not Modified to an
    If-None-Match that names it; GraphiQL's page keeps its own Cache-Control; anything else
    is `no-store`."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        outcome = RequestOutcome.of(scope)
        request_headers = Headers(scope=scope)
        start: Message | None = None
        body: list[bytes] = []

        async def send_with_caching(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cacheable = (
                    scope["method"] == "GET"
                    and outcome.errorless
                    # An answer to a request with a token (the audit log) is that client's.
                    and "authorization" not in request_headers
                    and message["status"] == 200
                )
                if outcome.graphql_ide:
                    headers["vary"] = VARY
                    await send(message)  # GraphiQL's page keeps its own caching
                elif not cacheable:
                    uncached(headers)
                    await send(message)
                else:
                    # Held until the body is whole: the ETag is its hash (_send_cacheable
                    # gives it its Vary).
                    start = message
            elif start is None:
                await send(message)
            else:
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_cacheable(start, b"".join(body), request_headers, send)

        await self.app(scope, receive, send_with_caching)

    async def _send_cacheable(
        self, start: Message, body: bytes, request_headers: Headers, send: Send
    ) -> None:
        headers = MutableHeaders(scope=start)
        tags = {
            "etag": entity_tag(body, headers.get("content-type", "")),
            "cache-control": public(self.max_age),
            "vary": VARY,
        }
        if_none_match = request_headers.get("if-none-match")
        if if_none_match is not None and none_match(if_none_match, tags["etag"]):
            # RFC 9110 15.4.5: a 304 carries the ETag, Cache-Control and Vary a 200 would have.
            not_modified = Response(status_code=304, headers=tags)
            await send(
                {"type": "http.response.start", "status": 304, "headers": not_modified.raw_headers}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers.update(tags)
        await send(start)
        await send({"type": "http.response.body", "body": body})
