"""Keyset pages in SQL: one statement for a page of a filtered, ordered table, one to count.

The WHERE clauses come from the filter inputs as `Sql` fragments written with `?`
placeholders over the table alias `t`; the page starts after (or ends before) the cursor's
values, compared key by key, so a cursor stays valid however many rows are added before it.
Null placement is an explicit sort key of its own (`CASE WHEN x IS NULL …`), and text is
compared byte by byte (`COLLATE "C"` on PostgreSQL, SQLite's own BINARY), so both databases
give the same order.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient

from schema.connection import PageInfo, decode_cursor
from service.database import default_client
from service.errors import ClientError

#: How a sort key's values are compared and carried in a cursor.
Kind = Literal["text", "number", "date", "datetime", "bool"]


@dataclass(frozen=True)
class Sql:
    """A fragment of SQL with `?` placeholders and the values for them, in order."""

    text: str
    params: tuple[Any, ...] = ()


TRUE = Sql("1 = 1")
FALSE = Sql("1 = 0")


def all_of(parts: Iterable[Sql]) -> Sql:
    chosen = list(parts)
    if not chosen:
        return TRUE
    return Sql(
        " AND ".join(f"({p.text})" for p in chosen), tuple(v for p in chosen for v in p.params)
    )


def any_of(parts: Iterable[Sql]) -> Sql:
    chosen = list(parts)
    if not chosen:
        return FALSE
    return Sql(
        " OR ".join(f"({p.text})" for p in chosen), tuple(v for p in chosen for v in p.params)
    )


def negate(part: Sql) -> Sql:
    # Unknown (a comparison with null) counts as false before negating, so that `not`
    # keeps the rows its filter does not match, those without a value included.
    return Sql(f"(CASE WHEN ({part.text}) THEN 1 ELSE 0 END) = 0", part.params)


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY key: an expression over `t`, its direction and where nulls go."""

    name: str
    expression: str
    kind: Kind
    descending: bool = False
    nulls_first: bool = False
    #: False for a column that is never null: it needs no null placement, and without one
    #: the database can walk an index in order instead of sorting the whole table.
    nullable: bool = True

    @property
    def signature(self) -> str:
        direction = "desc" if self.descending else "asc"
        return f"{self.name}.{direction}.{'nf' if self.nulls_first else 'nl'}"


class Dialect:
    """What differs between SQLite and PostgreSQL in the statements built here."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.postgres = connection.capabilities.dialect == "postgres"

    def expression(self, key: SortKey) -> str:
        if key.kind == "text" and self.postgres:
            return f'{key.expression} COLLATE "C"'
        return key.expression

    def value(self, kind: Kind, value: Any) -> Any:
        """A Python value as this database compares it with the column."""
        if value is None or self.postgres:
            return value
        if kind == "date":
            return value.isoformat()
        if kind == "datetime":
            # Tortoise keeps SQLite datetimes as text in UTC, as str() writes them.
            return str(value.astimezone(dt.UTC))
        if kind == "bool":
            return int(value)
        return value

    def statement(self, sql: Sql) -> tuple[str, list[Any]]:
        """The text with this database's placeholders, and the parameters."""
        return (numbered(sql.text) if self.postgres else sql.text), list(sql.params)


def numbered(text: str) -> str:
    """A statement's `?` placeholders as PostgreSQL's `$1`, `$2`, …"""
    pieces = text.split("?")
    return pieces[0] + "".join(f"${i}{piece}" for i, piece in enumerate(pieces[1:], 1))


def _to_cursor(kind: Kind, value: Any) -> Any:
    """A sort key's value as JSON can carry it."""
    if value is None:
        return None
    if kind == "date":
        return value if isinstance(value, str) else value.isoformat()
    if kind == "datetime":
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.astimezone(dt.UTC).isoformat()
    if kind == "bool":
        return bool(value)
    return value


#: What JSON gives for each kind of sort key, before conversion.
_JSON_TYPES: dict[Kind, tuple[type, ...]] = {
    "text": (str,),
    "number": (int, float),
    "date": (str,),
    "datetime": (str,),
    "bool": (bool,),
}


#: The integers both databases can bind as a parameter (64 bits, signed).
_INTEGERS = range(-(2**63), 2**63)


def _from_cursor(kind: Kind, value: Any, argument: str) -> Any:
    if value is None:
        return None
    # A value of another type (a cursor made by hand) would reach the database as a
    # parameter it cannot bind, as would an integer beyond 64 bits, or infinity or NaN
    # (which Python's JSON reads).
    wrong = not isinstance(value, _JSON_TYPES[kind]) or (
        kind == "number"
        and (
            isinstance(value, bool)
            or (isinstance(value, int) and value not in _INTEGERS)
            or (isinstance(value, float) and not math.isfinite(value))
        )
    )
    try:
        if wrong:
            raise ValueError(value)
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "datetime":
            return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ClientError(f"`{argument}` is not a cursor of this list.") from None
    return value


def _null_rank(key: SortKey, is_null: bool) -> int:
    return int(is_null != key.nulls_first)


