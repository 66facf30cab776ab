"""Cabinets from ParlGov: parties, the prime minister's party, dates and why they ended."""

from __future__ import annotations

from tortoise.context import TortoiseContext

import models


async def test_a_german_cabinet_has_its_parties_and_prime_ministers_party(
    data_sets: TortoiseContext,
) -> None:
    cabinet = await models.Cabinet.get(key="de-cabinet-scholz").prefetch_related(
        "parties", "prime_minister_party", "previous_election"
    )
    assert sorted(p.key for p in cabinet.parties) == ["de-b90-gru", "de-fdp", "de-spd"]
    assert cabinet.prime_minister_party is not None
    assert cabinet.previous_election is not None
    assert cabinet.prime_minister_party.key == "de-spd"
    assert (str(cabinet.started), cabinet.ended, cabinet.caretaker) == ("2021-12-08", None, False)
    assert cabinet.previous_election.key == "de-parliament-2021"
    assert cabinet.external_ids == {"parlgov": 1661}


async def test_why_a_cabinet_ended_is_kept(data_sets: TortoiseContext) -> None:
    cabinet = await models.Cabinet.get(key="de-cabinet-bruening-iv")
    assert (str(cabinet.started), str(cabinet.ended), cabinet.termination) == (
        "1931-10-10",
        "1932-06-01",
        models.Termination.RESIGNATION_CABINET,
    )
    assert await models.Cabinet.all().count() == 1622
