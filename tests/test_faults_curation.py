"""Curation under faults: an SQLite database locked by another process, a client that hangs up
during a fixture load, and a load stopped by the time limit. A change is kept whole or not at
all."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tortoise.context import TortoiseContext

import loader
import models
import schema as schema_package
from curation import changes, tokens
from loader.sections import Section
from loader.write import _Writer
from models import Scope
from schema import build_schema
from schema.context import Context
from service import cli
from service.database import migrate, tortoise_config
from service.deadline import Deadline, deadline
from service.settings import Limits, Settings, load_settings
from tests.support.databases import BACKEND, Snapshot, new_database_url, on_database, snapshot
from tests.support.running import execute
from tests.support.servers import running_server
from tests.support.world import WORLD

CREATE = (
    'mutation { createElection(input: {key: "xx-test", country: "AZ", kind: PRESIDENTIAL,'
    ' office: "President", date: "2029-04-11", sources: ["seed-article-2024-02"]})'
    " { election { key } errors { field message } } }"
)
QUERY = '{ election(key: "az-president-2024") { date } }'
LOAD = """
mutation($content: String!) {
  loadFixtures(content: $content, format: JSON) { changed errors { field message } }
}
"""
# Takes SQLite's write lock (BEGIN IMMEDIATE; in WAL mode readers go on), says so, and holds it
# until a line comes on stdin.
HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""
# The same on PostgreSQL: a lock on the election table that lets reads go on, not writes.
HOLD_LOCK_POSTGRES = """
import asyncio, asyncpg, sys
async def main():
    db = await asyncpg.connect(sys.argv[1])
    transaction = db.transaction()
    await transaction.start()
    await db.execute("LOCK TABLE election IN EXCLUSIVE MODE")
    print("locked", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await transaction.rollback()
    await db.close()
asyncio.run(main())
"""


def hold_write_lock(url: str) -> subprocess.Popen[str]:
    """A process holding the database's write lock until a line comes on its stdin."""
    if url.startswith("sqlite://"):
        argv = [sys.executable, "-c", HOLD_LOCK, url.removeprefix("sqlite://")]
    else:
        argv = [sys.executable, "-c", HOLD_LOCK_POSTGRES, url]
    holder = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    return holder


#: The statement of a load that waits for the write lock another process holds, as the
#: server's debug log shows it: on SQLite the one that takes the lock as the transaction
#: begins (curation/changes.py), on PostgreSQL the first write to the locked table.
FIRST_WRITE = {
    "sqlite": 'UPDATE "audit_entry" SET "id" = "id" WHERE 0',
    "postgres": 'INSERT INTO "election"',
}
#: Tables whose rows differ between two databases given the same data: tokens, the audit log.
BOOKKEEPING = ("api_token", "audit_entry")


def generated(elections: int) -> str:
    """Fixture content (JSON) of `elections` elections in a country of their own, each with four
    candidates and a final tally, self-contained."""
    data: dict[str, list[dict[str, Any]]] = {
        "sources": [{"key": "generated", "publisher": "Tests", "title": "Generated data"}],
        "countries": [{"code": "ZZ", "name": "Testland"}],
        "people": [],
        "elections": [],
        "candidacies": [],
        "tallies": [],
    }
    for number in range(elections):
        election = f"zz-president-{number:04d}"
        day = dt.date(1900, 1, 1) + dt.timedelta(days=number)
        data["elections"].append(
            {
                "key": election,
                "country": "ZZ",
                "kind": "presidential",
                "office": "President",
                "date": day.isoformat(),
                "sources": ["generated"],
            }
        )
        lines = []
        for seat in range(4):
            person = f"zz-person-{number:04d}-{seat}"
            candidacy = f"{election}/{person}"
            data["people"].append({"key": person, "name": f"Candidate {number}-{seat}"})
            data["candidacies"].append(
                {"key": candidacy, "election": election, "person": person, "sources": ["generated"]}
            )
            lines.append({"candidacy": candidacy, "votes": 1000 - seat, "share": 25.0 - seat})
        data["tallies"].append(
            {
                "key": f"{election}/final",
                "election": election,
                "stage": "final",
                "lines": lines,
                "sources": ["generated"],
            }
        )
    return json.dumps(data)


def data_only(tables: Snapshot) -> Snapshot:
    return {name: rows for name, rows in tables.items() if name not in BOOKKEEPING}


# --- SQLite locked by another process ---------------------------------------------------------


def test_the_busy_timeout_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().sqlite_busy_timeout == 5.0
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT", "0.25")
    assert load_settings(env_file=None).sqlite_busy_timeout == 0.25
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT", "-1")
    with pytest.raises(ValueError, match="SQLITE_BUSY_TIMEOUT must be a number of seconds, got -1"):
        load_settings(env_file=None)
    # Tortoise runs each parameter of an SQLite URL as a PRAGMA.
    config = tortoise_config("sqlite://e.sqlite3", sqlite_busy_timeout=0.25)
    assert config["connections"]["default"] == "sqlite://e.sqlite3?busy_timeout=250"
    config = tortoise_config("postgres://u@h:5432/db", sqlite_busy_timeout=0.25)
    assert "busy_timeout" not in config["connections"]["default"]["credentials"]


@pytest.mark.skipif(
    BACKEND != "sqlite", reason="SQLite locks the whole database; PostgreSQL locks rows"
)
async def test_a_locked_sqlite_database_fails_writes_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.sqlite3"
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(f"sqlite://{path}", sqlite_busy_timeout=0.5))
        await migrate()
        await loader.load([WORLD])
        token = await tokens.create("editor", Scope.WRITE)
        before = await snapshot()

        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdin is not None
            assert holder.stdout.readline() == "locked\n"
            assert (await execute(QUERY))["data"] == {"election": {"date": "2024-02-07"}}

            started = time.monotonic()
            answer = await execute(CREATE, token=token)
            waited = time.monotonic() - started
            assert answer == {"data": None, "errors": [changes.BUSY]}
            assert changes.BUSY == (
                "The database is locked by another writer and stayed locked past the busy"
                " timeout (SQLITE_BUSY_TIMEOUT). Nothing was changed; try again."
            )
            # It waited for the lock, about as long as it was told to, then gave up.
            assert 0.45 <= waited < 5

            answer = await execute(LOAD, {"content": generated(1)}, token=token)
            assert answer == {"data": None, "errors": [changes.BUSY]}
            # Queries go on meanwhile (WAL).
            assert (await execute(QUERY))["data"] == {"election": {"date": "2024-02-07"}}
            assert await snapshot() == before
        finally:
            if holder.stdin is not None:
                holder.stdin.write("\n")
                holder.stdin.close()
            holder.wait(timeout=10)
            if holder.stdout is not None:
                holder.stdout.close()

        # Once the lock is let go, the same mutation goes through.
        answer = await execute(CREATE, token=token)
        assert answer == {
            "data": {"createElection": {"election": {"key": "xx-test"}, "errors": []}}
        }