def _beyond(keys: Sequence[SortKey], values: Sequence[Any], dialect: Dialect, forward: bool) -> Sql:
    """Rows strictly after (`forward`) or before the position `values` in the order `keys`."""
    alternatives: list[Sql] = []
    equal_so_far: list[Sql] = []
    for key, value in zip(keys, values, strict=True):
        expression = dialect.expression(key)
        later = ">" if forward != key.descending else "<"
        if not key.nullable:
            param = dialect.value(key.kind, value)
            alternatives.append(all_of([*equal_so_far, Sql(f"{expression} {later} ?", (param,))]))
            equal_so_far.append(Sql(f"{expression} = ?", (param,)))
            continue
        rank = _null_rank(key, value is None)
        flag = (
            f"(CASE WHEN {key.expression} IS NULL THEN {_null_rank(key, True)} "
            f"ELSE {_null_rank(key, False)} END)"
        )
        steps = [Sql(f"{flag} {'>' if forward else '<'} {rank}")]
        if value is not None:
            param = dialect.value(key.kind, value)
            steps.append(Sql(f"{key.expression} IS NOT NULL AND {expression} {later} ?", (param,)))
            # Guarded like the comparison above, so that a null never makes the whole
            # condition unknown (NOT of unknown would drop the row from both sides).
            equal = Sql(f"{key.expression} IS NOT NULL AND {expression} = ?", (param,))
        else:
            equal = Sql(f"{key.expression} IS NULL")
        alternatives.append(all_of([*equal_so_far, any_of(steps)]))
        equal_so_far.append(equal)
    return any_of(alternatives)


def _order_by(keys: Sequence[SortKey], dialect: Dialect, forward: bool) -> str:
    terms = []
    for key in keys:
        flag = (
            f"CASE WHEN {key.expression} IS NULL THEN {_null_rank(key, True)} "
            f"ELSE {_null_rank(key, False)} END"
        )
        ascending = not key.descending
        if key.nullable:
            terms.append(f"{flag} {'ASC' if forward else 'DESC'}")
        terms.append(f"{dialect.expression(key)} {'ASC' if ascending == forward else 'DESC'}")
    return ", ".join(terms)


@dataclass(frozen=True)
class KeysetPage:
    """A page of row ids with their cursors, where it sits, and how to count the whole."""

    ids: list[int]
    #: Each row's values of the sort keys, which its cursor encodes.
    positions: list[list[Any]]
    tag: str
    page_info: PageInfo
    where: Sql
    table: str

    async def count(self) -> int:
        connection = default_client()
        text, params = Dialect(connection).statement(
            Sql(
                f"SELECT COUNT(*) AS n FROM {self.table} t WHERE {self.where.text}",
                self.where.params,
            )
        )
        rows = await connection.execute_query_dict(text, params)
        return int(rows[0]["n"])


async def keyset_page(
    table: str,
    where: Sql,
    keys: Sequence[SortKey],
    tag: str,
    size: int,
    backward: bool,
    after: str | None,
    before: str | None,
) -> KeysetPage:
    """The ids of one page of `table` filtered by `where` in the order `keys` (the last of
    which must be unique and never null, such as the natural key)."""
    connection = default_client()
    dialect = Dialect(connection)
    tag = f"{tag}:{','.join(key.signature for key in keys)}"

    def position(cursor: str, argument: str) -> list[Any]:
        values = decode_cursor(tag, cursor, argument, len(keys))
        if any(v is None and not k.nullable for k, v in zip(keys, values, strict=True)):
            raise ClientError(f"`{argument}` is not a cursor of this list.")
        return [_from_cursor(k.kind, v, argument) for k, v in zip(keys, values, strict=True)]

    bounds = [where]
    after_values = position(after, "after") if after is not None else None
    before_values = position(before, "before") if before is not None else None
    if after_values is not None:
        bounds.append(_beyond(keys, after_values, dialect, forward=True))
    if before_values is not None:
        bounds.append(_beyond(keys, before_values, dialect, forward=False))
    columns = ", ".join(f"{k.expression} AS k{i}" for i, k in enumerate(keys))
    statement = all_of(bounds)
    text, params = dialect.statement(
        Sql(
            f"SELECT t.id AS id, {columns} FROM {table} t WHERE {statement.text} "
            f"ORDER BY {_order_by(keys, dialect, forward=not backward)} LIMIT {size + 1}",
            statement.params,
        )
    )
    rows = await connection.execute_query_dict(text, params)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    positions = [[_to_cursor(k.kind, row[f"k{i}"]) for i, k in enumerate(keys)] for row in rows]

    async def exists(beyond: Sql) -> bool:
        text, params = dialect.statement(
            Sql(
                f"SELECT 1 AS x FROM {table} t WHERE {all_of([where, beyond]).text} LIMIT 1",
                where.params + beyond.params,
            )
        )
        return bool(await connection.execute_query_dict(text, params))

    # Beyond the page in the direction of travel: known from the extra row fetched. On the
    # other side: whether anything precedes `after` (or follows `before`), asked only then.
    if backward:
        has_previous = more
        has_next = before_values is not None and await exists(
            negate(_beyond(keys, before_values, dialect, forward=False))
        )
    else:
        has_next = more
        has_previous = after_values is not None and await exists(
            negate(_beyond(keys, after_values, dialect, forward=True))
        )
    return KeysetPage(
        ids=[int(row["id"]) for row in rows],
        positions=positions,
        tag=tag,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            tag=tag,
            start=positions[0] if positions else None,
            end=positions[-1] if positions else None,
        ),
        where=where,
        table=table,
    )
