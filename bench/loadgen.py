"""A small HTTP/1.1 load generator on asyncio streams: keep-alive connections, bounded in time."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What a load run measured: completed requests, errors, and each request's latency."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_body: bytes = b""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The latency (seconds) at or below which p percent of the requests finished."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def post(host: str, port: int, path: str, body: bytes) -> bytes:
    """The bytes of one POST with a JSON body, sent as is on every request."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, await reader.readexactly(int(headers.get("content-length", "0")))


class _Phases:
    """Warm-up, then one measured window that starts for every connection at once."""

    def __init__(
        self,
        concurrency: int,
        warmup: float,
        seconds: float,
        on_start: Callable[[], object] | None = None,
    ) -> None:
        self.on_start = on_start
        self.waiting = concurrency
        self.warmup = warmup
        self.seconds = seconds
        self.started = asyncio.Event()
        self.start = 0.0
        self.stop = 0.0

    def warmed(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            if self.on_start is not None:
                self.on_start()
            self.start = time.perf_counter()
            self.stop = self.start + self.seconds
            self.started.set()


async def _worker(
    host: str, port: int, request: bytes, phases: _Phases, result: LoadResult
) -> None:
    reader, writer = await asyncio.open_connection(host, port)

    async def one() -> tuple[int, bytes, float]:
        begin = time.perf_counter()
        writer.write(request)
        status, body = await _response(reader)
        return status, body, time.perf_counter() - begin

    try:
        # Warm-up: at least one request on each connection, then until the warm-up time is up.
        warm_until = time.perf_counter() + phases.warmup
        await one()
        while time.perf_counter() < warm_until:
            await one()
        phases.warmed()
        await phases.started.wait()
        # Measured: at least one request each, then new ones only while the window is open.
        while True:
            status, body, latency = await one()
            # A GraphQL error (a time limit exceeded, say) comes with status 200 in plain JSON.
            if status != 200 or b'"errors":' in body:
                result.errors += 1
            else:
                result.latencies.append(latency)
                if not result.first_body:
                    result.first_body = body
            if time.perf_counter() >= phases.stop:
                break
    finally:
        writer.close()
        await writer.wait_closed()


async def run(
    host: str,
    port: int,
    path: str,
    body: bytes,
    concurrency: int,
    seconds: float,
    warmup: float,
    on_start: Callable[[], object] | None = None,
) -> LoadResult:
    """Keep `concurrency` requests in flight for `seconds` after a warm-up of `warmup` seconds.

    Every connection sends at least one request in each phase, so a slow operation still gets
    measured; requests in flight when the time is up are completed and counted, and the
    throughput is the count over the time until the last of them ended. `on_start` is
    called as the measured window opens (to read CPU counters, say). Only loopback
    addresses are accepted.
    """
    if not host.startswith("127.") and host != "localhost":
        raise ValueError(f"load is only generated against loopback, not {host}")
    request = post(host, port, path, body)
    phases = _Phases(concurrency, warmup, seconds, on_start)
    result = LoadResult(seconds=0.0)
    await asyncio.gather(
        *(_worker(host, port, request, phases, result) for _ in range(concurrency))
    )
    result.seconds = time.perf_counter() - phases.start
    return result


async def once(host: str, port: int, path: str, body: bytes) -> tuple[int, bytes]:
    """One POST on a connection of its own: (status, body)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(post(host, port, path, body))
        return await _response(reader)
    finally:
        writer.close()
        await writer.wait_closed()
