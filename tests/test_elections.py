"""Election: its own facts, the computed result (turnout, winner, margin) and the lists."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tortoise.context import TortoiseContext

from tests.support.errors import errors_of
from tests.support.running import nodes, run
from tests.support.world import WORLD

AZ_ELECTIONS = [f"az-president-{year}" for year in (1992, 1993, 1998, 2003, 2008, 2013, 2018, 2024)]


async def test_the_2024_snap_election_whole(world: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "az-president-2024") {
            key kind office date early originallyDue calledOn
            calledByPerson { key name } calledByOrganization { key }
            termYears seats country { code name }
        } }"""
    )
    assert data["election"] == {
        "key": "az-president-2024",
        "kind": "PRESIDENTIAL",
        "office": "President of Azerbaijan",
        "date": "2024-02-07",
        "early": True,
        "originallyDue": "2025-10",  # only the month is known
        "calledOn": "2023-12-07",
        "calledByPerson": {"key": "ilham-aliyev", "name": "Ilham Aliyev"},
        "calledByOrganization": None,
        "termYears": 7,
        "seats": None,
        "country": {"code": "AZ", "name": "Azerbaijan"},
    }


async def test_reason_and_summary_of_the_2024_election(world: TortoiseContext) -> None:
    data = await run('{ election(key: "az-president-2024") { reason summary } }')
    reason, summary = data["election"]["reason"], data["election"]["summary"]
    assert reason.startswith("Aliyev argued that, once the army's September 2023 campaign")
    assert "Nagorno-Karabakh" in reason
    assert summary.startswith('Snap election, dubbed the "Victory Election"')
    assert "26 polling stations in Karabakh among 6,537 in all" in summary


async def test_how_each_election_was_called(world: TortoiseContext) -> None:
    data = await run(
        """{ elections { nodes { key early originallyDue calledOn
            calledByPerson { key } calledByOrganization { key } termYears } } }"""
    )
    called = {e.pop("key"): e for e in nodes(data["elections"])}
    regular = {
        "early": False,
        "originallyDue": None,
        "calledOn": None,
        "calledByPerson": None,
        "calledByOrganization": None,
    }
    assert called == {
        "az-president-1992": {**regular, "termYears": 5},
        "az-president-1993": {
            "early": True,
            "originallyDue": None,
            "calledOn": "1993-09-01",
            "calledByPerson": None,
            "calledByOrganization": {"key": "national-assembly-azerbaijan"},
            "termYears": 5,
        },
        "az-president-1998": {**regular, "termYears": 5},
        "az-president-2003": {**regular, "termYears": 5},
        "az-president-2008": {**regular, "termYears": 5},
        "az-president-2013": {**regular, "termYears": 5},
        "az-president-2018": {
            "early": True,
            "originallyDue": "2018-10-17",
            "calledOn": "2018-02-05",
            "calledByPerson": {"key": "ilham-aliyev"},
            "calledByOrganization": None,
            "termYears": 7,
        },
        "az-president-2024": {
            "early": True,
            "originallyDue": "2025-10",
            "calledOn": "2023-12-07",
            "calledByPerson": {"key": "ilham-aliyev"},
            "calledByOrganization": None,
            "termYears": 7,
        },
        "ge-parliament-2024": {**regular, "termYears": None},
    }
    # 2024 was Azerbaijan's third early presidential vote.
    assert [k for k, e in called.items() if e["early"]] == [
        "az-president-1993",
        "az-president-2018",
        "az-president-2024",
    ]


