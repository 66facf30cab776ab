"""`python -m bench.instructions A B`: the instructions each of two trees of this repository
spends on one run of each reference operation in process, counted by valgrind's callgrind.

A count of instructions is the same from one run to the next, whatever else the machine is
doing, where times drift by more than a change is worth on a shared machine (bench/ab.py
takes medians of alternating runs for that). It counts what the process does in user space:
the Python of the API, the drivers and SQLite's engine, not the kernel's part of a statement
(its system calls), nor PostgreSQL's backends. So it measures the code, and the benchmark's
SQL statements and CPU times measure the rest.

Each side runs in processes of its own, with its own code (PYTHONPATH; this file drives it)
and this repository's .venv, under `valgrind --tool=callgrind`, twice: an operation run a few
times, then more times; the difference of the two counts, over the difference in runs, is one
run's count without the process's start.
SQLite reads the benchmark's database of one size (bench/data/, made now if missing);
`--postgres URL` also loads a scratch database there (dropped after) and counts on it.

With `--http`, each run is a whole request: a POST to /graphql through the app that
`elections serve` serves (`server.create_app`, in production, on uvloop), called in process
with the request's bytes already read, so that the middleware, the view, the log line and the
metrics are counted with the execution. uvicorn's parsing and the socket are not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import uvloop
from starlette.types import Message, Scope

from bench.__main__ import size

#: callgrind's summary line on stderr: "==123== Collected : 4567890".
COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def collected(stderr: str) -> int:
    """The instructions callgrind counted, from its summary on stderr."""
    found = COLLECTED.findall(stderr)
    if len(found) != 1:
        raise RuntimeError(f"no single callgrind summary in its output:\n{stderr[-2000:]}")
    return int(found[0])


def per_run(few: tuple[int, int], many: tuple[int, int]) -> float:
    """One run's instructions, from two counts (runs, instructions) of the same process."""
    (runs_a, count_a), (runs_b, count_b) = few, many
    if runs_b <= runs_a:
        raise ValueError("the second count must cover more runs than the first")
    return (count_b - count_a) / (runs_b - runs_a)


def count(tree: Path, operation: str, runs: int, url: str, http: bool = False) -> int:
    """The instructions of a process of `tree` that runs `operation` `runs` times on `url`
    (each a request through the app, with `http`)."""
    done = subprocess.run(
        [
            *("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"),
            # This file, run with the tree's code: `-P`, so that this folder's modules do not
            # shadow the standard library's (bench/http.py).
            *(sys.executable, "-P", __file__, "--run", operation, str(runs), url),
            *(["--http"] if http else []),
        ],
        cwd=tree,
        # A fixed hash seed: with a random one, the start's count differs between the two
        # processes by more than a run of a small operation.
        env={**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{tree}: {operation} failed:\n{done.stdout}{done.stderr[-2000:]}")
    return collected(done.stderr)


async def run_operation(operation: str, runs: int, url: str) -> None:
    """The `--run` side: `operation` run `runs` times in process, each with a fresh Context,
    after one run that warms the caches (counted in both counts, so it cancels out)."""
    from bench import inprocess
    from bench.generate import Plan
    from bench.operations import BY_NAME
    from service.database import connected

    op = BY_NAME[operation]
    variables = op.variables(Plan(int(os.environ["BENCH_CANDIDACIES"]), 1))
    async with connected(url):
        await inprocess.api_bytes(op, variables)
        for _ in range(runs):
            await inprocess.api_bytes(op, variables)


def request_scope(body: bytes) -> Scope:
    """An HTTP/1.1 POST of `body` (JSON) to /graphql, as uvicorn gives it to the app."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def run_requests(operation: str, runs: int, url: str) -> None:
    """The `--run … --http` side: `operation` POSTed `runs` times to /graphql through the
    app as `elections serve` makes it (production, its lifespan run), after one request that
    warms the caches and must answer 200 with data and no errors."""
    os.environ.update(DATABASE_URL=url, APP_ENV="production", LOAD_FIXTURES="")
    from bench.generate import Plan
    from bench.operations import BY_NAME
    from server import create_app

    op = BY_NAME[operation]
    variables = op.variables(Plan(int(os.environ["BENCH_CANDIDACIES"]), 1))
    body = orjson.dumps({"query": op.query, "variables": variables})
    scope = request_scope(body)
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    app = create_app()
    async with app.router.lifespan_context(app):
        await app({**scope, "state": {}}, receive, send)
        status, answer = sent[0]["status"], orjson.loads(sent[-1]["body"])
        if status != 200 or "errors" in answer or not answer.get("data"):
            raise RuntimeError(f"{operation}: {status} {str(answer)[:500]}")
        for _ in range(runs):
            sent.clear()
            await app({**scope, "state": {}}, receive, send)


def compare(args: argparse.Namespace, url: str, label: str) -> None:
    trees = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    unit = "request" if args.http else "run"
    print(f"  {label}: M instructions per {unit}, A / B / B/A")
    for operation in args.operations.split(","):
        few, many = (3, 13) if operation != "elections" else (1, 3)
        if operation == "small":
            few, many = 10, 110
        found = {
            side: per_run(
                (few, count(tree, operation, few, url, args.http)),
                (many, count(tree, operation, many, url, args.http)),
            )
            for side, tree in trees.items()
        }
        a, b = found["A"] / 1e6, found["B"] / 1e6
        print(f"    {operation:<10} {a:9.2f} {b:9.2f} {b / a:6.3f}", flush=True)


async def run(args: argparse.Namespace) -> None:
    from bench import postgres
    from bench.generate import Plan
    from bench.prepare import prepare

    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: on Debian, `apt-get install valgrind`")
    label, candidacies = args.size
    os.environ["BENCH_CANDIDACIES"] = str(candidacies)
    plan = Plan(candidacies, 1)
    prepared = await prepare(plan, label, "loader", reuse=True, log=False)
    print(f"A: {Path(args.a).resolve()}\nB: {Path(args.b).resolve()}\n{label} data, callgrind")
    compare(args, f"sqlite://{prepared.database.resolve()}", "SQLite")
    if args.postgres:
        async with postgres.scratch(args.postgres) as url:
            await postgres.load(plan, url)
            compare(args, url, "PostgreSQL (this process only)")


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    p.add_argument("a", nargs="?", help="folder of side A's code")
    p.add_argument("b", nargs="?", help="folder of side B's code")
    p.add_argument(
        "--operations", default="election,country,elections,small", help="comma-separated"
    )
    p.add_argument("--size", type=size, default=size("3k"), help="data size (default 3k)")
    p.add_argument("--postgres", metavar="URL", help="also on a scratch database of this server")
    p.add_argument(
        "--http",
        action="store_true",
        help="count whole requests through the app (middleware, view, log line), in process",
    )
    p.add_argument("--run", nargs=3, metavar=("OPERATION", "RUNS", "URL"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:
        operation, runs, url = args.run
        if args.http:
            # On the event loop `elections serve` runs (uvicorn picks uvloop where it exists).
            uvloop.run(run_requests(operation, int(runs), url))
        else:
            asyncio.run(run_operation(operation, int(runs), url))
    elif args.a and args.b:
        asyncio.run(run(args))
    else:
        p.error("name the two trees to compare, A and B")


if __name__ == "__main__":
    main()
