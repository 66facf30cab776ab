"""Area: regions, cities and disputed territories, with parent and children."""

from __future__ import annotations

from pathlib import Path

from tortoise.context import TortoiseContext

from tests.support.errors import errors_of
from tests.support.running import nodes, run
from tests.support.world import global_id

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
AREA = "query ($id: ID!) { node(id: $id) { ... on Area { %s } } }"


def area_id(key: str) -> str:
    return global_id("Area", key)


async def test_khankendi_lies_in_nagorno_karabakh(world: TortoiseContext) -> None:
    data = await run(
        AREA % "id key name kind country { code } parent { key name kind parent { key } }"
        " children { nodes { key } }",
        {"id": area_id("khankendi")},
    )
    assert data["node"] == {
        "id": area_id("khankendi"),
        "key": "khankendi",
        "name": "Khankendi",
        "kind": "CITY",
        "country": {"code": "AZ"},
        "parent": {
            "key": "nagorno-karabakh",
            "name": "Nagorno-Karabakh",
            "kind": "DISPUTED_TERRITORY",
            "parent": None,
        },
        "children": {"nodes": []},
    }


async def test_nagorno_karabakh_contains_khankendi(world: TortoiseContext) -> None:
    data = await run(
        AREA % "name kind parent { key } children { nodes { key name kind parent { key } } }",
        {"id": area_id("nagorno-karabakh")},
    )
    assert data["node"] == {
        "name": "Nagorno-Karabakh",
        "kind": "DISPUTED_TERRITORY",
        "parent": None,
        "children": {
            "nodes": [
                {
                    "key": "khankendi",
                    "name": "Khankendi",
                    "kind": "CITY",
                    "parent": {"key": "nagorno-karabakh"},
                }
            ]
        },
    }


async def test_georgian_areas_have_no_parent(world: TortoiseContext) -> None:
    data = await run(
        '{ country(code: "GE") { areas { nodes {'
        " key kind country { code } parent { key } children { nodes { key } } } } } }"
    )
    assert nodes(data["country"]["areas"]) == [
        {
            "key": key,
            "kind": kind,
            "country": {"code": "GE"},
            "parent": None,
            "children": {"nodes": []},
        }
        for key, kind in (
            ("abkhazia", "DISPUTED_TERRITORY"),
            ("marneuli", "MUNICIPALITY"),
            ("tetritskaro", "MUNICIPALITY"),
            ("tsalka", "MUNICIPALITY"),
        )
    ]


async def test_every_area_reaches_back_to_its_country(world: TortoiseContext) -> None:
    data = await run("{ countries { nodes { code areas { nodes { key country { code } } } } } }")
    pairs = [
        (c["code"], a["country"]["code"])
        for c in nodes(data["countries"])
        for a in nodes(c["areas"])
    ]
    assert len(pairs) == 6
    assert all(code == back for code, back in pairs)


async def test_unknown_area_gives_null(world: TortoiseContext) -> None:
    data = await run(AREA % "key", {"id": area_id("stepanakert")})
    assert data == {"node": None}  # the fixtures use the Azerbaijani name, Khankendi


async def test_an_unknown_area_code_is_an_error_naming_it(world: TortoiseContext) -> None:
    for field in ('result(area: "AZ-XX") { key }', 'tallies(area: "AZ-XX") { totalCount }'):
        errors = await errors_of('{ election(key: "az-president-2024") { ' + field + " } }")
        assert errors == [
            "`area`: no area has the ISO 3166-2 code 'AZ-XX'. Codes look like \"US-GA\" "
            "(country, hyphen, subdivision); `Country.areas { nodes { code } }` lists them."
        ]


async def test_results_by_state(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "us-president-2016") {
            result(area: "us-ga") { key area { key code name externalIds { fips icpsr } }
                                    valid lines { votes seats candidacy { name } } }
            maine: tallies(area: "US-ME") { nodes { lines { seats candidacy { name } } } }
            tallies { nodes { key area { code } } } } }"""
    )
    election = data["election"]
    assert election["result"] == {
        "key": "us-president-2016/ga",
        "area": {
            "key": "us-ga",
            "code": "US-GA",
            "name": "Georgia",
            "externalIds": {"fips": 13, "icpsr": 44},
        },
        "valid": 4114732,
        "lines": [
            {"votes": 2089104, "seats": 16, "candidacy": {"name": "Donald Trump"}},
            {"votes": 1877963, "seats": None, "candidacy": {"name": "Hillary Clinton"}},
            {"votes": 125306, "seats": None, "candidacy": {"name": "Johnson Gary"}},
        ],
    }
    # Maine splits its electors by district: three for Clinton, one for Trump.
    (maine,) = nodes(election["maine"])
    assert [(line["candidacy"]["name"], line["seats"]) for line in maine["lines"][:2]] == [
        ("Hillary Clinton", 3),
        ("Donald Trump", 1),
    ]
    # Without an area, the whole country's figures.
    assert nodes(election["tallies"]) == [{"key": "us-president-2016/national", "area": None}]


async def test_the_national_tally_is_the_sum_of_the_states(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ area: areas(filter: {search: "Wyoming"}) { nodes { code } }
             election(key: "us-president-2020") { result { valid } } }"""
    )
    assert nodes(data["area"]) == [{"code": "US-WY"}]
    states = await run(
        """{ country(code: "US") { areas(first: 100) { nodes { code
             results(last: 1) { nodes { valid election { key } } } } } } }"""
    )
    valid = [
        r["valid"]
        for area in nodes(states["country"]["areas"])
        for r in nodes(area["results"])
        if r["election"]["key"] == "us-president-2020"
    ]
    assert len(valid) == 51  # the 50 states and DC
    assert sum(valid) == data["election"]["result"]["valid"]


async def test_an_areas_results_oldest_first(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ areas(filter: {search: "Georgia"}) { nodes { code
             results(first: 2) { totalCount nodes { key area { code } } } } } }"""
    )
    (georgia,) = nodes(data["areas"])
    assert georgia["results"]["totalCount"] == 12
    assert nodes(georgia["results"]) == [
        {"key": "us-president-1976/ga", "area": {"code": "US-GA"}},
        {"key": "us-president-1980/ga", "area": {"code": "US-GA"}},
    ]
    # A known area that the election did not count on its own: no result, not an error.
    other = await run('{ election(key: "az-president-2024") { result(area: "US-GA") { key } } }')
    assert other == {"election": {"result": None}}


async def test_the_us_election_by_state_query(data_sets: TortoiseContext) -> None:
    query = (QUERIES / "us-election-by-state.graphql").read_text(encoding="utf-8")
    election = (await run(query, {"key": "us-president-2016"}))["election"]
    assert (election["winner"]["name"], election["winner"]["result"]["seats"]) == (
        "Donald Trump",
        304,
    )
    assert election["popularVoteLeader"]["name"] == "Hillary Clinton"
    assert election["popularVoteLeaderWon"] is False
    states = nodes(election["areaResults"])
    assert election["areaResults"]["totalCount"] == len(states) == 51
    assert [s["area"]["name"] for s in states[:2]] == ["Alabama", "Alaska"]
    georgia = next(s for s in states if s["area"]["code"] == "US-GA")
    assert (georgia["valid"], georgia["lines"][0]) == (
        4114732,
        {"candidacy": {"name": "Donald Trump"}, "votes": 2089104, "seats": 16},
    )
    # The states' electors add up to the national result.
    electors = sum(line["seats"] or 0 for s in states for line in s["lines"])
    assert electors == 538  # faithless electors are counted for whom they voted
