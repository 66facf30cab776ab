"""Where a request's time goes: one operation POSTed to /graphql through the app in process,
and each layer under it called on its own, in CPU µs per request (`python -m bench.layers`).

The layers, outermost first:

- request: the whole app as `elections serve` makes it (production, its lifespan run);
- route: the /graphql route (its caching and body-limit middleware, and the view), without
  the middleware around every route (request ID, log line, metrics, read timeout) and the
  router;
- view: the /graphql view (`GraphQLApp`) alone;
- known query: `Schema.execute_known` with the view's context, its data encoded as the
  answer's body is, without the view's request and response handling.

Each layer must answer the same bytes as the whole request, or the run stops. Request lines
are written only with LOG_LEVEL=info (to stderr). The layers take turns (`TURNS` rounds,
each layer repeated to last about TURN_SECONDS), and each layer's figure is its median over
the rounds: CPU time of this process, its threads included (SQLite's reads run on
aiosqlite's thread) but not a PostgreSQL server's backends, so that other work on the
machine moves it less than it moves wall-clock time.

With `--replay`, each layer is also timed with the reads of `schema.rows.select` (every
read of a page's objects by key) answered from memory, as the first request read them: no
statement, no round trip. What a layer loses then is what reading from the database costs
this process: the statements themselves, and the code after each round trip running slower
than it does in a loop of its own, which the statement's cost alone does not account for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Message

from bench.instructions import request_scope
from bench.operations import BY_NAME
from schema import rows

LAYERS = ("request", "route", "view", "known query")
TURNS = 7
TURN_SECONDS = 0.2

Layer = Callable[[], Awaitable[bytes]]


def layers(app: Starlette, body: bytes) -> dict[str, Layer]:
    """Each layer of `app` (started: its lifespan entered) as a call that POSTs `body` and
    returns the answer's body."""
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    view: Any = route.endpoint
    schema = view.schema

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    def asgi(call: Any, with_app: bool) -> Layer:
        async def run() -> bytes:
            sent: list[Message] = []

            async def send(message: Message) -> None:
                sent.append(message)

            scope = {**request_scope(body), "state": {}}
            if with_app:
                scope["app"] = app
            await call(scope, receive, send)
            status = sent[0]["status"]
            if status != 200:
                raise RuntimeError(f"/graphql answered {status}: {sent[-1]['body'][:300]!r}")
            return b"".join(m.get("body", b"") for m in sent[1:])

        return run

    async def known_query() -> bytes:
        request = Request({**request_scope(body), "state": {}, "app": app}, receive)
        data = orjson.loads(body)
        known = schema.known_query(data["query"], data["variables"], None)
        if known is None:
            raise RuntimeError("the operation is not a known query: it must run once first")
        sub_response = await view.get_sub_response(request)
        context = await view.get_context(request, sub_response)
        result = await schema.execute_known(known, context, data["variables"], None, None)
        if result is None or result.errors:
            raise RuntimeError(f"the known query met an error: {result}")
        answer = await view.process_result(request, result)
        return bytes(view.create_response(answer, sub_response).body)

    return {
        "request": asgi(app, with_app=False),
        "route": asgi(route.app, with_app=True),
        "view": asgi(view, with_app=True),
        "known query": known_query,
    }


async def measure(calls: dict[str, Layer], turns: int = TURNS) -> dict[str, float]:
    """Each call's CPU µs per run: the median over `turns` rounds in which each takes its
    turn, repeated to last about TURN_SECONDS."""
    repeats = {}
    for name, call in calls.items():
        start = time.perf_counter()
        await call()
        repeats[name] = max(1, round(TURN_SECONDS / max(time.perf_counter() - start, 1e-6)))
    spent: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(turns):
        for name, call in calls.items():
            used = time.process_time()
            for _ in range(repeats[name]):
                await call()
            spent[name].append((time.process_time() - used) / repeats[name] * 1e6)
    return {name: statistics.median(values) for name, values in spent.items()}


@dataclass
class Replayed:
    """The reads `replaying` answered from memory, and those it sent to the database."""

    answered: int = 0
    sent: int = 0


@contextmanager
def replaying() -> Iterator[Replayed]:
    """Within it, `schema.rows.select` answers each statement (its text and parameters) it
    has read before from memory, without a round trip; the rest it reads and keeps."""
    kept: dict[tuple[str, tuple[Any, ...]], Sequence[Any]] = {}
    counts = Replayed()
    select = rows.select

    async def replayed(client: Any, text: str, params: list[Any]) -> Sequence[Any]:
        key = (text, tuple(params))
        found = kept.get(key)
        if found is not None:
            counts.answered += 1
            return found
        counts.sent += 1
        found = kept[key] = await select(client, text, params)
        return found

    rows.select = replayed  # read_in calls it by the module's name
    try:
        yield counts
    finally:
        rows.select = select


