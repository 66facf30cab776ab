"""A response's head sent with its body: uvicorn writes an answer's status line and headers,
then its body, each with a write of its own (two send() calls and two TCP segments for a
small answer); `HeldHead` holds the first back so that both go out in one write.

`HttpToolsProtocol` (web/read_timeout.py) gives each request's answer its connection's
transport through a `HeldHead`. A held write never waits past the event loop's next turn: a
streamed answer whose first part takes time still sends its head at once. Nor past its
answer: one with no body (HEAD) sends its head as it completes. Nothing is reordered: a
held write goes out before anything written after it, and before the transport closes.
"""

from __future__ import annotations

import asyncio


class HeldHead:
    """The part of a connection's transport one request's answer uses (`write`, `close`,
    `is_closing`), whose first write waits to go out with the next one: at most until the
    event loop's next turn, or until the transport is closed."""

    __slots__ = ("_due", "_first", "_held", "_transport")

    def __init__(self, transport: asyncio.WriteTransport) -> None:
        self._transport = transport
        self._held: bytes | None = None
        self._due: asyncio.Handle | None = None
        self._first = True

    def write(self, data: bytes) -> None:
        if self._first:
            self._first = False
            self._held = data
            self._due = asyncio.get_running_loop().call_soon(self._release)
            return
        held = self._held
        if held is None:
            self._transport.write(data)
            return
        self._held = None
        self._cancel()
        # One write of both, without copying a large body onto the head (uvloop writes the
        # buffers with one call; asyncio's transports join them).
        self._transport.writelines((held, data))

    def close(self) -> None:
        self.release()
        self._transport.close()

    def release(self) -> None:
        """Writes a held write now: its answer is complete with nothing after it (HEAD)."""
        if self._held is not None:
            self._cancel()
            self._release()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def _cancel(self) -> None:
        if self._due is not None:
            self._due.cancel()
            self._due = None

    def _release(self) -> None:
        held, self._held, self._due = self._held, None, None
        # A connection lost meanwhile takes no more writes (asyncio warns of each one).
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)
