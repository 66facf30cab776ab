"""Counting the SQL a server sends to PostgreSQL: a loopback proxy that reads the frontend
protocol of every connection through it (the same count for any client library)."""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: The codes of the requests a client may send before its startup message: SSL and GSSAPI
#: encryption. The proxy declines them itself ("N"), so that the rest stays readable.
_ENCRYPTION_REQUESTS = {80877103, 80877104}


@dataclass
class Counts:
    """What the clients sent: statements run, and round trips (each waits for an answer)."""

    statements: int = 0
    round_trips: int = 0
    texts: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.statements = self.round_trips = 0
        self.texts.clear()


def _statements_in(text: str) -> int:
    """How many statements one simple Query holds: `SELECT 1; RESET ALL;` is two. (No client
    measured sends a semicolon inside a string in a simple query.)"""
    return sum(1 for part in text.split(";") if part.strip())


async def _client_to_server(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    upstream: asyncio.StreamWriter,
    counts: Counts,
) -> None:
    # Startup: an untyped message (length, then a code); an encryption request is declined.
    while True:
        length = struct.unpack("!i", await reader.readexactly(4))[0]
        body = await reader.readexactly(length - 4)
        if length == 8 and struct.unpack("!i", body)[0] in _ENCRYPTION_REQUESTS:
            writer.write(b"N")
            await writer.drain()
            continue
        upstream.write(struct.pack("!i", length) + body)
        break
    # Then typed messages: a type byte and a length that counts itself.
    while True:
        head = await reader.readexactly(5)
        kind, length = head[:1], struct.unpack("!i", head[1:])[0]
        body = await reader.readexactly(length - 4)
        if kind == b"Q":  # a simple query: one or more statements, one round trip
            text = body[:-1].decode("utf-8", "replace")
            counts.statements += _statements_in(text)
            counts.round_trips += 1
            counts.texts.append(text)
        elif kind == b"E":  # Execute of the extended protocol: one statement
            counts.statements += 1
        elif kind == b"S":  # Sync: the extended protocol's round trip
            counts.round_trips += 1
        elif kind == b"P":  # Parse: the statement's text (counted when executed)
            name_end = body.index(b"\0")
            counts.texts.append(body[name_end + 1 : body.index(b"\0", name_end + 1)].decode())
        upstream.write(head + body)
        await upstream.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def _serve(
    host: str, port: int, counts: Counts, ready: Callable[[int], None], stop: asyncio.Event
) -> None:
    tasks: set[asyncio.Task[None]] = set()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, port)
        sides = [
            asyncio.ensure_future(_client_to_server(reader, writer, up_writer, counts)),
            asyncio.ensure_future(_pipe(up_reader, writer)),
        ]
        try:
            await asyncio.wait(sides, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for side in sides:
                side.cancel()
            for w in (writer, up_writer):
                w.close()

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(connection(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        ready(server.sockets[0].getsockname()[1])
        await stop.wait()
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextmanager
def counting_proxy(host: str, port: int) -> Iterator[tuple[int, Counts]]:
    """A proxy on a free loopback port to the server at host:port, in a thread of its own (so
    that it answers while the caller waits for a server to start); yields (its port, the
    counts of everything clients send through it)."""
    counts = Counts()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ports: list[int] = []
    started = threading.Event()

    def ready(listening: int) -> None:
        ports.append(listening)
        started.set()

    def run() -> None:
        try:
            loop.run_until_complete(_serve(host, port, counts, ready, stop))
        finally:
            started.set()
            loop.close()

    thread = threading.Thread(target=run, name="counting-proxy", daemon=True)
    thread.start()
    started.wait()
    if not ports:
        raise RuntimeError("the counting proxy did not start")
    try:
        yield ports[0], counts
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join()
