"""Changes (curation/changes.py): a key no record can have is unknown, not an error, by the
length of the model's own key column."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

import models
from curation.changes import NotFound, delete, update
from models.base import KEY_LENGTH


async def test_a_key_longer_than_its_column_names_no_record(
    world_to_write: TortoiseContext,
) -> None:
    assert models.Election._meta.fields_map["key"].max_length == KEY_LENGTH == 120  # type: ignore[attr-defined]
    elections = await models.Election.all().count()
    for key in ("a" * KEY_LENGTH, "a" * (KEY_LENGTH + 1), "a" * 10_000):
        with pytest.raises(NotFound) as updating:
            await update("elections", key, {"summary": "Changed."}, "tester")
        assert str(updating.value) == f"there is no election '{key}'"
        with pytest.raises(NotFound) as deleting:
            await delete("tallies", key, "tester")
        assert str(deleting.value) == f"there is no tally '{key}'"
    assert await models.Election.all().count() == elections
