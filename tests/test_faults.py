"""Faults: PostgreSQL stopped and started under a running server, and the server stopped while
requests are in flight.

Each test runs the real server (`elections serve`, as in production) in a subprocess, over a
private PostgreSQL cluster of its own (tests/support/postgres_cluster.py) that it stops,
starts and locks; the shared server of TEST_POSTGRES_URL is never touched. So they run in both
passes of `make test`, whatever TEST_DATABASE says, and are skipped only where PostgreSQL's
server binaries (`initdb`, `pg_ctl`) are not installed.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from tests.support.databases import create_database, drop_database
from tests.support.postgres_cluster import Cluster, binaries, private_cluster
from tests.support.servers import serving
from tests.support.world import AZ_2024, AZ_2024_DATA

#: How long a request may take while the database is down: a refused connection is seen at
#: once; DB_CONNECT_TIMEOUT (set to 2 s here) bounds one that is not answered at all.
FAIL_FAST_SECONDS = 3.0
#: How long the server may take to exit once the requests it waited for are answered.
EXIT_SECONDS = 10.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster, started, for the tests of this module."""
    folder = binaries()
    if folder is None:
        pytest.skip(
            "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: these tests "
            "start, stop and lock a PostgreSQL server of their own"
        )
    with private_cluster(folder) as started:
        yield started


@pytest_asyncio.fixture
async def database(cluster: Cluster) -> AsyncIterator[str]:
    """The URL of a new, empty database `elections` on the private cluster, dropped after."""
    url = cluster.url("elections")
    if not cluster.running():
        cluster.start()  # a test that stopped it failed before starting it again
    await create_database(url, cluster.url())
    yield url
    if not cluster.running():
        cluster.start()
    await drop_database(url, cluster.url())


def masked_error(request_id: str) -> dict[str, Any]:
    """The answer to AZ_2024 when reading the election failed: null, and an error saying only
    that, with the request ID to find the details in the log."""
    return {
        "data": {"election": None},
        "errors": [
            {
                "message": f"Internal server error (request ID {request_id}).",
                "locations": [{"line": 3, "column": 3}],
                "path": ["election"],
            }
        ],
    }


async def test_postgresql_stopped_and_started_again_under_a_running_server(
    cluster: Cluster, database: str
) -> None:
    settings = {"DB_POOL_MIN": "2", "DB_POOL_MAX": "4", "DB_CONNECT_TIMEOUT": "2"}
    with serving(database, **settings) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            # The pool is as configured, and several requests at once fill it.
            metrics = (await http.get("/metrics")).text
            assert "elections_database_connections_max 4.0" in metrics
            answers = await asyncio.gather(
                *(http.post("/graphql", json={"query": AZ_2024}) for _ in range(6))
            )
            assert [answer.json() for answer in answers] == [{"data": AZ_2024_DATA}] * 6

            cluster.stop()  # `pg_ctl stop -m fast`: every open connection of the pool ends

            # Down: each request fails fast, and cleanly.
            for _ in range(3):
                started = time.monotonic()
                response = await http.post("/graphql", json={"query": AZ_2024})
                took = time.monotonic() - started
                assert took < FAIL_FAST_SECONDS, f"{took:.2f} s"
                assert response.status_code == 200
                request_id = response.headers["x-request-id"]
                assert response.json() == masked_error(request_id)
                for secret in ("Connect call failed", "127.0.0.1", "Traceback", "SELECT", ".py"):
                    assert secret not in response.text
                # The log has what happened, under the same request ID.
                logged = server.error_logged_for(request_id)
                # uvloop's words for a refused connection (asyncio's add the address).
                assert logged["message"] == (
                    "Unexpected error at election: [Errno 111] Connection refused"
                )

                started = time.monotonic()
                response = await http.get("/ready")
                assert time.monotonic() - started < FAIL_FAST_SECONDS
                assert (response.status_code, response.json()) == (
                    503,
                    {
                        "status": "unavailable",
                        "reason": "The database did not answer: ConnectionRefusedError.",
                    },
                )
                health = await http.get("/health")
                assert (health.status_code, health.json()) == (200, {"status": "ok"})

            cluster.start()

            # Back, with the same server process and its pool: every request succeeds again,
            # several at once too, so more than one new connection serves them.
            ready = await http.get("/ready")
            assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
            answers = await asyncio.gather(
                *(http.post("/graphql", json={"query": AZ_2024}) for _ in range(6))
            )
            assert [answer.status_code for answer in answers] == [200] * 6
            assert [answer.json() for answer in answers] == [{"data": AZ_2024_DATA}] * 6
        assert server.process.poll() is None, "the server must not have restarted"


