"""`python -m bench.heaviest`: the heaviest answers an anonymous client may ask for under the
default limits, against the bundled data, and what each costs the process: its cost, its
answer's bytes and fields, the peak of what Python holds while it runs (tracemalloc), the
process's resident memory before it and its peak during it, and its time; then the bulk
exports streamed whole.

The app runs in this process over a fresh SQLite database loaded with LOAD_FIXTURES=bundled
(the curated fixtures, ParlGov and the MIT Election Lab), in production mode. Each request is
sent straight to the ASGI app and its body counted and dropped as it is sent, as uvicorn would
write it out, so that no copy made by a test client is measured. Each query runs twice: once
for its time and resident memory, once under tracemalloc (which slows it) for its peak.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ctypes
import gc
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLObjectType,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
    is_non_null_type,
    parse,
)
from starlette.types import ASGIApp, Message

from schema import schema as api_schema
from schema.limits import cost
from service import compat
from service.settings import Limits

#: The default limit on a query's cost (MAX_COST).
MAX_COST = Limits.max_cost

#: The election with the longest text in the bundled data: its summary, 1,678 bytes.
LONGEST = "ge-parliament-2024"
#: The election with the most tally lines: 627, 101 of them in its national tally.
MOST_LINES = "us-president-2020"


def global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


# --- The queries ---------------------------------------------------------------------------------


def leaves(type_name: str) -> str:
    """Every field of a type that needs no argument and holds a value (a scalar, an enum, or a
    list of them), selected: as much of a row as one level of a query can take."""
    graphql_schema = compat.graphql_schema(api_schema)
    type_ = graphql_schema.get_type(type_name)
    assert isinstance(type_, GraphQLObjectType), type_name
    names = [
        name
        for name, field in type_.fields.items()
        if is_leaf_type(get_named_type(field.type))
        and not any(is_non_null_type(arg.type) for arg in field.args.values())
    ]
    return " ".join(names)


def widest_page(candidacies: int, tallies: int) -> str:
    """A page of 100 elections with every value of theirs, their sources, their candidacies
    and their tallies with every line: the largest page of elections the cost allows."""
    source = f"{{ {leaves('Source')} }}"
    return (
        "{ elections(first: 100) { nodes { "
        f"{leaves('Election')} sources {source} allSources {source} "
        f"candidacies(first: {candidacies}) {{ nodes {{ {leaves('Candidacy')} "
        f"sources {source} }} }} "
        f"tallies(first: {tallies}) {{ nodes {{ {leaves('Tally')} "
        f"lines {{ {leaves('TallyLine')} }} sources {source} }} }} "
        "} } }"
    )


def repeated_text(copies: int) -> str:
    """The longest text in the data as many times as the cost allows: one election 100 times
    (`nodes(ids:)` may repeat an ID), and through its candidacies, three levels deep, the same
    election again with its summary under `copies` names. Each copy costs 1 and weighs
    1,678 bytes: the most bytes per unit of cost the bundled data gives."""
    names = " ".join(["summary", *(f"s{n}: summary" for n in range(2, copies + 1))])
    level = f"election {{ {names} }}"
    for depth in range(3):
        level = f"candidacies(first: 8) {{ nodes {{ {level} }} }}"
        if depth < 2:
            level = f"election {{ {level} }}"
    return f"query ($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Election {{ {level} }} }} }}"


def longest_lists(copies: int, candidacy: str = "name") -> str:
    """The tally with the most lines, 101, with every value of each line and its candidacy's
    `candidacy` fields, 100 times under each of `copies` names: a plain list counts
    COST_LIST_SIZE (10) in the cost whatever it holds, so this answer holds about ten times
    the fields its cost counts."""
    line = f"{leaves('TallyLine')} candidacy {{ {candidacy} }}"
    election = (
        f"nodes(ids: $ids) {{ ... on Election {{ tallies(first: 1) {{ nodes {{ "
        f"lines {{ {line} }} }} }} }} }}"
    )
    aliased = " ".join(f"n{n}: {election}" for n in range(copies))
    return f"query ($ids: [ID!]!) {{ {aliased} }}"


def query_cost(query: str, variables: dict[str, Any] | None = None) -> int:
    """What the server counts for `query` before it runs it (schema/limits.py)."""
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    return cost(compat.graphql_schema(api_schema), document, operation, variables)


def largest(build: Callable[[int], str], variables: dict[str, Any] | None = None) -> int:
    """The largest n, from 1 up, whose query `build(n)` stays within MAX_COST."""
    n = 1
    while query_cost(build(n + 1), variables) <= MAX_COST:
        n += 1
    assert query_cost(build(n), variables) <= MAX_COST, "even n = 1 is over the limit"
    return n


@dataclass(frozen=True)
class Heavy:
    name: str
    query: str
    variables: dict[str, Any]

    @property
    def cost(self) -> int:
        return query_cost(self.query, self.variables)


def heavy_queries() -> list[Heavy]:
    longest = {"ids": [global_id("Election", LONGEST)] * 100}
    lines = {"ids": [global_id("Election", MOST_LINES)] * 100}
    page = largest(lambda n: widest_page(n, n))
    copies = min(largest(repeated_text, longest), Limits.max_aliases + 1)
    lists = min(largest(longest_lists, lines), Limits.max_aliases)
    return [
        Heavy(f"widest page (first: 100, {page}, {page})", widest_page(page, page), {}),
        *(
            Heavy(f"longest text, {n} cop{'y' if n == 1 else 'ies'}", repeated_text(n), longest)
            for n in sorted({1, copies})
        ),
        *(
            Heavy(f"101 tally lines, {n} x 100 times", longest_lists(n), lines)
            for n in sorted({1, lists})
        ),
        # `won` (and `ledPopularVote`) is decided once per election and request, but the
        # cache is looked at before the decision is awaited: lines resolved together each
        # decide it again (1,010 lines: 5 s with `won`, 0.3 s without).
        Heavy("101 tally lines, 100 times, with won", longest_lists(1, "name won"), lines),
    ]


# --- Measuring -----------------------------------------------------------------------------------


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> float:
    """Resets this process's peak resident memory to what it holds now; returns that, MiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mib("VmRSS:")


