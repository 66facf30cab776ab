"""Party history from ParlGov: a party's names over time, and links between parties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext

import models
from tests.support.running import nodes, run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


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


async def test_a_partys_names_and_links_in_the_api(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ organization(key: "fi-kesk") { name externalIds { parlgov }
            names { name shortName since }
            predecessors { organization { key } kind date }
            successors { organization { key } kind date externalIds { parlgov } } } }"""
    )
    assert data["organization"] == {
        "name": "Centre Party",
        "externalIds": {"parlgov": 94},
        "names": [
            {"name": "Agrarian Union", "shortName": "Maal", "since": "1908-07-01"},
            {"name": "Centre Party", "shortName": "KESK", "since": "1965-07-01"},
            {"name": "Finnish Centre", "shortName": "KESK", "since": "1988-07-01"},
        ],
        "predecessors": [
            {"organization": {"key": "fi-ke-slk"}, "kind": "JOINED", "date": "1982-07-01"}
        ],
        "successors": [
            {
                "organization": {"key": "fi-sp-p"},
                "kind": "SPLINTER",
                "date": "1959-02-09",
                "externalIds": {"parlgov": 335},
            },
            {
                "organization": {"key": "fi-ke-slk"},
                "kind": "SPLINTER",
                "date": "1986-07-01",
                "externalIds": {"parlgov": 389},
            },
        ],
    }


async def test_a_partys_results_across_its_renames(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ candidacies(filter: {party: "fi-kesk", country: "FI"}, first: 100) { nodes {
            partyNameThen election { key } result { share seats } } } }"""
    )
    by_election = {c["election"]["key"]: c for c in nodes(data["candidacies"])}
    # One organization, under the name the ballot gave it each time.
    assert [
        by_election[key]["partyNameThen"]
        for key in ("fi-parliament-1962", "fi-parliament-1966", "fi-parliament-1991")
    ] == ["Agrarian Union", "Centre Party", "Finnish Centre"]
    assert by_election["fi-parliament-1991"]["result"] == {"share": 24.8, "seats": 55}


async def test_the_party_across_renames_query(data_sets: TortoiseContext) -> None:
    query = (QUERIES / "party-across-renames.graphql").read_text(encoding="utf-8")
    party = (await run(query, {"key": "fi-kesk"}))["organization"]
    assert [n["name"] for n in party["names"]] == [
        "Agrarian Union",
        "Centre Party",
        "Finnish Centre",
    ]
    candidacies = nodes(party["candidacies"])
    assert party["candidacies"]["totalCount"] == len(candidacies) == 38
    # By election date, under the name of the day.
    dates = [c["election"]["date"] for c in candidacies]
    assert dates == sorted(dates)
    names = {c["partyNameThen"] for c in candidacies}
    assert names == {"Agrarian Union", "Centre Party", "Finnish Centre"}
    first, last = candidacies[0], candidacies[-1]
    assert (first["partyNameThen"], last["partyNameThen"]) == ("Agrarian Union", "Finnish Centre")
