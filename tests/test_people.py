"""Person: one row across every election, search, and what a person did."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from tests.support.errors import errors_of
from tests.support.running import nodes, run

PERSON = "query ($key: String!) { person(key: $key) { %s } }"


async def test_ilham_aliyev_whole(world: TortoiseContext) -> None:
    data = await run(
        PERSON % "key name alsoKnownAs birthDate deathDate sources { key url } "
        "candidacies { nodes { key election { date } party { key } won } }",
        {"key": "ilham-aliyev"},
    )
    assert (
        data["person"]
        == {
            "key": "ilham-aliyev",
            "name": "Ilham Aliyev",
            "alsoKnownAs": [],
            "birthDate": "1961-12-24",
            "deathDate": None,
            "sources": [
                {
                    "key": "wikipedia-ilham-aliyev",
                    "url": "https://en.wikipedia.org/wiki/Ilham_Aliyev",
                }
            ],
            "candidacies": {
                "nodes": [
                    {
                        "key": "az-president-2003/ilham-aliyev",
                        "election": {"date": "2003-10-15"},
                        "party": None,  # nominated by an initiative group
                        "won": True,
                    },
                    *(
                        {
                            "key": f"az-president-{date[:4]}/ilham-aliyev",
                            "election": {"date": date},
                            "party": {"key": "new-azerbaijan-party"},
                            "won": True,
                        }
                        for date in ("2008-10-15", "2013-10-09", "2018-04-11", "2024-02-07")
                    ),
                ]
            },
        }
    )


async def test_zahid_oruj_is_one_row_across_three_elections(world: TortoiseContext) -> None:
    data = await run(
        """{ people(filter: {search: "Oruj"}) { nodes { key name
            candidacies { nodes { key nomination election { key date } share votes won } } } } }"""
    )
    assert nodes(data["people"]) == [
        {
            "key": "zahid-oruj",
            "name": "Zahid Oruj",
            "candidacies": {
                "nodes": [
                    {
                        "key": "az-president-2013/zahid-oruj",
                        "nomination": "SELF",
                        "election": {"key": "az-president-2013", "date": "2013-10-09"},
                        # Only in the preliminary count (1.63 %), not in the preferred final tally.
                        "share": None,
                        "votes": None,
                        "won": False,
                    },
                    {
                        "key": "az-president-2018/zahid-oruj",
                        "nomination": "SELF",
                        "election": {"key": "az-president-2018", "date": "2018-04-11"},
                        "share": 3.12,
                        "votes": 122956,
                        "won": False,
                    },
                    {
                        "key": "az-president-2024/zahid-oruj",
                        "nomination": "SELF",
                        "election": {"key": "az-president-2024", "date": "2024-02-07"},
                        "share": 2.17,
                        "votes": 107632,
                        "won": False,
                    },
                ]
            },
        }
    ]


async def test_gudrat_hasanguliyev_stood_five_times(world: TortoiseContext) -> None:
    data = await run(
        PERSON % "candidacies { nodes { key party { key } } }", {"key": "gudrat-hasanguliyev"}
    )
    assert [(c["key"], c["party"]) for c in nodes(data["person"]["candidacies"])] == [
        ("az-president-2003/gudrat-hasanguliyev", {"key": "azerbaijani-popular-front-party"}),
        ("az-president-2008/gudrat-hasanguliyev", None),
        ("az-president-2013/gudrat-hasanguliyev", {"key": "united-popular-front"}),
        ("az-president-2018/gudrat-hasanguliyev", None),
        ("az-president-2024/gudrat-hasanguliyev", None),
    ]


async def test_heydar_aliyev_1993_and_1998(world: TortoiseContext) -> None:
    # The test world (no birth date); tests/test_curated_history.py checks the shipped fixtures.
    data = await run(
        PERSON % "name birthDate candidacies { nodes { key share votes won ageAtElection } }",
        {"key": "heydar-aliyev"},
    )
    assert data["person"] == {
        "name": "Heydar Aliyev",
        "birthDate": None,
        "candidacies": {
            "nodes": [
                {
                    "key": "az-president-1993/heydar-aliyev",
                    "share": 98.8,
                    "votes": 3919923,
                    "won": True,
                    "ageAtElection": None,
                },
                {
                    "key": "az-president-1998/heydar-aliyev",
                    "share": 77.6,
                    "votes": 2556059,
                    "won": True,
                    "ageAtElection": None,
                },
            ]
        },
    }


async def test_other_spellings(world: TortoiseContext) -> None:
    data = await run(
        """{ a: person(key: "ilyas-ismayilov") { name alsoKnownAs candidacies { nodes { key } } }
             b: person(key: "fazil-mustafa") { name alsoKnownAs } }"""
    )
    assert data == {
        "a": {
            "name": "Ilyas Ismayilov",
            "alsoKnownAs": ["Ilyas Ismailov"],
            "candidacies": {
                "nodes": [
                    {"key": "az-president-1992/ilyas-ismayilov"},
                    {"key": "az-president-2003/ilyas-ismayilov"},
                    {"key": "az-president-2013/ilyas-ismayilov"},
                ]
            },
        },
        "b": {"name": "Fazil Mustafa", "alsoKnownAs": ["Fazil Mustafayev"]},
    }


async def test_search_is_case_insensitive_part_of_the_name(world: TortoiseContext) -> None:
    query = "query ($q: String) { people(filter: {search: $q}) { nodes { key } } }"
    for text in ("aliyev", "ALIYEV", "  Aliyev "):
        data = await run(query, {"q": text})
        assert [p["key"] for p in nodes(data["people"])] == [
            "f-aliyev",
            "fuad-aliyev",
            "heydar-aliyev",
            "ilham-aliyev",
        ], text
    assert await run(query, {"q": "nobody-by-this-name"}) == {"people": {"nodes": []}}


async def test_people_by_name_and_first(world: TortoiseContext) -> None:
    data = await run(
        "{ all: people { nodes { name } } two: people(first: 2) { nodes { key name } } }"
    )
    names = [p["name"] for p in nodes(data["all"])]
    assert names == sorted(names)
    assert len(names) == len(set(names))
    assert {"Ilham Aliyev", "Zahid Oruj", "Vladimir Putin", "Abulfaz Elchibey"} <= set(names)
    assert nodes(data["two"]) == [
        {"key": "abulfaz-elchibey", "name": "Abulfaz Elchibey"},
        {"key": "alexander-lukashenko", "name": "Alexander Lukashenko"},
    ]
    unset = await run("{ people(filter: {search: null}) { nodes { key } } }")
    assert len(nodes(unset["people"])) == len(names)  # a null search is no filter
    # A search with nothing to search for is refused, naming where it was.
    for text in ("", "  ", "--"):
        assert await errors_of(
            f'{{ people(filter: {{search: "{text}"}}) {{ nodes {{ key }} }} }}'
        ) == [f"filter.search: nothing to search for in {text!r}; give letters or digits."]


@pytest.mark.parametrize("first", [0, 101])
async def test_first_outside_1_to_100_is_a_clear_error(world: TortoiseContext, first: int) -> None:
    assert await errors_of(f"{{ people(first: {first}) {{ nodes {{ key }} }} }}") == [
        f"`first` must be between 1 and 100, got {first}."
    ]


async def test_unknown_person_gives_null(world: TortoiseContext) -> None:
    data = await run(
        'query ($long: String!) { a: person(key: "nobody") { key }'
        ' b: person(key: "Ilham-Aliyev") { key } c: person(key: $long) { key } }',
        {"long": "x" * 500},  # longer than any key can be: unknown too, not an error
    )
    assert data == {"a": None, "b": None, "c": None}  # keys are exact