async def test_2024_result_turnout_winner_and_margin(world: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "az-president-2024") {
            turnout margin result { key preferred }
            winner { key name share votes won person { key } }
        } }"""
    )
    assert data["election"] == {
        "turnout": 76.43,  # as reported with the CEC's final protocol
        "margin": 89.95,  # 92.12 - 2.17
        "result": {"key": "az-president-2024/final-cec", "preferred": True},
        "winner": {
            "key": "az-president-2024/ilham-aliyev",
            "name": "Ilham Aliyev",
            "share": 92.12,
            "votes": 4567458,
            "won": True,
            "person": {"key": "ilham-aliyev"},
        },
    }


async def test_computed_result_of_every_election(world: TortoiseContext) -> None:
    data = await run(
        "{ elections { nodes { key turnout margin result { key } winner { name share votes } } } }"
    )
    table = {
        e["key"]: (
            e["result"]["key"].split("/")[1],
            e["winner"]["name"],
            e["winner"]["share"],
            e["winner"]["votes"],
            e["margin"],
            e["turnout"],
        )
        for e in nodes(data["elections"])
    }
    assert table == {
        # Turnout is null where the preferred tally has neither counts nor a percentage.
        "az-president-1992": ("final-nohlen", "Abulfaz Elchibey", 60.87, 1829448, 27.03, None),
        # 3,966,327 of 4,062,053 voted; the runner-up has votes but no share: no margin.
        "az-president-1993": ("final-cec", "Heydar Aliyev", 98.8, 3919923, None, 97.64),
        "az-president-1998": ("final-nohlen", "Heydar Aliyev", 77.6, 2556059, 65.8, 78.9),
        "az-president-2003": (
            "final-wikipedia-current",
            "Ilham Aliyev",
            76.84,
            1860346,
            62.87,
            None,
        ),
        "az-president-2008": ("final-cec", "Ilham Aliyev", 88.73, 3232259, 85.87, None),
        "az-president-2013": ("final", "Ilham Aliyev", 84.54, 3126113, 79.01, 71.62),
        # 74.51 % is known only from the preliminary tally, so the result has no turnout.
        "az-president-2018": ("final", "Ilham Aliyev", 86.02, 3394898, 82.9, None),
        "az-president-2024": ("final-cec", "Ilham Aliyev", 92.12, 4567458, 89.95, 76.43),
        "ge-parliament-2024": (
            "final-cec",
            "Georgian Dream – Democratic Georgia",  # noqa: RUF001 (the party's own dash)
            53.93,
            None,
            42.9,
            None,
        ),
    }


async def test_ilham_aliyev_average_share_2003_to_2018(world: TortoiseContext) -> None:
    # The reference facts derive "about 85 %" from the official shares: 84.0 for 2003-2018.
    data = await run(
        '{ elections(filter: {country: "AZ"}) { nodes { date winner { name share } } } }'
    )
    shares = [
        e["winner"]["share"]
        for e in nodes(data["elections"])
        if e["winner"]["name"] == "Ilham Aliyev" and e["date"] < "2024"
    ]
    assert shares == [76.84, 88.73, 84.54, 86.02]
    assert round(sum(shares) / len(shares), 1) == 84.0


async def test_candidacies_in_result_order_then_the_rest_by_key(world: TortoiseContext) -> None:
    data = await run(
        """{ az: election(key: "az-president-2024") { candidacies { nodes { key } } }
             ge: election(key: "ge-parliament-2024") { candidacies { nodes { key share } } } }"""
    )
    assert [c["key"].split("/")[1] for c in nodes(data["az"]["candidacies"])] == [
        "ilham-aliyev",
        "zahid-oruj",
        "fazil-mustafa",
        "gudrat-hasanguliyev",
        "razi-nurullayev",
        "musayev",
        "f-aliyev",
    ]
    assert [(c["key"].split("/")[1], c["share"]) for c in nodes(data["ge"]["candidacies"])] == [
        ("georgian-dream", 53.93),
        ("coalition-for-change", 11.03),
        ("unity-national-movement", 10.17),
        ("strong-georgia", 8.81),
        ("gakharia-for-georgia", 7.78),
        # Below the threshold: in no final tally, so after the others, by key.
        ("alliance-of-patriots-alt-info", None),
        ("girchi", None),
        ("labour-party", None),
    ]


async def test_endorsements_all_undated_so_by_key(world: TortoiseContext) -> None:
    # No 2024 congratulation has a known date (the European Commission's letter only a
    # date it was reported on), so they come in key order.
    data = await run(
        '{ election(key: "az-president-2024") { endorsements { nodes { key date kind } } } }'
    )
    endorsements = nodes(data["election"]["endorsements"])
    assert [(e["key"].split("/")[1], e["date"]) for e in endorsements] == [
        ("congratulation-belarus", None),
        ("congratulation-china", None),
        ("congratulation-cuba", None),
        ("congratulation-european-commission", None),
        ("congratulation-hungary", None),
        ("congratulation-iran", None),
        ("congratulation-kazakhstan", None),
        ("congratulation-russia", None),
        ("congratulation-turkey", None),
        ("congratulation-turkey-mfa", None),
        ("congratulation-uzbekistan", None),
        ("congratulation-venezuela", None),
    ]
    assert {e["kind"] for e in endorsements} == {"CONGRATULATION"}
    none = await run('{ election(key: "az-president-2013") { endorsements { nodes { key } } } }')
    assert nodes(none["election"]["endorsements"]) == []


def fixture_sources(path: str) -> tuple[list[str], list[str]]:
    """An election file's own sources, and every source cited anywhere in it, sorted."""
    with (WORLD / path).open(encoding="utf-8") as f:
        document: dict[str, Any] = yaml.safe_load(f)
    (election,) = document["elections"]
    cited = set(election["sources"])
    for section in ("candidacies", "tallies", "endorsements"):
        for record in document.get(section, []):
            cited.update(record["sources"])
    return sorted(election["sources"]), sorted(cited)


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("az-president-2024", "az/2024-presidential.yaml"),
        ("az-president-2003", "az/2003-presidential.yaml"),
        ("ge-parliament-2024", "ge/2024-parliamentary.yaml"),
    ],
)
async def test_sources_and_all_sources(world: TortoiseContext, key: str, path: str) -> None:
    data = await run(
        "query ($key: String!) { election(key: $key) { sources { key } allSources { key } } }",
        {"key": key},
    )
    own, cited = fixture_sources(path)
    assert [s["key"] for s in data["election"]["sources"]] == own
    assert [s["key"] for s in data["election"]["allSources"]] == cited


