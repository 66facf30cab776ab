"""Party history from ParlGov: a party's names over time, and links between parties."""

from __future__ import annotations

from typing import Any

from tortoise.context import TortoiseContext

import models


async def test_a_party_keeps_its_results_across_its_renames(data_sets: TortoiseContext) -> None:
    party = await models.Organization.get(key="fi-kesk")
    names = (
        await models.OrganizationName.filter(organization=party)
        .order_by("since")
        .values_list("since", "name", "short_name")
    )
    assert [(str(d), n, s) for d, n, s in names] == [
        ("1908-07-01", "Agrarian Union", "Maal"),
        ("1965-07-01", "Centre Party", "KESK"),
        ("1988-07-01", "Finnish Centre", "KESK"),
    ]
    # Its results under every name are those of one organization.
    dates: list[Any] = await models.Candidacy.filter(
        party=party, election__key__contains="-parliament-"
    ).values_list("election__date", flat=True)
    years = [date.year for date in dates]
    assert min(years) < 1965 < 1988 < max(years)
    assert await models.Candidacy.filter(party=party).count() == 38


async def test_links_between_parties_are_dated(data_sets: TortoiseContext) -> None:
    link = await models.OrganizationLink.get(key="parlgov/party-change/5").prefetch_related(
        "predecessor", "successor"
    )
    assert (link.kind, str(link.date)) == (models.LinkKind.SUCCESSOR, "2001-10-13")
    assert link.predecessor.external_ids == {"parlgov": 290}
    assert link.successor.external_ids == {"parlgov": 501}
