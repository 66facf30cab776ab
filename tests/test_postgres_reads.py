"""PostgreSQL reads sent together (service/postgres_reads.py): a turn's small reads as one
UNION ALL, each read's rows and values as it alone would have them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from asyncpg.types import Attribute, Type

from service import postgres_reads
from service.postgres_reads import MOST_PARAMETERS, read_all, shape, split, together
from tests.support.databases import BACKEND, POSTGRES_URL

INT8 = Type(oid=20, name="int8", kind="scalar", schema="pg_catalog")
TEXT = Type(oid=25, name="text", kind="scalar", schema="pg_catalog")


class Prepared:
    def __init__(self, kinds: list[Type]) -> None:
        self.kinds = kinds

    def get_attributes(self) -> tuple[Attribute, ...]:
        return tuple(Attribute(name=f"a{i}", type=kind) for i, kind in enumerate(self.kinds))


class Preparing:
    """A connection that prepares each text as columns of the kinds given for it."""

    def __init__(self, kinds: dict[str, list[Type]]) -> None:
        self.kinds = kinds
        self.prepared: list[str] = []

    async def prepare(self, text: str) -> Prepared:
        self.prepared.append(text)
        return Prepared(self.kinds[text])


@pytest.fixture(autouse=True)
def no_shapes_learnt() -> Iterator[None]:
    postgres_reads._shapes.clear()
    yield
    postgres_reads._shapes.clear()


def test_reads_together_are_branches_numbered_on_with_the_others_columns_null() -> None:
    first = ('SELECT "id", "name" FROM "person" WHERE "id" IN ($1, $2)', [7, 8])
    # A `$1` in a string or a quoted name is not a placeholder, and is left as it is.
    second = ("SELECT t.id FROM \"$1\" t WHERE t.note = 'it''s $1' AND t.id = $1", [9])
    text, values = together([first, second], [("pg_catalog.int8", "pg_catalog.text"), ("x.y",)])
    assert text == (
        'SELECT 0, q.c0, q.c1, NULL::x.y FROM (SELECT "id", "name" FROM "person" WHERE "id" '
        "IN ($1, $2)) AS q(c0, c1) UNION ALL SELECT 1, NULL::pg_catalog.int8, "
        "NULL::pg_catalog.text, q.c0 FROM (SELECT t.id FROM \"$1\" t WHERE t.note = 'it''s $1' "
        "AND t.id = $3) AS q(c0)"
    )
    assert values == [7, 8, 9]


def test_each_read_gets_its_own_columns_of_its_own_branchs_rows_in_their_order() -> None:
    rows = [(1, None, None, "a"), (0, 5, "five", None), (1, None, None, "b"), (0, 6, "six", None)]
    assert split(rows, [("int8", "text"), ("text",)]) == [
        [(5, "five"), (6, "six")],
        [("a",), ("b",)],
    ]
    assert split([], [("int8",), ("text",)]) == [[], []]


async def test_a_reads_shape_is_learnt_once_and_only_for_what_can_be_sent_together() -> None:
    connection = Preparing(
        {
            "SELECT a, b FROM t": [INT8, TEXT],
            "SELECT c FROM u": [Type(oid=90001, name="mood", kind="scalar", schema="public")],
            "SELECT d FROM v": [Type(oid=1007, name="int4[]", kind="array", schema="pg_catalog")],
        }
    )
    assert await shape(connection, "SELECT a, b FROM t") == ("pg_catalog.int8", "pg_catalog.text")
    assert await shape(connection, "SELECT a, b FROM t") == ("pg_catalog.int8", "pg_catalog.text")
    # A type of the database's own, or an array, has no cast named from pg_catalog.
    assert await shape(connection, "SELECT c FROM u") is None
    assert await shape(connection, "SELECT d FROM v") is None
    assert connection.prepared == ["SELECT a, b FROM t", "SELECT c FROM u", "SELECT d FROM v"]
    # What the renumbering does not read is never prepared: comments, dollar quotes, two
    # statements, backslashes.
    for text in ("SELECT 1 -- $1", "SELECT $$a$$", "SELECT 1; SELECT 2", "SELECT E'\\x'"):
        assert await shape(connection, text) is None
    assert len(connection.prepared) == 3


class Fetching:
    """A connection that answers each statement alone with its text, and fails one."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed = False

    async def prepare(self, text: str) -> Prepared:
        return Prepared([INT8])

    async def fetch(self, text: str, *params: Any) -> list[Any]:
        self.sent.append(text)
        if "boom" in text:
            raise ValueError(f"no such column: boom in {text!r}")
        if text.startswith("SELECT 0,"):
            raise ValueError("the union is refused")
        return [(text, *params)]

    def is_closed(self) -> bool:
        return self.closed