async def test_all_sources_of_2024_include_tallies_and_endorsements(
    world: TortoiseContext,
) -> None:
    data = await run(
        '{ election(key: "az-president-2024") { sources { key } allSources { key url } } }'
    )
    own = {s["key"] for s in data["election"]["sources"]}
    every = {s["key"]: s["url"] for s in data["election"]["allSources"]}
    assert len(every) == 25
    assert own < set(every)
    assert every["ispd-azerbaijan"] == "https://ispd.org.cy/azerbaijan/"  # a tally's
    assert every["uic-am-18288"] == "https://uic.am/en/18288"  # an endorsement's
    assert every["wikipedia-az-2024-snapshot-2024-01"] is None  # a candidacy's, no address
    assert every["seed-article-2024-02"] is None


async def test_elections_by_kind_and_country(world: TortoiseContext) -> None:
    data = await run(
        """{ parliamentary: elections(filter: {kind: PARLIAMENTARY}) { nodes { key } }
             presidential: elections(filter: {kind: PRESIDENTIAL, country: "AZ"}) {
               nodes { key } }
             referendums: elections(filter: {kind: REFERENDUM}) { nodes { key } }
             georgianPresidential: elections(filter: {country: "GE", kind: PRESIDENTIAL}) {
               nodes { key } } }"""
    )
    assert data == {
        "parliamentary": {"nodes": [{"key": "ge-parliament-2024"}]},
        "presidential": {"nodes": [{"key": key} for key in AZ_ELECTIONS]},
        "referendums": {"nodes": []},
        "georgianPresidential": {"nodes": []},
    }


async def test_elections_oldest_first_and_first_n(world: TortoiseContext) -> None:
    data = await run(
        "{ all: elections { nodes { key } } three: elections(first: 3) { nodes { key } } }"
    )
    assert [e["key"] for e in nodes(data["all"])] == [*AZ_ELECTIONS, "ge-parliament-2024"]
    assert [e["key"] for e in nodes(data["three"])] == AZ_ELECTIONS[:3]
    one = await run(
        "{ elections(first: 1) { nodes { key } } hundred: elections(first: 100) { nodes { key } } }"
    )
    assert nodes(one["elections"]) == [{"key": "az-president-1992"}]
    assert len(nodes(one["hundred"])) == 9


@pytest.mark.parametrize("first", [0, -1, 101, 1000])
async def test_first_outside_1_to_100_is_a_clear_error(world: TortoiseContext, first: int) -> None:
    assert await errors_of(f"{{ elections(first: {first}) {{ nodes {{ key }} }} }}") == [
        f"`first` must be between 1 and 100, got {first}."
    ]


async def test_unknown_election_key_gives_null(world: TortoiseContext) -> None:
    data = await run(
        '{ a: election(key: "az-president-2025") { key } b: election(key: "") { key } }'
    )
    assert data == {"a": None, "b": None}
