"""Where one layer's own time goes (`python -m bench.profile`): the layer of `bench.layers` run
again and again under cProfile, its own time summed by file and by function, and the event
loop's turns a request.

`bench.layers` says how much each layer costs; this says what inside it. The layer runs first
without the profiler, for its CPU µs a request, then under it: cProfile's own time (a
function's, not its callees') is summed by file, so that the executor, the loaders and the
built-in functions they call each get one line, and the functions that take most are listed.
With `--replay`, the reads of `schema.rows.select` are answered from memory, as in
`bench.layers`, so that what remains is this process's Python. The turns are counted on
asyncio's own loop (uvloop has no hook for them): each turn of the loop, with the reads
sent and with them replayed, where an answer arriving from aiosqlite's thread or from the
database's socket takes turns of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import orjson
import uvloop

from bench.layers import LAYERS, Layer, replaying, started
from bench.operations import BY_NAME

#: This repository, whose files are named from it; an installed package is named from its
#: site-packages.
ROOT = Path(__file__).resolve().parents[1]


def entries(stats: pstats.Stats) -> dict[tuple[str, int, str], tuple[Any, ...]]:
    """The profile's entries: (file, line, function) to (calls, primitive calls, own time,
    total time, callers), as pstats keeps them."""
    found: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    return found


def named(file: str, root: Path = ROOT) -> str:
    """A profiled function's file as the tables name it: an installed one from site-packages,
    one of this repository from its root, built-in functions' `~` as it is."""
    if "site-packages/" in file:  # a .venv may be in the repository
        return file.split("site-packages/")[-1]
    if file.startswith(f"{root}/"):
        return file[len(str(root)) + 1 :]
    return file


def by_file(stats: pstats.Stats, root: Path = ROOT) -> list[tuple[str, float]]:
    """Each file's share of the profile's own time, largest first (files `named`)."""
    shares: Counter[str] = Counter()
    for (file, _line, _function), (_calls, _primitive, own, *_rest) in entries(stats).items():
        shares[named(file, root)] += own
    total = sum(shares.values()) or 1.0
    return [(name, own / total) for name, own in shares.most_common()]


async def turns(call: Callable[[], Awaitable[object]], count: int) -> float:
    """The turns of the running asyncio loop (not uvloop's) that `count` calls take, a call."""
    loop = asyncio.get_running_loop()
    if not isinstance(loop, asyncio.BaseEventLoop):
        raise RuntimeError("turns are counted on asyncio's own event loop")
    counted = [0]
    run_once = loop._run_once  # type: ignore[attr-defined]

    def counting() -> None:
        counted[0] += 1
        run_once()

    loop._run_once = counting  # type: ignore[attr-defined]
    try:
        for _ in range(count):
            await call()
    finally:
        del loop._run_once  # type: ignore[attr-defined]
    return counted[0] / count


async def _layer(
    url: str, body: bytes, layer: str, work: Callable[[Layer], Awaitable[None]]
) -> None:
    """`work` given the layer of the app on the database at `url`, the query known."""
    async with started(url, body) as (calls, _answer):
        await work(calls[layer])


def report(url: str, body: bytes, layer: str, runs: int, replay: bool, top: int) -> str:
    """The lines printed for one layer: its µs unprofiled, its turns, and its own time by file
    and by function."""
    found: dict[str, object] = {}

    async def profiled(call: Layer) -> None:
        with replaying() if replay else nullcontext():
            for _ in range(max(runs // 10, 1)):
                await call()  # warm, and with --replay read once what is replayed
            began = time.process_time()
            for _ in range(runs):
                await call()
            found["µs"] = (time.process_time() - began) / runs * 1e6
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(runs):
                await call()
            profile.disable()
        found["stats"] = pstats.Stats(profile)

    async def counted(call: Layer) -> None:
        found["turns"] = await turns(call, runs)
        with replaying():
            await call()
            found["replayed turns"] = await turns(call, runs)

    uvloop.run(_layer(url, body, layer, profiled))
    asyncio.run(_layer(url, body, layer, counted))
    stats = found["stats"]
    assert isinstance(stats, pstats.Stats)
    lines = [
        f"  {layer}: {found['µs']:,.0f} CPU µs a request unprofiled"
        + (" (its reads replayed)" if replay else ""),
        f"  event loop turns a request (asyncio's loop): {found['turns']:.1f},"
        f" {found['replayed turns']:.1f} with its reads replayed",
        "  own time by file (cProfile):",
        *(f"    {share:6.1%}  {name}" for name, share in by_file(stats)[:top]),
        "  own time by function:",
    ]
    own = {key: value[2] for key, value in entries(stats).items()}
    total = sum(own.values()) or 1.0
    for (file, line, function), time_of in sorted(own.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"    {time_of / total:6.1%}  {function} ({named(file)}:{line})")
    return "\n".join(lines)


def main() -> None:
    from bench.generate import Plan
    from bench.prepare import prepare

    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--operation", default="election", choices=sorted(BY_NAME))
    p.add_argument("--layer", default="known query", choices=LAYERS)
    p.add_argument("--runs", type=int, default=300, help="requests per pass (default 300)")
    p.add_argument("--replay", action="store_true", help="the reads answered from memory")
    p.add_argument("--top", type=int, default=15, help="lines of each table (default 15)")
    args = p.parse_args()
    plan = Plan(3000, 1)
    prepared = uvloop.run(prepare(plan, "3k", "loader", reuse=True, log=False))
    operation = BY_NAME[args.operation]
    body = orjson.dumps({"query": operation.query, "variables": operation.variables(plan)})
    url = f"sqlite://{Path(prepared.database).resolve()}"
    print(f"3k data, SQLite, {args.operation}, this process's CPU time")
    print(report(url, body, args.layer, args.runs, args.replay, args.top))


if __name__ == "__main__":
    main()
