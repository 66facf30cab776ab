"""`python -m bench.shape`: the election page in process at its own page sizes and with every
page cut to one item, so that what a request costs whatever its size shows apart from what
each object costs.

The two documents differ only in `first:` (candidacies 12 and 1, endorsements 5 and 1,
tallies 5 and 1): the same fields at the same levels, a twelfth of the objects. Each runs
in turns with the other, a fresh Context each run, on the event loop the server runs on
(bench/loop.py), and the CPU time per run is printed as the median of the turns.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from bench import inprocess, loop
from bench.__main__ import size
from bench.generate import Plan
from bench.operations import BY_NAME, Operation
from bench.prepare import prepare
from server import prepare_garbage_collector
from service.database import connected

#: Page sizes: candidacies, endorsements and tallies.
Sizes = tuple[int, int, int]
#: The page sizes of the election page, as `make bench` asks for them.
FULL: Sizes = (12, 5, 5)
#: Every page cut to its first item.
ONE: Sizes = (1, 1, 1)


def shaped(sizes: Sizes) -> Operation:
    """The election page with these page sizes (candidacies, endorsements, tallies)."""
    candidacies, endorsements, tallies = sizes
    firsts = {
        "candidacies(first: 12)": f"candidacies(first: {candidacies})",
        "endorsements(first: 5)": f"endorsements(first: {endorsements})",
        "tallies(first: 5)": f"tallies(first: {tallies})",
    }
    page = BY_NAME["election"]
    text = page.query
    for old, new in firsts.items():
        if old not in text:
            raise RuntimeError(f"the election page no longer asks for {old}")
        text = text.replace(old, new)
    return dataclasses.replace(page, query=text)


async def measure(url: str, plan: Plan, turns: int, runs: int) -> dict[Sizes, tuple[float, int]]:
    """Per shape on the database `url`: CPU ms per run, the median of `turns` turns of `runs`
    runs each; and the answer's bytes."""
    shapes = {sizes: shaped(sizes) for sizes in (FULL, ONE)}
    variables = shapes[FULL].variables(plan)
    found: dict[Sizes, list[float]] = {sizes: [] for sizes in shapes}
    async with connected(url):
        prepare_garbage_collector()  # as the server does once started
        answers: dict[Sizes, bytes] = {}
        for sizes, op in shapes.items():
            for _ in range(5):  # known from the first run: the fast path's way from then on
                answers[sizes] = await inprocess.api_bytes(op, variables)
        for _ in range(turns):
            for sizes, op in shapes.items():
                started = time.process_time()
                for _ in range(runs):
                    await inprocess.api_bytes(op, variables)
                found[sizes].append((time.process_time() - started) * 1000 / runs)
    return {sizes: (statistics.median(found[sizes]), len(answers[sizes])) for sizes in shapes}


async def run(args: argparse.Namespace) -> None:
    from bench import postgres

    label, candidacies = args.size
    plan = Plan(candidacies, args.seed)
    prepared = await prepare(plan, label, "loader", reuse=True, log=False)
    print(f"event loop: {loop.factory('auto')[0]}; {label} data")
    _print("SQLite", await measure(f"sqlite://{prepared.database}", plan, args.turns, args.runs))
    if args.postgres:
        async with postgres.scratch(args.postgres) as url:
            await postgres.load(plan, url)
            _print("PostgreSQL", await measure(url, plan, args.turns, args.runs))


def _print(label: str, found: dict[Sizes, tuple[float, int]]) -> None:
    (full, full_bytes), (one, one_bytes) = found[FULL], found[ONE]
    print(
        f"  {label}: CPU ms per run, pages {FULL} ({full_bytes:,} bytes) {full:.2f}, "
        f"pages {ONE} ({one_bytes:,} bytes) {one:.2f}: the one-item pages cost "
        f"{one / full:.0%} of the full page"
    )


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.shape", description=__doc__)
    p.add_argument("--size", type=size, default=size("3k"), help="data size (default 3k)")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--turns", type=int, default=7, help="turns of each shape (median)")
    p.add_argument("--runs", type=int, default=50, help="runs per turn")
    p.add_argument("--postgres", metavar="URL", help="also on a scratch database of this server")
    loop.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
