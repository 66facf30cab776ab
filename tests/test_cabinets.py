"""Cabinets from ParlGov: parties, the prime minister's party, dates and why they ended."""

from __future__ import annotations

from pathlib import Path

from tortoise.context import TortoiseContext

import models
from tests.support.running import nodes, run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


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


async def test_the_cabinets_formed_after_an_election(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "de-parliament-2021") { externalIds { parlgov } cabinets { nodes {
            key name started ended caretaker termination externalIds { parlgov }
            country { code } previousElection { key } primeMinisterParty { key }
            parties { party { key } primeMinister } } } } }"""
    )
    assert data["election"]["externalIds"] == {"parlgov": 1096}
    assert nodes(data["election"]["cabinets"]) == [
        {
            "key": "de-cabinet-scholz",
            "name": "Scholz",
            "started": "2021-12-08",
            "ended": None,
            "caretaker": False,
            "termination": None,
            "externalIds": {"parlgov": 1661},
            "country": {"code": "DE"},
            "previousElection": {"key": "de-parliament-2021"},
            "primeMinisterParty": {"key": "de-spd"},
            # The prime minister's party first.
            "parties": [
                {"party": {"key": "de-spd"}, "primeMinister": True},
                {"party": {"key": "de-b90-gru"}, "primeMinister": False},
                {"party": {"key": "de-fdp"}, "primeMinister": False},
            ],
        }
    ]


async def test_a_countrys_cabinets_by_start(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ country(code: "DE") { cabinets(last: 2) { totalCount nodes {
            key started ended termination } } } }"""
    )
    cabinets = data["country"]["cabinets"]
    assert cabinets["totalCount"] == await models.Cabinet.filter(country__code="DE").count()
    # ParlGov counts Merkel's fourth cabinet (2018) as her fifth: it names them as coded.
    assert nodes(cabinets) == [
        {
            "key": "de-cabinet-merkel-v",
            "started": "2018-03-14",
            "ended": "2021-09-26",
            "termination": "ELECTION_REGULAR",
        },
        {"key": "de-cabinet-scholz", "started": "2021-12-08", "ended": None, "termination": None},
    ]


async def test_a_partys_cabinets_say_when_it_led(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ organization(key: "de-fdp") { cabinets(last: 1) { nodes {
            key parties { party { key } primeMinister } } } } }"""
    )
    (scholz,) = nodes(data["organization"]["cabinets"])
    assert scholz["key"] == "de-cabinet-scholz"
    led = [p["party"]["key"] for p in scholz["parties"] if p["primeMinister"]]
    assert led == ["de-spd"]


async def test_the_parliamentary_history_query(data_sets: TortoiseContext) -> None:
    query = (QUERIES / "parliamentary-history.graphql").read_text(encoding="utf-8")
    country = (await run(query, {"code": "DE", "first": 100}))["country"]
    elections = {e["key"]: e for e in nodes(country["elections"])}
    bundestag = elections["de-parliament-2021"]
    assert (bundestag["seats"], bundestag["turnout"], bundestag["winner"]) == (
        736,
        76.58,
        {"name": "Social Democratic Party of Germany"},
    )
    assert bundestag["result"]["lines"][0] == {
        "candidacy": {"name": "Social Democratic Party of Germany"},
        "seats": 206,
        "share": 25.74,
    }
    assert [c["name"] for c in nodes(bundestag["cabinets"])] == ["Scholz"]
    # Every cabinet hangs off the election before it: none is counted twice.
    cabinets = [c for e in elections.values() for c in nodes(e["cabinets"])]
    assert len(cabinets) == len({(c["name"], c["started"]) for c in cabinets})
