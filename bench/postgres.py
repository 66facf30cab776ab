"""PostgreSQL for the benchmark: a scratch database loaded by the loader, dropped after, and the
CPU time its backends spend."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

import loader
from bench.generate import Plan, write_fixtures
from service.database import connected

#: Where `make bench` finds the PostgreSQL server to measure (a superuser, or a role allowed
#: to create databases): postgres://user@host:port/database.
ENVIRONMENT = "BENCH_POSTGRES_URL"


def with_database(url: str, name: str) -> str:
    """`url` naming another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def scratch_name() -> str:
    """A database name of this run's own (the process id keeps two runs apart)."""
    return f"elections_bench_{os.getpid()}"


@asynccontextmanager
async def scratch(url: str) -> AsyncIterator[str]:
    """A new, empty database on `url`'s server, dropped on leaving; yields its URL."""
    name = scratch_name()
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(url, name)
    finally:
        admin = await asyncpg.connect(url)
        try:
            # FORCE ends the servers' connections that may still be closing.
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def load(plan: Plan, url: str) -> float:
    """The plan's fixtures loaded by the loader into the (empty) database; seconds taken."""
    folder = Path(tempfile.mkdtemp(prefix="elections-bench-"))
    try:
        paths = write_fixtures(plan, folder)
        async with connected(url):
            start = time.perf_counter()
            await loader.load(paths)
            seconds = time.perf_counter() - start
        # Fresh statistics for the planner, as after any large load.
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        return seconds
    finally:
        shutil.rmtree(folder)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process (all its threads) so far; None if it is gone or
    not readable (a database on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields 14 and 15 of proc(5), utime and stime, counted here from after the name.
    return (int(fields[11]) + int(fields[12])) / TICK


class Backends:
    """The database's client backends (server processes), and the CPU they spend."""

    def __init__(self, conn: asyncpg.Connection, database: str) -> None:
        self.conn = conn
        self.database = database
        self.local = False

    async def pids(self) -> list[int]:
        """The backends serving the database now, this monitoring connection's aside."""
        rows = await self.conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            self.database,
        )
        pids = [int(r["pid"]) for r in rows]
        self.local = any(cpu_seconds(pid) is not None for pid in pids)
        return pids

    @staticmethod
    def cpu(pids: list[int]) -> dict[int, float]:
        return {pid: seconds for pid in pids if (seconds := cpu_seconds(pid)) is not None}


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; a process that started between them counts in
    whole, one that ended counts for nothing after its last reading."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
