"""A real subscriptions client for the tests: the graphql-ws npm package (tests/live/client.mjs)
in a node process, whose events (connected, next, error, complete, closed) are read as they
come and awaited with a deadline; and the writes (a token, a mutation) and raw WebSocket frames
the tests of subscriptions make."""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from curation import tokens
from models import Scope
from service.settings import ROOT
from tests.support.databases import on_database

CLIENT = ROOT / "tests" / "live"
NODE = Path(sys.executable).parent / "node"

RESULT_UPDATED = """
subscription Result($election: String!, $area: String) {
  resultUpdated(election: $election, area: $area) {
    election { key }
    area
    tally { key stage countedShare lines { votes share candidacy { key } } }
  }
}
"""
#: The whole-country result of Azerbaijan's 2024 presidential election, followed.
AZ_2024_RESULT = {"query": RESULT_UPDATED, "variables": {"election": "az-president-2024"}}
ELECTION_CHANGED = """
subscription Changed($country: String) { electionChanged(country: $country) { key summary } }
"""
CREATE_TALLY = """
mutation($input: CreateTallyInput!) {
  createTally(input: $input) { tally { key } errors { field message } }
}
"""

Event = dict[str, Any]


class LiveClient:
    """The node process and the events it printed, in order."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.events: queue.Queue[Event] = queue.Queue()
        self.seen: list[Event] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def next_event(self, timeout: float, ignore: tuple[str, ...] = ("ping",)) -> Event:
        """The next event but those of `ignore`; fails if none comes within `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(left, 0))
            except queue.Empty:
                pytest.fail(f"no event within {timeout} s; seen so far: {self.seen}")
            self.seen.append(event)
            if event["event"] not in ignore:
                return event

    def wait_for(self, wanted: Callable[[Event], bool], timeout: float) -> Event:
        """The first event that is `wanted`, skipping others; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(max(deadline - time.monotonic(), 0), ignore=())
            if wanted(event):
                return event


@contextmanager
def live_client(
    url: str, subscriptions: list[dict[str, Any]], retry: bool = False, pong: bool = True
) -> Iterator[LiveClient]:
    """graphql-ws connected to `url` (http:// becomes ws://) with the subscriptions given;
    reconnecting after a close with `retry`, and never answering a ping without `pong`."""
    if not (CLIENT / "node_modules" / "graphql-ws" / "package.json").is_file():
        pytest.fail(f"graphql-ws is not installed in {CLIENT}: run `make setup`")
    options = {
        "url": url.replace("http://", "ws://", 1),
        "subscriptions": subscriptions,
        "retry": retry,
        "disablePong": not pong,
    }
    process = subprocess.Popen(
        [str(NODE), str(CLIENT / "client.mjs"), json.dumps(options)],
        cwd=CLIENT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    client = LiveClient(process)
    try:
        yield client
    finally:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        client._reader.join(timeout=10)
        process.stdout.close()


def create_tally(base_url: str, token: str, tally: dict[str, Any]) -> None:
    """Creates a tally through the API of the server at `base_url`."""
    answer = httpx.post(
        f"{base_url}/graphql",
        json={"query": CREATE_TALLY, "variables": {"input": tally}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.json() == {
        "data": {"createTally": {"tally": {"key": tally["key"]}, "errors": []}}
    }, answer.text


def metric(base_url: str, name: str) -> float:
    """One sample of the server's /metrics, by its name with its labels."""
    for line in httpx.get(f"{base_url}/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} is not in /metrics")


def masked_frame(text: str) -> bytes:
    """A client's WebSocket text frame (RFC 6455: masked, as a client's must be)."""
    data = text.encode()
    mask = os.urandom(4)
    size = bytes([0x80 | len(data)]) if len(data) < 126 else bytes([0xFE]) + len(data).to_bytes(2)
    return bytes([0x81]) + size + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


@contextmanager
def unread_websocket(base_url: str) -> Iterator[socket.socket]:
    """A WebSocket to /graphql (graphql-transport-ws) whose client reads nothing it is not
    asked to: a receive buffer of 4 KiB, and the frames left in the socket. Yields the
    socket after the handshake's answer (101)."""
    port = int(base_url.rsplit(":", 1)[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    with sock:
        sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)  # byte by byte: what follows the head stays unread
        assert head.startswith(b"HTTP/1.1 101 "), head
        yield sock


def read_to_end(sock: socket.socket) -> int:
    """Reads until the server ends the connection; the number of bytes read."""
    total = 0
    try:
        while chunk := sock.recv(65536):
            total += len(chunk)
    except ConnectionResetError:
        pass  # dropped rather than closed: the end all the same
    return total


def write_token(database_url: str) -> str:
    """A token of write scope in the database of `database_url` (a server's, in another
    process)."""
    return on_database(database_url, lambda: tokens.create("editor", Scope.WRITE))


def mutate(
    base_url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Runs a mutation through the API of the server at `base_url`; its data, once checked
    that every payload in it has no errors (each is its own transaction, done)."""
    answer = httpx.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body = answer.json()
    assert "errors" not in body, answer.text
    data: dict[str, Any] = body["data"]
    assert [payload["errors"] for payload in data.values()] == [[]] * len(data), answer.text
    return data


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """The next WebSocket frame the server sent (unmasked, as a server's are): its opcode
    and payload. A short read means the server ended the connection: an error."""

    def exactly(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError(f"the connection ended after {len(data)} of {size} bytes")
            data += chunk
        return data

    first, second = exactly(2)
    size = second & 0x7F
    if size == 126:
        size = int.from_bytes(exactly(2))
    elif size == 127:
        size = int.from_bytes(exactly(8))
    return first & 0x0F, exactly(size)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Polls `check` (a server's /metrics, say) until true; fails naming `what` after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not so within {timeout} s")
        time.sleep(0.05)
