"""Read timeouts: a client that does not send its request's headers, or then its body, within
READ_TIMEOUT seconds is answered 408 and disconnected, so that slow clients cannot hold the
server's connections open.

uvicorn reads the headers before the app sees the request and has no deadline for them (its
`timeout_keep_alive` runs only between requests), so the headers are timed by `H11Protocol`,
uvicorn's HTTP/1.1 protocol with that deadline, which `elections serve` uses (and
`uvicorn --http web.read_timeout:H11Protocol` names). The body is timed by `ReadTimeout`, a
middleware around the app, whichever server runs it.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from typing import Any

import h11
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import compat
from service.settings import load_settings


def _message(what: str, timeout: float) -> bytes:
    text = f"The request's {what} did not arrive within the limit of {timeout:g} s."
    return json.dumps({"errors": [{"message": text}]}, separators=(",", ":")).encode()


class ReadTimeout:
    """Pure ASGI middleware: the request body must arrive whole within `timeout` seconds of
    the request reaching the app. Past that, the client is answered 408 with
    `Connection: close` (uvicorn then closes the connection), and the app is told the client
    is gone, as if it had hung up; what it sends after that goes nowhere."""

    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.timeout
        reading = True  # until the body's last part has arrived
        timed_out = False
        started = False

        async def timed_receive() -> Message:
            nonlocal reading, timed_out
            if timed_out:
                return {"type": "http.disconnect"}
            if not reading:
                # Past the body, receive() waits for the client to hang up (a streamed
                # response listens for that): no deadline there.
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                if not started:
                    await answer_408(send, "body", self.timeout)
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                reading = False
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the client has its 408, or is being disconnected
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, guarded_send)
        except Exception:
            if not timed_out:
                raise
            # The app stopped on the hang-up it was told of: nothing more to say or log.


async def answer_408(send: Send, what: str, timeout: float) -> None:
    body = _message(what, timeout)
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@cache
def read_timeout() -> float:
    """READ_TIMEOUT, read once per process (uvicorn makes the protocol, not the app)."""
    return load_settings().read_timeout


class H11Protocol(compat.H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's headers: READ_TIMEOUT
    seconds from the connection, or from the first byte of the next request on a kept-alive
    connection (between requests uvicorn's own keep-alive timeout applies). A client that
    misses it is answered 408 and disconnected; one that sent nothing at all is disconnected
    without an answer, as it asked nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout()
        self._headers_due: asyncio.TimerHandle | None = None
        self._received = False  # whether bytes of the next request have arrived
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._transport = transport
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        self._received = True
        super().data_received(data)
        if self._awaiting_headers():
            self._await_headers()  # a no-op while the deadline already runs
        else:
            self._stop_awaiting()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_awaiting()
        super().connection_lost(exc)

    def _awaiting_headers(self) -> bool:
        # Both sides idle: no request has begun, or the last one is answered and the next
        # one's request line and headers are still to come.
        connection = compat.h11_connection(self)
        return connection.their_state is h11.IDLE and connection.our_state is h11.IDLE

    def _await_headers(self) -> None:
        if self._headers_due is None:
            loop = asyncio.get_running_loop()
            self._headers_due = loop.call_later(self.read_timeout, self._headers_late)

    def _stop_awaiting(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None
        self._received = False

    def _headers_late(self) -> None:
        self._headers_due = None
        transport = self._transport
        if transport is None or transport.is_closing() or not self._awaiting_headers():
            return
        if self._received:
            body = _message("headers", self.read_timeout)
            head = (
                "HTTP/1.1 408 Request Timeout\r\n"
                "content-type: application/json; charset=utf-8\r\n"
                f"content-length: {len(body)}\r\n"
                "connection: close\r\n\r\n"
            )
            transport.write(head.encode() + body)
        transport.close()
