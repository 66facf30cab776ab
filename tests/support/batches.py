"""A spy on the loaders' batches: how many a request starts, for tests that say none or one."""

from __future__ import annotations

from typing import Any

import pytest

from schema.context import Batches


def started_batches(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The batches any request's loaders start from now on, in order (a spy on
    `Batches.start`, which still starts them)."""
    started: list[object] = []
    start = Batches.start

    def counted(self: Batches, batch: Any) -> None:
        started.append(batch)
        start(self, batch)

    monkeypatch.setattr(Batches, "start", counted)
    return started