@dataclass
class Answer:
    status: int
    size: int  # bytes
    #: The body's chunks, when kept (references to what the app sends, not copies).
    chunks: list[bytes]

    def json(self) -> Any:
        return json.loads(b"".join(self.chunks))


async def call(
    app: ASGIApp, method: str, path: str, body: bytes = b"", keep: bool = False
) -> Answer:
    """One request to the app, its body counted chunk by chunk as it is sent, and dropped
    unless `keep`."""
    path, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    sent = False
    answer = Answer(0, 0, [])

    async def receive() -> Message:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the client waits for the answer
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            answer.size += len(chunk)
            if keep:
                answer.chunks.append(chunk)

    await app(scope, receive, send)
    return answer


def release_freed() -> None:
    """Collects what the last request left and asks the C allocator to hand its free memory
    back to the system (it keeps some all the same: the resident memory before a heavy
    request's successor stays above the start)."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass
class Timed:
    answer: Answer
    seconds: float
    rss_mib: float  # resident memory before the request
    rss_peak_mib: float  # the process's peak resident memory during it


async def timed(
    app: ASGIApp, method: str, path: str, body: bytes = b"", keep: bool = False
) -> Timed:
    """The request timed with the process's peak resident memory, its answer kept if `keep`."""
    release_freed()
    before = reset_peak_rss()
    started = time.perf_counter()
    answer = await call(app, method, path, body, keep)
    seconds = time.perf_counter() - started
    return Timed(answer, seconds, before, _status_mib("VmHWM:"))


async def traced(app: ASGIApp, method: str, path: str, body: bytes = b"") -> float:
    """The most Python held during the request over what it held before, MiB (tracemalloc)."""
    release_freed()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    await call(app, method, path, body)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2**20


def fields(value: object) -> int:
    """The fields of an answer as the cost counts them: each key once per object holding it,
    a list of objects by its items' fields plus one per item."""
    if isinstance(value, dict):
        return sum(1 + fields(item) for item in value.values())
    if isinstance(value, list):
        return sum(fields(item) + (1 if isinstance(item, dict) else 0) for item in value)
    return 0


#: The time limit of the traced runs: tracemalloc slows a query some threefold, and a query
#: that ends within EXECUTION_TIMEOUT untraced is traced to its end.
TRACED_TIMEOUT = 60.0

HEADER = f"{'cost':>8} {'fields':>9} {'MiB':>7} {'peak MiB':>9} {'RSS MiB':>13} {'s':>6}"


def row(timed: Timed, peak: float) -> str:
    rss = f"{timed.rss_mib:.0f}→{timed.rss_peak_mib:.0f}"
    return f"{timed.answer.size / 2**20:7.1f} {peak:9.1f} {rss:>13} {timed.seconds:6.2f}"


async def graphql_report(app: ASGIApp, traced_app: ASGIApp) -> None:
    print(f"{'query':40} {HEADER}")
    for heavy in heavy_queries():
        body = json.dumps({"query": heavy.query, "variables": heavy.variables}).encode()
        measured = await timed(app, "POST", "/graphql", body, keep=True)
        answer = measured.answer.json()
        measured.answer.chunks.clear()
        errors = answer.get("errors")
        # A query the time limit stopped is traced under it too: what it held until stopped.
        peak = await traced(traced_app if errors is None else app, "POST", "/graphql", body)
        counted = fields(answer.get("data"))
        print(f"{heavy.name:40} {heavy.cost:8,} {counted:9,} {row(measured, peak)}")
        if errors is not None or measured.answer.status != 200:
            print(f"    {measured.answer.status}: {json.dumps(errors)[:200]}")
        del answer


EXPORTS = ("candidacies.csv", "tally-lines.jsonl", "elections.jsonl")


async def export_report(app: ASGIApp) -> None:
    print(f"{'export':59} {HEADER[19:]}")
    for name in EXPORTS:
        measured = await timed(app, "GET", f"/export/{name}")
        peak = await traced(app, "GET", f"/export/{name}")
        print(f"{'/export/' + name:59} {row(measured, peak)}")


async def run(folder: Path) -> None:
    os.environ.update(
        APP_ENV="production",
        DATABASE_URL=f"sqlite://{folder / 'heaviest.sqlite3'}",
        LOAD_FIXTURES="bundled",
        LOG_LEVEL="warning",
    )
    from server import create_app  # here: the app reads its settings when it is made
    from service.settings import load_settings

    settings = load_settings()
    app = create_app(settings)
    longer = replace(settings.limits, execution_timeout=TRACED_TIMEOUT)
    traced_app = create_app(replace(settings, limits=longer), manage_database=False)
    async with app.router.lifespan_context(app):
        release_freed()
        print(f"bundled data loaded; resident memory {_status_mib('VmRSS:'):.0f} MiB")
        print("MiB: the answer's bytes; peak MiB: the most Python held meanwhile (tracemalloc);")
        print("RSS MiB: the process's resident memory before the request → its peak during it")
        print()
        await graphql_report(app, traced_app)
        print()
        await export_report(app)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.heaviest", description=__doc__)
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(Path(folder)))


if __name__ == "__main__":
    main()
