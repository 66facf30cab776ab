"""Country: the list, lookup by ISO code, and what hangs off a country."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from tests.support.errors import errors_of
from tests.support.running import nodes, run

AZ_ELECTIONS = [f"az-president-{year}" for year in (1992, 1993, 1998, 2003, 2008, 2013, 2018, 2024)]


async def test_every_country_by_name_with_its_code(world: TortoiseContext) -> None:
    data = await run("{ countries { nodes { code name } } }")
    assert nodes(data["countries"]) == [
        {"code": "AZ", "name": "Azerbaijan"},
        {"code": "BY", "name": "Belarus"},
        {"code": "CN", "name": "China"},
        {"code": "CU", "name": "Cuba"},
        {"code": "GE", "name": "Georgia"},
        {"code": "HU", "name": "Hungary"},
        {"code": "IR", "name": "Iran"},
        {"code": "KZ", "name": "Kazakhstan"},
        {"code": "RU", "name": "Russia"},
        {"code": "TR", "name": "Turkey"},
        {"code": "US", "name": "United States"},
        {"code": "UZ", "name": "Uzbekistan"},
        {"code": "VE", "name": "Venezuela"},
    ]


async def test_country_code_is_case_insensitive(world: TortoiseContext) -> None:
    query = "query ($code: String!) { country(code: $code) { code name } }"
    for code in ("AZ", "az", "Az", " az "):
        data = await run(query, {"code": code})
        assert data == {"country": {"code": "AZ", "name": "Azerbaijan"}}, code


async def test_unknown_country_code_gives_null(world: TortoiseContext) -> None:
    # Armenia's AM is ISO's but not in the test world; ZZ and Kosovo's XK are codes ISO
    # leaves to users, which data may use; SU, the Soviet Union's, is a former code.
    data = await run(
        '{ zz: country(code: "ZZ") { code } am: country(code: " am ") { code }'
        ' xk: country(code: "XK") { code } su: country(code: "SU") { code } }'
    )
    assert data == {"zz": None, "am": None, "xk": None, "su": None}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "UK",
            """"UK" is not the ISO 3166-1 alpha-2 code of a country; United Kingdom's is "GB".""",
        ),
        ("el", """"el" is not the ISO 3166-1 alpha-2 code of a country; Greece's is "GR"."""),
        (
            "AB",
            '"AB" is not the ISO 3166-1 alpha-2 code of a country: give a country\'s two letters,'
            ' e.g. "AZ" for Azerbaijan.',
        ),
    ],
)
async def test_two_letters_no_country_has_are_refused(
    world: TortoiseContext, code: str, message: str
) -> None:
    query = "query ($code: String!) { country(code: $code) { code } }"
    assert await errors_of(query, {"code": code}) == [f"country(code:): {message}"]
    query = "query ($code: String!) { elections(filter: {country: $code}) { totalCount } }"
    assert await errors_of(query, {"code": code}) == [f"filter.country: {message}"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Azerbaijan", """"Azerbaijan" is not an ISO 3166-1 alpha-2 code; Azerbaijan's is "AZ"."""),
        ("AZE", """"AZE" is not an ISO 3166-1 alpha-2 code; Azerbaijan's is "AZ"."""),
        ("georgia", """"georgia" is not an ISO 3166-1 alpha-2 code; Georgia's is "GE"."""),
        ("", '"" is not an ISO 3166-1 alpha-2 code: give two letters, e.g. "AZ" for Azerbaijan.'),
        (
            "A1",
            '"A1" is not an ISO 3166-1 alpha-2 code: give two letters, e.g. "AZ" for Azerbaijan.',
        ),
        (
            "Ruritania" * 20,
            f'"{("Ruritania" * 5)[:40]}…" is not an ISO 3166-1 alpha-2 code: give two letters, '
            'e.g. "AZ" for Azerbaijan.',
        ),
    ],
)
async def test_a_code_that_is_not_two_letters_is_refused_with_the_code_meant(
    world: TortoiseContext, code: str, message: str
) -> None:
    query = "query ($code: String!) { country(code: $code) { code } }"
    assert await errors_of(query, {"code": code}) == [f"country(code:): {message}"]


