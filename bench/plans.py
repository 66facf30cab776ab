"""Query plans (SQLite's EXPLAIN QUERY PLAN) of the statements an operation runs."""

from __future__ import annotations

import re

import aiosqlite

from bench.statements import Statement


def table(sql: str) -> str:
    match = re.search(r'\bFROM\s+"?(\w+)"?', sql)
    return match.group(1) if match else "?"


async def plan(conn: aiosqlite.Connection, statement: Statement) -> list[str]:
    """The plan's steps of one statement, e.g. ["SEARCH e USING INDEX …", "SCAN c"]."""
    sql, params = statement
    rows = await conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql, params)
    return [str(row[3]) for row in rows]


def full_scan(step: str) -> bool:
    """A step that reads a whole table: SCAN without an index."""
    return step.startswith("SCAN ") and " USING " not in step


def index_scan(step: str) -> bool:
    """A step that reads a whole covering index (a scan of the table in another order)."""
    return step.startswith("SCAN ") and " USING COVERING INDEX " in step


def automatic_index(step: str) -> bool:
    """A step for which SQLite builds a temporary index, over a whole table, for one statement."""
    return "AUTOMATIC" in step


async def describe(
    conn: aiosqlite.Connection, statements: list[Statement]
) -> tuple[list[str], str]:
    """One line per statement (table: steps), and a count of the steps that read whole tables."""
    lines = []
    scans = indexes = automatic = 0
    for n, statement in enumerate(statements, 1):
        steps = await plan(conn, statement)
        scans += sum(full_scan(s) for s in steps)
        indexes += sum(index_scan(s) for s in steps)
        automatic += sum(automatic_index(s) for s in steps)
        lines.append(f"{n:>3}. {table(statement[0])}: " + "; ".join(steps))
    counts = (
        f"{scans} full table scans, {indexes} full covering-index scans, "
        f"{automatic} automatic indexes built"
    )
    return lines, counts
