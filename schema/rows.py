"""Rows: a model's rows read with one plain SELECT into light records that have the model's
attribute names and Python types, for the loaders of a request and the pages of root lists.

Building Tortoise model instances was most of the time a large query spent on its rows: for
the 3,600 rows of a page of 100 elections, 72 ms against 11 ms for the same SELECTs read as
tuples, mostly spent parsing two timestamps per row that no resolver reads. A record is a
named tuple: the same attributes (`pk`, `key`, `election_id`, dates as `date`, enums as the
model's enums), converted at read time where that is cheap, and timestamps and JSON converted
by Tortoise's own field only when read. PostgreSQL's timestamps are read as text for that
reason: asyncpg makes a datetime of every one it is sent.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from functools import cache, lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from schema.connection import Connection, Page
from schema.keyset import SortKey, Sql, keyset_page, numbered
from service import compat, sqlite_reads
from service import lease as leases
from service.compat import AsyncpgDBClient, SqliteClient, SqliteTransactionWrapper
from service.database import default_client

if TYPE_CHECKING:
    from schema.context import Rows
    from schema.joins import Join

Convert = Callable[[Any], Any]
T = TypeVar("T")


def _date(value: Any) -> dt.date:
    # SQLite keeps a date as ISO text; asyncpg gives a date.
    return value if type(value) is dt.date else dt.date.fromisoformat(value)


def _converter(field: fields.Field[Any]) -> Convert | None:
    """How a database value becomes the attribute's value at read time; None: as it is.
    (Timestamps and JSON are converted when read instead: see Table.)"""
    if isinstance(field, fields.DateField):
        return _date
    if isinstance(field, fields.data.CharEnumFieldInstance | fields.data.IntEnumFieldInstance):
        # The members by value: a dict lookup, where calling the enum takes several calls.
        return field.enum_type._value2member_map_.__getitem__
    if isinstance(field, fields.BooleanField):
        return bool  # SQLite gives 0 and 1
    if isinstance(field, fields.FloatField):
        return float
    if isinstance(
        field, fields.IntField | fields.BigIntField | fields.CharField | fields.TextField
    ):
        return None
    return field.to_python_value  # anything else: exactly as Tortoise reads it


class Table:
    """How to read one model's rows as records."""

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.name = meta.db_table
        projection = meta.fields_db_projection  # attribute name -> column
        self.attributes = list(projection)
        self._columns = list(projection.values())
        #: The timestamp columns, read as text on PostgreSQL (`_listed`, `_timestamp`).
        self._texts = frozenset(
            column
            for name, column in projection.items()
            if isinstance(meta.fields_map[name], fields.DatetimeField)
        )
        #: The columns read, as a statement lists them on SQLite and on PostgreSQL.
        self.columns = self._listed("", postgres=False)
        self.postgres_columns = self._listed("", postgres=True)
        #: The primary key's column, the first read.
        self.key_column = self._columns[0]
        record = namedtuple(f"{model.__name__}Row", self.attributes)  # type: ignore[misc]
        body: dict[str, Any] = {"__slots__": (), "pk": property(itemgetter(0))}
        assert self.attributes[0] == meta.pk_attr
        convert: dict[int, Convert] = {}
        for i, name in enumerate(self.attributes):
            field = meta.fields_map[name]
            if isinstance(field, fields.DatetimeField | fields.JSONField):
                # Read by almost no resolver: converted when read, by Tortoise's own field.
                body[name] = _lazy(i, field)
                continue
            to_python = _converter(field)
            if to_python is not None:
                convert[i] = to_python
        # Any: a named tuple whose fields are known only here has no static type of its own.
        record_type: Any = type(record.__name__, (record,), body)
        self.record: type[tuple[Any, ...]] = record_type
        self._convert = convert
        #: `records` for rows whose columns begin at each offset, written on first use.
        self._readers: dict[int, Callable[[Iterable[Sequence[Any]]], list[Any]]] = {}

    def qualified(self, alias: str, postgres: bool) -> str:
        """The columns read, each named with the table's alias in a statement (`t."id"`)."""
        return self._listed(f"{alias}.", postgres)

    def _listed(self, prefix: str, postgres: bool) -> str:
        texts = self._texts if postgres else frozenset()
        return ", ".join(
            f'{prefix}"{column}"::text' if column in texts else f'{prefix}"{column}"'
            for column in self._columns
        )

    def records(self, raw_rows: Iterable[Sequence[Any]], start: int = 0) -> list[Any]:
        """The rows as records, from the columns that begin at `start` in each (a statement
        may read other columns before and after them)."""
        reader = self._readers.get(start)
        if reader is None:
            reader = self._readers[start] = _reader(self.record, self._convert, start)
        return reader(raw_rows)

    async def where_in(
        self, column: str, values: Sequence[Any], order_by_id: bool = False
    ) -> list[Any]:
        """The rows whose `column` is one of `values` (one statement), as records."""
        connection = default_client()
        postgres = connection.capabilities.dialect == "postgres"
        columns = self.postgres_columns if postgres else self.columns
        head = f'SELECT {columns} FROM "{self.name}" WHERE "{column}"'
        order = ' ORDER BY "id"' if order_by_id else ""
        return self.records(await read_in(connection, head, values, order))


