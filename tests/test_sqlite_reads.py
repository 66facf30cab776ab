"""SQLite reads sent together: those asked for in one turn cross to aiosqlite's thread as one
job, each caller gets its own rows or error, and none runs inside a transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import pytest_asyncio

from schema.rows import select
from service import compat, sqlite_reads
from service.compat import SqliteClient

NAMES = "SELECT name FROM place ORDER BY id"


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[SqliteClient]:
    """A Tortoise SQLite client of its own, on a file with three places."""
    made = SqliteClient(file_path=str(tmp_path / "reads.sqlite3"), connection_name="reads")
    await made.create_connection(with_db=True)
    await made.execute_script(
        "CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        "INSERT INTO place (name) VALUES ('Baku'), ('Ganja'), ('Shaki');"
    )
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of statements in each job queued on a connection's thread."""
    queued: list[int] = []
    original = compat.sqlite_job

    def counted(connection: aiosqlite.Connection, job: Callable[[sqlite3.Connection], Any]) -> Any:
        queued.append(len(job.args[0]))  # type: ignore[attr-defined]  # the partial's statements
        return original(connection, job)

    monkeypatch.setattr(compat, "sqlite_job", counted)
    return queued


def names(rows: Any) -> list[Any]:
    return [row[0] for row in rows]


async def test_the_reads_asked_in_one_turn_cross_to_the_thread_as_one_job(
    client: SqliteClient, jobs: list[int]
) -> None:
    first, second, third = await asyncio.gather(
        select(client, NAMES, []),
        select(client, "SELECT name FROM place WHERE id = ?", [2]),
        select(client, "SELECT count(*) FROM place WHERE name > ?", ["Baku"]),
    )
    assert (names(first), names(second), names(third)) == (
        ["Baku", "Ganja", "Shaki"],
        ["Ganja"],
        [2],
    )
    assert jobs == [3]
    # A read asked in a later turn is a job of its own.
    assert names(await select(client, NAMES, [])) == ["Baku", "Ganja", "Shaki"]
    assert jobs == [3, 1]


async def test_one_statement_s_error_is_its_caller_s_alone(
    client: SqliteClient, jobs: list[int]
) -> None:
    answers: list[Any] = await asyncio.gather(
        select(client, NAMES, []),
        select(client, "SELECT name FROM nowhere", []),
        select(client, "SELECT name FROM place WHERE id = ?", [3]),
        return_exceptions=True,
    )
    before, failed, after = answers
    assert names(before) == ["Baku", "Ganja", "Shaki"]
    assert isinstance(failed, sqlite3.OperationalError)
    assert str(failed) == "no such table: nowhere"
    assert names(after) == ["Shaki"]
    assert jobs == [3]


async def test_a_read_asked_before_a_transaction_took_the_lock_waits_for_it(
    client: SqliteClient, jobs: list[int]
) -> None:
    """The lock is free when the read is asked for; a transaction takes it before the turn's
    reads are sent. The read is not sent into the transaction: it waits, as Tortoise's own
    reads do, and reads what the transaction leaves (here, rolled back: nothing)."""
    read = asyncio.create_task(select(client, NAMES, []))
    await asyncio.sleep(0)  # the read is asked for: it goes out at the next turn
    lock = compat.sqlite_lock(client)
    connection = compat.sqlite_connection(client)
    assert connection is not None and not lock.locked()
    await lock.acquire()  # free: taken in this step
    try:
        # The transaction's first job is queued before the reads would be.
        await connection.executescript("BEGIN; INSERT INTO place (name) VALUES ('Inside');")
        for _ in range(5):
            await asyncio.sleep(0)
        assert not read.done(), "the read ran while the transaction held the connection"
        await connection.execute("ROLLBACK")
    finally:
        lock.release()
    assert names(await read) == ["Baku", "Ganja", "Shaki"]
    assert jobs == []  # it was read the ordinary way


async def test_a_read_whose_caller_was_cancelled_is_left_out(
    client: SqliteClient, jobs: list[int]
) -> None:
    cancelled = asyncio.create_task(select(client, "SELECT name FROM place WHERE id = ?", [1]))
    kept = asyncio.create_task(select(client, "SELECT name FROM place WHERE id = ?", [2]))
    await asyncio.sleep(0)  # both asked for
    cancelled.cancel()
    assert names(await kept) == ["Ganja"]
    assert jobs == [1]
    with pytest.raises(asyncio.CancelledError):
        await cancelled


async def test_a_job_that_fails_as_a_whole_fails_each_of_its_reads(
    client: SqliteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(statements: Any, connection: sqlite3.Connection) -> Any:
        raise sqlite3.DatabaseError("the file is gone")

    monkeypatch.setattr(sqlite_reads, "read_each", broken)
    answers = await asyncio.wait_for(
        asyncio.gather(
            select(client, NAMES, []), select(client, NAMES, []), return_exceptions=True
        ),
        timeout=10,
    )
    assert [(type(answer), str(answer)) for answer in answers] == [
        (sqlite3.DatabaseError, "the file is gone")
    ] * 2


async def test_reads_that_cannot_be_queued_get_the_error_rather_than_wait(
    client: SqliteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(connection: aiosqlite.Connection, job: Any) -> Any:
        raise RuntimeError("no queue")

    monkeypatch.setattr(compat, "sqlite_job", refused)
    answers = await asyncio.wait_for(
        asyncio.gather(
            select(client, NAMES, []), select(client, NAMES, []), return_exceptions=True
        ),
        timeout=10,
    )
    assert [(type(answer), str(answer)) for answer in answers] == [(RuntimeError, "no queue")] * 2


async def test_a_closing_connection_takes_no_job() -> None:
    connection = aiosqlite.connect(":memory:")
    await connection
    assert compat.sqlite_job(connection, lambda conn: 1) is not None
    await connection.close()
    assert compat.sqlite_job(connection, lambda conn: 1) is None


def test_read_each_gives_each_statement_its_rows_or_its_error() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (n INTEGER)")
    connection.execute("INSERT INTO t VALUES (1), (2)")
    first, failed, last = sqlite_reads.read_each(
        [("SELECT n FROM t ORDER BY n", []), ("SELECT x FROM t", []), ("SELECT 7", [])],
        connection,
    )
    assert (first, last) == ([(1,), (2,)], [(7,)])
    assert isinstance(failed, sqlite3.OperationalError)
    assert str(failed) == "no such column: x"
