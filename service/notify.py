"""Change notices: the keys of what a committed write changed, carried to the subscriptions of
every server process by PostgreSQL's NOTIFY (one LISTEN connection a process), or on SQLite by
this process's hub.

A notice names an election (its key and its country's code) and, for a change of a tally,
the tally's area (None: the whole country). It carries keys only: a subscription that it
concerns reads the data afresh. A subscription that is sent nothing yet learns of several
notices at once: it keeps one flag, not a queue, so nothing here grows with a slow reader.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url

log = logging.getLogger("elections.live")

#: The PostgreSQL channel the notices go through.
CHANNEL = "elections_changes"
#: The longest payload sent in one NOTIFY, in bytes: PostgreSQL refuses 8000 or more. More
#: notices than fit go in several NOTIFYs of the same transaction.
MAX_PAYLOAD_BYTES = 7900
#: Seconds between attempts to open the LISTEN connection again after it was lost.
RECONNECT_SECONDS = 1.0
#: Seconds between looks at the subscriptions while `Hub.settled` waits for them.
SETTLE_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Notice:
    """One change: of a tally of `election` counted in `area` (`tally` true), or of one of
    the election's other facts. `everything` asks every subscription to read again (sent
    after the listener missed notices, or after a load deleted rows it cannot name)."""

    election: str = ""
    country: str = ""
    area: str | None = None
    tally: bool = False
    everything: bool = False

    def encoded(self) -> list[Any]:
        return [self.election, self.country, self.area, int(self.tally)]

    @classmethod
    def decoded(cls, item: list[Any]) -> Notice:
        election, country, area, tally = item
        return cls(str(election), str(country), None if area is None else str(area), bool(tally))


EVERYTHING = Notice(everything=True)


def payloads(notices: Iterable[Notice]) -> list[str]:
    """The notices as JSON arrays of at most MAX_PAYLOAD_BYTES each; only `"*"` when one of
    them is EVERYTHING, which says all the others say."""
    unique = set(notices)
    if EVERYTHING in unique:
        return ['"*"']
    found: list[str] = []
    batch: list[list[Any]] = []
    size = 2
    # Sorted for a stable order; an election's notice without an area sorts before its areas.
    for notice in sorted(
        unique, key=lambda n: (n.election, n.country, n.area is not None, n.area or "", n.tally)
    ):
        item = notice.encoded()
        length = len(json.dumps(item, separators=(",", ":")).encode()) + 1
        if batch and size + length > MAX_PAYLOAD_BYTES:
            found.append(json.dumps(batch, separators=(",", ":")))
            batch, size = [], 2
        batch.append(item)
        size += length
    if batch:
        found.append(json.dumps(batch, separators=(",", ":")))
    return found


def parse(payload: str) -> list[Notice]:
    """The notices of one NOTIFY payload (as `payloads` wrote it)."""
    value = json.loads(payload)
    if value == "*":
        return [EVERYTHING]
    return [Notice.decoded(item) for item in value]


class TooManySubscriptions(Exception):
    """A subscription this process will not hold (LIVE_MAX_SUBSCRIPTIONS); the message says
    which limit and what to do. Not curation's `Refused`, which refuses a change of data."""


class NoticeWaiter:
    """One subscription's view of the hub: a flag raised by each notice that `wanted`, and
    at most `per_second` wake-ups a second (notices in between are taken together). Not the
    GraphQL root of subscriptions (schema/subscription.py), which reads and sends the data."""

    def __init__(self, wanted: Callable[[Notice], bool], per_second: float) -> None:
        self.wanted = wanted
        self.interval = 1 / per_second
        self._flag = asyncio.Event()
        # From the subscription's start until it next waits for a notice, a message of it
        # may be on its way: its first one, or the one a notice woke it for.
        self._busy = True

    @property
    def settled(self) -> bool:
        """Whether every message announced to this subscription has been handed to its
        connection: it waits for a notice, and none came meanwhile."""
        return not self._busy and not self._flag.is_set()

    def offer(self, notice: Notice) -> None:
        if notice.everything or self.wanted(notice):
            self._flag.set()

    def again(self) -> None:
        """Wake once more, at the rate: there is more to send."""
        self._flag.set()

    async def changes(self) -> AsyncGenerator[None]:
        """Yields once for each burst of notices, no sooner than `interval` after the last."""
        last = -self.interval
        while True:
            # The consumer asks for the next change only once it sent the last message.
            self._busy = False
            await self._flag.wait()
            self._busy = True
            # A rate, not a timing window: the notices that come meanwhile are one message.
            wait = last + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._flag.clear()
            last = time.monotonic()
            yield


