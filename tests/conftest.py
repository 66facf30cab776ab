"""The test world: the bundled fixtures loaded once per run, and fresh databases to write to.

The backend is chosen by TEST_DATABASE: `sqlite` (the default, nothing to install) or
`postgres`, which connects to TEST_POSTGRES_URL and creates a throwaway database per use.
"""

from __future__ import annotations

import io
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from tortoise.backends.base.config_generator import generate_config
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext

import loader
import models
from schema import schema
from schema.context import Context
from service.database import MODULES
from service.logs import JsonFormatter
from service.settings import BUNDLED_FIXTURES

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
if BACKEND not in ("sqlite", "postgres"):
    raise RuntimeError(f"TEST_DATABASE must be sqlite or postgres, got {BACKEND!r}")


def database_url(purpose: str) -> str:
    """A URL for a database of its own: in memory for SQLite, a new database for PostgreSQL."""
    if BACKEND == "sqlite":
        return "sqlite://:memory:"
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/elections_test_{purpose}_{uuid.uuid4().hex[:8]}"


async def open_database(purpose: str) -> TortoiseContext:
    """A TortoiseContext on a new, empty database with every table created."""
    ctx = TortoiseContext()
    ctx.__enter__()
    config = generate_config(database_url(purpose), app_modules=MODULES, testing=True)
    await ctx.init(config=config, _create_db=True)
    await ctx.generate_schemas(safe=False)
    return ctx


async def close_database(ctx: TortoiseContext) -> None:
    credentials = ctx.connections.db_config["default"]["credentials"]
    await ctx.__aexit__(None, None, None)
    if BACKEND == "postgres":
        await _on_postgres(f'DROP DATABASE IF EXISTS "{credentials["database"]}" WITH (FORCE)')


async def _on_postgres(statement: str) -> None:
    """One statement on TEST_POSTGRES_URL's database, from a connection of its own (a
    database cannot create or drop itself)."""
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@asynccontextmanager
async def served_database(purpose: str, folder: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database for a server in another process: a file in `folder`
    for SQLite, a new PostgreSQL database (dropped after) otherwise."""
    if BACKEND == "sqlite":
        yield f"sqlite://{folder / 'e.sqlite3'}"
        return
    url = database_url(purpose)
    name = url.rsplit("/", 1)[1]
    await _on_postgres(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        await _on_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest_asyncio.fixture(scope="session")
async def world() -> AsyncIterator[TortoiseContext]:
    """The bundled fixtures, loaded once; tests that use it must not write."""
    ctx = await open_database("world")
    try:
        await loader.load([BUNDLED_FIXTURES])
        yield ctx
    finally:
        # Also on a failed load: an open connection would keep pytest from exiting.
        await close_database(ctx)


@pytest_asyncio.fixture
async def empty_db() -> AsyncIterator[TortoiseContext]:
    """A fresh empty database for one test that writes."""
    ctx = await open_database("scratch")
    yield ctx
    await close_database(ctx)


async def run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute a GraphQL operation in-process and return its data; fail on any error."""
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The items of a connection's page, as `nodes { … }` selected them."""
    return connection["nodes"]  # type: ignore[no-any-return]


@pytest.fixture
def backend() -> str:
    return BACKEND


@contextmanager
def json_log(*loggers: str) -> Iterator[io.StringIO]:
    """The JSON lines these loggers write while the block runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    saved = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)


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
    """Every row of every table, in id order (link tables sorted): to prove what did not change."""
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
