"""Consistency warnings: the data sets' warnings are stored on their tallies, each explained."""

from __future__ import annotations

from tortoise.context import TortoiseContext

import models
from loader import datasets
from tests.support.data_sets import DATA
from tests.support.world import WORLD


async def test_the_data_sets_have_no_unexplained_warning(data_sets: TortoiseContext) -> None:
    batch = await datasets.bundled_batch(WORLD, DATA)
    assert datasets.unexplained(batch) == []
    # And the warnings are stored on the tallies, with their explanations.
    tally = await models.Tally.get(key="hr-parliament-2020/parlgov")
    assert tally.warnings is not None
    # Croatia 2020: ParlGov's votes cast are more than four times its electorate.
    assert [w["code"] for w in tally.warnings] == ["cast_exceeds_registered", "share_mismatch"]
    assert tally.warnings[0]["message"] == "cast (17360065) exceeds registered (3701924)"
    assert tally.explained_warnings is not None
    assert set(tally.explained_warnings) == {w["code"] for w in tally.warnings}
