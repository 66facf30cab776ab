"""Leases: one pooled PostgreSQL connection that a known query's reads share, taken at its
first read and given back when the query is done.

Taking a connection from asyncpg's pool and giving it back costs more of this process's
time than running a small statement on it: about 50 µs of CPU against 70 µs for the whole
statement on a held connection (BENCHMARKS.md), since asyncpg makes a proxy, a task to give
it back safely and a timer for its idle time each time. The election page sends 10
statements, so a request that holds one connection for all of them saves nine of those.

Two rules keep a lease from costing more than it saves or blocking anything:

- A request's statements take turns on its connection (asyncpg runs one at a time on a
  connection): a level's statements, sent side by side from separate connections before,
  follow one another. On loopback a statement's round trip is a fraction of its CPU time.
- At most one fewer lease than the pool has connections is held at once (`Leases`), so one
  connection is always left for what does not lease: Tortoise's own queries, which a
  request holding a lease may wait for (a list's count), and transactions. What finds no
  lease free reads as before, one connection per statement, and never waits for a lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any


class Lease:
    """The connection one known query's reads share (none until its first read)."""

    __slots__ = ("_ended", "_pool", "_turn", "_users", "connection")

    def __init__(self) -> None:
        self._pool: Any = None
        self.connection: Any = None
        self._turn = asyncio.Lock()
        #: Statements running or waiting for their turn.
        self._users = 0
        #: The query is done: no connection is taken any more, and the one held goes back
        #: with its last statement.
        self._ended = False

    async def fetch(
        self, pool: Any, text: str, params: Sequence[Any], log: logging.Logger
    ) -> list[Any] | None:
        """The rows of one statement on the leased connection, taken now if none is held,
        logged to `log` as Tortoise logs each statement; None when no lease may be taken
        (the caller reads as before)."""
        self._users += 1
        try:
            async with self._turn:
                if self.connection is None:
                    if self._ended or not LEASES.take(pool):
                        return None
                    try:
                        self.connection = await pool.acquire()
                    except BaseException:
                        LEASES.give_back(pool)
                        raise
                    self._pool = pool
                log.debug("%s: %s", text, params)
                try:
                    rows: list[Any] = await self.connection.fetch(text, *params)
                except BaseException:
                    if self.connection.is_closed():  # broken: the next statement takes another
                        await self._give_back()
                    raise
                return rows
        finally:
            self._users -= 1
            if self._ended and not self._users:
                await self._give_back()

    async def end(self) -> None:
        """The query is done: the connection goes back to the pool now, or with the last
        statement still running (a batch cancelled at the time limit)."""
        self._ended = True
        if not self._users:
            await self._give_back()

    async def _give_back(self) -> None:
        connection, pool = self.connection, self._pool
        if connection is None:
            return
        self.connection = self._pool = None
        try:
            # asyncpg shields this from cancellation: the connection goes back whatever
            # happens to the request.
            await pool.release(connection)
        finally:
            LEASES.give_back(pool)


class Leases:
    """How many leases are held on each pool, at most one fewer than its connections."""

    def __init__(self) -> None:
        self._held: dict[int, int] = {}

    def take(self, pool: Any) -> bool:
        held = self._held.get(id(pool), 0)
        if held >= pool.get_max_size() - 1:
            return False
        self._held[id(pool)] = held + 1
        return True

    def give_back(self, pool: Any) -> None:
        held = self._held.pop(id(pool)) - 1
        if held:  # none held: no entry, which a pool made later at the same address gets
            self._held[id(pool)] = held

    def held(self, pool: Any) -> int:
        return self._held.get(id(pool), 0)


LEASES = Leases()

#: The lease of the known query running in this task (and the loaders' batches it starts).
current: ContextVar[Lease | None] = ContextVar("current_lease", default=None)
