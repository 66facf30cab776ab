"""Polling stations: how many an election had, in the whole country and in single areas;
the whole country first; the docs/queries operation on Nagorno-Karabakh in 2024.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

import loader
from tests.support.running import nodes, run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


async def test_query_karabakh_polling_stations_2024(world: TortoiseContext) -> None:
    query = (QUERIES / "karabakh-polling-stations-2024.graphql").read_text(encoding="utf-8")
    expected = {
        "election": {
            "key": "az-president-2024",
            "date": "2024-02-07",
            "country": {"name": "Azerbaijan"},
            "pollingStations": {
                "nodes": [
                    {
                        "area": None,
                        "count": 6537,
                        "sources": [{"key": "cec-az-news-1285"}, {"key": "menafn-1107837909"}],
                    },
                    {
                        "area": {"name": "Nagorno-Karabakh", "kind": "DISPUTED_TERRITORY"},
                        "count": 26,
                        "sources": [
                            {"key": "hurriyet-190507"},
                            {"key": "menafn-1107837909"},
                            {"key": "seed-article-2024-02"},
                        ],
                    },
                ]
            },
        }
    }
    assert await run(query) == expected
    data = await run(query, {"key": "az-president-2024"})
    assert data == expected
    # 26 of 6,537: the answer to the question.
    whole, karabakh = nodes(data["election"]["pollingStations"])
    assert (karabakh["count"], whole["count"]) == (26, 6537)
    # Georgia: only the country-wide count.
    georgia = await run(query, {"key": "ge-parliament-2024"})
    assert nodes(georgia["election"]["pollingStations"]) == [
        {"area": None, "count": 3111, "sources": [{"key": "news-az-georgia-preliminary"}]}
    ]


@pytest.mark.parametrize(
    ("election", "counts"),
    [
        ("az-president-1992", []),
        # Precincts in the CEC's account, over 80 constituencies.
        ("az-president-1993", [("az-president-1993/stations", None, 3140)]),
        ("az-president-1998", [("az-president-1998/stations", None, 4245)]),
        ("az-president-2003", []),
        ("az-president-2008", []),
        ("az-president-2013", []),
        # 5,426 permanent and 215 temporary stations.
        ("az-president-2018", [("az-president-2018/stations", None, 5641)]),
        (
            "az-president-2024",
            [
                ("az-president-2024/stations", None, 6537),
                ("az-president-2024/stations-nagorno-karabakh", "nagorno-karabakh", 26),
            ],
        ),
        ("ge-parliament-2024", [("ge-parliament-2024/stations", None, 3111)]),
    ],
)
async def test_polling_stations_of_each_election(
    world: TortoiseContext, election: str, counts: list[tuple[str, str | None, int]]
) -> None:
    query = """
    query Stations($key: String!) {
      election(key: $key) { pollingStations { nodes { key area { key } count } } }
    }
    """
    data = await run(query, {"key": election})
    assert data == {
        "election": {
            "pollingStations": {
                "nodes": [
                    {"key": key, "area": None if area is None else {"key": area}, "count": count}
                    for key, area, count in counts
                ]
            }
        }
    }


async def test_polling_stations_node(world: TortoiseContext) -> None:
    data = await run(
        '{ election(key: "az-president-2024") { pollingStations { nodes { id key summary } } } }'
    )
    whole, karabakh = nodes(data["election"]["pollingStations"])
    assert karabakh["summary"] == (
        'Stations opened in Nagorno-Karabakh (called the "liberated territories" in some '
        "reports), included in the country-wide 6,537."
    )
    query = """
    query Node($id: ID!) { node(id: $id) { id ... on PollingStations { key count } } }
    """
    for item, count in ((whole, 6537), (karabakh, 26)):
        assert await run(query, {"id": item["id"]}) == {
            "node": {"id": item["id"], "key": item["key"], "count": count}
        }


# --- The whole country first, whatever the keys ------------------------------------------


STATIONS = """
sources:
  - key: "src"
    url: "https://example.org/src"
    publisher: "Example"
countries:
  - code: "GE"
    name: "Georgia"
areas:
  - {key: "tsalka", name: "Tsalka", kind: "municipality", country: "GE"}
  - {key: "marneuli", name: "Marneuli", kind: "municipality", country: "GE"}
elections:
  - key: "e"
    country: "GE"
    kind: "parliamentary"
    office: "Parliament"
    date: 2024-10-26
    sources: ["src"]
polling_stations:
  # Keys that sort before the country-wide count's own.
  - {key: "e/b-tsalka", election: "e", area: "tsalka", count: 39, sources: ["src"]}
  - {key: "e/z-country", election: "e", count: 3111, sources: ["src"]}
  - {key: "e/a-marneuli", election: "e", area: "marneuli", count: 80, sources: ["src"]}
"""


async def test_whole_country_first_then_areas_by_key(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    path = tmp_path / "stations.yaml"
    path.write_text(textwrap.dedent(STATIONS), encoding="utf-8")
    await loader.load([path])
    data = await run(
        '{ election(key: "e") { pollingStations { nodes { key area { name } count } } } }'
    )
    assert data == {
        "election": {
            "pollingStations": {
                "nodes": [
                    {"key": "e/z-country", "area": None, "count": 3111},
                    {"key": "e/a-marneuli", "area": {"name": "Marneuli"}, "count": 80},
                    {"key": "e/b-tsalka", "area": {"name": "Tsalka"}, "count": 39},
                ]
            }
        }
    }
