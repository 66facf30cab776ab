"""The fixture loader: read, check and write batches of fixture files; dump them back."""

from collections.abc import Sequence
from pathlib import Path

from loader.dump import dump
from loader.errors import FixtureError, LoadError
from loader.validate import Batch, check, collector_paused
from loader.write import Progress, Report, write

__all__ = ["Batch", "FixtureError", "LoadError", "Report", "check", "dump", "load", "write"]


async def load(
    paths: Sequence[Path], prune: bool = False, progress: Progress | None = None
) -> Report:
    """Check the whole batch, then write it in one transaction; raise LoadError on bad input."""
    with collector_paused():
        batch = await check(paths, prune=prune)
        report = await write(batch, prune=prune, progress=progress)
        # Freed before the collector runs again, which would otherwise scan all of it once.
        del batch
    return report