class TableLock:
    """Another session holding a table of the database `elections`, so that every query of
    it waits: requests stay in flight until the test releases it. A second session watches
    who waits (pg_stat_activity)."""

    def __init__(self, holder: asyncpg.Connection, monitor: asyncpg.Connection) -> None:
        self._holder = holder
        self._monitor = monitor
        self._transaction = holder.transaction()

    async def acquire(self, table: str) -> None:
        await self._transaction.start()
        await self._holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    async def release(self) -> None:
        await self._transaction.rollback()

    async def waiting(self) -> int:
        """How many sessions of the database `elections` wait for a lock."""
        count: int = await self._monitor.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = 'elections' AND wait_event_type = 'Lock'"
        )
        return count

    async def until_waiting(self, count: int, timeout: float = 10) -> None:
        """Returns once `count` sessions wait for the lock; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (waiting := await self.waiting()) != count:
            assert time.monotonic() < deadline, f"{waiting} sessions wait for the lock, not {count}"
            await asyncio.sleep(0.05)


@asynccontextmanager
async def locked(database_url: str, table: str) -> AsyncIterator[TableLock]:
    """`table` locked by a session of its own until released, or until the block ends."""
    holder = await asyncpg.connect(database_url)
    monitor = await asyncpg.connect(database_url)
    try:
        lock = TableLock(holder, monitor)
        await lock.acquire(table)
        yield lock
    finally:
        await holder.close()
        await monitor.close()


async def test_sigterm_lets_the_requests_in_flight_finish_then_exits_0(
    cluster: Cluster, database: str
) -> None:
    in_flight = 3
    with serving(database) as server:
        async with (
            locked(database, "election") as lock,
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
        ):
            requests = [
                asyncio.create_task(http.post("/graphql", json={"query": AZ_2024}))
                for _ in range(in_flight)
            ]
            await lock.until_waiting(in_flight)

            server.process.send_signal(signal.SIGTERM)
            # uvicorn stops accepting connections and waits for those with a request.
            await asyncio.to_thread(server.wait_for_log, "Waiting for connections to close")
            with pytest.raises(httpx.ConnectError):
                await http.get("/health")
            await asyncio.sleep(1)  # it keeps waiting, well past its own 0.1 s pause
            assert server.process.poll() is None
            assert not any(request.done() for request in requests)

            await lock.release()
            released = time.monotonic()
            answers = await asyncio.gather(*requests)

        assert [answer.status_code for answer in answers] == [200] * in_flight
        assert [answer.json() for answer in answers] == [{"data": AZ_2024_DATA}] * in_flight
        status = await asyncio.to_thread(server.process.wait, EXIT_SECONDS)
        took = time.monotonic() - released
        output = server.output()
        assert status == 0, output
        assert took < EXIT_SECONDS
        # The lifespan's exit ran: the database connections were closed, not dropped.
        assert "Application shutdown complete." in output, output
        assert "Traceback" not in output, output


async def test_requests_still_running_after_shutdown_timeout_are_cut_off(
    cluster: Cluster, database: str
) -> None:
    with serving(database, SHUTDOWN_TIMEOUT="1") as server:
        async with (
            locked(database, "election") as lock,
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
        ):
            request = asyncio.create_task(http.post("/graphql", json={"query": AZ_2024}))
            await lock.until_waiting(1)

            signalled = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            # The lock is never released: after SHUTDOWN_TIMEOUT the request is cancelled,
            # its query with it, and the server goes on to close and exit.
            status = await asyncio.to_thread(server.process.wait, EXIT_SECONDS)
            took = time.monotonic() - signalled
            # uvicorn answers a request it cancelled itself, and closes its connection.
            response = await request
            assert (response.status_code, response.text) == (500, "Internal Server Error")
            assert response.headers["connection"] == "close"
            # Its query was cancelled in PostgreSQL too: nothing waits for the lock any more.
            await lock.until_waiting(0)
        output = server.output()
        assert status == 0, output
        assert 1 <= took < EXIT_SECONDS, output
        assert "Cancel 1 running task(s), timeout graceful shutdown exceeded" in output, output
        assert "Exception in ASGI application" in output, output  # the CancelledError, logged
        assert "Application shutdown complete." in output, output


async def test_a_statement_over_db_statement_timeout_is_cancelled(
    cluster: Cluster, database: str
) -> None:
    with serving(database, DB_STATEMENT_TIMEOUT="1") as server:
        async with (
            locked(database, "election") as lock,
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
        ):
            started = time.monotonic()
            response = await http.post("/graphql", json={"query": AZ_2024})
            took = time.monotonic() - started
            # Stopped by the statement's limit, well before the operation's (10 s).
            assert 1 <= took < 5, f"{took:.2f} s"
            request_id = response.headers["x-request-id"]
            assert response.json() == masked_error(request_id)
            # asyncpg cancelled the statement in PostgreSQL too.
            await lock.until_waiting(0)

            await lock.release()
            response = await http.post("/graphql", json={"query": AZ_2024})
            assert response.json() == {"data": AZ_2024_DATA}
        assert server.error_logged_for(request_id)["exception"].endswith("\nTimeoutError")
