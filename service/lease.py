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
  follow one another, or go as one where they can (service/postgres_reads.py: the reads
  asked for in one turn of the event loop are sent together by the first of them). On
  loopback a statement's round trip is a fraction of its CPU time.
- At most one fewer lease than the pool has connections is held at once (`Leases`), so one
  connection is always left for what does not lease: Tortoise's own queries, which a
  request holding a lease may wait for (a list's count), and transactions. What finds no
  lease free reads as before, one connection per statement, and never waits for a lease.

A connection a lease gives back waits a moment as a spare (`Spares`) for the next lease of
its pool, which takes it without asking the pool: a server answering one query after
another then takes and gives back through asyncpg a few times a second rather than once per
query. A spare not taken within SPARE_SECONDS goes back to the pool, and so does one a lease
first took more than SPARE_LIFETIME ago, so that the pool's own care of its connections (their
idle time, their count of queries) still reaches them; a spare counts as leased.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from service import postgres_reads
from service.asked import Asked, answer


class Lease:
    """The connection one known query's reads share (none until its first read)."""

    __slots__ = (
        "_asked",
        "_ended",
        "_pool",
        "_since",
        "_spare",
        "_turn",
        "_users",
        "connection",
    )

    def __init__(self) -> None:
        self._pool: Any = None
        self.connection: Any = None
        #: When the connection was taken from the pool, by the event loop's clock.
        self._since = 0.0
        #: Whether the connection may wait as a spare once given back: no statement failed.
        self._spare = True
        self._turn = asyncio.Lock()
        #: Statements running or waiting for their turn.
        self._users = 0
        #: The query is done: no connection is taken any more, and the one held goes back
        #: with its last statement.
        self._ended = False
        #: The reads asked for in this turn of the event loop, which its first read sends
        #: together at the next (`fetch`); None when none is asked for.
        self._asked: _Turn | None = None

    async def fetch(
        self, pool: Any, text: str, params: Sequence[Any], log: logging.Logger
    ) -> list[Any] | None:
        """The rows of one statement on the leased connection, taken now if none is held,
        logged to `log` as Tortoise logs each statement; None when no lease may be taken
        (the caller reads as before).

        The first read asked for in a turn of the event loop waits for the next, and sends
        the reads asked for meanwhile with its own, as one statement where they can be
        (service/postgres_reads.py). The others wait for their rows; should the first be
        cancelled, each of them is given None and reads as before."""
        turn = self._asked
        if turn is not None:  # the turn's first read sends this one with its own
            if turn.pool is not pool:  # one connection serves one pool
                return None
            future: asyncio.Future[list[Any] | None] = asyncio.get_running_loop().create_future()
            turn.others.append((text, params, future))
            return await future
        turn = self._asked = _Turn(pool)
        self._users += 1
        try:
            try:
                await asyncio.sleep(0)  # the other reads of this turn are asked for
            finally:
                if self._asked is turn:
                    self._asked = None
            async with self._turn:
                if self.connection is None and (self._ended or not await self._take(pool)):
                    answer(turn.others, [None] * len(turn.others))
                    return None
                others = [(text, params) for text, params, _future in turn.others]
                reads = [(text, params), *others]
                for read in reads:
                    log.debug("%s: %s", *read)
                try:
                    results = await postgres_reads.read_all(self.connection, reads)
                except BaseException:
                    # Whatever state a failed or cancelled statement left, the pool clears.
                    self._spare = False
                    if self.connection.is_closed():  # broken: the next statement takes another
                        await self._give_back()
                    raise
                if any(isinstance(result, Exception) for result in results):
                    self._spare = False
                answer(turn.others, results[1:])
                own = results[0]
                if isinstance(own, Exception):
                    raise own
                return own
        except BaseException as error:
            # Those still waiting get the error, or read as before if this read was
            # cancelled: their callers were not.
            answer(
                turn.others, [error if isinstance(error, Exception) else None] * len(turn.others)
            )
            raise
        finally:
            self._users -= 1
            if self._ended and not self._users:
                await self._give_back()

    async def _take(self, pool: Any) -> bool:
        """A connection for the lease: a spare, or one from the pool if a lease may be
        taken; False if none may."""
        spare = LEASES.spares.take(pool)
        if spare is not None:
            self.connection, self._since = spare
        elif not LEASES.take(pool):
            return False
        else:
            try:
                self.connection = await pool.acquire()
            except BaseException:
                LEASES.give_back(pool)
                raise
            self._since = asyncio.get_running_loop().time()
        self._pool = pool
        return True

    async def end(self) -> None:
        """The query is done: the connection is given back now (kept as a spare, or to the
        pool), or with the last statement still running (a batch cancelled at the time
        limit)."""
        self._ended = True
        if not self._users:
            await self._give_back()

    async def _give_back(self) -> None:
        connection, pool = self.connection, self._pool
        if connection is None:
            return
        self.connection = self._pool = None
        if self._spare and LEASES.spares.keep(pool, connection, self._since):
            return
        await _release(pool, connection)


