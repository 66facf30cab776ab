"""The fixtures: the test world loaded once per run, fresh databases to write to, and a check
that each test leaves the module state as it found it. What tests share besides fixtures is
in tests/support/."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from tortoise.context import TortoiseContext

import loader
from loader import datasets
from tests.support import dialect, state
from tests.support.curating import Tokens, world_with_tokens
from tests.support.data_sets import DATA
from tests.support.databases import (
    BACKEND,
    close_database,
    current,
    open_database,
    served_database,
)
from tests.support.world import WORLD


@pytest_asyncio.fixture(scope="session")
async def world() -> AsyncIterator[TortoiseContext]:
    """The test world (tests/world/), loaded once; tests that use it must not write."""
    ctx = await open_database("world")
    try:
        await loader.load([WORLD])
        yield ctx
    finally:
        # Also on a failed load: an open connection would keep pytest from exiting.
        await close_database(ctx)


@pytest_asyncio.fixture(scope="module")
async def data_sets() -> AsyncIterator[TortoiseContext]:
    """The test world with the data sets of data/ (ParlGov, the MIT Election Lab, ISO 3166),
    checked and loaded as one batch as `LOAD_FIXTURES=bundled` loads them; read only."""
    ctx = await open_database("datasets")
    try:
        await loader.write(await datasets.bundled_batch(WORLD, DATA))
        yield ctx
    finally:
        await close_database(ctx)


#: The shared read-only databases, of which a test names one.
SHARED_DATABASES = ("data_sets", "world")


@pytest_asyncio.fixture(autouse=True)
async def the_named_database_is_current(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """The database a test names is the one it reads: a module's `data_sets`, once set up,
    would otherwise stay current for its later tests of the (session's) `world`."""
    named = [name for name in SHARED_DATABASES if name in request.fixturenames]
    if not named or {"empty_db", "world_to_write", "tokens"} & set(request.fixturenames):
        yield
        return
    with current(request.getfixturevalue(named[0])):
        yield


@pytest_asyncio.fixture
async def empty_db() -> AsyncIterator[TortoiseContext]:
    """A fresh empty database for one test that writes."""
    ctx = await open_database("scratch")
    yield ctx
    await close_database(ctx)


@pytest_asyncio.fixture
async def world_to_write(empty_db: TortoiseContext) -> TortoiseContext:
    """A fresh database holding the test world, for one test that changes it."""
    await loader.load([WORLD])
    return empty_db


@pytest_asyncio.fixture
async def tokens(empty_db: TortoiseContext) -> Tokens:
    """A fresh database holding the test world, and a token of each kind in it."""
    return await world_with_tokens()


@pytest.fixture
def backend() -> str:
    return BACKEND


@pytest_asyncio.fixture
async def server_database(tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database for a server process: a file, or a PostgreSQL one."""
    async with served_database("server", tmp_path) as url:
        yield url


@pytest.fixture(autouse=True)
def module_state_restored() -> Iterator[None]:
    """Fails a test that leaves a module global, a class attribute, the environment or the
    working folder changed (tests/support/state.py). Set up before the test's other function
    fixtures and torn down after them, so what monkeypatch restores counts as restored."""
    before = state.current()
    yield
    left = state.changed(before, state.current())
    if left:
        pytest.fail("the test left module state changed:\n" + "\n".join(left), pytrace=False)


@pytest.fixture(autouse=True)
def queries_for_the_tests_database() -> Iterator[None]:
    """Tortoise's base queries and statement cache as the session's database needs them,
    whatever database a command in the test opened (tests/support/dialect.py)."""
    with dialect.kept():
        yield
