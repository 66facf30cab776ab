"""Area: regions, cities and disputed territories, with parent and children."""

from __future__ import annotations

from tortoise.context import TortoiseContext

from tests.support.running import nodes, run
from tests.support.world import global_id

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
