"""Counting the SQL statements Tortoise runs, from its query log (as the tests do)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Statement = tuple[str, list[Any]]


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[Statement] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Each statement is logged as ("%s: %s", sql, values); set-up messages are not.
        if record.msg == "%s: %s" and isinstance(record.args, tuple):
            sql, values = record.args
            params = list(values) if isinstance(values, list | tuple) else []
            self.statements.append((str(sql), params))


@contextmanager
def captured() -> Iterator[list[Statement]]:
    """Collect (sql, parameters) of every statement Tortoise runs inside the block."""
    logger = logging.getLogger("tortoise.db_client")
    handler = _Statements()
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    # Only our handler sees the records: nothing is printed or formatted for other handlers.
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
