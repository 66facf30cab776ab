"""PostgreSQL reads sent together: the small SELECTs a known query asks of its leased
connection in one turn of the event loop (service/lease.py) run as one statement, one round
trip for all of them.

A request's loaders send their statements level by level, several in the same turn: the
election page sends 10 statements at 5 levels, most of them for a few keys and a few rows.
On one connection they follow one another, a round trip each, and asyncpg's work for each
round trip cost this process more CPU than decoding the rows (BENCHMARKS.md). PostgreSQL runs
one statement at a time on a connection, but one statement may hold several reads as a
UNION ALL, each read a branch that gives its own columns in its own places and NULLs in the
others', with the branch's number first:

    SELECT 0, q.c0, q.c1, NULL::pg_catalog.int8 FROM (<first read>) AS q(c0, c1)
    UNION ALL SELECT 1, NULL::pg_catalog.int8, NULL::pg_catalog.text, q.c0 FROM (<second>) AS q(c0)

with the second read's parameters numbered on from the first's. Each value is decoded as the
read alone would have it (its column has the read's type), and each read's rows are its own
columns of the rows of its branch, in the read's order: a subquery with ORDER BY is not merged
into the query around it. The NULL of another read's column needs that column's type, so a
read's column types are learnt once by preparing it (`shape`).

Only reads of few keys together are sent so (MOST_PARAMETERS): a union decodes every row's
NULLs and cuts each row, which cost more than the round trips it saves once the rows are
many. Where the statement as a whole fails, the reads run again one after another, so that
each caller gets its own rows or its own error; they are SELECTs, and running one twice
changes nothing.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

#: One read: its text, with PostgreSQL's numbered placeholders, and its parameters.
Read = tuple[str, Sequence[Any]]
#: A read's column types, as a cast names them (`pg_catalog.int8`).
Shape = tuple[str, ...]

#: The most parameters of the reads sent as one statement: reads of a few keys each, whose
#: rows are few. A country's history's 12 elections' tallies and candidacies (24 keys) cost
#: 5 % more as one union than as two statements; the election page's level of sources,
#: endorsements and lines (23 keys) half as much (BENCHMARKS.md).
MOST_PARAMETERS = 32

#: What a read's text is scanned for when its placeholders are numbered anew: a quoted
#: string or name is skipped whole, so that a `$1` in it is left as it is.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\d+)")

#: What the scan above does not understand; a read holding any of these is sent alone.
_UNSCANNED = re.compile(r"\$\$|--|/\*|;|\\")

#: The shapes learnt, by the read's text (None: a read never sent with others); the texts
#: are the loaders' few shapes of statement, and the oldest learnt is forgotten past KEPT.
_shapes: OrderedDict[str, Shape | None] = OrderedDict()
KEPT = 1024


def together(reads: Sequence[Read], shapes: Sequence[Shape]) -> Read:
    """The reads as one UNION ALL, given each one's column types: a row of it is the
    branch's number, then every read's columns, NULL but in its own branch."""
    texts = tuple((text, len(params)) for text, params in reads)
    return _union(texts, tuple(shapes)), [value for _text, params in reads for value in params]


@lru_cache(maxsize=KEPT)
def _union(texts: tuple[tuple[str, int], ...], shapes: tuple[Shape, ...]) -> str:
    """The text of `together` for reads of these texts, each with its number of parameters:
    the same few levels of the same known queries come again and again, and writing it took
    longer than the round trip it saves."""
    casts = [[f"NULL::{kind}" for kind in shape] for shape in shapes]
    branches: list[str] = []
    offset = 0
    for i, ((text, count), shape) in enumerate(zip(texts, shapes, strict=True)):
        names = [f"c{column}" for column in range(len(shape))]
        columns = [f"q.{name}" for name in names]
        row = [str(i)]
        for j, nulls in enumerate(casts):
            row.extend(columns if j == i else nulls)
        renumbered = _renumbered(text, offset)
        branches.append(f"SELECT {', '.join(row)} FROM ({renumbered}) AS q({', '.join(names)})")
        offset += count
    return " UNION ALL ".join(branches)


def split(rows: Sequence[Sequence[Any]], shapes: Sequence[Shape]) -> list[list[Any]]:
    """Each read's rows from the union's (`together`): its own columns of its branch's rows."""
    places: list[tuple[int, int]] = []
    start = 1
    for shape in shapes:
        places.append((start, start + len(shape)))
        start += len(shape)
    found: list[list[Any]] = [[] for _ in shapes]
    for row in rows:
        begin, end = places[row[0]]
        found[row[0]].append(row[begin:end])
    return found


def _renumbered(text: str, offset: int) -> str:
    """The text with each placeholder `$n` made `$(n + offset)`."""
    if not offset:
        return text

    def renumber(match: re.Match[str]) -> str:
        number = match.group(1)
        return match.group(0) if number is None else f"${int(number) + offset}"

    return _TOKENS.sub(renumber, text)


async def shape(connection: Any, text: str) -> Shape | None:
    """The column types of a read, learnt by preparing it the first time; None for a read
    that is not sent with others: its text has what `_UNSCANNED` names, or a column of a
    type that is not PostgreSQL's own (one a cast could not name as it is)."""
    if text in _shapes:
        _shapes.move_to_end(text)
        return _shapes[text]
    found: Shape | None = None
    if not _UNSCANNED.search(text):
        statement = await connection.prepare(text)
        kinds = [attribute.type for attribute in statement.get_attributes()]
        if kinds and all(k.schema == "pg_catalog" and k.kind == "scalar" for k in kinds):
            found = tuple(f"pg_catalog.{k.name}" for k in kinds)
    _shapes[text] = found
    if len(_shapes) > KEPT:
        _shapes.popitem(last=False)
    return found


async def read_all(connection: Any, reads: Sequence[Read]) -> list[list[Any] | Exception]:
    """Each read's rows, or the error it raised, on an asyncpg connection: in one statement
    where they can be (`together`), else, or when that statement fails, one after another.
    An error that leaves the connection closed is raised: no read can run after it."""
    if len(reads) > 1 and sum(len(params) for _text, params in reads) <= MOST_PARAMETERS:
        shapes: list[Shape] = []
        try:
            for text, _params in reads:
                found = await shape(connection, text)
                if found is None:
                    break
                shapes.append(found)
            if len(shapes) == len(reads):
                text, values = together(reads, shapes)
                rows: list[list[Any] | Exception] = [
                    *split(await connection.fetch(text, *values), shapes)
                ]
                return rows
        except Exception:
            if connection.is_closed():
                raise
    results: list[list[Any] | Exception] = []
    for text, params in reads:
        try:
            results.append(await connection.fetch(text, *params))
        except Exception as error:
            if connection.is_closed():
                raise
            results.append(error)
    return results
