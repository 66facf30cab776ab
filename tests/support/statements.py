"""Counting SQL statements: every statement Tortoise runs, from its query log.

Every backend logs each statement it runs at DEBUG on the logger "tortoise.db_client" as
`"%s: %s" % (sql, values)`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Each statement is logged as ("%s: %s", sql, values). Connection set-up and
        # tear-down are logged too, in other formats, and are not statements.
        if record.msg == "%s: %s" and isinstance(record.args, tuple):
            self.sql.append(str(record.args[0]))


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Collect the SQL of every statement Tortoise runs inside the block."""
    logger = logging.getLogger("tortoise.db_client")
    handler = _Statements()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler.sql
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def table(sql: str) -> str:
    """The table a SELECT reads from, e.g. `tally_line`: quoted as Tortoise writes it, bare
    in a root list's keyset statement (schema/keyset.py)."""
    match = re.search(r'\bFROM "?(\w+)\b', sql)

    assert match is not None, sql
    return match.group(1)
