"""Rows read as records: the models' attributes and types, and reads that never run inside
another request's transaction."""

from __future__ import annotations

import asyncio
import datetime as dt

from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

import models
from schema.rows import table


async def test_a_record_has_the_models_attributes_and_types(world: TortoiseContext) -> None:
    (record,) = await table(models.Election).where_in("key", ["az-president-2024"])
    row = await models.Election.get(key="az-president-2024")
    assert record.pk == record.id == row.pk
    assert record.date == dt.date(2024, 2, 7)
    assert record.kind is models.ElectionKind.PRESIDENTIAL
    assert record.early is True
    assert record.originally_due == "2025-10"
    assert record.country_id == row.country_id  # type: ignore[attr-defined]
    # Timestamps are converted only when read, by Tortoise's own field.
    assert record.updated_at == row.updated_at
    assert isinstance(record.updated_at, dt.datetime)


async def test_records_keep_nulls_and_come_in_id_order(world: TortoiseContext) -> None:
    election = await models.Election.get(key="az-president-2024")
    tallies = await table(models.Tally).where_in("election_id", [election.pk], order_by_id=True)
    assert [t.key.removeprefix("az-president-2024/") for t in tallies[:5]] == [
        "preliminary-seed",
        "preliminary-54",
        "preliminary-93",
        "final-cec",
        "final-ispd",
    ]
    seed, at_54, _at_93, cec, ispd = tallies[:5]
    assert (at_54.stage, at_54.as_of, at_54.counted_share) == (
        models.Stage.PRELIMINARY,
        dt.date(2024, 2, 7),
        54.47,
    )
    assert (cec.stage, cec.as_of, cec.preferred) == (models.Stage.FINAL, dt.date(2024, 2, 13), True)
    assert (ispd.as_of, ispd.preferred, seed.counted_share) == (None, False, None)


async def test_a_read_never_sees_inside_another_transaction(
    empty_db: TortoiseContext, backend: str
) -> None:
    await models.Country.create(code="AZ", name="Azerbaijan")
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        try:
            async with in_transaction():
                await models.Country.create(code="ZZ", name="Zedland")
                inside.set()
                await release.wait()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    writing = asyncio.create_task(writer())
    await inside.wait()
    read = asyncio.create_task(table(models.Country).where_in("code", ["ZZ", "AZ"]))
    for _ in range(20):
        await asyncio.sleep(0.01)
    if backend == "sqlite":
        # One connection: the read waits for the transaction rather than run inside it.
        assert not read.done()
    else:
        # A connection of its own, which does not see what is not committed.
        assert read.done()
    release.set()
    await writing
    assert [row.code for row in await read] == ["AZ"]
    assert await models.Country.filter(code="ZZ").count() == 0
