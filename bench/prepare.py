"""Building a benchmark database: through the real loader, or by the documented bulk path."""

from __future__ import annotations

import resource
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import loader
from bench import bulk
from bench.generate import Plan, documents, write_fixtures
from service.database import connected

DATA = Path(__file__).resolve().parent / "data"
#: Bump when the generator changes, so that reused databases are rebuilt.
VERSION = 1


@dataclass
class Prepared:
    """A database ready to measure, and what building it measured."""

    plan: Plan
    database: Path
    rows: int
    how: str  # "loader", "bulk" or "reused"
    loader_seconds: float | None = None
    floor_seconds: float | None = None
    same_rows: bool | None = None
    fixture_mib: float | None = None

    @property
    def loader_rps(self) -> float | None:
        return None if self.loader_seconds is None else self.rows / self.loader_seconds

    @property
    def floor_rps(self) -> float | None:
        return None if self.floor_seconds is None else self.rows / self.floor_seconds


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _remove(database: Path) -> None:
    for path in database.parent.glob(database.name + "*"):
        path.unlink()


async def _create(database: Path) -> None:
    """An empty database with the project's tables, created the way the project creates them."""
    _remove(database)
    async with connected(f"sqlite://{database}"):
        pass


def _rows(plan: Plan, log: bool) -> bulk.Rows:
    start = time.perf_counter()
    rows = bulk.rows_of(doc for _, doc in documents(plan))
    if log:
        print(f"  generated {len(rows):,} rows in {time.perf_counter() - start:.1f} s")
    return rows


async def prepare(plan: Plan, label: str, how: str, reuse: bool, log: bool = True) -> Prepared:
    """The database for `plan`: loaded by `how` ("loader" or "bulk"), or reused if asked."""
    folder = DATA / f"{label}-seed{plan.seed}"
    database = folder / "api.sqlite3"
    stamp = folder / "complete"
    wanted = f"version={VERSION} candidacies={plan.candidacies} seed={plan.seed}\n"
    if reuse and database.exists() and stamp.exists() and stamp.read_text() == wanted:
        stored = sum((await bulk.table_counts(database)).values())
        return Prepared(plan, database, stored, "reused")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    if how == "loader":
        paths = write_fixtures(plan, folder / "fixtures")
        fixture_mib = sum(p.stat().st_size for p in paths) / 2**20
        _remove(database)
        async with connected(f"sqlite://{database}"):
            start = time.perf_counter()
            await loader.load(paths)
            loader_seconds = time.perf_counter() - start
        shutil.rmtree(folder / "fixtures")
        # The rows come from the models' metadata, complete only once Tortoise has started.
        rows = _rows(plan, log)
        result = Prepared(plan, database, len(rows), how, loader_seconds, fixture_mib=fixture_mib)
        floor_db = folder / "floor.sqlite3"
        await _create(floor_db)
        result.floor_seconds = await bulk.insert(floor_db, rows)
        differ = await bulk.same_contents(database, floor_db)
        if differ and log:
            print(f"  tables that differ between the loader's and the floor's: {', '.join(differ)}")
        result.same_rows = not differ
        _remove(floor_db)
    else:
        await _create(database)
        rows = _rows(plan, log)
        result = Prepared(plan, database, len(rows), how)
        result.floor_seconds = await bulk.insert(database, rows)
    stamp.write_text(wanted)
    return result
