"""Name search: case, accents and transliteration variants, over people, organizations and
areas; the folding itself."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

import models
from models.search import fold, search_name
from tests.support.running import run


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("İlham Əliyev", "ilham aliev"),
        ("Ilham Aliev", "ilham aliev"),
        ("ALIYEV", "aliev"),
        ("Oruc", "oruc"),
        ("Oruj", "oruc"),
        ("Recep Tayyip Erdoğan", "recep taip erdogan"),
        ("Ağazadə", "agazada"),
        ("Aghazade", "agazade"),
        ("Xocalı", "xocali"),
        ("Khojaly", "xocali"),
        ("Quliyev", "guliev"),
        ("Şahin", "shahin"),
        ("Məmmədov", "mamadov"),
        ("Georgian Dream – Democratic Georgia", "georgian dream democratic georgia"),
        ("  --  ", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_name_keeps_each_name_apart() -> None:
    assert search_name(["Etibar Mammadov", "Etibar Mamedov", None]) == (
        "etibar mamadov | etibar mamedov"
    )


async def people(search: str) -> list[str]:
    data = await run(
        "query ($s: String!) { people(filter: {search: $s}) { nodes { key } } }", {"s": search}
    )
    return [node["key"] for node in data["people"]["nodes"]]


ALIYEVS = ["f-aliyev", "fuad-aliyev", "heydar-aliyev", "ilham-aliyev"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("aliyev", ALIYEVS),
        ("Əliyev", ALIYEVS),
        ("ALİYEV", ALIYEVS),
        ("aliev", ALIYEVS),
        ("İlham Əliyev", ["ilham-aliyev"]),
        ("oruc", ["zahid-oruj"]),
        ("Zahid Oruc", ["zahid-oruj"]),
        ("erdogan", ["recep-tayyip-erdogan"]),
        ("DIAZ", ["miguel-diaz-canel"]),
        # Other spellings count: "Suleimanov" and "Mamedov" are kept in also_known_as.
        ("Suleimanov", ["nizami-suleymanov"]),
        ("Məmmədov", ["etibar-mammadov"]),
        ("Cəlaloğlu", ["sardar-jalaloglu"]),
        ("nobody of that name", []),
    ],
)
async def test_people_search(world: TortoiseContext, search: str, expected: list[str]) -> None:
    assert await people(search) == expected


async def test_organization_search_covers_short_names(world: TortoiseContext) -> None:
    data = await run(
        '{ a: organizations(filter: {search: "yap"}) { nodes { key } } '
        'b: organizations(filter: {search: "odihr"}) { nodes { key } } '
        'c: organizations(filter: {search: "georgian dream", kind: PARTY}) { nodes { key name } } }'
    )
    assert data == {
        "a": {"nodes": [{"key": "new-azerbaijan-party"}]},
        "b": {"nodes": [{"key": "osce-odihr"}]},
        "c": {"nodes": [{"key": "georgian-dream", "name": "Georgian Dream – Democratic Georgia"}]},
    }


async def test_area_search(world: TortoiseContext) -> None:
    data = await run(
        '{ areas(filter: {search: "KARABAKH"}) { nodes { key } } '
        'ge: areas(filter: {country: "GE"}) { nodes { key } } }'
    )
    assert data["areas"]["nodes"] == [{"key": "nagorno-karabakh"}]
    assert [a["key"] for a in data["ge"]["nodes"]] == [
        "abkhazia",
        "marneuli",
        "tetritskaro",
        "tsalka",
    ]


async def test_a_person_saved_one_by_one_is_found(empty_db: TortoiseContext) -> None:
    await models.Person.create(
        key="ilham-aliyev", name="İlham Əliyev", also_known_as=["Ilham Aliev"]
    )
    assert await people("aliyev") == ["ilham-aliyev"]
    row = await models.Person.get(key="ilham-aliyev")
    assert row.search_name == "ilham aliev | ilham aliev"
