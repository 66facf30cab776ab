"""What the tests that change data through the API share: tokens, and running operations
with one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from tortoise.context import TortoiseContext

import loader
from curation import tokens
from models import Scope
from schema import schema
from schema.context import Context
from service.database import tortoise_config
from service.settings import BUNDLED_FIXTURES
from tests.conftest import BACKEND, POSTGRES_URL

T = TypeVar("T")


@dataclass(frozen=True)
class Tokens:
    """A token of each scope, and one revoked, in a database holding the bundled fixtures."""

    write: str
    read: str
    revoked: str


async def bundled_with_tokens() -> Tokens:
    """Load the bundled fixtures into the current (empty) database and make the tokens."""
    await loader.load([BUNDLED_FIXTURES])
    write = await tokens.create("editor", Scope.WRITE)
    read = await tokens.create("reader", Scope.READ)
    revoked = await tokens.create("former-editor", Scope.WRITE)
    await tokens.revoke("former-editor")
    return Tokens(write=write, read=read, revoked=revoked)


async def execute(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """Execute an operation in-process with the token (if any); its whole result as JSON
    would have it: `data`, and `errors` as messages when there are any."""
    context = Context(authorization=None if token is None else f"Bearer {token}")
    result = await schema.execute(query, variable_values=variables, context_value=context)
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.message for error in result.errors]
    return answer


async def run_as(token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data of an operation run with `token`; fails on any GraphQL error."""
    answer = await execute(query, variables, token)
    assert "errors" not in answer, answer["errors"]
    data: dict[str, Any] = answer["data"]
    return data


async def _postgres(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def new_database_url(folder: Path, purpose: str) -> Iterator[str]:
    """The URL of a new database for a command or a server process: an SQLite file in
    `folder` not yet made, or an empty PostgreSQL database, dropped after."""
    if BACKEND == "sqlite":
        yield f"sqlite://{folder / f'{purpose}.sqlite3'}"
        return
    name = f"elections_test_{purpose}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