@dataclass
class Measured:
    """One operation on one database: the answer every layer gave, each layer's CPU µs per
    request, and with `--replay` the same with the reads replayed (`replaying`) and how
    many reads a request made."""

    answer: bytes
    layers: dict[str, float]
    replayed: dict[str, float] | None = None
    reads: int = 0


@asynccontextmanager
async def started(url: str, body: bytes) -> AsyncIterator[tuple[dict[str, Layer], bytes]]:
    """The layers of the app as `elections serve` makes it (production, its lifespan run) on
    the database at `url`, and the whole request's answer to `body`, the query known now."""
    from server import create_app

    os.environ.update(DATABASE_URL=url, APP_ENV="production", LOAD_FIXTURES="")
    # Request lines go to stderr: LOG_LEVEL=info (with 2>/dev/null) counts their cost too.
    os.environ.setdefault("LOG_LEVEL", "warning")
    app = create_app()
    async with app.router.lifespan_context(app):
        calls = layers(app, body)
        yield calls, await calls["request"]()  # the query becomes known here


async def on_database(url: str, body: bytes, turns: int, replay: bool = False) -> Measured:
    """The answer to `body` from the app on the database at `url`, which each layer must give
    too, and each layer's CPU µs per request; with `replay`, also with its reads replayed."""
    async with started(url, body) as (calls, first):
        for name, call in calls.items():
            if await call() != first:
                raise RuntimeError(f"the {name} layer answers otherwise than the request")
        measured = Measured(first, await measure(calls, turns))
        if not replay:
            return measured
        with replaying() as counts:
            await calls["request"]()  # reads and keeps what the layers will replay
            for name, call in calls.items():
                answered = counts.answered
                if await call() != first:
                    raise RuntimeError(f"the {name} layer answers otherwise, replayed")
                measured.reads = counts.answered - answered
            sent = counts.sent
            measured.replayed = await measure(calls, turns)
            if counts.sent != sent:
                raise RuntimeError("a replayed run sent a read to the database")
        return measured


def report(label: str, operation: str, measured: Measured) -> str:
    """The lines printed for one operation on one database: each layer's µs, and what the
    layer adds to the one under it; with its reads replayed, the same again, and what the
    reads cost each layer."""
    lines = [f"  {label}, {operation}: CPU µs per request, and what each layer adds"]
    replayed = measured.replayed
    if replayed is not None:
        lines[0] += (
            f"; with its reads replayed from memory ({measured.reads} a request); and what the"
            " reads cost"
        )
    for i, name in enumerate(LAYERS):
        line = f"    {name:<12} {_with_added(measured.layers, i)}"
        if replayed is not None:
            cost = measured.layers[name] - replayed[name]
            line += f"   {_with_added(replayed, i)}   {cost:8.1f}"
        lines.append(line)
    return "\n".join(lines)


def _with_added(found: dict[str, float], i: int) -> str:
    """The i-th layer's µs and what it adds to the one under it."""
    value = found[LAYERS[i]]
    below = found[LAYERS[i + 1]] if i + 1 < len(LAYERS) else 0.0
    return f"{value:8.1f} {value - below:+8.1f}"


async def run(args: argparse.Namespace) -> None:
    from bench import postgres
    from bench.generate import Plan
    from bench.prepare import prepare

    plan = Plan(3000, 1)
    prepared = await prepare(plan, "3k", "loader", reuse=True, log=False)
    print("3k data, this process's CPU time (a database's backends not counted)")
    bodies = {
        name: orjson.dumps(
            {"query": BY_NAME[name].query, "variables": BY_NAME[name].variables(plan)}
        )
        for name in args.operations.split(",")
    }
    sqlite = f"sqlite://{Path(prepared.database).resolve()}"
    for name, body in bodies.items():
        measured = await on_database(sqlite, body, args.turns, args.replay)
        print(report("SQLite", name, measured), flush=True)
    if args.postgres:
        async with postgres.scratch(args.postgres) as url:
            await postgres.load(plan, url)
            for name, body in bodies.items():
                measured = await on_database(url, body, args.turns, args.replay)
                print(report("PostgreSQL", name, measured), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.layers", description=__doc__)
    p.add_argument("--operations", default="small,election", help="comma-separated")
    p.add_argument("--postgres", metavar="URL", help="also on a scratch database of this server")
    p.add_argument("--turns", type=int, default=TURNS, help=f"rounds (default {TURNS})")
    p.add_argument("--replay", action="store_true", help="also with the reads answered from memory")
    args = p.parse_args()
    # On the event loop `elections serve` runs (uvicorn picks uvloop where it exists).
    uvloop.run(run(args))


if __name__ == "__main__":
    main()