class JoinedTable:
    """How to read one model's rows as records together with the rows some of their foreign
    keys point at (schema/joins.py), one LEFT JOIN each, in one statement."""

    def __init__(self, model: type[Model], joins: tuple[Join, ...]) -> None:
        self.table = table(model)
        projection = model._meta.fields_db_projection
        # The joined tables' columns, read as they are: on PostgreSQL their timestamps are
        # cast in each one's subquery.
        joined: list[str] = []
        sqlite, postgres = [f'"{self.table.name}" t'], [f'"{self.table.name}" t']
        #: Each joined table, and where its columns begin and end in a row.
        self.joined: list[tuple[Table, int, int]] = []
        start = len(self.table.attributes)
        for i, join in enumerate(joins):
            target, alias = table(join.target), f"j{i}"
            joined.append(target.qualified(alias, postgres=False))
            on = f'"{target.key_column}" = t."{projection[join.column]}"'
            sqlite.append(f'LEFT JOIN "{target.name}" {alias} ON {alias}.{on}')
            # PostgreSQL's planner chose to read the whole joined table into a hash for a
            # page's few rows (twice the database's time of separate statements): a lateral
            # subquery with a LIMIT is not merged into the join, so each row's key is looked
            # up in the primary key's index.
            postgres.append(
                f'LEFT JOIN LATERAL (SELECT {target.postgres_columns} FROM "{target.name}" '
                f"WHERE {on} LIMIT 1) {alias} ON true"
            )
            end = start + len(target.attributes)
            self.joined.append((target, start, end))
            start = end
        #: The statement up to its `IN`, without the column, on SQLite and on PostgreSQL.
        self.heads = tuple(
            f"SELECT {', '.join([self.table.qualified('t', cast), *joined])} "
            f"FROM {' '.join(tables)} WHERE t."
            for cast, tables in ((False, sqlite), (True, postgres))
        )

    async def where_in(
        self, column: str, values: Sequence[Any], order_by_id: bool = False
    ) -> tuple[list[Any], list[dict[Any, Sequence[Any]]]]:
        """The rows whose `column` is one of `values`, as records, and for each join the
        rows joined in, each once, by id, as read (the caller makes records of those it has
        not read before: a page's elections join one country a hundred times)."""
        connection = default_client()
        head = self.heads[connection.capabilities.dialect == "postgres"]
        order = f' ORDER BY t."{self.table.key_column}"' if order_by_id else ""
        raw = await read_in(connection, f'{head}"{column}"', values, order)
        return self.table.records(raw), [
            {row[start]: row[start:end] for row in raw if row[start] is not None}
            for _target, start, end in self.joined
        ]


async def read_in(
    connection: BaseDBAsyncClient, head: str, values: Sequence[Any], tail: str
) -> Sequence[Any]:
    """The rows of `head` + ` IN (values)` + `tail` (one statement; none for no values), its
    text kept by its shape for a short list of values (`_in_text`)."""
    if not values:
        return []
    postgres = connection.capabilities.dialect == "postgres"
    if len(values) <= KEPT_UP_TO:
        text = _in_text(head, len(values), tail, postgres)
    else:
        text = _written_in(head, len(values), tail, postgres)
    return await select(connection, text, list(values))


#: The most values of a statement whose text is kept (`_in_text`): a small query's key, a
#: level's batch, a page's ids. Longer ones (the nested lists of a large page) are written
#: each time, where the statement costs far more anyway, so that at most 1,024 short texts
#: are kept.
KEPT_UP_TO = 128


def _written_in(head: str, count: int, tail: str, postgres: bool) -> str:
    """`head IN (?, …)tail` for `count` values, in the database's placeholders."""
    text = f"{head} IN ({', '.join('?' * count)}){tail}"
    return numbered(text) if postgres else text


#: The text of each shape of statement read again and again (the same table, batch size
#: and order): writing it, with PostgreSQL's numbered placeholders, took 1.1-1.5 µs.
_in_text = lru_cache(maxsize=1024)(_written_in)