async def test_reads_of_many_keys_are_sent_one_by_one_and_a_failed_union_too() -> None:
    connection = Fetching()
    many = [("SELECT a", list(range(MOST_PARAMETERS))), ("SELECT b", [1])]
    assert await read_all(connection, many) == [
        [("SELECT a", *range(MOST_PARAMETERS))],
        [("SELECT b", 1)],
    ]
    assert connection.sent == ["SELECT a", "SELECT b"]
    # A union that fails: each read runs alone, and gets its own rows or its own error.
    connection.sent.clear()
    found = await read_all(connection, [("SELECT boom", [1]), ("SELECT c", [2])])
    assert isinstance(found[0], ValueError) and "no such column: boom" in str(found[0])
    assert found[1] == [("SELECT c", 2)]
    assert len(connection.sent) == 3 and connection.sent[1:] == ["SELECT boom", "SELECT c"]
    # A connection that closed: no read can run after, and the error is raised.
    connection.closed = True
    with pytest.raises(ValueError, match="no such column: boom"):
        await read_all(connection, [("SELECT boom", [1]), ("SELECT c", [2])])


@pytest.mark.skipif(BACKEND != "postgres", reason="reads sent together are PostgreSQL's")
async def test_reads_sent_together_give_what_each_gives_alone_in_one_statement() -> None:
    sent: list[str] = []

    class Counting(asyncpg.Connection):  # type: ignore[misc]
        """asyncpg's connection, noting the statements sent."""

        async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[Any]:
            sent.append(query)
            found: list[Any] = await super().fetch(query, *args, **kwargs)
            return found

    connection = await asyncpg.connect(POSTGRES_URL, connection_class=Counting)
    try:
        await connection.execute(
            "CREATE TEMPORARY TABLE poll (id int8 PRIMARY KEY, firm varchar(40), "
            "released date, share float8, checked timestamptz, notes jsonb, final bool);"
            "INSERT INTO poll VALUES "
            "(1, 'Quote''s', '2024-02-07', 92.12, '2024-02-08 10:00+04', '{\"n\": 1}', true),"
            "(2, NULL, NULL, NULL, NULL, NULL, NULL),"
            "(3, '$1 firm', '2024-02-06', 0.5, '2024-02-06 09:30+00', '[]', false)"
        )
        reads: list[tuple[str, list[Any]]] = [
            ("SELECT * FROM poll WHERE id IN ($1, $2, $3) ORDER BY id DESC", [1, 2, 3]),
            ("SELECT id, firm FROM poll WHERE firm = $1", ["$1 firm"]),
            ("SELECT p.id, q.id FROM poll p JOIN poll q ON q.id = p.id WHERE p.id = $1", [2]),
            ("SELECT id FROM poll WHERE id = $1", [99]),
        ]
        alone = [[tuple(row) for row in await connection.fetch(t, *p)] for t, p in reads]
        assert alone[0][2] == (
            1,
            "Quote's",
            dt.date(2024, 2, 7),
            92.12,
            dt.datetime(2024, 2, 8, 6, 0, tzinfo=dt.UTC),
            '{"n": 1}',
            True,
        )
        sent.clear()
        found = await read_all(connection, reads)
        assert len(sent) == 1  # four reads, one statement (shapes are prepared apart)
        assert sent[0].startswith("SELECT 0, q.c0") and sent[0].count(" UNION ALL ") == 3
        assert [[tuple(row) for row in rows] for rows in found] == alone  # type: ignore[union-attr]
        assert found[3] == []
        # One read that fails: the union fails, each read runs alone and has its own answer.
        sent.clear()
        failing = await read_all(
            connection, [reads[1], ("SELECT id / ($1::int8 - 1) FROM poll WHERE id = $1", [1])]
        )
        assert [tuple(row) for row in failing[0]] == alone[1]  # type: ignore[union-attr]
        assert isinstance(failing[1], asyncpg.DivisionByZeroError)
        assert len(sent) == 3
        assert [tuple(row) for row in await connection.fetch("SELECT 1")] == [(1,)]
    finally:
        await connection.close()
