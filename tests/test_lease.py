"""Leases: a known query's reads share one pooled PostgreSQL connection (service/lease.py),
taken at the first read and given back when the query is done, whatever happened to it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from bench.operations import ELECTION_PAGE
from bench.statements import captured
from schema import build_schema
from schema.context import Context
from service import compat, postgres_reads
from service.lease import LEASES, SPARE_LIFETIME, SPARE_SECONDS, Lease
from service.settings import Settings
from tests.support.databases import BACKEND, POSTGRES_URL

LOG = logging.getLogger("tests.lease")


class Connection:
    """A connection that answers each statement with its text, after `delay` seconds."""

    def __init__(self, name: str, delay: float = 0.0) -> None:
        self.name = name
        self.delay = delay
        self.closed = False
        self.in_transaction = False
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

    async def prepare(self, text: str) -> Any:
        # No union of reads (service/postgres_reads.py) without their column types: the
        # reads of a turn run one after another.
        raise NotImplementedError("this connection answers statements with their text")

    def is_closed(self) -> bool:
        return self.closed

    def is_in_transaction(self) -> bool:
        return self.in_transaction


class Pool:
    """A pool of `size` connections that counts what it hands out and gets back."""

    def __init__(self, size: int, delay: float = 0.0) -> None:
        self.size = size
        self.delay = delay
        self.closing = False
        self.taken: list[Connection] = []
        self.returned: list[Connection] = []

    def get_max_size(self) -> int:
        return self.size

    def is_closing(self) -> bool:
        return self.closing

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
    # Given back, it waits as a spare for the next lease, still counted as leased, then goes
    # back to the pool when none takes it.
    assert LEASES.spares.count(pool) == 1 and LEASES.held(pool) == 1 and pool.returned == []
    await asyncio.sleep(SPARE_SECONDS * 2)
    assert pool.returned == [connection] and LEASES.held(pool) == 0
    assert LEASES.spares.count(pool) == 0
    # Once ended, a lease takes no connection: the caller reads as before.
    assert await lease.fetch(pool, "SELECT 3", [], LOG) is None
    assert len(pool.taken) == 1


async def test_the_reads_of_a_turn_are_sent_together_by_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[list[tuple[str, list[Any]]]] = []

    async def read_all(connection: Connection, reads: list[tuple[str, list[Any]]]) -> list[Any]:
        sent.append(reads)
        return [[(connection.name, text, *params)] for text, params in reads]

    monkeypatch.setattr(postgres_reads, "read_all", read_all)
    pool = Pool(5)
    lease = Lease()
    # Three reads asked for in one turn, as a level's loaders ask: sent at the next, as one.
    rows = await asyncio.gather(*(lease.fetch(pool, f"SELECT {i}", [i], LOG) for i in range(3)))
    assert rows == [[("c1", "SELECT 0", 0)], [("c1", "SELECT 1", 1)], [("c1", "SELECT 2", 2)]]
    assert sent == [[("SELECT 0", [0]), ("SELECT 1", [1]), ("SELECT 2", [2])]]
    # One asked for later is sent on its own, on the same connection.
    assert await lease.fetch(pool, "SELECT 3", [3], LOG) == [("c1", "SELECT 3", 3)]
    assert len(sent) == 2 and len(pool.taken) == 1
    # A read of another pool in the same turn is not sent with them: it reads as before.
    other = Pool(5)
    both = await asyncio.gather(
        lease.fetch(pool, "SELECT 4", [4], LOG), lease.fetch(other, "SELECT 5", [5], LOG)
    )
    assert list(both) == [[("c1", "SELECT 4", 4)], None] and other.taken == []
    await lease.end()


async def test_a_cancelled_read_of_a_turn_leaves_the_others_answered() -> None:
    pool = Pool(5, delay=0.05)
    lease = Lease()
    # The first read of the turn sends the others; one of those is cancelled while it runs,
    # and the rest get their rows.
    first, second, third = (
        asyncio.create_task(lease.fetch(pool, f"SELECT {i}", [i], LOG)) for i in range(3)
    )
    await asyncio.sleep(0.01)
    second.cancel()
    assert await asyncio.wait_for(first, 5) == [("c1", "SELECT 0", 0)]
    assert await asyncio.wait_for(third, 5) == [("c1", "SELECT 2", 2)]
    assert second.cancelled()
    # The first cancelled: its statement is stopped, and those it would have sent read as
    # before (None), their callers not being cancelled.
    first, second = (
        asyncio.create_task(lease.fetch(pool, f"SELECT {i}", [i], LOG)) for i in range(2)
    )
    await asyncio.sleep(0.01)
    first.cancel()
    assert await asyncio.wait_for(second, 5) is None
    assert first.cancelled()
    await lease.end()
    assert pool.returned == pool.taken and LEASES.held(pool) == 0


async def test_the_next_lease_takes_the_spare_and_what_may_not_wait_goes_back() -> None:
    pool = Pool(5)
    first, second, third = Lease(), Lease(), Lease()
    assert await first.fetch(pool, "SELECT 1", [], LOG) == [("c1", "SELECT 1")]
    await first.end()
    assert await second.fetch(pool, "SELECT 2", [], LOG) == [("c1", "SELECT 2")]
    assert len(pool.taken) == 1 and LEASES.spares.count(pool) == 0
    # A statement that fails leaves its connection to the pool, which clears what it left.
    pool.taken[0].delay = 10
    failing = asyncio.create_task(second.fetch(pool, "SELECT pg_sleep(10)", [], LOG))
    await asyncio.sleep(0.01)
    failing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await failing
    await second.end()
    assert pool.returned == [pool.taken[0]] and LEASES.spares.count(pool) == 0
    # A connection left in a transaction goes back too; so does one taken from the pool
    # more than SPARE_LIFETIME ago, and any given back while the pool closes.
    assert await third.fetch(pool, "SELECT 3", [], LOG) == [("c2", "SELECT 3")]
    pool.taken[1].in_transaction = True
    await third.end()
    assert pool.returned == pool.taken and LEASES.held(pool) == 0
    old, closing = Lease(), Lease()
    await old.fetch(pool, "SELECT 4", [], LOG)
    old._since -= SPARE_LIFETIME + 1  # taken from the pool that long ago
    await old.end()
    await closing.fetch(pool, "SELECT 5", [], LOG)
    pool.closing = True
    await closing.end()
    assert pool.returned == pool.taken and LEASES.held(pool) == 0
    assert LEASES.spares.count(pool) == 0


async def test_a_closing_pool_gets_its_spares_back_at_once() -> None:
    pool = Pool(5)
    leases = [Lease() for _ in range(2)]
    for lease in leases:
        await lease.fetch(pool, "SELECT 1", [], LOG)
    for lease in leases:
        await lease.end()
    assert LEASES.spares.count(pool) == 2 and pool.returned == []
    # asyncpg's pool, closing, waits for every connection: asked for a spare, it sends them
    # all back rather than giving one, without waiting for their time.
    pool.closing = True
    assert LEASES.spares.take(pool) is None
    await asyncio.sleep(0)  # the spares' way back to the pool
    assert sorted(c.name for c in pool.returned) == ["c1", "c2"] and LEASES.held(pool) == 0
    # A spare closed meanwhile (the server went away) goes back, and the next is taken.
    pool.closing = False
    for lease in (a := Lease(), b := Lease()):
        await lease.fetch(pool, "SELECT 3", [], LOG)
    await a.end()
    await b.end()
    pool.taken[-1].closed = True  # b's, given back last
    fresh = Lease()
    assert await fresh.fetch(pool, "SELECT 4", [], LOG) == [("c3", "SELECT 4")]
    await fresh.end()
    await asyncio.sleep(SPARE_SECONDS * 2)
    assert pool.returned[2:] == [pool.taken[3], pool.taken[2]] and LEASES.held(pool) == 0


async def test_one_connection_of_the_pool_is_never_leased() -> None:
    pool = Pool(3)
    leases = [Lease() for _ in range(3)]
    found = [await lease.fetch(pool, "SELECT 1", [], LOG) for lease in leases]
    # Two of three connections leased; the third query reads without a lease.
    assert found == [[("c1", "SELECT 1")], [("c2", "SELECT 1")], None]
    assert LEASES.held(pool) == 2
    await leases[0].end()
    # Its connection waits as a spare, still counted: the third query takes it.
    assert LEASES.held(pool) == 2
    assert await leases[2].fetch(pool, "SELECT 2", [], LOG) == [("c1", "SELECT 2")]
    for lease in leases:
        await lease.end()
    await asyncio.sleep(SPARE_SECONDS * 2)
    assert LEASES.held(pool) == 0 and len(pool.returned) == 2
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
    sent: list[int] = []
    read_all = postgres_reads.read_all

    async def noted(connection: Any, reads: list[tuple[str, list[Any]]]) -> list[Any]:
        sent.append(len(reads))
        return await read_all(connection, reads)

    monkeypatch.setattr(postgres_reads, "read_all", noted)
    with captured() as statements:
        again = await schema.execute(ELECTION_PAGE, variables, context_value=Context())
    assert again.data == first.data
    assert again.data is not None
    assert again.data["election"]["candidacies"]["nodes"][0]["share"] == 92.12
    assert len(statements) == 10
    if pool is not None:
        # On PostgreSQL: one connection for the ten statements, given back after as a spare,
        # which the next run takes without asking the pool; back in the pool once none does.
        # They were asked for in five turns, each turn's sent together.
        assert sent == [1, 3, 1, 4, 1]
        assert len(taken) == 1
        assert LEASES.held(pool) == LEASES.spares.count(pool) == 1
        third = await schema.execute(ELECTION_PAGE, variables, context_value=Context())
        assert third.data == first.data and len(taken) == 1
        await asyncio.sleep(SPARE_SECONDS * 2)
        assert LEASES.held(pool) == LEASES.spares.count(pool) == 0
        assert pool.get_idle_size() == pool.get_size()
        # asyncpg's pool, closing, waits for every connection: a spare goes back to it.
        other = await asyncpg.create_pool(POSTGRES_URL, min_size=1, max_size=2)
        lease = Lease()
        rows = await lease.fetch(other, "SELECT 1", [], LOG)
        assert rows is not None and [tuple(row) for row in rows] == [(1,)]
        await lease.end()
        assert LEASES.spares.count(other) == 1
        await asyncio.wait_for(other.close(), timeout=5)
        assert LEASES.held(other) == LEASES.spares.count(other) == 0
    else:
        # SQLite has one connection, which Tortoise's client keeps: no lease.
        assert taken == [] and sent == []