async def select(client: BaseDBAsyncClient, text: str, params: list[Any]) -> Sequence[Any]:
    """The rows of one SELECT.

    On SQLite, Tortoise passes every statement through one lock, held for a whole
    transaction, so that nothing runs inside another's transaction on the single
    connection. Reads then wait in line, each handed from thread to thread: a server
    answering one small query after another spent most of its time there. So a read that
    finds the lock free goes to aiosqlite's queue without it, with the other reads asked for
    in the same turn (service/sqlite_reads.py), queued in the same step as a second check:
    aiosqlite runs its statements in order on one thread, so a transaction that takes the
    lock afterwards begins after these reads have run, and a read never runs inside one.

    On PostgreSQL, a known query's reads outside a transaction share one connection, leased
    for the query (service/lease.py), rather than each taking one from the pool.
    """
    if isinstance(client, SqliteClient) and not isinstance(client, SqliteTransactionWrapper):
        connection = compat.sqlite_connection(client)
        if connection is not None and not compat.sqlite_lock(client).locked():
            client.log.debug("%s: %s", text, params)  # as Tortoise logs each statement
            sent = await sqlite_reads.fetch(client, text, params)
            if sent is not None:
                return sent
    lease = leases.current.get()
    if lease is not None and type(client) is AsyncpgDBClient:
        pool = compat.asyncpg_pool(client)
        if pool is not None:
            leased = await lease.fetch(pool, text, params, client.log)
            if leased is not None:
                return leased
    _count, rows = await client.execute_query(text, params)
    return rows


def _reader(
    record: type[tuple[Any, ...]], convert: dict[int, Convert], start: int
) -> Callable[[Iterable[Sequence[Any]]], list[Any]]:
    """A function making records of `record`'s type from rows whose columns begin at
    `start`, written out once, e.g. for a table whose third column is a date:

        def read(raw_rows):
            return [new(record, (r[0], r[1], None if (v := r[2]) is None else c2(v)))
                    for r in raw_rows]

    It is compiled, as `schema/conversion.py` compiles its conversions, because it runs for
    every row read: a loop over the columns to convert, copying each row into a list for
    the named tuple's `_make`, took 1.6 times as long (0.24 µs against 0.15 for a row of
    eight columns, two converted)."""
    namespace: dict[str, Any] = {"new": tuple.__new__, "record": record}
    values = []
    for i in range(len(record._fields)):  # type: ignore[attr-defined]
        column = f"r[{start + i}]"
        if i in convert:
            namespace[f"c{i}"] = convert[i]
            values.append(f"None if (v := {column}) is None else c{i}(v)")
        else:
            values.append(column)
    row = f"({', '.join(values)},)"
    source = f"def read(raw_rows):\n    return [new(record, {row}) for r in raw_rows]\n"
    exec(source, namespace)  # names from the model's fields, never from a request
    read: Callable[[Iterable[Sequence[Any]]], list[Any]] = namespace["read"]
    return read


def _lazy(i: int, field: fields.Field[Any]) -> property:
    """An attribute converted by Tortoise's field each time it is read."""
    to_python: Convert = field.to_python_value
    if isinstance(field, fields.DatetimeField):
        to_python = _timestamp(to_python)

    def read(row: tuple[Any, ...]) -> Any:
        value = row[i]
        return None if value is None else to_python(value)

    return property(read)


def _timestamp(to_python: Convert) -> Convert:
    """Tortoise's conversion of a timestamp, given a datetime where its text (SQLite's, or
    PostgreSQL's read as text) is ISO 8601: Tortoise's own parser took 12 µs a value."""

    def convert(value: Any) -> Any:
        if type(value) is str:
            # What Python's parser refuses, Tortoise's reads (or refuses) as before.
            with suppress(ValueError):
                value = dt.datetime.fromisoformat(value)
        return to_python(value)

    return convert


@cache
def table(model: type[Model]) -> Table:
    """The Table of a model, made once."""
    return Table(model)


@cache
def joined_table(model: type[Model], joins: tuple[Join, ...]) -> JoinedTable:
    """The JoinedTable of a model and joins, made once."""
    return JoinedTable(model, joins)


async def table_connection(
    model: type[Model],
    node: Callable[[Any], T],
    where: Sql,
    keys: Sequence[SortKey],
    tag: str,
    page: Page,
    rows: Rows,
) -> Connection[T]:
    """A page of a root list: ids from `keyset_page`, then their rows in one statement, read
    as records like the loaders' (not Tortoise's models, whose making costs far more) into
    the request's `rows`, with the rows a known query joins to them."""
    found = await keyset_page(
        model._meta.db_table, where, keys, tag, page.size, page.backward, page.after, page.before
    )
    by_id = {row.pk: row for row in await rows.where_in(model, "id", found.ids)}
    return Connection(
        items=[node(by_id[id_]) for id_ in found.ids],
        positions=lambda: found.positions,
        tag=found.tag,
        page_info=found.page_info,
        count=found.count,
    )
