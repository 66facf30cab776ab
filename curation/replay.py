"""An election night again: an election's stored tallies taken out of a copy of the database
and created anew, one by one in publication order, so that subscriptions see the real
sequence (`elections replay`, docs/live.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import loader
import models
from curation import changes
from loader.records import TallyRecord
from loader.sections import BY_NAME
from models.figures import in_stage_order

#: Who the audit log says created the replayed tallies.
ACTOR = "replay"
#: The time between two stages of the same date, or of unknown dates: the sources give a
#: date, not the hour, of each publication.
SAME_DAY = dt.timedelta(hours=1)


class NothingToReplay(Exception):
    """The election is not in the database, or has no tallies."""


@dataclass(frozen=True)
class PlannedTally:
    """One tally to create (a fixture record), and the seconds to wait before it."""

    record: dict[str, Any]
    wait: float

    @property
    def key(self) -> str:
        return str(self.record["key"])


def publication_order(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order the tallies came out in: models/figures.py's `in_stage_order`, the order
    `Election.tallies` gives, read from the fixture records."""
    # The records are the database's own dump, so they are read as the fixture format has
    # them (its defaults filled in, such as round 1) without being checked again.
    by_key = {str(record["key"]): record for record in records}
    read = [TallyRecord.model_construct(**record) for record in records]
    return [by_key[tally.key] for tally in in_stage_order(read)]


def stages(records: Sequence[dict[str, Any]], speed: float, max_wait: float) -> list[PlannedTally]:
    """The tallies in publication order, each after the time since the one before (its date
    less the previous one's, at least SAME_DAY) divided by `speed`, at most `max_wait`
    seconds; the first after SAME_DAY / `speed` (at most `max_wait`) too."""
    found = []
    previous: dt.date | None = None
    for record in publication_order(records):
        date = record.get("as_of")
        gap = SAME_DAY
        if previous is not None and date is not None:
            gap = max(dt.timedelta(days=(date - previous).days), SAME_DAY)
        previous = date or previous
        found.append(PlannedTally(record, min(gap.total_seconds() / speed, max_wait)))
    return found


async def take_out(election: str, folder: Path) -> list[dict[str, Any]]:
    """Dumps the current database into `folder` (fixture files, as `elections dump` writes
    them) without the tallies of `election`; returns those tallies as fixture records."""
    if not await models.Election.filter(key=election).exists():
        raise NothingToReplay(f"there is no election '{election}' in the database")
    files = await loader.dump(folder)
    section = BY_NAME["tallies"]
    [path] = [file for file in files if file.name.endswith(f"-{section.name}.yaml")]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kept = [r for r in data[section.name] if r["election"] != election]
    taken = [r for r in data[section.name] if r["election"] == election]
    if not taken:
        raise NothingToReplay(f"election '{election}' has no tallies to replay")
    path.write_text(
        yaml.safe_dump({section.name: kept}, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8",
    )
    return taken


async def publish(
    planned: Sequence[PlannedTally], report: Callable[[PlannedTally], object]
) -> None:
    """Creates each tally after its wait, as a curator would (one transaction each, audited,
    announced to subscriptions), and reports it."""
    for tally in planned:
        await asyncio.sleep(tally.wait)
        await changes.create("tallies", tally.record, ACTOR)
        report(tally)
