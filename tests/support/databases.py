"""Databases for the tests: of the run's backend, new and empty, dropped after.

The backend is chosen by TEST_DATABASE: `sqlite` (the default, nothing to install) or
`postgres`, which creates a throwaway database per use on the server of TEST_POSTGRES_URL.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from tortoise.backends.base.config_generator import generate_config
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext, _current_context

import models
from service.database import MODULES, tortoise_config

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
if BACKEND not in ("sqlite", "postgres"):
    raise RuntimeError(f"TEST_DATABASE must be sqlite or postgres, got {BACKEND!r}")

T = TypeVar("T")


def database_url(purpose: str) -> str:
    """A URL for a database of its own: in memory for SQLite, a new name on PostgreSQL's
    server (not created yet)."""
    if BACKEND == "sqlite":
        return "sqlite://:memory:"
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/elections_test_{purpose}_{uuid.uuid4().hex[:8]}"


async def _on_postgres(statement: str, server: str = POSTGRES_URL) -> None:
    """One statement on the database of `server` (TEST_POSTGRES_URL unless told), from a
    connection of its own (a database cannot create or drop itself)."""
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(url: str, server: str = POSTGRES_URL) -> None:
    """Creates the PostgreSQL database of `url`, from a connection to the database of
    `server` on the same cluster (TEST_POSTGRES_URL's, unless a test runs one of its own);
    nothing for SQLite (a file is made on use)."""
    if url.startswith("postgres"):
        await _on_postgres(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"', server)


async def drop_database(url: str, server: str = POSTGRES_URL) -> None:
    """Drops the PostgreSQL database of `url`, connections and all, from a connection to
    `server` as `create_database`; nothing for SQLite."""
    if url.startswith("postgres"):
        await _on_postgres(
            f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)', server
        )


async def open_database(purpose: str) -> TortoiseContext:
    """A TortoiseContext on a new, empty database with every table created."""
    ctx = TortoiseContext()
    ctx.__enter__()
    config = generate_config(database_url(purpose), app_modules=MODULES, testing=True)
    await ctx.init(config=config, _create_db=True)
    await ctx.generate_schemas(safe=False)
    return ctx


@contextmanager
def current(ctx: TortoiseContext) -> Iterator[None]:
    """`ctx` as the current Tortoise context within, and whichever was current before after.
    Tortoise sets its contextvar only when a context is entered, so it is set here directly."""
    before = _current_context.get()
    _current_context.set(ctx)
    try:
        yield
    finally:
        # Set, not reset: a fixture's teardown may run in another copy of the context.
        _current_context.set(before)


async def close_database(ctx: TortoiseContext) -> None:
    credentials = ctx.connections.db_config["default"]["credentials"]
    await ctx.__aexit__(None, None, None)
    if BACKEND == "postgres":
        await _on_postgres(f'DROP DATABASE IF EXISTS "{credentials["database"]}" WITH (FORCE)')


def _new_url(folder: Path, purpose: str) -> str:
    if BACKEND == "sqlite":
        return f"sqlite://{folder / f'{purpose}.sqlite3'}"
    return database_url(purpose)


@asynccontextmanager
async def served_database(purpose: str, folder: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database for a server or command in another process (or a
    context of its own): an SQLite file in `folder` not made yet, or a new PostgreSQL
    database, dropped after. For async code; `new_database_url` is the same for plain code."""
    url = _new_url(folder, purpose)
    await create_database(url)
    try:
        yield url
    finally:
        await drop_database(url)


@contextmanager
def new_database_url(folder: Path, purpose: str) -> Iterator[str]:
    """`served_database` for plain (sync) tests, which run no event loop of their own."""
    url = _new_url(folder, purpose)
    asyncio.run(create_database(url))
    try:
        yield url
    finally:
        asyncio.run(drop_database(url))


def on_database(url: str, read: Callable[[], Awaitable[T]]) -> T:
    """Run `read` on the database of `url`, in an event loop and a Tortoise context of its
    own (as a command does)."""

    async def run() -> T:
        with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            try:
                return await read()
            finally:
                await ctx.close_connections()

    return asyncio.run(run())


async def row_counts(url: str) -> dict[str, int]:
    """The number of rows in every table of the database of `url`, read from outside."""
    if url.startswith("sqlite://"):
        with closing(sqlite3.connect(url.removeprefix("sqlite://"))) as db:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    conn = await asyncpg.connect(url)
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        ]
        return {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in tables}
    finally:
        await conn.close()


def link_tables() -> tuple[str, ...]:
    """The tables of every many-to-many relation (sources, members, judges, areas…)."""
    tables = {
        model._meta.fields_map[name].through  # type: ignore[attr-defined]
        for model in models.__models__
        for name in model._meta.m2m_fields
    }
    return tuple(sorted(tables))


Snapshot = dict[str, list[dict[str, Any]]]


async def snapshot(timestamps: bool = True) -> Snapshot:
    """Every row of every table of the current database, in id order (link tables sorted):
    to prove what did not change."""
    tables: Snapshot = {}
    for model in models.__models__:
        rows = await model.all().order_by("id").values()
        if not timestamps:
            for row in rows:
                row.pop("created_at", None)
                row.pop("updated_at", None)
        tables[model._meta.db_table] = rows
    conn = get_connection("default")
    for table in link_tables():
        rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')
        tables[table] = sorted((dict(row) for row in rows), key=lambda r: sorted(r.items()))
    return tables
