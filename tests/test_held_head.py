"""A response's head sent with its body (web/held_head.py): on its own, and in the protocol
`elections serve` runs, fed a request's bytes and writing to a transport that records them."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from web.held_head import HeldHead
from web.read_timeout import HttpToolsProtocol


class Recorder(asyncio.Transport):
    """A connection's transport that records what is done to it, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.done: list[Any] = []  # each write's bytes, and "close"
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.done.append(bytes(data))

    def close(self) -> None:
        self.done.append("close")
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def next_turn() -> None:
    await asyncio.sleep(0)


async def test_the_head_goes_out_with_the_body_in_one_write() -> None:
    transport = Recorder()
    held = HeldHead(transport)
    held.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert transport.done == []
    held.write(b"{}")
    held.write(b"more")  # only the first write is held
    assert transport.done == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"more"]
    await next_turn()
    assert transport.done == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"more"]  # nothing was left


async def test_a_head_without_a_body_in_the_same_turn_goes_out_at_the_next() -> None:
    transport = Recorder()
    held = HeldHead(transport)
    held.write(b"head")
    await next_turn()
    assert transport.done == [b"head"]
    held.write(b"body")
    assert transport.done == [b"head", b"body"]


async def test_a_held_head_goes_out_before_the_transport_closes() -> None:
    transport = Recorder()
    held = HeldHead(transport)
    held.write(b"head")
    held.close()
    assert transport.done == [b"head", "close"]
    await next_turn()
    assert transport.done == [b"head", "close"]


async def test_a_head_held_when_the_connection_is_lost_is_dropped() -> None:
    transport = Recorder()
    held = HeldHead(transport)
    held.write(b"head")
    transport.closing = True  # the client hung up meanwhile
    assert held.is_closing()
    await next_turn()
    assert transport.done == []


REQUEST = (
    b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\n\r\n{}"
)


async def sent(
    app: Any, request: bytes = REQUEST, transport: Recorder | None = None
) -> tuple[HttpToolsProtocol, Recorder]:
    """`elections serve`'s protocol running `app`, sent `request` whole, and its transport,
    a few turns of the event loop later."""
    config = Config(app=app, log_config=None, lifespan="off")
    config.load()
    protocol = HttpToolsProtocol(
        config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop()
    )
    transport = Recorder() if transport is None else transport
    protocol.connection_made(transport)
    protocol.data_received(request)
    for _ in range(5):
        await next_turn()
    return protocol, transport


async def test_a_small_answer_is_one_write() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["body"] == b"{}"
        headers = [(b"content-length", b"11"), (b"x-a", b"1")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data":{}}'})

    protocol, transport = await sent(app)
    # uvicorn's own protocol writes the head and the body apart.
    [answer] = transport.done
    head, _, body = bytes(answer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert (lines[0], lines[-2:]) == (b"HTTP/1.1 200 OK", [b"content-length: 11", b"x-a: 1"])
    assert body == b'{"data":{}}'
    protocol.connection_lost(None)


async def test_a_streamed_answer_sends_its_head_before_its_first_part_is_ready() -> None:
    ready = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await ready.wait()
        await send({"type": "http.response.body", "body": b"part", "more_body": False})

    protocol, transport = await sent(app)
    [head] = transport.done  # the head alone, while the first part is awaited
    assert bytes(head).startswith(b"HTTP/1.1 200 OK\r\n")
    assert bytes(head).endswith(b"transfer-encoding: chunked\r\n\r\n")
    ready.set()
    for _ in range(5):
        await next_turn()
    assert transport.done[1:] == [b"4\r\npart\r\n0\r\n\r\n"]
    protocol.connection_lost(None)


async def test_an_answer_without_a_body_sends_its_head_as_it_completes() -> None:
    written: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        headers = [(b"content-length", b"11")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        # The answer is complete: its head is out in this turn, not the next one.
        written.extend(transport.done)

    transport = Recorder()
    protocol, _ = await sent(app, REQUEST.replace(b"POST", b"HEAD", 1), transport)
    [head] = written
    assert bytes(head).startswith(b"HTTP/1.1 200 OK\r\n")
    assert bytes(head).endswith(b"content-length: 11\r\n\r\n")
    assert transport.done == written
    protocol.connection_lost(None)
