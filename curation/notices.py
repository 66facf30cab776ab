"""Which elections a write touched, read inside its transaction, as the notices that
subscriptions wait for (service/notify.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

import models
from loader.sections import BY_NAME
from loader.validate import Batch
from service.notify import Notice

#: For each model whose rows are facts of an election: the path from it to the election.
ELECTION_OF: dict[type[Any], str] = {
    models.Election: "",
    models.Candidacy: "election__",
    models.Statement: "election__",
    models.LegalCase: "election__",
    models.ExitPoll: "election__",
    models.Endorsement: "candidacy__election__",
}

#: For each curated section whose records are placed in an election: the record's fields that
#: place it (its election, a tally's area too, an endorsement's candidacy, an election's
#: country), each with the stored column it is read from.
PLACED_BY: dict[str, dict[str, str]] = {
    "elections": {"country": "country__code"},
    "candidacies": {"election": "election__key"},
    "tallies": {"election": "election__key", "area": "area__key"},
    "statements": {"election": "election__key"},
    "endorsements": {"candidacy": "candidacy__key"},
}
#: Keys asked for in one query when comparing a batch with what is stored.
_CHUNK = 500


async def changed_since(conn: BaseDBAsyncClient, since: dt.datetime) -> set[Notice]:
    """The notices for every row of a fact of an election written at `since` or later (the
    loader stamps each row it creates or changes, and each whose lines or links changed)."""
    found: set[Notice] = set()
    tallies = (
        await models.Tally.filter(updated_at__gte=since)
        .using_db(conn)
        .values_list("election__key", "election__country__code", "area__key")
    )
    for election, country, area in tallies:
        found.add(Notice(election, country, area, tally=True))
        found.add(Notice(election, country))
    for model, path in ELECTION_OF.items():
        rows = (
            await model.filter(updated_at__gte=since)
            .using_db(conn)
            .values_list(f"{path}key", f"{path}country__code")
        )
        found.update(Notice(election, country) for election, country in rows if election)
    return found


async def of_record(conn: BaseDBAsyncClient, section: str, key: str) -> set[Notice]:
    """The notices for one stored record of a curated section (before it is deleted)."""
    if section == "tallies":
        rows = (
            await models.Tally.filter(key=key)
            .using_db(conn)
            .values_list("election__key", "election__country__code", "area__key")
        )
        found: set[Notice] = set()
        for election, country, area in rows:
            found |= {Notice(election, country, area, tally=True), Notice(election, country)}
        return found
    model = {
        "elections": models.Election,
        "candidacies": models.Candidacy,
        "statements": models.Statement,
        "endorsements": models.Endorsement,
    }[section]
    path = ELECTION_OF[model]
    rows = (
        await model.filter(key=key).using_db(conn).values_list(f"{path}key", f"{path}country__code")
    )
    return {Notice(election, country) for election, country in rows}


async def moved(conn: BaseDBAsyncClient, batch: Batch) -> set[Notice]:
    """The notices of the stored records that `batch` places elsewhere (another election,
    area or country), for where they are now: read before the batch is written, since the
    rows it stamps name only where they will be, and the election a record leaves changes
    too (its latest tally, its facts)."""
    found: set[Notice] = set()
    for section, places in PLACED_BY.items():
        natural_key = BY_NAME[section].natural_key
        given = {
            getattr(item.record, natural_key): tuple(getattr(item.record, name) for name in places)
            for item in batch.records(section)
        }
        keys = sorted(given)
        for start in range(0, len(keys), _CHUNK):
            rows = (
                await BY_NAME[section]
                .model.filter(**{f"{natural_key}__in": keys[start : start + _CHUNK]})
                .using_db(conn)
                .values_list(natural_key, *places.values())
            )
            for key, *stored in rows:
                if tuple(stored) != given[key]:
                    found |= await of_record(conn, section, key)
    return found