async def test_azerbaijan_elections_oldest_first(world: TortoiseContext) -> None:
    data = await run('{ country(code: "AZ") { elections { nodes { key date kind } } } }')
    elections = nodes(data["country"]["elections"])
    assert [e["key"] for e in elections] == AZ_ELECTIONS
    assert [e["date"] for e in elections] == [
        "1992-06-07",
        "1993-10-03",
        "1998-10-11",
        "2003-10-15",
        "2008-10-15",
        "2013-10-09",
        "2018-04-11",
        "2024-02-07",
    ]
    assert {e["kind"] for e in elections} == {"PRESIDENTIAL"}


async def test_georgia_and_a_country_without_elections(world: TortoiseContext) -> None:
    data = await run(
        '{ ge: country(code: "GE") { elections { nodes { key date kind seats } } }'
        ' ru: country(code: "RU") { name elections { nodes { key } } areas { nodes { key } } } }'
    )
    assert nodes(data["ge"]["elections"]) == [
        {"key": "ge-parliament-2024", "date": "2024-10-26", "kind": "PARLIAMENTARY", "seats": 150}
    ]
    assert data["ru"] == {"name": "Russia", "elections": {"nodes": []}, "areas": {"nodes": []}}


async def test_areas_of_a_country_by_name(world: TortoiseContext) -> None:
    data = await run(
        '{ az: country(code: "AZ") { areas { nodes { key name kind } } }'
        ' ge: country(code: "GE") { areas { nodes { key name kind } } } }'
    )
    assert nodes(data["az"]["areas"]) == [
        {"key": "khankendi", "name": "Khankendi", "kind": "CITY"},
        {"key": "nagorno-karabakh", "name": "Nagorno-Karabakh", "kind": "DISPUTED_TERRITORY"},
    ]
    assert nodes(data["ge"]["areas"]) == [
        {"key": "abkhazia", "name": "Abkhazia", "kind": "DISPUTED_TERRITORY"},
        {"key": "marneuli", "name": "Marneuli", "kind": "MUNICIPALITY"},
        {"key": "tetritskaro", "name": "Tetritskaro", "kind": "MUNICIPALITY"},
        {"key": "tsalka", "name": "Tsalka", "kind": "MUNICIPALITY"},
    ]


async def test_elections_filtered_by_country_code_in_any_case(world: TortoiseContext) -> None:
    data = await run(
        '{ az: elections(filter: {country: "az"}) { nodes { key } }'
        ' ge: elections(filter: {country: "Ge"}) { nodes { key } }'
        ' none: elections(filter: {country: "ZZ"}) { nodes { key } } }'
    )
    assert [e["key"] for e in nodes(data["az"])] == AZ_ELECTIONS
    assert nodes(data["ge"]) == [{"key": "ge-parliament-2024"}]
    assert nodes(data["none"]) == []
    # Three-letter codes are refused with a message naming the two-letter one
    # (tests/test_filters.py), not answered with an empty list.


async def test_country_id_is_built_from_the_iso_code(world: TortoiseContext) -> None:
    data = await run('{ country(code: "ge") { id } }')
    assert data["country"]["id"] == "Q291bnRyeTpHRQ=="  # base64 of "Country:GE"


async def test_countries_that_held_elections(world: TortoiseContext) -> None:
    held = await run("{ countries(filter: {hasElections: true}) { nodes { code } } }")
    assert [c["code"] for c in nodes(held["countries"])] == ["AZ", "GE"]
    # The others appear only as the homes of congratulating leaders and the like.
    others = await run("{ countries(filter: {hasElections: false}) { totalCount } }")
    every = await run("{ countries { totalCount } }")
    assert others["countries"]["totalCount"] == every["countries"]["totalCount"] - 2


async def test_a_countrys_iso_codes_and_official_name(data_sets: TortoiseContext) -> None:
    # Germany comes from ISO 3166 alone; Azerbaijan, from the test world, keeps its name and
    # gains ISO's codes.
    data = await run(
        """{ de: country(code: "DE") { code name iso { alpha3 numeric officialName } }
             az: country(code: "AZ") { code name iso { alpha3 numeric officialName } } }"""
    )
    assert data == {
        "de": {
            "code": "DE",
            "name": "Germany",
            "iso": {
                "alpha3": "DEU",
                "numeric": "276",
                "officialName": "Federal Republic of Germany",
            },
        },
        "az": {
            "code": "AZ",
            "name": "Azerbaijan",
            "iso": {"alpha3": "AZE", "numeric": "031", "officialName": "Republic of Azerbaijan"},
        },
    }
