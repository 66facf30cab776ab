"""`python -m bench`: measure the API against hand-written floors at chosen data sizes."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time

from bench import loop, postgres
from bench.run import PARTS, Options, SizeResult, load_average, machine, run_size
from bench.summary import print_summary

NAMED = {"k": 1_000, "m": 1_000_000}


def size(text: str) -> tuple[str, int]:
    """ "10k" → ("10k", 10000); "1m" → ("1m", 1000000); "2500" → ("2500", 2500)."""
    match = re.fullmatch(r"(\d+)([kKmM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            f"a size is a number with an optional k or m, not {text!r}"
        )
    number = int(match.group(1)) * NAMED.get(match.group(2).lower(), 1)
    if number < 200:
        raise argparse.ArgumentTypeError("a size must be at least 200 candidacies")
    return text.strip().lower(), number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--sizes", default="10k,100k", help="comma-separated: 10k,100k,1m (default 10k,100k)"
    )
    p.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated subset of {','.join(PARTS)} (default: all)",
    )
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--runs", type=int, default=7, help="in-process runs per operation (median)")
    p.add_argument("--seconds", type=float, default=5.0, help="HTTP load per operation, seconds")
    p.add_argument("--warmup", type=float, default=1.0, help="HTTP warm-up per operation, seconds")
    p.add_argument("--concurrency", type=int, default=4, help="connections for the operations")
    p.add_argument("--small-concurrency", type=int, default=16, help="connections, small query")
    p.add_argument(
        "--loader",
        choices=("auto", "real", "bulk"),
        default="auto",
        help="fill the database with loader.load (real) or raw executemany (bulk); "
        "auto: real up to 100k candidacies, bulk above",
    )
    p.add_argument(
        "--reuse", action="store_true", help="reuse a database built before (no loader numbers)"
    )
    p.add_argument("--app-env", default="production", help="APP_ENV of the served API")
    p.add_argument(
        "--postgres",
        default=os.environ.get(postgres.ENVIRONMENT) or None,
        metavar="URL",
        help="the PostgreSQL server to measure on as well, beside PostGraphile: "
        "postgres://user@host:port/database, a role that may create databases (a scratch "
        f"database is made and dropped); default ${postgres.ENVIRONMENT}",
    )
    p.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds against PostGraphile (median)"
    )
    p.add_argument(
        "--peer-seconds",
        type=float,
        default=None,
        help="each side's window in a round against PostGraphile, seconds (default: --seconds)",
    )
    p.add_argument(
        "--quick", action="store_true", help="one small size, short runs: under three minutes"
    )
    p.add_argument(
        "--loop",
        choices=loop.LOOPS,
        default="auto",
        help="the event loop of this process, where the in-process part runs: auto (default), "
        "uvloop where it is installed, as the server's; or asyncio's own",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Stopped by SIGTERM, still stop the servers started (the `finally` of servers.serve).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.sizes, args.runs, args.seconds, args.warmup = "3k", 5, 2.0, 0.5
        args.rounds, args.peer_seconds, ordinary_runs = 3, 1.0, 1
    else:
        ordinary_runs = None
    sizes = sorted((size(s) for s in args.sizes.split(",") if s.strip()), key=lambda s: s[1])
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(
            f"unknown parts: {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})",
            file=sys.stderr,
        )
        return 2
    options = Options(
        sizes=sizes,
        parts=parts,
        seed=args.seed,
        runs=args.runs,
        seconds=args.seconds,
        warmup=args.warmup,
        concurrency=args.concurrency,
        small_concurrency=args.small_concurrency,
        loader={"real": "loader"}.get(args.loader, args.loader),
        reuse=args.reuse,
        app_env=args.app_env,
        postgres_url=args.postgres,
        rounds=args.rounds,
        peer_seconds=args.seconds if args.peer_seconds is None else args.peer_seconds,
        ordinary_runs=ordinary_runs,
    )
    print("python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]))
    for line in machine():
        print(line)
    print(f"event loop of this process (the in-process part): {loop.factory(args.loop)[0]}")
    started = time.perf_counter()

    async def run_all() -> list[SizeResult]:
        results = []
        for n, (label, candidacies) in enumerate(sizes):
            results.append(await run_size(label, candidacies, options, n == len(sizes) - 1))
        return results

    results = loop.run(run_all(), args.loop)
    print(f"\n(run took {time.perf_counter() - started:.0f} s; {load_average()})")
    print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
