"""Database: Tortoise configuration for SQLite (the default) or PostgreSQL (asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise

MODULES = {"models": ["models"]}


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config for a URL: sqlite://path.sqlite3 or postgres://user@host:port/db."""
    if not database_url.startswith(("sqlite://", "postgres://", "asyncpg://")):
        raise ValueError(
            f"DATABASE_URL must start with sqlite:// or postgres://, got {database_url!r}"
        )
    return {
        "connections": {"default": database_url},
        "apps": {"models": {"models": MODULES["models"], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


@asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[None]:
    """Tortoise set up for one command-line run: tables created if missing, closed after."""
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await Tortoise.generate_schemas(safe=True)
        yield
    finally:
        await Tortoise.close_connections()