async def _release(pool: Any, connection: Any) -> None:
    """A leased connection back to its pool."""
    try:
        # asyncpg shields this from cancellation: the connection goes back whatever
        # happens to the request.
        await pool.release(connection)
    finally:
        LEASES.give_back(pool)


class _Turn:
    """The reads asked of a lease in one turn of the event loop, after the first."""

    __slots__ = ("others", "pool")

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.others: list[Asked] = []


#: How long a connection given back by a lease waits for the next lease before it goes
#: back to its pool: a server that answers queries one after another takes it again sooner.
SPARE_SECONDS = 0.05
#: How long a connection may go from lease to lease without going back to its pool.
SPARE_LIFETIME = 10.0


class _PoolSpares:
    """One pool's spares, the last given back last, each with the time its first lease took
    it; and the timer that gives back those not taken in time."""

    __slots__ = ("connections", "pool", "timer")

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        #: (connection, taken from the pool at, given back by its last lease at)
        self.connections: list[tuple[Any, float, float]] = []
        self.timer: asyncio.TimerHandle | None = None


class Spares:
    """Connections given back by leases, kept a moment for the next lease of their pool."""

    def __init__(self) -> None:
        self._pools: dict[int, _PoolSpares] = {}
        #: Connections going back to their pools (a task each), held until they are back.
        self._going: set[asyncio.Task[None]] = set()

    def take(self, pool: Any) -> tuple[Any, float] | None:
        """The pool's spare given back last, with the time it was taken from the pool; None
        when it has none (or is closing: its spares go back)."""
        spares = self._of(pool)
        if spares is None:
            return None
        if pool.is_closing():
            self._expire(spares)  # all of them, as the pool is closing
            return None
        while spares.connections:
            connection, since, _ = spares.connections.pop()
            if not connection.is_closed():
                return connection, since
            self._send_back(pool, connection)  # closed meanwhile: the pool cleans up
        return None

    def keep(self, pool: Any, connection: Any, since: float) -> bool:
        """Keeps a connection a lease gives back, if it may wait for the next lease: open, in
        no transaction, its pool not closing, taken from the pool less than SPARE_LIFETIME
        ago. False: it goes back to the pool now."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if (
            connection.is_closed()
            or connection.is_in_transaction()
            or pool.is_closing()
            or now - since > SPARE_LIFETIME
        ):
            return False
        spares = self._of(pool)
        if spares is None:
            spares = self._pools[id(pool)] = _PoolSpares(pool)
        spares.connections.append((connection, since, now))
        if spares.timer is None:
            spares.timer = loop.call_later(SPARE_SECONDS, self._expire, spares)
        return True

    def count(self, pool: Any) -> int:
        """How many spares of this pool wait for a lease."""
        spares = self._of(pool)
        return 0 if spares is None else len(spares.connections)

    def _of(self, pool: Any) -> _PoolSpares | None:
        """The pool's spares; none for another pool made later at the same address."""
        spares = self._pools.get(id(pool))
        return spares if spares is not None and spares.pool is pool else None

    def _expire(self, spares: _PoolSpares) -> None:
        """Sends back the spares that waited SPARE_SECONDS (all of them when the pool is
        closing, which waits for them); looks again later for the rest."""
        if spares.timer is not None:  # called before its time: the timer is not needed
            spares.timer.cancel()
            spares.timer = None
        everything = spares.pool.is_closing()
        loop = asyncio.get_running_loop()
        now = loop.time()
        waiting = []
        for connection, since, given in spares.connections:
            if everything or now - given >= SPARE_SECONDS:
                self._send_back(spares.pool, connection)
            else:
                waiting.append((connection, since, given))
        spares.connections = waiting
        if waiting:
            delay = SPARE_SECONDS - (now - waiting[0][2])
            spares.timer = loop.call_later(delay, self._expire, spares)
        elif self._pools.get(id(spares.pool)) is spares:
            del self._pools[id(spares.pool)]

    def _send_back(self, pool: Any, connection: Any) -> None:
        going = asyncio.get_running_loop().create_task(_release(pool, connection))
        self._going.add(going)
        going.add_done_callback(self._going.discard)


class Leases:
    """How many leases are held on each pool, at most one fewer than its connections, spares
    included; and the spares."""

    def __init__(self) -> None:
        self._held: dict[int, int] = {}
        self.spares = Spares()

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
