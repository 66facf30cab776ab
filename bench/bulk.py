"""Fixture documents turned into table rows, and the raw `executemany` that inserts them."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import orjson

from bench.generate import Doc
from loader.sections import SECTIONS, Section

#: The timestamp written in created_at/updated_at (the loader writes the time of the load).
STAMP = "2024-01-01 00:00:00.000000+00:00"
#: Tables that are not data: Tortoise's record of applied migrations (with the time of each).
BOOKKEEPING = {"tortoise_migrations"}
#: The pragmas Tortoise's SQLite client sets on its connection.
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA journal_size_limit=16384", "PRAGMA foreign_keys=ON")


@dataclass
class Table:
    """Rows for one table, with the statement that inserts them."""

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def sql(self) -> str:
        names = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        return f'INSERT INTO "{self.name}" ({names}) VALUES ({marks})'


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    return value


class Rows:
    """Rows in the order and with the ids the loader gives them when it loads the same files
    into an empty database: ids count up per table, file by file, record by record."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)
        # Tables in insertion order: every table after the ones its foreign keys name.
        self.order: list[str] = []

    def _table(self, name: str, columns: list[str]) -> Table:
        if name not in self.tables:
            self.tables[name] = Table(name, columns)
        if name not in self.order:
            self.order.append(name)
        return self.tables[name]

    def add(self, doc: Doc) -> None:
        """Add one document's records; documents must come in the loader's file order."""
        for section in SECTIONS:
            records = doc.get(section.name) or []
            if records:
                self._section(section, records)

    def _section(self, section: Section, records: list[dict[str, Any]]) -> None:
        model = section.model
        refs = list(section.refs)
        columns = ["id", section.natural_key, *section.columns, *(f"{r}_id" for r in refs)]
        if section.search:
            columns.append("search_name")
        columns += list(section.derived)
        table = self._table(model._meta.db_table, [*columns, "created_at", "updated_at"])
        defaults = {name: section.record.model_fields[name].default for name in section.columns}
        known = self.ids[section.name]
        for record in records:
            id_ = len(known) + 1
            known[record[section.natural_key]] = id_
            row: list[Any] = [id_, record[section.natural_key]]
            row += [_value(record.get(name, defaults[name])) for name in section.columns]
            for name in refs:
                key = record.get(name)
                row.append(None if key is None else self.ids[section.refs[name]][key])
            if section.search:
                row.append(section.search_name(lambda name: record.get(name)))  # noqa: B023
            if section.derived:
                # Worked out from the record, as the loader does (a tally's warnings).
                checked = section.record.model_validate(record)
                row += [_value(derive(checked)) for derive in section.derived.values()]
            row += [STAMP, STAMP]
            table.rows.append(tuple(row))
        if section.lines is not None:
            spec = section.lines
            lines = self._table(
                spec.model._meta.db_table,
                ["id", f"{spec.parent}_id", "candidacy_id", *spec.columns],
            )
            candidacies = self.ids["candidacies"]
            for record in records:
                owner = known[record[section.natural_key]]
                for line in record["lines"]:
                    values = [line.get(c) for c in spec.columns]
                    lines.rows.append(
                        (len(lines.rows) + 1, owner, candidacies[line["candidacy"]], *values)
                    )
        for name, target in section.links.items():
            relation: Any = model._meta.fields_map[name]
            links = self._table(relation.through, [relation.backward_key, relation.forward_key])
            targets = self.ids[target]
            for record in records:
                owner = known[record[section.natural_key]]
                links.rows += [(owner, targets[key]) for key in record.get(name, ())]

    def __len__(self) -> int:
        return sum(len(t.rows) for t in self.tables.values())


def rows_of(docs: Iterable[Doc]) -> Rows:
    rows = Rows()
    for doc in docs:
        rows.add(doc)
    return rows


async def connect(path: Path) -> aiosqlite.Connection:
    """A raw connection with the pragmas Tortoise uses, rows as sqlite3.Row."""
    import sqlite3

    conn = await aiosqlite.connect(path)
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    conn.row_factory = sqlite3.Row
    return conn


async def insert(path: Path, rows: Rows) -> float:
    """Insert every row into the (empty, created) database in one transaction; seconds taken."""
    conn = await connect(path)
    try:
        start = time.perf_counter()
        await conn.execute("BEGIN")
        for name in rows.order:
            table = rows.tables[name]
            await conn.executemany(table.sql, table.rows)
        await conn.commit()
        return time.perf_counter() - start
    finally:
        await conn.close()


async def table_counts(path: Path) -> dict[str, int]:
    conn = await connect(path)
    try:
        names = [
            r[0]
            for r in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {}
        for name in names:
            if name in BOOKKEEPING:
                continue
            rows = list(await conn.execute_fetchall(f'SELECT count(*) FROM "{name}"'))
            counts[name] = int(rows[0][0])
        return counts
    finally:
        await conn.close()


async def same_contents(a: Path, b: Path) -> list[str]:
    """Tables whose rows differ between two databases, timestamps aside; [] if none."""
    differ = []
    first, second = await connect(a), await connect(b)
    try:
        tables = [
            r[0]
            for r in await first.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in sorted(set(tables) - BOOKKEEPING):
            info = await first.execute_fetchall(f'PRAGMA table_info("{name}")')
            columns = [r[1] for r in info if r[1] not in ("created_at", "updated_at")]
            names = ", ".join(f'"{c}"' for c in columns)
            sql = f'SELECT {names} FROM "{name}" ORDER BY {names}'
            rows_a = [tuple(r) for r in await first.execute_fetchall(sql)]
            rows_b = [tuple(r) for r in await second.execute_fetchall(sql)]
            if rows_a != rows_b:
                differ.append(name)
    finally:
        await first.close()
        await second.close()
    return differ