class Hub:
    """This process's subscriptions, and the notices handed to them."""

    def __init__(self) -> None:
        self.subscriptions: set[NoticeWaiter] = set()
        #: The most subscriptions held at once (LIVE_MAX_SUBSCRIPTIONS), and the messages a
        #: second each may send (LIVE_MESSAGES_PER_SECOND): set by the app at start.
        self.max_subscriptions = 1000
        self.per_second = 5.0
        #: Called with the number of subscriptions whenever it changes, for each message
        #: sent and for each subscription refused (the app's metrics).
        self.on_count: Callable[[int], None] = lambda count: None
        self.on_message: Callable[[], None] = lambda: None
        self.on_refused: Callable[[], None] = lambda: None

    def open(self, wanted: Callable[[Notice], bool]) -> NoticeWaiter:
        """A new subscription's waiter, until `close`; TooManySubscriptions past
        `max_subscriptions`."""
        if len(self.subscriptions) >= self.max_subscriptions:
            self.on_refused()
            raise TooManySubscriptions(
                f"This server holds {len(self.subscriptions)} subscriptions, its limit "
                f"(LIVE_MAX_SUBSCRIPTIONS={self.max_subscriptions}): try again later, or "
                "another server."
            )
        subscription = NoticeWaiter(wanted, self.per_second)
        self.subscriptions.add(subscription)
        self.on_count(len(self.subscriptions))
        return subscription

    def close(self, subscription: NoticeWaiter) -> None:
        self.subscriptions.discard(subscription)
        self.on_count(len(self.subscriptions))

    def publish(self, notices: Iterable[Notice]) -> None:
        for notice in notices:
            for subscription in list(self.subscriptions):
                subscription.offer(notice)

    async def settled(self, timeout: float) -> bool:
        """Waits, at most `timeout` seconds, until every subscription has handed its
        connection the messages of the notices published so far; whether they all did."""
        deadline = time.monotonic() + timeout
        while not all(subscription.settled for subscription in self.subscriptions):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(SETTLE_POLL_SECONDS)
        return True


#: The process's hub: subscriptions wait here, whichever database brings the notices.
hub = Hub()


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return bool(conn.capabilities.dialect == "postgres")


async def send(conn: BaseDBAsyncClient, notices: Iterable[Notice]) -> None:
    """Sends the notices inside the writing transaction `conn`: PostgreSQL delivers a NOTIFY
    at commit only, so a change rolled back is never announced. On SQLite nothing is sent
    here: `after_commit` hands them to this process's hub."""
    if not is_postgres(conn):
        return
    for payload in payloads(notices):
        await conn.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, payload])


def after_commit(conn: BaseDBAsyncClient, notices: Iterable[Notice]) -> None:
    """On SQLite, once the transaction committed, the notices go to this process's hub (on
    PostgreSQL they come back through the LISTEN connection, as they do to every process)."""
    if not is_postgres(conn):
        hub.publish(notices)


class Listener:
    """The process's one LISTEN connection to PostgreSQL, opened again when it is lost; after
    a loss every subscription reads again, since notices may have been missed meanwhile."""

    def __init__(self, database_url: str, target: Hub) -> None:
        credentials = expand_db_url(database_url)["credentials"]
        self.connect_args = {
            name: credentials[name]
            for name in ("host", "port", "user", "password", "database")
            if credentials.get(name) is not None
        }
        self.hub = target
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        #: Set once the connection listens (tests and `start` wait for it).
        self.listening = asyncio.Event()

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        try:
            notices = parse(payload)
        except (ValueError, TypeError) as error:
            log.error("A notice on %s could not be read (%s): %r", channel, error, payload[:200])
            return
        self.hub.publish(notices)

    def _terminated(self, connection: Any) -> None:
        self._lost.set()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(**self.connect_args, timeout=10)
        connection.add_termination_listener(self._terminated)
        await connection.add_listener(CHANNEL, self._notified)
        self._connection = connection
        self.listening.set()

    async def _keep(self) -> None:
        while True:
            await self._lost.wait()
            self._lost.clear()
            self.listening.clear()
            log.warning("The LISTEN connection for subscriptions was lost; opening it again")
            while True:
                try:
                    await self._connect()
                    break
                except (OSError, asyncpg.PostgresError) as error:
                    log.warning("LISTEN connection failed (%s); trying again", error)
                    await asyncio.sleep(RECONNECT_SECONDS)
            self.hub.publish([EVERYTHING])

    async def start(self) -> None:
        await self._connect()
        self._task = asyncio.create_task(self._keep())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
