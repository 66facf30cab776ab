"""`python -m bench.ab A B`: two trees of this repository served side by side, for a change
whose effect is smaller than the noise between two runs of the whole benchmark.

A and B are folders holding the code to compare (this repository at two commits, e.g. one
made by `git archive COMMIT | tar -x -C /tmp/base`), served with this repository's .venv.
Both run at once as `server:create_app` under uvicorn (one worker, APP_ENV=production: a
log line per request, written to bench/data/ab-A.log and ab-B.log) over the benchmark's
SQLite database of one size (bench/data/, made now if missing). For each operation, the
same load generator loads one side at a time, in rounds that alternate which side goes
first; each side's CPU per request (the server process's user + system time over the
measured window, from /proc) and req/s are printed as medians of the rounds, with B / A.
`--env-a` and `--env-b` add variables to one side (LOG_LEVEL=warning, say). Each side's
HTTP/1.1 protocol is the one `elections serve` runs (bench/servers.py, API_HTTP); `--http-a`
and `--http-b` name another for one side (a tree older than it:
`--http-a web.read_timeout:H11Protocol`).

With `--in-process`, no server: each round runs each side's own in-process benchmark
(`python -m bench --parts inprocess --reuse`, in a process of its own on that side's copy of
the database), in turns that alternate which side goes first, and prints the medians of
each side's API CPU per run and API / floor ratio. On a machine whose speed drifts from one
minute to the next, one run of each side can differ by more than the change; the medians
of alternating runs do not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from bench import loadgen
from bench.__main__ import size
from bench.generate import Plan
from bench.operations import BY_NAME
from bench.prepare import DATA, prepare
from bench.servers import API_HTTP, HOST, Server, serve_api


def variables(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"expected NAME=VALUE, got {pair!r}")
        found[name] = value
    return found


async def measure(
    server: Server, body: bytes, concurrency: int, seconds: float, warmup: float
) -> tuple[float, float, Any]:
    """One window on `server`: its CPU ms per request, req/s and the first answer's data."""
    marks: list[float] = []
    result = await loadgen.run(
        HOST,
        server.port,
        "/graphql",
        body,
        concurrency,
        seconds,
        warmup,
        on_start=lambda: marks.append(server.cpu_seconds()),
    )
    cpu = server.cpu_seconds() - marks[0]
    if result.errors or not result.requests:
        raise RuntimeError(f"{result.errors} errors in {result.requests} requests")
    data = orjson.loads(result.first_body).get("data")
    return cpu * 1000 / result.requests, result.rps, data


async def run(args: argparse.Namespace) -> None:
    label, candidacies = args.size
    plan = Plan(candidacies, args.seed)
    prepared = await prepare(plan, label, "loader", reuse=True, log=False)
    trees = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    environments = {"A": variables(args.env_a), "B": variables(args.env_b)}
    protocols = {"A": args.http_a, "B": args.http_b}
    for side, tree in trees.items():
        extra = " ".join(f"{k}={v}" for k, v in environments[side].items())
        print(f"{side}: {tree} (--http {protocols[side]}){' with ' + extra if extra else ''}")
    print(
        f"{label} data; {args.rounds} rounds of {args.seconds} s after {args.warmup} s warm-up"
        f" per side, {args.concurrency} connections; medians"
    )
    print(f"  {'operation':<10} {'CPU ms/req A':>13} {'B':>9} {'B/A':>6}   {'req/s A':>9} {'B':>9}")
    with (
        serve_api(
            prepared.database,
            DATA / "ab-A.log",
            http=protocols["A"],
            root=trees["A"],
            environment=environments["A"],
        ) as a,
        serve_api(
            prepared.database,
            DATA / "ab-B.log",
            http=protocols["B"],
            root=trees["B"],
            environment=environments["B"],
        ) as b,
    ):
        servers = {"A": a, "B": b}
        for name in args.operations.split(","):
            op = BY_NAME[name.strip()]
            body = orjson.dumps({"query": op.query, "variables": op.variables(plan)})
            cpu: dict[str, list[float]] = {"A": [], "B": []}
            rps: dict[str, list[float]] = {"A": [], "B": []}
            answers = {}
            for round_ in range(args.rounds):
                order = ["A", "B"] if round_ % 2 == 0 else ["B", "A"]
                for side in order:
                    ms, per_second, data = await measure(
                        servers[side], body, args.concurrency, args.seconds, args.warmup
                    )
                    cpu[side].append(ms)
                    rps[side].append(per_second)
                    answers[side] = data
            if answers["A"] != answers["B"]:
                raise RuntimeError(f"{op.name}: A and B answer differently")
            a_cpu, b_cpu = statistics.median(cpu["A"]), statistics.median(cpu["B"])
            a_rps, b_rps = statistics.median(rps["A"]), statistics.median(rps["B"])
            print(
                f"  {op.name:<10} {a_cpu:>13.3f} {b_cpu:>9.3f} {b_cpu / a_cpu:>6.2f}"
                f"   {a_rps:>9.1f} {b_rps:>9.1f}"
            )


