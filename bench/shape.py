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
import statistics
import time
from typing import Any

import orjson

from bench import loop
from bench.__main__ import size
from bench.generate import Plan
from bench.operations import ELECTION_PAGE, OPERATIONS
from bench.prepare import prepare
from schema import schema
from schema.context import Context
from server import prepare_garbage_collector
from service.database import connected

#: Page sizes: candidacies, endorsements and tallies.
Sizes = tuple[int, int, int]
#: The page sizes of the election page, as `make bench` asks for them.
FULL: Sizes = (12, 5, 5)
#: Every page cut to its first item.
ONE: Sizes = (1, 1, 1)


def query(candidacies: int, endorsements: int, tallies: int) -> str:
    """The election page with these page sizes."""
    sizes = {
        "candidacies(first: 12)": f"candidacies(first: {candidacies})",
        "endorsements(first: 5)": f"endorsements(first: {endorsements})",
        "tallies(first: 5)": f"tallies(first: {tallies})",
    }
    text = ELECTION_PAGE
    for old, new in sizes.items():
        if old not in text:
            raise RuntimeError(f"the election page no longer asks for {old}")
        text = text.replace(old, new)
    return text


async def answer(document: str, variables: dict[str, Any]) -> bytes:
    """One run, with a fresh Context, encoded as the view encodes it."""
    result = await schema.execute(document, variable_values=variables, context_value=Context())
    if result.errors:
        raise RuntimeError(f"the API failed: {result.errors}")
    return orjson.dumps({"data": result.data})


async def measure(url: str, plan: Plan, turns: int, runs: int) -> dict[Sizes, float]:
    """CPU ms per run of each shape on the database `url`: the median of `turns` turns of
    `runs` runs each."""
    variables = OPERATIONS[0].variables(plan)
    shapes = {sizes: query(*sizes) for sizes in (FULL, ONE)}
    found: dict[Sizes, list[float]] = {sizes: [] for sizes in shapes}
    async with connected(url):
        prepare_garbage_collector()  # as the server does once started
        for document in shapes.values():
            for _ in range(5):  # known from the first run: the fast path's way from then on
                await answer(document, variables)
        for _ in range(turns):
            for sizes, document in shapes.items():
                started = time.process_time()
                for _ in range(runs):
                    await answer(document, variables)
                found[sizes].append((time.process_time() - started) * 1000 / runs)
    return {sizes: statistics.median(times) for sizes, times in found.items()}


async def run(args: argparse.Namespace) -> None:
    from bench import postgres

    label, candidacies = args.size
    plan = Plan(candidacies, args.seed)
    prepared = await prepare(plan, label, "loader", reuse=True, log=False)
    sides = {"SQLite": f"sqlite://{prepared.database}"}
    variables = OPERATIONS[0].variables(plan)
    print(f"event loop: {loop.factory('auto')[0]}; {label} data")
    async with connected(sides["SQLite"]):
        sizes_of = {sizes: len(await answer(query(*sizes), variables)) for sizes in (FULL, ONE)}
    for label, url in sides.items():
        await _print(label, url, plan, args, sizes_of)
    if args.postgres:
        async with postgres.scratch(args.postgres) as url:
            await postgres.load(plan, url)
            await _print("PostgreSQL", url, plan, args, sizes_of)


async def _print(
    label: str,
    url: str,
    plan: Plan,
    args: argparse.Namespace,
    sizes_of: dict[Sizes, int],
) -> None:
    found = await measure(url, plan, args.turns, args.runs)
    full, one = found[FULL], found[ONE]
    print(
        f"  {label}: CPU ms per run, pages {FULL} ({sizes_of[FULL]:,} bytes) {full:.2f}, "
        f"pages {ONE} ({sizes_of[ONE]:,} bytes) {one:.2f}: the one-item pages cost "
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
