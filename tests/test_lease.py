"""Leases: a known query's reads share one pooled PostgreSQL connection (service/lease.py),
taken at the first read and given back when the query is done, whatever happened to it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from bench.operations import ELECTION_PAGE
from bench.statements import captured
from schema import build_schema
from schema.context import Context
from service import compat
from service.lease import LEASES, Lease
from service.settings import Settings
from tests.support.databases import BACKEND

LOG = logging.getLogger("tests.lease")


class Connection:
    """A connection that answers each statement with its text, after `delay` seconds."""

    def __init__(self, name: str, delay: float = 0.0) -> None:
        self.name = name
        self.delay = delay
        self.closed = False
        self.statements: list[str] = []
        self.running = 0
        self.most_running = 0

    async def fetch(self, text: str, *params: Any) -> list[Any]:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            self.statements.append(text)
            if self.closed:
                raise ConnectionError("the connection was closed")
            await asyncio.sleep(self.delay)
            return [(self.name, text, *params)]
        finally:
            self.running -= 1

    def is_closed(self) -> bool:
        return self.closed


class Pool:
    """A pool of `size` connections that counts what it hands out and gets back."""

    def __init__(self, size: int, delay: float = 0.0) -> None:
        self.size = size
        self.delay = delay
        self.taken: list[Connection] = []
        self.returned: list[Connection] = []

    def get_max_size(self) -> int:
        return self.size

    async def acquire(self) -> Connection:
        connection = Connection(f"c{len(self.taken) + 1}", self.delay)
        self.taken.append(connection)
        return connection

    async def release(self, connection: Connection) -> None:
        self.returned.append(connection)


async def test_a_lease_takes_one_connection_for_every_statement_and_gives_it_back() -> None:
    pool = Pool(5, delay=0.01)
    lease = Lease()
    # Three statements side by side, as a level's loaders send them: they take turns.
    rows = await asyncio.gather(*(lease.fetch(pool, f"SELECT {i}", [i], LOG) for i in range(3)))
    assert rows == [[("c1", "SELECT 0", 0)], [("c1", "SELECT 1", 1)], [("c1", "SELECT 2", 2)]]
    [connection] = pool.taken
    assert connection.most_running == 1
    assert LEASES.held(pool) == 1 and pool.returned == []
    await lease.end()
    assert pool.returned == [connection] and LEASES.held(pool) == 0
    # Once ended, a lease takes no connection: the caller reads as before.
    assert await lease.fetch(pool, "SELECT 3", [], LOG) is None
    assert len(pool.taken) == 1


async def test_one_connection_of_the_pool_is_never_leased() -> None:
    pool = Pool(3)
    leases = [Lease() for _ in range(3)]
    found = [await lease.fetch(pool, "SELECT 1", [], LOG) for lease in leases]
    # Two of three connections leased; the third query reads without a lease.
    assert found == [[("c1", "SELECT 1")], [("c2", "SELECT 1")], None]
    assert LEASES.held(pool) == 2
    await leases[0].end()
    assert LEASES.held(pool) == 1
    assert await leases[2].fetch(pool, "SELECT 2", [], LOG) == [("c3", "SELECT 2")]
    for lease in leases:
        await lease.end()
    assert LEASES.held(pool) == 0 and len(pool.returned) == 3
    # A pool of one connection is never leased.
    single = Pool(1)
    assert await Lease().fetch(single, "SELECT 1", [], LOG) is None and single.taken == []


async def test_a_statement_cancelled_at_the_end_gives_the_connection_back_when_it_stops() -> None:
    pool = Pool(5, delay=10)
    lease = Lease()
    running = asyncio.create_task(lease.fetch(pool, "SELECT pg_sleep(10)", [], LOG))
    await asyncio.sleep(0.01)
    # The query is done (its time limit) while a statement still runs: nothing goes back yet.
    await lease.end()
    assert pool.returned == [] and LEASES.held(pool) == 1
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert pool.returned == pool.taken and LEASES.held(pool) == 0


async def test_a_broken_connection_goes_back_and_the_next_statement_takes_another() -> None:
    pool = Pool(5)
    lease = Lease()
    assert await lease.fetch(pool, "SELECT 1", [], LOG) == [("c1", "SELECT 1")]
    pool.taken[0].closed = True  # the server went away
    with pytest.raises(ConnectionError, match="closed"):
        await lease.fetch(pool, "SELECT 2", [], LOG)
    assert pool.returned == [pool.taken[0]] and LEASES.held(pool) == 0
    assert await lease.fetch(pool, "SELECT 3", [], LOG) == [("c2", "SELECT 3")]
    await lease.end()
    assert pool.returned == pool.taken and LEASES.held(pool) == 0


async def test_a_known_election_page_reads_on_one_leased_connection(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = build_schema(Settings())
    variables = {"key": "az-president-2024"}
    first = await schema.execute(ELECTION_PAGE, variables, context_value=Context())
    assert first.errors is None  # now a known query
    client = connections.get("default")
    pool = compat.asyncpg_pool(client) if BACKEND == "postgres" else None
    taken: list[object] = []
    if pool is not None:
        acquire = type(pool).acquire

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            taken.append(self)
            return acquire(self, *args, **kwargs)

        # asyncpg's Pool has slots: its method is counted on the class.
        monkeypatch.setattr(type(pool), "acquire", counted)
    with captured() as statements:
        again = await schema.execute(ELECTION_PAGE, variables, context_value=Context())
    assert again.data == first.data
    assert again.data is not None
    assert again.data["election"]["candidacies"]["nodes"][0]["share"] == 92.12
    assert len(statements) == 10
    if pool is not None:
        # On PostgreSQL: one connection for the ten statements, given back after.
        assert len(taken) == 1
        assert LEASES.held(pool) == 0
        assert pool.get_idle_size() == pool.get_size()
    else:
        # SQLite has one connection, which Tortoise's client keeps: no lease.
        assert taken == []
