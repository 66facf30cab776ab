"""Tortoise's per-process query state, kept to the database a test's own fixtures opened.

Tortoise builds each model's base query for the dialect of the database it was last set up
with (`Model._meta.basequery`) and caches each table's INSERT, DELETE and UPDATE statements
under the connection's name alone (`EXECUTOR_CACHE`), whatever the dialect. A server or a
command runs on one database, so that is sound there; but on the PostgreSQL pass a test may
run a command on a SQLite file in this process, and later tests on the session's PostgreSQL
database would then send SQLite's SQL (`?` marks, its LIMIT) to PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.models import Model

import models

_QUERIES = ("basetable", "basequery", "basequery_all_fields")


def _models() -> list[type[Model]]:
    return [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Model) and not value._meta.abstract
    ]


@contextmanager
def kept() -> Iterator[None]:
    """Each model's base queries as they were before, and the statement cache emptied before
    and after, so each test builds its statements for its own database."""
    before: list[tuple[type[Model], dict[str, Any]]] = [
        (model, {name: getattr(model._meta, name) for name in _QUERIES}) for model in _models()
    ]
    EXECUTOR_CACHE.clear()
    try:
        yield
    finally:
        EXECUTOR_CACHE.clear()
        for model, queries in before:
            for name, value in queries.items():
                setattr(model._meta, name, value)
