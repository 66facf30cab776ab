"""Observability: a request ID for every request, one log line for it, and its metrics."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import logs
from service.errors import internal_error_message
from service.logs import RequestInfo, current_request
from service.metrics import Metrics

log = logging.getLogger("elections.requests")

REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming request ID is kept if it is 1 to 128 printable ASCII characters, no spaces;
#: anything else is replaced, so that a header cannot smuggle text into the logs.
VALID_REQUEST_ID = re.compile(r"[!-~]{1,128}")


def new_request_id() -> str:
    """A new request's ID: 16 random bytes as 32 hex digits, the form `uuid.uuid4().hex` gave,
    for a seventh of its instructions (no UUID is made): the ID only names a request's lines."""
    return os.urandom(16).hex()


#: The request ID's header as ASGI gives its name: in lower case, as bytes.
REQUEST_ID_NAME = REQUEST_ID_HEADER.lower().encode("latin-1")


def incoming_id(scope: Scope) -> str | None:
    """The request ID the client sent, if it is a valid one (VALID_REQUEST_ID): the first
    X-Request-ID header's value, as Starlette's `Headers.get` reads it."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_NAME:
            incoming = value.decode("latin-1")
            return incoming if VALID_REQUEST_ID.fullmatch(incoming) else None
    return None


def with_request_id(
    headers: Iterable[tuple[bytes, bytes]], request_id: str
) -> list[tuple[bytes, bytes]]:
    """A response's headers with X-Request-ID set to `request_id`: in the place of the first
    the app set, if it set any (the others dropped), else last, as Starlette's
    `MutableHeaders` sets a header, without making one."""
    value = request_id.encode("latin-1")
    out: list[tuple[bytes, bytes]] = []
    found = False
    for header in headers:
        if header[0] == REQUEST_ID_NAME:
            if not found:
                out.append((REQUEST_ID_NAME, value))
                found = True
            continue
        out.append(header)
    if not found:
        out.append((REQUEST_ID_NAME, value))
    return out


def route_label(scope: Scope, root_path: str) -> str:
    """The route template that served the request, e.g. `/graphql` or
    `/graphiql/static/{name:path}`, so that paths do not multiply the series."""
    path = getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        return "(unmatched)"
    # A Mount adds its prefix to root_path before its own routes match.
    prefix: str = scope.get("root_path", "")
    return prefix[len(root_path) :] + path


class RequestObserver:
    """Pure ASGI middleware: gives each HTTP request an ID (the client's X-Request-ID if it
    sent a valid one), echoes it in the response, logs one line when the response is done
    (with the GraphQL operation, duration and status) and counts it in the metrics. An
    exception that escapes the app is logged with the ID and answered with a plain 500."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id=incoming_id(scope) or new_request_id())
        token = current_request.set(info)
        root_path = scope.get("root_path", "")
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = with_request_id(message.get("headers", ()), info.request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("Unhandled error in %s %s", scope["method"], scope["path"])
            status = 500
            if not response_started:
                message = internal_error_message(info.request_id)
                body = json.dumps({"errors": [{"message": message}]})
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json; charset=utf-8"),
                            (REQUEST_ID_NAME, info.request_id.encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body.encode()})
        finally:
            seconds = time.perf_counter() - started
            route = route_label(scope, root_path)
            operation = ",".join(info.operations) or None
            logs.log_request(
                log,
                scope["method"],
                scope["path"],
                status,
                operation,
                round(seconds * 1000, 3),
            )
            self.metrics.observe_http(route, scope["method"], status, seconds)
            if info.operations:
                self.metrics.observe_graphql(info.operations, status, seconds, dict(info.errors))
            current_request.reset(token)
