"""Read timeouts: a client that does not send its request's headers, or then its body, within
READ_TIMEOUT seconds is answered 408 and disconnected, so that slow clients cannot hold the
server's connections open.

uvicorn reads the headers before the app sees the request and has no deadline for them (its
`timeout_keep_alive` runs only between requests), so the headers are timed by
`HttpToolsProtocol`, uvicorn's HTTP/1.1 protocol on httptools with that deadline, which
`elections serve` uses (and `uvicorn --http web.read_timeout:HttpToolsProtocol` names). It
also bounds the headers while they arrive (431 past MAX_HEAD_BYTES), as uvicorn's h11
protocol did and its httptools one does not. The body is timed by `ReadTimeout`, a
middleware around the app, whichever server runs it.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import compat
from service.deadline import Deadline
from service.settings import load_settings
from web.held_head import HeldHead


def _refusal(text: str) -> bytes:
    return json.dumps({"errors": [{"message": text}]}, separators=(",", ":")).encode()


def _message(what: str, timeout: float) -> bytes:
    return _refusal(f"The request's {what} did not arrive within the limit of {timeout:g} s.")


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
                with Deadline(deadline):
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


#: The most bytes a request's line and headers may take while they are incomplete: h11's
#: limit under uvicorn, which httptools does not have (it keeps a header growing without end).
MAX_HEAD_BYTES = 16 * 1024


class HttpToolsProtocol(compat.HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol on httptools with a deadline for each request's headers:
    READ_TIMEOUT seconds from the connection, or from the first byte of the next request on a
    kept-alive connection (between requests uvicorn's own keep-alive timeout applies). A
    client that misses it is answered 408 and disconnected; one that sent nothing at all is
    disconnected without an answer, as it asked nothing. A request whose line and headers
    pass MAX_HEAD_BYTES before they are complete is answered 431 and disconnected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout()
        self._transport: asyncio.Transport | None = None
        self._headers_due: asyncio.TimerHandle | None = None
        self._received = False  # whether bytes of the next request have arrived
        # Requests whose headers came and whose answer is not complete: while there are any,
        # the next request's deadline waits, as a 408 cannot cut into an answer.
        self._answering = 0
        # Where httptools is: between requests (none begun, or the last one read whole), or
        # in a request's line and headers, with their bytes so far (None: not yet known).
        self._between = True
        self._in_head = False
        self._head_bytes: int | None = None
        self._chunk_starts_between = False  # whether the chunk being parsed began between them

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._transport = transport
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        if not self._answering:
            # Bytes between requests (the next one's, or the line breaks allowed before it):
            # uvicorn stops its keep-alive timeout at them, so the deadline starts here.
            self._received = True
            self._await_headers()
        self._chunk_starts_between = self._between
        super().data_received(data)
        if self._in_head:
            self._count_head(len(data))

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_awaiting()
        super().connection_lost(exc)

    # httptools' callbacks, as it parses what data_received gave it.

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._between = False
        self._in_head = True
        # A request begun in a chunk that started between requests starts at its start (after
        # line breaks at most), so the whole chunk is its head so far; one that follows the end
        # of another in the same chunk is counted from the next chunk on (at most one read
        # uncounted), as its share of this one is not known.
        self._head_bytes = 0 if self._chunk_starts_between else None
        self._chunk_starts_between = False
        self._received = True
        if not self._answering:
            self._await_headers()  # a no-op while the deadline already runs

    def on_headers_complete(self) -> None:
        self._stop_awaiting()
        self._in_head = False
        self._head_bytes = None
        self._answering += 1
        existing = self.cycle
        super().on_headers_complete()
        if self.cycle is not existing and self._transport is not None:
            # A new request's answer (not an upgrade's): its head goes out with its body.
            self.cycle.transport = HeldHead(self._transport)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._between = True
        if not self._answering:
            # The rest of a request answered before it was read whole (a 413): nothing of the
            # next one has come. uvicorn's keep-alive timeout stopped at those bytes and is not
            # started again, so the deadline starts afresh and closes an idle connection
            # without an answer.
            self._stop_awaiting()
            self._await_headers()

    def on_response_complete(self) -> None:
        answer = getattr(self.cycle, "transport", None)
        if isinstance(answer, HeldHead):
            # An answer with no body to carry its head (HEAD) sends it now, for uvicorn may
            # close the connection next (a server stopping). A pipelined request's cycle may
            # already stand in this one's place: then uvicorn does not close the connection
            # here, and the held head goes out at the loop's next turn as ever.
            answer.release()
        self._answering -= 1
        super().on_response_complete()
        if not self._answering and self._received:
            # The next request began while this one was answered (pipelined): its deadline
            # runs from now.
            self._await_headers()

    def _count_head(self, size: int) -> None:
        if self._head_bytes is None:
            self._head_bytes = 0  # the next chunk continues this head from its start
            return
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            self._stop_awaiting()
            text = f"The request's line and headers exceed the limit of {MAX_HEAD_BYTES} bytes."
            self._answer_and_close(431, "Request Header Fields Too Large", _refusal(text))

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
        # The deadline runs only while no answer is owed: from the connection, or from the
        # next request's first bytes, to its headers' end.
        self._headers_due = None
        if not self._received:
            self._close()
            return
        self._answer_and_close(408, "Request Timeout", _message("headers", self.read_timeout))

    def _answer_and_close(self, status: int, reason: str, body: bytes) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "content-type: application/json; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        transport.write(head.encode() + body)
        transport.close()

    def _close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()
