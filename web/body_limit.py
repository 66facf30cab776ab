"""The body limit: a request body longer than MAX_BODY_BYTES is refused with 413 before it is
read whole, whether it declares its length or arrives in chunks."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.graphql_app import error_response, response_media_type


class BodyTooLarge(Exception):
    """The request body is longer than the limit."""


class BodyLimit:
    """ASGI middleware: 413, GraphQL-shaped, for a body over `max_bytes`. The length is
    counted as the body arrives, so a chunked upload cannot slip past the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        try:
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise BodyTooLarge
            await self.app(scope, receive_within_limit, send)
        except BodyTooLarge:
            # Raised while the endpoint reads the body, before it has answered anything.
            response = error_response(
                f"The request body is larger than the limit of {self.max_bytes} bytes.",
                413,
                response_media_type(headers.get("accept", "")),
            )
            await response(scope, receive, send)
