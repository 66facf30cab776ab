"""`python -m bench.datasets`: the bundled data sets' import against the executemany floor,
and the server's first and second start with LOAD_FIXTURES=bundled.

The import is `datasets.bundled_batch` (read, map and check the curated fixtures, ParlGov and
MEDSL) and `loader.write` into an empty SQLite database. The floor inserts the very rows the
import wrote (read back from its database) into another empty database with the same tables:
one raw `executemany` per table in one transaction, as bench/bulk.py does for the fixture
loader. The ratio is import rows per second over floor rows per second, in one process.

The starts are `elections serve` on an empty database (SQLite, and PostgreSQL when
TEST_POSTGRES_URL or --postgres names a server), timed from the process's start until
/graphql answers a query, then again on the database the first start filled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import aiosqlite
import asyncpg

import loader
from bench.bulk import BOOKKEEPING, connect, same_contents, table_counts
from loader import datasets
from service.database import connected
from service.settings import BUNDLED_DATA, BUNDLED_FIXTURES, ROOT

DATA = Path(__file__).resolve().parent / "data"
QUERY = b'{"query": "{ election(key: \\"us-president-2020\\") { key } }"}'


async def _empty(path: Path) -> None:
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    async with connected(f"sqlite://{path}"):
        pass


async def import_against_floor() -> None:
    DATA.mkdir(exist_ok=True)
    imported, floor = DATA / "datasets.sqlite3", DATA / "datasets-floor.sqlite3"
    await _empty(imported)
    await _empty(floor)
    async with connected(f"sqlite://{imported}"):
        start = time.perf_counter()
        batch = await datasets.bundled_batch(BUNDLED_FIXTURES, datasets.DataFolder(BUNDLED_DATA))
        checked = time.perf_counter()
        await loader.write(batch)
        seconds = time.perf_counter() - start
    counts = await table_counts(imported)
    rows = sum(counts.values())
    # The floor: the same rows, read back, inserted by one executemany per table.
    source = await connect(imported)
    tables: list[tuple[str, str, list[tuple[object, ...]]]] = []
    try:
        order = [
            r[0]
            for r in await source.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY rowid"
            )
        ]
        for name in order:
            if name in BOOKKEEPING or name == "dataset":
                continue
            info = await source.execute_fetchall(f'PRAGMA table_info("{name}")')
            columns = [r[1] for r in info]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            found = [
                tuple(r) for r in await source.execute_fetchall(f'SELECT {names} FROM "{name}"')
            ]
            tables.append((f'INSERT INTO "{name}" ({names}) VALUES ({marks})', name, found))
    finally:
        await source.close()
    conn = await aiosqlite.connect(floor)
    try:
        await conn.execute("PRAGMA journal_mode=WAL")
        # The tables' order of creation is not their order of dependency: checked at commit.
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA defer_foreign_keys=ON")
        begin = time.perf_counter()
        await conn.execute("BEGIN")
        for sql, _, found in tables:
            await conn.executemany(sql, found)
        await conn.commit()
        floor_seconds = time.perf_counter() - begin
    finally:
        await conn.close()
    differ = await same_contents(imported, floor)
    print(
        f"data sets import (bundled_batch + loader.write): {seconds:.2f} s "
        f"(reading and checking {checked - start:.2f} s), {rows:,} rows, "
        f"{rows / seconds:,.0f} rows/s"
    )
    print(
        f"  raw executemany floor: {floor_seconds:.2f} s, {rows / floor_seconds:,.0f} rows/s; "
        f"same rows as the import's: {'yes' if not differ else 'no: ' + ', '.join(differ)}"
    )
    print(f"  import / floor rows per second: {100 * floor_seconds / seconds:.1f} %")
    print(
        "  rows: "
        + ", ".join(f"{name} {count:,}" for name, count in sorted(counts.items()) if count)
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_seconds(database_url: str, log: Path) -> tuple[float, str]:
    """Seconds from starting `elections serve` until /graphql answers; and its output."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOAD_FIXTURES": "bundled",
           "PORT": str(port), "LOG_LEVEL": "info"}  # fmt: skip
    start = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], cwd=ROOT, env=env, stdout=out,
            stderr=out,
        )  # fmt: skip
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped: see {log}")
                try:
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/graphql",
                        data=QUERY,
                        headers={"Content-Type": "application/json"},
                    )
                    with urllib.request.urlopen(request, timeout=1) as answer:
                        if b"us-president-2020" in answer.read():
                            break
                except OSError:
                    time.sleep(0.05)
            seconds = time.perf_counter() - start
        finally:
            process.terminate()
            process.wait(timeout=30)
    return seconds, log.read_text()


def starts(label: str, url: str) -> None:
    first, _ = start_seconds(url, DATA / f"start-{label}-1.log")
    second, output = start_seconds(url, DATA / f"start-{label}-2.log")
    again = "not read again" if "unchanged since they were loaded" in output else "LOADED AGAIN"
    print(
        f"first start on an empty {label} database, until /graphql answers: {first:.1f} s; "
        f"second start: {second:.1f} s (data sets {again})"
    )


async def _postgres(base: str, name: str, create: bool) -> None:
    conn = await asyncpg.connect(base)
    try:
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.datasets", description=__doc__)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL"),
        help="a PostgreSQL server to time the starts on too (default: $TEST_POSTGRES_URL)",
    )
    args = parser.parse_args(argv)
    DATA.mkdir(exist_ok=True)
    asyncio.run(import_against_floor())
    database = DATA / "start.sqlite3"
    for old in database.parent.glob(database.name + "*"):
        old.unlink()
    starts("SQLite", f"sqlite://{database}")
    if args.postgres:
        name = f"elections_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_postgres(args.postgres, name, create=True))
        try:
            starts("PostgreSQL", f"{args.postgres.rsplit('/', 1)[0]}/{name}")
        finally:
            asyncio.run(_postgres(args.postgres, name, create=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
