"""`python -m bench.hostile`: the hostile requests of docs/security.md against `elections serve`
in production, each timed with the server's peak memory and /health's slowest answer while it
is in flight, as ratios to an ordinary query's; then distinct megabyte queries against the
caches' byte budgets.

The server runs in a subprocess over a fresh SQLite database with the bundled fixtures; its
peak resident memory is reset before each request (/proc/PID/clear_refs), so each line's peak
is that request's.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.servers import ROOT, free_port
from service.manifest import sha256


@dataclass
class Server:
    url: str
    pid: int

    def _status(self, field: str) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
        return float("nan")

    def rss_mib(self) -> float:
        return self._status("VmRSS:")

    def peak_mib(self) -> float:
        return self._status("VmHWM:")

    def reset_peak(self) -> None:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")


@contextmanager
def serving(folder: Path) -> Iterator[Server]:
    port = free_port()
    database = f"sqlite://{folder / 'hostile.sqlite3'}"
    env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": database,
        "LOAD_FIXTURES": "bundled",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    with open(folder / "server.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"the server did not start: see {folder / 'server.log'}")
                time.sleep(0.1)
            create = ["token", "create", "bench", "--scope", "write", "--database-url", database]
            token = subprocess.run(
                [sys.executable, "-m", "service.cli", *create],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            os.environ["BENCH_WRITE_TOKEN"] = token
            yield Server(url, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def laughs(wide: int, deep: int) -> str:
    lines = ["a0: &a0 [x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * wide)}]" for i in range(1, deep + 1)]
    return "\n".join(lines) + "\n"


def fan_out(levels: int) -> str:
    fragments = [f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(levels)]
    return "query{...F0} " + " ".join(fragments) + f" fragment F{levels} on Query{{__typename}}"


def graphql(query: str, variables: dict[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


ELECTION = base64.b64encode(b"Election:az-president-2024").decode()
NODES = (
    "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Election { key date"
    " candidacies { nodes { name person { name birthDate } } } sources { url title } } } }"
)
ORDINARY = '{ election(key: "az-president-2024") { key date winner { name } } }'


BY_TURNOUT = (
    "query ($c: String) { elections(orderBy: [{field: TURNOUT}], after: $c) { totalCount } }"
)
FILTERED = "query ($f: ElectionFilter) { elections(filter: $f) { totalCount } }"
LOAD = "mutation ($c: String!) { loadFixtures(content: $c) { changed errors { message } } }"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def requests() -> list[tuple[str, Callable[[], bytes], bool]]:
    """(what, its body, whether it needs the write token); the first is the baseline."""
    big = cursor(json.dumps(["elections:turnout.asc.nl,key.asc.nl", 10**30, "x"]))
    deep = cursor("[" * 100_000 + "]" * 100_000)
    number = b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}"
    nested = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 100_000
    nested += b"]" * 100_000 + b"}}"
    wide = {"or": [{"kind": "PRESIDENTIAL"}] * 5000}
    return [
        ("ordinary query (the baseline)", lambda: graphql(ORDINARY), False),
        ("fragment fan-out, 30 levels", lambda: graphql(fan_out(30)), False),
        ("fragment fan-out, 40 levels", lambda: graphql(fan_out(40)), False),
        ("nodes(ids:) with 100 IDs", lambda: graphql(NODES, {"ids": [ELECTION] * 100}), False),
        (
            "nodes(ids:) with 20,000 IDs",
            lambda: graphql(NODES, {"ids": [ELECTION] * 20_000}),
            False,
        ),
        ("a 5,000-digit number in the JSON", lambda: number, False),
        ("JSON nested 100,000 deep", lambda: nested, False),
        ("a filter of 5,000 or branches", lambda: graphql(FILTERED, {"f": wide}), False),
        ("a cursor holding 10^30", lambda: graphql(BY_TURNOUT, {"c": big}), False),
        ("a cursor nested 100,000 deep", lambda: graphql(BY_TURNOUT, {"c": deep}), False),
        ("YAML aliases 10 wide, 6 deep", lambda: graphql(LOAD, {"c": laughs(10, 6)}), True),
        ("YAML aliases 10 wide, 7 deep", lambda: graphql(LOAD, {"c": laughs(10, 7)}), True),
    ]


@dataclass
class Result:
    seconds: float
    health: float  # /health's slowest answer meanwhile
    peak: float  # MiB over the resident memory before
    status: int
    answer: str


async def measure(server: Server, body: bytes, token: str | None) -> Result:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    server.reset_peak()
    before = server.rss_mib()
    async with httpx.AsyncClient(base_url=server.url, timeout=600) as http:
        done = False
        slowest = 0.0

        async def poll() -> None:
            nonlocal slowest
            while not done:
                started = time.perf_counter()
                await http.get("/health")
                slowest = max(slowest, time.perf_counter() - started)
                await asyncio.sleep(0.02)

        poller = asyncio.create_task(poll())
        started = time.perf_counter()
        response = await http.post("/graphql", content=body, headers=headers)
        took = time.perf_counter() - started
        done = True
        await poller
    return Result(took, slowest, server.peak_mib() - before, response.status_code, response.text)


async def hostile(server: Server) -> None:
    token = os.environ["BENCH_WRITE_TOKEN"]
    print(f"{'request':36} status  seconds  ratio  /health  ratio  peak +MiB")
    baseline: Result | None = None
    for name, body, write in requests():
        result = await measure(server, body(), token if write else None)
        if baseline is None:
            # The ordinary query again, measured: the first time parses and validates it.
            baseline = result = await measure(server, body(), None)
        print(
            f"{name:36} {result.status:6} {result.seconds:8.3f} "
            f"{result.seconds / baseline.seconds:6.1f} {result.health:8.3f} "
            f"{result.health / baseline.health:6.1f} {result.peak:10.1f}"
        )
        print(f"    {result.answer[:100]}")


def megabyte_queries(server: Server, count: int, start: int) -> float:
    """`count` distinct ~1 MB queries, each sent with its hash and again alone; RSS after."""
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for number in range(start, start + count):
            first = megabyte_query(number)
            for body in (first, {"query": first["query"]}):
                answer = http.post("/graphql", json=body).json()
                assert answer == {"data": {"__typename": "Query"}}, answer
    return server.rss_mib()


def megabyte_query(number: int) -> dict[str, object]:
    query = f"query Q{number} {{ __typename }} # " + "x" * (1000 * 1000)
    return {
        "query": query,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}},
    }


async def live_memory(count: int) -> None:
    """The same queries in-process, with what Python holds measured by tracemalloc: the
    server's resident memory also counts what the allocator keeps after it is freed."""
    from server import create_app  # here: the app reads nothing until it is made
    from service.settings import Settings

    app = create_app(Settings(), manage_database=False)  # `__typename` needs no database
    transport = httpx.ASGITransport(app=app)
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for number in range(count):
            body = megabyte_query(number)
            for sent in (body, {"query": body["query"]}):
                assert (await http.post("/graphql", json=sent)).status_code == 200
            if (number + 1) % max(count // 6, 1) == 0:
                gc.collect()
                held = (tracemalloc.get_traced_memory()[0] - start) / 2**20
                print(f"{number + 1:>6} queries: {held:7.1f} MiB held")
    tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__)
    parser.add_argument("--megabyte-queries", type=int, default=600, help="(default 600)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, serving(Path(folder)) as server:
        asyncio.run(hostile(server))
        print()
        print("distinct ~1 MB queries (each sent with its APQ hash, then alone): server RSS")
        start = server.rss_mib()
        print(f"{0:>6} queries: {start:7.1f} MiB")
        sent = 0
        step = max(options.megabyte_queries // 6, 1)
        while sent < options.megabyte_queries:
            rss = megabyte_queries(server, step, sent)
            sent += step
            print(f"{sent:>6} queries: {rss:7.1f} MiB (+{rss - start:.1f})")
    print()
    print("the same in-process, what Python holds (tracemalloc):")
    asyncio.run(live_memory(min(options.megabyte_queries, 120)))
    print("the four caches' budgets add up to 80 MiB (PARSER_, VALIDATION_, KNOWN_QUERIES_")
    print("and PERSISTED_QUERIES_CACHE_BYTES); a text held by several is counted by each")


if __name__ == "__main__":
    main()
