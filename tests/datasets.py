"""The bundled data sets loaded once into a database of their own, for the tests that read them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from tortoise.context import TortoiseContext

from loader import datasets, write
from service.settings import BUNDLED_DATA, BUNDLED_FIXTURES
from tests.conftest import close_database, open_database

DATA = datasets.DataFolder(BUNDLED_DATA)


@pytest_asyncio.fixture(scope="module")
async def bundled() -> AsyncIterator[TortoiseContext]:
    """The curated fixtures and the data sets, loaded as `LOAD_FIXTURES=bundled` loads them."""
    ctx = await open_database("datasets")
    try:
        await write(await datasets.bundled_batch(BUNDLED_FIXTURES, DATA))
        yield ctx
    finally:
        await close_database(ctx)
