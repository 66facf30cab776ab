"""What an SQL statement reads, for the tests that count them with bench.statements.captured."""

from __future__ import annotations

import re


def table(sql: str) -> str:
    """The table a SELECT reads from, e.g. `tally_line`: quoted as Tortoise writes it, bare
    in a root list's keyset statement (schema/keyset.py)."""
    match = re.search(r'\bFROM "?(\w+)\b', sql)
    assert match is not None, sql
    return match.group(1)
