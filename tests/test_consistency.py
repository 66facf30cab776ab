"""Consistency warnings: what the bundled data holds is explained, and --strict says so."""

from __future__ import annotations

from tortoise.context import TortoiseContext

import models
from loader import datasets
from service.settings import BUNDLED_FIXTURES
from tests.datasets import DATA, bundled

__all__ = ["bundled"]


async def test_the_bundled_data_has_no_unexplained_warning(bundled: TortoiseContext) -> None:
    batch = await datasets.bundled_batch(BUNDLED_FIXTURES, DATA)
    assert datasets.unexplained(batch) == []
    # And the warnings are stored on the tallies, with their explanations.
    tally = await models.Tally.get(key="hr-parliament-2020/parlgov")
    assert tally.warnings is not None
    # Croatia 2020: ParlGov's votes cast are more than four times its electorate.
    assert [w["code"] for w in tally.warnings] == ["cast_exceeds_registered", "share_mismatch"]
    assert tally.warnings[0]["message"] == "cast (17360065) exceeds registered (3701924)"
    assert tally.explained_warnings is not None
    assert set(tally.explained_warnings) == {w["code"] for w in tally.warnings}
