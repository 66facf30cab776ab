"""Organization: parties, blocs and their member parties, and the other bodies."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from tests.support.errors import errors_of
from tests.support.running import nodes, run

ORGANIZATION = "query ($key: String!) { organization(key: $key) { %s } }"


async def test_georgian_blocs_with_their_member_parties(world: TortoiseContext) -> None:
    data = await run(
        "{ organizations(filter: {kind: BLOC}) { nodes {"
        " key name country { code } members { nodes { key name kind } } } } }"
    )
    blocs = nodes(data["organizations"])
    georgian = [o for o in blocs if o["country"] == {"code": "GE"}]
    assert [(o["key"], o["name"], nodes(o["members"])) for o in georgian] == [
        (
            "coalition-for-change",
            "Coalition for Change",
            [
                {"key": "akhali", "name": "Akhali", "kind": "PARTY"},
                {"key": "droa", "name": "Droa", "kind": "PARTY"},
                {
                    "key": "girchi-more-freedom",
                    "name": "Girchi – More Freedom",  # noqa: RUF001
                    "kind": "PARTY",
                },
            ],
        ),
        (
            "strong-georgia",
            "Strong Georgia",
            [
                {"key": "citizens-georgia", "name": "Citizens", "kind": "PARTY"},
                {"key": "for-the-people", "name": "For the People", "kind": "PARTY"},
                {"key": "freedom-square", "name": "Freedom Square", "kind": "PARTY"},
                {"key": "lelo", "name": "Lelo", "kind": "PARTY"},
            ],
        ),
        (
            "unity-national-movement",
            "Unity – National Movement",  # noqa: RUF001
            [
                {"key": "european-georgia", "name": "European Georgia", "kind": "PARTY"},
                {
                    "key": "strategy-aghmashenebeli",
                    "name": "Strategy Aghmashenebeli",
                    "kind": "PARTY",
                },
                {
                    "key": "united-national-movement",
                    "name": "United National Movement",
                    "kind": "PARTY",
                },
            ],
        ),
    ]
    assert {o["key"] for o in blocs} >= {"national-council-democratic-forces"}


async def test_member_parties_know_their_bloc(world: TortoiseContext) -> None:
    data = await run(
        """{ lelo: organization(key: "lelo") { memberOf { key } members { nodes { key } } }
             unm: organization(key: "united-national-movement") { shortName memberOf { key } }
             gd: organization(key: "georgian-dream") { memberOf { key } members { nodes { key } } }
             girchi: organization(key: "girchi") { memberOf { key } } }"""
    )
    assert data == {
        "lelo": {"memberOf": [{"key": "strong-georgia"}], "members": {"nodes": []}},
        "unm": {"shortName": "UNM", "memberOf": [{"key": "unity-national-movement"}]},
        "gd": {"memberOf": [], "members": {"nodes": []}},
        # Girchi (Iago Khvichia's party) is not Girchi-More Freedom, the bloc member.
        "girchi": {"memberOf": []},
    }


async def test_bloc_stood_as_a_list(world: TortoiseContext) -> None:
    data = await run(
        ORGANIZATION % "candidacies { nodes { key nomination share result { seats } } }",
        {"key": "strong-georgia"},
    )
    assert nodes(data["organization"]["candidacies"]) == [
        {
            "key": "ge-parliament-2024/strong-georgia",
            "nomination": "BLOC",
            "share": 8.81,
            "result": {"seats": 14},
        }
    ]


async def test_new_azerbaijan_party_whole(world: TortoiseContext) -> None:
    data = await run(
        ORGANIZATION % "key name shortName kind country { code } members { nodes { key } }"
        " memberOf { key } candidacies { nodes { key election { date } won } }",
        {"key": "new-azerbaijan-party"},
    )
    assert data["organization"] == {
        "key": "new-azerbaijan-party",
        "name": "New Azerbaijan Party",
        "shortName": "YAP",
        "kind": "PARTY",
        "country": {"code": "AZ"},
        "members": {"nodes": []},
        "memberOf": [],
        # Ilham Aliyev's 2003 candidacy was put forward by an initiative group, not the party.
        "candidacies": {
            "nodes": [
                {
                    "key": "az-president-1993/heydar-aliyev",
                    "election": {"date": "1993-10-03"},
                    "won": True,
                },
                {
                    "key": "az-president-1998/heydar-aliyev",
                    "election": {"date": "1998-10-11"},
                    "won": True,
                },
                {
                    "key": "az-president-2008/ilham-aliyev",
                    "election": {"date": "2008-10-15"},
                    "won": True,
                },
                {
                    "key": "az-president-2013/ilham-aliyev",
                    "election": {"date": "2013-10-09"},
                    "won": True,
                },
                {
                    "key": "az-president-2018/ilham-aliyev",
                    "election": {"date": "2018-04-11"},
                    "won": True,
                },
                {
                    "key": "az-president-2024/ilham-aliyev",
                    "election": {"date": "2024-02-07"},
                    "won": True,
                },
            ]
        },
    }


async def test_international_and_government_bodies(world: TortoiseContext) -> None:
    data = await run(
        """{ odihr: organization(key: "osce-odihr") { name shortName kind country { code } }
             assembly: organization(key: "national-assembly-azerbaijan") { kind country { code } }
             cec: organization(key: "cec-georgia") { shortName kind country { code } } }"""
    )
    assert data == {
        "odihr": {
            "name": "OSCE Office for Democratic Institutions and Human Rights",
            "shortName": "OSCE/ODIHR",
            "kind": "INTERNATIONAL",
            "country": None,
        },
        "assembly": {"kind": "GOVERNMENT", "country": {"code": "AZ"}},
        "cec": {"shortName": "CEC", "kind": "ELECTION_COMMISSION", "country": {"code": "GE"}},
    }


async def test_the_assembly_called_the_1993_election(world: TortoiseContext) -> None:
    data = await run(
        '{ election(key: "az-president-1993") { calledOn calledByOrganization { name } } }'
    )
    assert data["election"] == {
        "calledOn": "1993-09-01",
        "calledByOrganization": {"name": "National Assembly of Azerbaijan"},
    }


async def test_search_by_name_case_insensitive(world: TortoiseContext) -> None:
    data = await run(
        """{ a: organizations(filter: {search: "MUSAVAT"}) { nodes { key name } }
             b: organizations(filter: {search: "georgian dream", kind: PARTY}) { nodes { key } }
             c: organizations(filter: {search: "georgian dream", kind: BLOC}) { nodes { key } } }"""
    )
    assert data == {
        "a": {
            "nodes": [
                {"key": "modern-musavat", "name": "Modern Musavat"},
                {"key": "musavat", "name": "Musavat"},
            ]
        },
        "b": {"nodes": [{"key": "georgian-dream"}]},
        "c": {"nodes": []},
    }


async def test_organizations_by_name_and_first(world: TortoiseContext) -> None:
    data = await run(
        "{ all: organizations { nodes { name } }"
        " three: organizations(first: 3) { nodes { name } } }"
    )
    names = [o["name"] for o in nodes(data["all"])]
    assert names == sorted(names)
    assert nodes(data["three"]) == [{"name": name} for name in names[:3]]


@pytest.mark.parametrize("first", [0, 101])
async def test_first_outside_1_to_100_is_a_clear_error(world: TortoiseContext, first: int) -> None:
    assert await errors_of(f"{{ organizations(first: {first}) {{ nodes {{ key }} }} }}") == [
        f"`first` must be between 1 and 100, got {first}."
    ]


async def test_unknown_organization_gives_null(world: TortoiseContext) -> None:
    assert await run(ORGANIZATION % "key", {"key": "no-such-party"}) == {"organization": None}


async def test_endorsements_given_by_an_organization(world: TortoiseContext) -> None:
    data = await run(
        """{ a: organization(key: "european-commission") { endorsementsGiven {
                totalCount nodes { key kind endorserPerson { name } } } }
             b: organization(key: "musavat") { endorsementsGiven { totalCount } } }"""
    )
    assert data == {
        "a": {
            "endorsementsGiven": {
                "totalCount": 1,
                "nodes": [
                    {
                        "key": "az-president-2024/congratulation-european-commission",
                        "kind": "CONGRATULATION",
                        "endorserPerson": {"name": "Ursula von der Leyen"},
                    }
                ],
            }
        },
        "b": {"endorsementsGiven": {"totalCount": 0}},
    }
