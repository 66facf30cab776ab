"""SQLite reads sent together: the SELECTs asked of one client in a turn of the event loop run
as one job on aiosqlite's thread, so that they cross between the threads once, not once each.

aiosqlite runs each statement on its connection's own thread: the statement is handed to
that thread, and its rows handed back to the event loop's, each time waking the other
thread. On a machine of two virtual CPUs each crossing cost this process more CPU than a
small indexed SELECT itself (BENCHMARKS.md). A request's loaders send their statements level
by level, several in the same turn: the election page sends 10 statements at 5 levels. So
the reads asked for in one turn are kept here and, at the next, queued as one job that runs
them one after another and gives back each one's rows or error to its own caller.

The rule of schema/rows.py holds: a read is sent only while no transaction holds the
client's lock, so that it never runs inside one. The lock is checked when a read is asked
for and again when its job is queued, in the same step as the queueing, since a transaction
may take the lock in between: then the reads are not sent (`fetch` gives None) and each
caller reads the ordinary way, waiting for the lock as Tortoise's own reads do.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Sequence
from typing import Any

from service import compat
from service.asked import Asked, answer
from service.compat import SqliteClient


class _Turn:
    """The reads asked of one client in one turn of an event loop."""

    __slots__ = ("loop", "reads")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.reads: list[Asked] = []


#: The reads of each client waiting for the next turn. An entry lasts until that turn; one
#: left by an event loop that stopped first is replaced by the next loop's (`fetch`).
_waiting: dict[SqliteClient, _Turn] = {}


def fetch(
    client: SqliteClient, text: str, params: Sequence[Any]
) -> asyncio.Future[list[Any] | None]:
    """The rows of one SELECT, sent at the next turn with the others asked of the client in
    this one; None if they could not be sent (a transaction took the client's lock
    meanwhile, or the connection is closing): the caller then reads the ordinary way."""
    loop = asyncio.get_running_loop()
    turn = _waiting.get(client)
    if turn is None or turn.loop is not loop:
        turn = _waiting[client] = _Turn(loop)
        loop.call_soon(_send, client, turn)
    future: asyncio.Future[list[Any] | None] = loop.create_future()
    turn.reads.append((text, params, future))
    return future


def _send(client: SqliteClient, turn: _Turn) -> None:
    """The turn's reads queued as one job on the connection's thread, if no transaction
    holds the lock; those whose callers were cancelled are left out."""
    if _waiting.get(client) is turn:
        del _waiting[client]
    reads = [read for read in turn.reads if not read[2].done()]
    if not reads:
        return
    try:
        connection = compat.sqlite_connection(client)
        job = None
        if connection is not None and not compat.sqlite_lock(client).locked():
            statements = [(text, params) for text, params, _ in reads]
            job = compat.sqlite_job(connection, functools.partial(read_each, statements))
    except Exception as error:  # a callback's error reaches no caller: each gets it
        _fail(reads, error)
        return
    if job is None:
        for _text, _params, future in reads:
            future.set_result(None)
        return
    job.add_done_callback(functools.partial(_answer, reads))


def read_each(
    statements: Sequence[tuple[str, Sequence[Any]]], connection: sqlite3.Connection
) -> list[list[Any] | Exception]:
    """Each statement's rows, or the error it raised, run one after another on `connection`
    (on aiosqlite's thread): one statement's error is its caller's alone."""
    results: list[list[Any] | Exception] = []
    for text, params in statements:
        try:
            results.append(connection.execute(text, params).fetchall())
        except Exception as error:
            results.append(error)
    return results


def _answer(reads: list[Asked], job: asyncio.Future[list[list[Any] | Exception]]) -> None:
    """Each caller's rows or error, from the job's results."""
    if job.cancelled():  # aiosqlite never cancels a job; an event loop closing might
        for _text, _params, future in reads:
            future.cancel()
        return
    error = job.exception()  # the job itself failed: the connection was closed, say
    if error is not None:
        _fail(reads, error)
        return
    answer(reads, job.result())


def _fail(reads: list[Asked], error: BaseException) -> None:
    """The same error for every caller still waiting."""
    answer(reads, [error] * len(reads))