#: A line of the in-process summary: "  election   6.93 / 1.59 (4.3x; 17)" (bench/summary.py).
SUMMARY_LINE = re.compile(r"^  (\w+) +([\d.]+) / ([\d.]+) \(([\d.]+)x; \d+\)$")


def in_process_round(tree: Path, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """One in-process benchmark of the code in `tree`: each operation's API CPU ms per run,
    and its API / floor ratio."""
    label, _ = args.size
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench", "--sizes", label, "--seed", str(args.seed)),
            *("--parts", "inprocess", "--runs", str(args.runs), "--reuse"),
        ],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for line in done.stdout.splitlines():
        match = SUMMARY_LINE.match(line)
        if match:
            name, api, _floor, ratio = match.groups()
            found[name] = (float(api), float(ratio))
    if done.returncode or not found:
        raise RuntimeError(f"{tree}: the in-process benchmark failed:\n{done.stdout}{done.stderr}")
    return found


async def run_in_process(args: argparse.Namespace) -> None:
    label, candidacies = args.size
    plan = Plan(candidacies, args.seed)
    prepared = await prepare(plan, label, "loader", reuse=True, log=False)
    trees = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    for side, tree in trees.items():
        # Each side reads its own copy of the same database, where its `--reuse` looks.
        copy = tree / "bench" / "data" / prepared.database.parent.name
        if copy.resolve() != prepared.database.parent.resolve():
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(prepared.database.parent, copy)
        print(f"{side}: {tree}")
    print(
        f"{label} data, in process; {args.rounds} rounds of {args.runs} turns per operation "
        "per side; medians"
    )
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {"A": [], "B": []}
    for round_ in range(args.rounds):
        for side in ["A", "B"] if round_ % 2 == 0 else ["B", "A"]:
            runs[side].append(in_process_round(trees[side], args))
    head = f"  {'operation':<10} {'CPU ms/run A':>13} {'B':>9} {'B/A':>6}"
    print(f"{head}   {'API/floor A':>12} {'B':>6}")
    for name in runs["A"][0]:
        cpu = {side: statistics.median(r[name][0] for r in runs[side]) for side in runs}
        ratio = {side: statistics.median(r[name][1] for r in runs[side]) for side in runs}
        print(
            f"  {name:<10} {cpu['A']:>13.2f} {cpu['B']:>9.2f} {cpu['B'] / cpu['A']:>6.2f}"
            f"   {ratio['A']:>11.1f}x {ratio['B']:>5.1f}x"
        )


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    p.add_argument("a", help="folder of side A's code")
    p.add_argument("b", help="folder of side B's code")
    p.add_argument("--env-a", action="append", default=[], help="NAME=VALUE for side A")
    p.add_argument("--env-b", action="append", default=[], help="NAME=VALUE for side B")
    for side in ("a", "b"):
        p.add_argument(
            f"--http-{side}",
            default=API_HTTP,
            help=f"uvicorn's --http for side {side.upper()} (default {API_HTTP})",
        )
    p.add_argument("--operations", default="small,election,elections", help="comma-separated")
    p.add_argument("--size", type=size, default=size("3k"), help="data size (default 3k)")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--rounds", type=int, default=5, help="rounds per operation (default 5)")
    p.add_argument("--seconds", type=float, default=1.5, help="measured seconds per side")
    p.add_argument("--warmup", type=float, default=0.5, help="warm-up seconds per side")
    p.add_argument("--concurrency", type=int, default=4, help="connections (default 4)")
    p.add_argument(
        "--in-process",
        action="store_true",
        help="each side's in-process benchmark, alternating, rather than two servers",
    )
    p.add_argument(
        "--runs", type=int, default=15, help="with --in-process: turns per operation (default 15)"
    )
    args = p.parse_args()
    asyncio.run(run_in_process(args) if args.in_process else run(args))


if __name__ == "__main__":
    main()
