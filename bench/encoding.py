"""`python -m bench.encoding`: what a response's JSON and a request's log line cost, each
measured both ways in one process, in turns.

- The answers of the reference operations (bench/operations.py) at one size, encoded as
  the app did with `json.dumps` and as it does now (`web.graphql_app.response_json`, orjson);
  the two are checked to read as the same JSON.
- One request's log line, logged as a record through `logging` (JsonFormatter on the
  handler `configure` installs) and as `service.logs.log_request` writes it; both go to
  /dev/null, and are checked to be the same line but for the time.

The data is the benchmark's own (bench/data/, made by `python -m bench` at that size, or
now if missing). Ratios are of medians of `--turns` turns, each repeating its work for
at least 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.__main__ import size
from bench.generate import Plan
from bench.inprocess import api_data
from bench.operations import OPERATIONS, SMALL_OPERATION
from bench.prepare import prepare
from service import logs
from service.database import connected
from service.logs import RequestInfo, current_request
from web.graphql_app import response_json


def per_call(work: Callable[[], object], at_least: float = 0.02) -> float:
    """Seconds per call of `work`, repeated for at least `at_least` seconds."""
    calls = 0
    start = time.perf_counter()
    while True:
        work()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= at_least:
            return elapsed / calls


def in_turns(a: Callable[[], object], b: Callable[[], object], turns: int) -> tuple[float, float]:
    """Medians of seconds per call of `a` and `b`, measured in alternating turns."""
    times_a, times_b = [], []
    for turn in range(turns):
        first, second = (a, b) if turn % 2 == 0 else (b, a)
        t_first, t_second = per_call(first), per_call(second)
        if first is a:
            times_a.append(t_first)
            times_b.append(t_second)
        else:
            times_a.append(t_second)
            times_b.append(t_first)
    return statistics.median(times_a), statistics.median(times_b)


def stdlib_json(value: object) -> bytes:
    """The body as Strawberry's view encoded it before: `json.dumps`, compact, ASCII."""
    return json.dumps(value, separators=(",", ":")).encode()


def microseconds(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


async def responses(label: str, candidacies: int, seed: int, turns: int) -> None:
    plan = Plan(candidacies, seed)
    prepared = await prepare(plan, label, "loader", reuse=True, log=False)
    print(f"responses: the reference operations' answers at {label} ({prepared.how} data)")
    print(f"  {'operation':<10} {'answer':>10} {'json.dumps':>11} {'orjson':>10}  json/orjson")
    async with connected(f"sqlite://{prepared.database}"):
        for op in [*OPERATIONS, SMALL_OPERATION]:
            answer: dict[str, Any] = {"data": await api_data(op, op.variables(plan))}
            before, after = stdlib_json(answer), response_json(answer)
            assert json.loads(before) == json.loads(after), f"{op.name}: not the same JSON"
            old, new = in_turns(partial(stdlib_json, answer), partial(response_json, answer), turns)
            print(
                f"  {op.name:<10} {len(before) / 1024:>6.1f} KiB {microseconds(old):>11}"
                f" {microseconds(new):>10}  {old / new:.1f}x"
            )


def log_line(turns: int) -> None:
    print("log line: one request's line, to /dev/null")
    log = logging.getLogger("elections.requests")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    token = current_request.set(RequestInfo(request_id="3f2a9c" * 5))
    fields = {
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "operation": "ElectionResult",
        "duration_ms": 12.345,
    }

    def as_record() -> None:  # as web/observability.py logged it before
        log.info("%s %s %s", "POST", "/graphql", 200, extra=fields)

    def direct() -> None:
        logs.log_request(log, "POST", "/graphql", 200, "ElectionResult", 12.345)

    try:
        check = io.StringIO()
        logs.configure("info", check)
        as_record()
        direct()
        lines = [json.loads(line) for line in check.getvalue().splitlines()]
        for line in lines:
            line.pop("time")
        assert lines[0] == lines[1], lines
        with open(os.devnull, "w") as null:
            logs.configure("info", null)
            old, new = in_turns(as_record, direct, turns)
        print(
            f"  logging's record and JsonFormatter {microseconds(old)}, log_request"
            f" {microseconds(new)}: {old / new:.1f}x"
        )
    finally:
        current_request.reset(token)
        root.handlers, level = saved
        root.setLevel(level)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.encoding", description=__doc__)
    p.add_argument("--size", type=size, default=size("3k"), help="data size (default 3k)")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--turns", type=int, default=9, help="alternating turns (median)")
    args = p.parse_args()
    label, candidacies = args.size
    asyncio.run(responses(label, candidacies, args.seed, args.turns))
    log_line(args.turns)


if __name__ == "__main__":
    main()
