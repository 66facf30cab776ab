"""Rows read as records: the models' attributes and types, and reads that never run inside
another request's transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Literal

import asyncpg
import pytest
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

import models
from schema.keyset import Dialect, Sql, numbered
from schema.rows import KEPT_UP_TO, _in_text, _timestamp, _written_in, select, table
from service.database import tortoise_config
from tests.support.databases import create_database, database_url, drop_database


async def test_a_record_has_the_models_attributes_and_types(world: TortoiseContext) -> None:
    (record,) = await table(models.Election).where_in("key", ["az-president-2024"])
    row = await models.Election.get(key="az-president-2024")
    assert record.pk == record.id == row.pk
    assert record.date == dt.date(2024, 2, 7)
    assert record.kind is models.ElectionKind.PRESIDENTIAL
    assert record.early is True
    assert record.originally_due == "2025-10"
    assert record.country_id == row.country_id
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


async def test_records_are_read_from_where_their_columns_begin(world: TortoiseContext) -> None:
    """A statement may read other columns around a table's (a link table's key before them):
    records made from where the table's columns begin are the table's own rows."""
    elections = table(models.Election)
    (expected,) = await elections.where_in("key", ["az-president-2024"])
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    text, params = Dialect(connection).statement(
        Sql(
            f'SELECT 7, {elections.qualified("t", postgres)}, 8 FROM "election" t '
            'WHERE t."key" = ?',
            ("az-president-2024",),
        )
    )
    raw = await select(connection, text, params)
    (found,) = elections.records(raw, start=1)
    assert type(found) is type(expected)
    assert found == expected
    assert (found.key, found.date, found.kind, found.early) == (
        "az-president-2024",
        dt.date(2024, 2, 7),
        models.ElectionKind.PRESIDENTIAL,
        True,
    )


async def test_timestamps_come_as_text_and_read_as_tortoise_reads_them(
    world: TortoiseContext,
) -> None:
    """Both databases send a row's timestamps as text, which asyncpg does not make datetimes
    of (PostgreSQL's cast in the statement); read, each is Tortoise's own value."""
    elections = table(models.Election)
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    text, params = Dialect(connection).statement(
        Sql(
            f'SELECT {elections.qualified("t", postgres)} FROM "election" t WHERE t."key" = ?',
            ("az-president-2024",),
        )
    )
    (raw,) = await select(connection, text, params)
    created, updated = (raw[elections.attributes.index(n)] for n in ("created_at", "updated_at"))
    assert (type(created), type(updated)) == (str, str)
    (record,) = elections.records([raw])
    row = await models.Election.get(key="az-president-2024")
    assert (record.created_at, record.updated_at) == (row.created_at, row.updated_at)
    assert record.updated_at.utcoffset() == dt.timedelta(0)
    if postgres:
        await _iso_whatever_the_servers_date_style()


async def _iso_whatever_the_servers_date_style() -> None:
    """On a database whose own DateStyle writes no ISO 8601, a session with the pool's
    settings (service/database.py) still does, and its text reads as the timestamp."""
    url = database_url("date_style")
    await create_database(url)
    try:
        first = await asyncpg.connect(url)
        try:
            name = url.rsplit("/", 1)[1]
            await first.execute(f"ALTER DATABASE \"{name}\" SET DateStyle = 'SQL, DMY'")
        finally:
            await first.close()
        settings = tortoise_config(url)["connections"]["default"]["credentials"]
        query = "SELECT TIMESTAMPTZ '2024-02-07 20:00:00.5+00'::text"
        # A session as the database has it, then one with the pool's settings.
        sessions: tuple[dict[str, str], ...] = ({}, settings["server_settings"])
        texts = []
        for server_settings in sessions:
            session = await asyncpg.connect(url, server_settings=server_settings)
            try:
                texts.append(await session.fetchval(query))
            finally:
                await session.close()
    finally:
        await drop_database(url)
    assert texts[0].startswith("07/02/2024 20:00:00.5")  # the database's own: not ISO
    assert texts[1] == "2024-02-07 20:00:00.5+00"
    field = models.Election._meta.fields_map["updated_at"]
    assert _timestamp(field.to_python_value)(texts[1]) == dt.datetime(
        2024, 2, 7, 20, 0, 0, 500_000, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-07 20:00:00+00",  # PostgreSQL's, in UTC
        "2024-02-07 23:30:00.5+03:30",  # PostgreSQL's, in a session's other time zone
        "2024-02-07 20:00:00.123456+00:00",  # SQLite's, as Tortoise writes it
        "2024-02-07T20:00:00Z",
        "2024-02-07 20:00:00",  # no offset: the default time zone's
    ],
)
def test_a_timestamp_text_is_read_as_tortoises_parser_reads_it(text: str) -> None:
    field = models.Election._meta.fields_map["updated_at"]
    read = _timestamp(field.to_python_value)(text)
    assert read == field.to_python_value(text)
    assert read.utcoffset() == dt.timedelta(0)  # in the default time zone, UTC
    assert read.replace(tzinfo=None) - dt.datetime(2024, 2, 7, 20) < dt.timedelta(seconds=1)


def test_a_timestamp_python_cannot_read_goes_to_tortoises_parser() -> None:
    """What `datetime.fromisoformat` refuses is Tortoise's to read, or to refuse, as before."""
    field = models.Election._meta.fields_map["updated_at"]
    with pytest.raises(ValueError, match=r"month must be in 1\.\.12"):
        _timestamp(field.to_python_value)("2024-038T20:00Z")


class WatchedLock(asyncio.Lock):
    """SQLite's connection lock, telling when someone finds it held and waits."""

    def __init__(self) -> None:
        super().__init__()
        self.contended = asyncio.Event()

    async def acquire(self) -> Literal[True]:
        if self.locked():
            self.contended.set()
        return await super().acquire()


async def test_a_read_never_sees_inside_another_transaction(
    empty_db: TortoiseContext, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await models.Country.create(code="AZ", name="Azerbaijan")
    connection = connections.get("default")
    if backend == "sqlite":
        # Every statement on the one connection goes through this lock, held for a whole
        # transaction (Tortoise's SqliteClient); watched, it says when the read waits on it.
        lock = WatchedLock()
        monkeypatch.setattr(connection, "_lock", lock)
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
    if backend == "sqlite":
        # One connection: the read waits for the transaction rather than run inside it.
        # Awaited until one of the two happens; the read finishing first is the failure.
        waiting = asyncio.create_task(lock.contended.wait())
        await asyncio.wait({read, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        assert not read.done(), "the read ran while the transaction held the connection"
        assert lock.contended.is_set()
    else:
        # A connection of its own, which does not see what is not committed: it answers
        # while the transaction is still open (were it to wait, this would time out).
        await asyncio.wait_for(asyncio.shield(read), timeout=30)
        assert not writing.done()
    release.set()
    await writing
    assert [row.code for row in await read] == ["AZ"]
    assert await models.Country.filter(code="ZZ").count() == 0


@pytest.mark.parametrize("postgres", [False, True])
@pytest.mark.parametrize("count", [1, 3, KEPT_UP_TO, KEPT_UP_TO + 1])
def test_a_statement_is_written_with_the_databases_placeholders(postgres: bool, count: int) -> None:
    head, tail = 'SELECT "id" FROM "tally" WHERE "election_id"', ' ORDER BY "id"'
    marks = [f"${i}" for i in range(1, count + 1)] if postgres else ["?"] * count
    expected = f"{head} IN ({', '.join(marks)}){tail}"
    assert _written_in(head, count, tail, postgres) == expected
    assert _in_text(head, count, tail, postgres) == expected
    # As any other statement is written (Dialect.statement).
    assert numbered(f"{head} IN ({', '.join(['?'] * count)}){tail}") == (
        f"{head} IN ({', '.join(f'${i}' for i in range(1, count + 1))}){tail}"
    )


async def test_the_text_of_a_short_read_is_kept_and_a_long_ones_is_not(
    world: TortoiseContext,
) -> None:
    ids = list(range(1, KEPT_UP_TO + 2))  # those with no row are simply not found
    found = [line.pk for line in await models.TallyLine.filter(id__in=ids).order_by("id")]
    assert len(found) > 2
    _in_text.cache_clear()
    long = await table(models.TallyLine).where_in("id", ids, order_by_id=True)
    assert [line.pk for line in long] == found
    assert _in_text.cache_info().currsize == 0  # written, not kept
    for _ in range(2):
        short = await table(models.TallyLine).where_in("id", found[:2], order_by_id=True)
        assert [line.pk for line in short] == found[:2]
    assert (_in_text.cache_info().currsize, _in_text.cache_info().hits) == (1, 1)
