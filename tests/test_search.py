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
        ("İlham Əliyev", "ilham aliav"),
        ("Ilham Aliev", "ilham aliav"),
        ("ALIYEV", "aliav"),
        ("Oruc", "oruc"),
        ("Oruj", "oruc"),
        ("Oruç", "oruc"),
        ("Oruch", "oruc"),
        ("Recep Tayyip Erdoğan", "racap taip ardogan"),
        ("Ağazadə", "agazada"),
        ("Aghazade", "agazada"),
        ("Xocalı", "xocali"),
        ("Khojaly", "xocali"),
        ("Quliyev", "guliav"),
        ("Şahin", "sahin"),
        ("Shahin", "sahin"),
        ("Məmmədov", "mamadov"),
        ("Şövkət", "sovkat"),
        ("Shovket", "sovkat"),
        ("Hüseynov", "husainov"),
        ("Georgian Dream – Democratic Georgia", "gaorgian dram damocratic gaorgia"),
        ("  --  ", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_name_keeps_each_name_apart() -> None:
    assert search_name(["Ilham Aliyev", "İlham Heydər oğlu Əliyev", None]) == (
        "ilham aliav | ilham haidar oglu aliav"
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
        # Mamedov is the Russian spelling of Məmmədov: both are found.
        ("Məmmədov", ["etibar-mammadov", "yaqub-mamedov"]),
        ("Cəlaloğlu", ["sardar-jalaloglu"]),
        ("nobody of that name", []),
    ],
)
async def test_people_search(world: TortoiseContext, search: str, expected: list[str]) -> None:
    assert await people(search) == expected


@pytest.mark.parametrize(
    ("letter", "search", "expected"),
    [
        # Each letter typed where the stored name has its English spelling, and the other
        # way round: the English spelling typed where the stored name has the letter.
        ("ç", "Oruç", ["zahid-oruj"]),
        ("ç", "Elçibəy", ["abulfaz-elchibey"]),
        ("ş", "Lukaşenko", ["alexander-lukashenko"]),
        ("ş", "Şavkat", ["shavkat-mirziyoyev"]),
        ("ğ", "Cəlaloğlu", ["sardar-jalaloglu"]),
        ("g", "erdogan", ["recep-tayyip-erdogan"]),  # Erdoğan stored
        ("ı", "Hacıyeva", ["lala-shovket-hajiyeva"]),
        ("ə", "Əliyev", ALIYEVS),
        ("ə", "Elçibəy", ["abulfaz-elchibey"]),
        ("ö", "Şövkət", ["lala-shovket-hajiyeva"]),
        ("ü", "Emin Hüseynov", ["emin-huseynov"]),
        ("c", "Oruc", ["zahid-oruj"]),
        ("j", "Oruj", ["zahid-oruj"]),
        ("ch", "Oruch", ["zahid-oruj"]),
        ("j", "Hajiyeva", ["lala-shovket-hajiyeva"]),
        ("ch", "Elchibey", ["abulfaz-elchibey"]),
    ],
)
async def test_each_letter_folds_both_ways(
    world: TortoiseContext, letter: str, search: str, expected: list[str]
) -> None:
    assert letter.lower() in search.lower()
    assert await people(search) == expected


async def test_the_other_way_a_stored_letter_found_by_its_english_spelling(
    empty_db: TortoiseContext,
) -> None:
    await models.Person.create(key="lale-sovket", name="Lalə Şövkət Hacıyeva")
    for search in ("Lala Shovket", "Hajiyeva", "Haciyeva", "SOVKET"):
        assert await people(search) == ["lale-sovket"], search


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
    assert row.search_name == "ilham aliav | ilham aliav"
