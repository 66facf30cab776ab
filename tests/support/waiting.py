"""Stand-ins that wait until they are cancelled, for the tests of time limits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import models
from schema.rows import table


class SlowQuerySet:
    """Stands for the statement that reads countries' rows (a page's, or a loader's): it
    takes 30 s, unless it is cancelled, which it notes."""

    def __init__(self) -> None:
        self.cancelled = False

    def __await__(self) -> Any:
        return self.wait().__await__()

    async def wait(self) -> list[models.Country]:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return []


def slow_countries(monkeypatch: pytest.MonkeyPatch) -> SlowQuerySet:
    """Every read of countries, for the rest of the test, waits on one SlowQuerySet."""
    slow = SlowQuerySet()

    async def where_in(*args: object, **kwargs: object) -> list[models.Country]:
        return await slow.wait()

    monkeypatch.setattr(table(models.Country), "where_in", where_in)
    return slow