# --- A client that hangs up ---------------------------------------------------------------------


def test_a_client_hanging_up_during_a_load_leaves_all_of_it_or_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = generated(200)
    body = json.dumps({"query": LOAD, "variables": {"content": content}}).encode()
    with new_database_url(tmp_path, "hangup") as url, new_database_url(tmp_path, "whole") as whole:
        # What the whole load gives, in a database of its own.
        async def load_whole() -> Snapshot:
            await migrate()
            await changes.load_text(content, "content.json", "reference")
            return data_only(await snapshot(timestamps=False))

        loaded = on_database(whole, load_whole)
        assert len(loaded["election"]) == 200

        assert (
            cli.main(["token", "create", "loader", "--scope", "write", "--database-url", url]) == 0
        )
        token = capsys.readouterr().out.strip()

        async def tables() -> Snapshot:
            return data_only(await snapshot(timestamps=False))

        empty = on_database(url, tables)
        assert empty["election"] == []

        # Debug logging: the server logs each SQL statement before it runs it.
        settings = {
            "LOAD_FIXTURES": "",
            "MAX_BODY_BYTES": str(4 * len(body)),
            "LOG_LEVEL": "debug",
        }
        with running_server(url, **settings) as server:
            address = urlsplit(server.url)
            request = (
                f"POST /graphql HTTP/1.1\r\nHost: {address.netloc}\r\n"
                f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            # Another process holds the write lock, so the load is still running (waiting for
            # it) when the client hangs up, however fast the loader has become.
            holder = hold_write_lock(url)
            try:
                with socket.create_connection((address.hostname, address.port)) as client:
                    client.sendall(request)
                    # The server has the request and the load is in its transaction, at the
                    # statement that waits for the lock.
                    server.wait_for_log(FIRST_WRITE[BACKEND], timeout=30)
                    hung_up = dt.datetime.now(dt.UTC)
                    # Closed before any response: a reset, so the server sees it at once.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            finally:
                holder.communicate("release\n", timeout=10)
            # Leaving the block stops the server, which first lets running requests end.

        async def outcome() -> tuple[Snapshot, list[models.AuditEntry]]:
            entries = await models.AuditEntry.all()
            return data_only(await snapshot(timestamps=False)), entries

        after, entries = on_database(url, outcome)
    if after == empty:
        assert entries == []
    else:
        assert after == loaded
        (entry,) = entries
        # Its audit entry is written last, in the load's transaction: after the hang-up.
        assert (entry.actor, entry.action, entry.at > hung_up) == ("loader", "load", True)


# --- A load stopped by the time limit ----------------------------------------------------------


async def test_a_load_stopped_by_the_time_limit_writes_nothing(
    empty_db: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loader.load([WORLD])
    token = await tokens.create("editor", Scope.WRITE)
    before = await snapshot()
    # The operation's time limit (the Deadline of Schema.execute), kept to make it run out at
    # the moment chosen below rather than after however long the load takes there.
    limit = 60.0
    operation: list[Deadline] = []

    def kept(delay: float | None) -> Deadline:
        made = deadline(delay)
        if delay == limit:
            operation.append(made)
        return made

    monkeypatch.setattr(schema_package, "deadline", kept)
    # The load stops once it has written the candidacies, inside its transaction, and waits
    # there until the time limit stops it, as a load taking long would.
    upsert = _Writer.upsert
    written: dict[str, int] = {}

    async def then_wait(self: _Writer, section: Section) -> None:
        await upsert(self, section)
        if section.name == "candidacies":
            elections = models.Election.filter(country__code="ZZ").using_db(self.conn)
            written["elections"] = await elections.count()
            written["candidacies"] = (
                await models.Candidacy.filter(key__startswith="zz-").using_db(self.conn).count()
            )
            (limited,) = operation
            limited.reschedule(asyncio.get_running_loop().time())  # the time is up
            await asyncio.Event().wait()  # until cancelled

    monkeypatch.setattr(_Writer, "upsert", then_wait)
    schema = build_schema(dataclasses.replace(Settings(), limits=Limits(execution_timeout=limit)))
    result = await schema.execute(
        LOAD,
        variable_values={"content": generated(100)},
        context_value=Context(authorization=f"Bearer {token}"),
    )
    assert written == {"elections": 100, "candidacies": 400}
    assert result.data is None
    assert [error.message for error in result.errors or []] == [
        "The operation took longer than the limit of 60 s and was stopped."
    ]
    assert await snapshot() == before
