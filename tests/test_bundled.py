"""The data the product ships: fixtures/ validates, loads, loads again to no change, and holds
the facts it is known for; with the data sets of data/ (LOAD_FIXTURES=bundled) it checks as one
batch with no unexplained warning, and a server's second start does not read it again.

Every other test runs on the test world (tests/world/), a frozen copy, so that the shipped
data may grow without breaking them. These tests read the shipped data itself, so they
assert what stays true as it grows: facts of the curated stories, and no count of anything.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tortoise.context import TortoiseContext

import loader
from loader import datasets
from loader.validate import read_batch
from service.settings import BUNDLED_FIXTURES, ROOT
from tests.support.data_sets import DATA
from tests.support.databases import row_counts
from tests.support.running import run
from tests.support.servers import running_server
from tests.support.settings import settings_from

#: What the product ships to load: every data set it bundles belongs here.
SHIPPED: list[Path] = [BUNDLED_FIXTURES]

AZ_2024 = """{
  election(key: "az-president-2024") {
    date early turnout
    winner { name share votes }
    result { key stage asOf }
  }
}"""
GE_2024 = """{
  election(key: "ge-parliament-2024") {
    date seats
    winner { name share result { seats } }
    result { key stage asOf }
  }
}"""
ALIYEV_TERMS = """{
  officeTerms(country: "AZ", office: "President of Azerbaijan") { key consecutiveTerm }
}"""


def test_load_fixtures_bundled_names_the_shipped_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    assert BUNDLED_FIXTURES == ROOT / "fixtures"
    assert settings_from(monkeypatch, LOAD_FIXTURES="bundled").load_fixtures == (BUNDLED_FIXTURES,)


def test_the_shipped_data_validates() -> None:
    batch, problems = read_batch(SHIPPED)
    assert [str(problem) for problem in problems] == []
    # The curated stories are there, whatever else joins them.
    assert {"az-president-2024", "ge-parliament-2024"} <= batch.keys("elections")


async def test_the_shipped_data_loads_and_loads_again_to_no_change(
    empty_db: TortoiseContext,
) -> None:
    batch, _ = read_batch(SHIPPED)
    records = sum(len(items) for items in batch.sections.values())
    first = await loader.load(SHIPPED)
    assert first.changed == records
    second = await loader.load(SHIPPED)
    assert second.changed == 0

    # Azerbaijan's snap presidential election of 7 February 2024: the CEC's final protocol.
    assert await run(AZ_2024) == {
        "election": {
            "date": "2024-02-07",
            "early": True,
            "turnout": 76.43,
            "winner": {"name": "Ilham Aliyev", "share": 92.12, "votes": 4567458},
            "result": {
                "key": "az-president-2024/final-cec",
                "stage": "FINAL",
                "asOf": "2024-02-13",
            },
        }
    }
    # Georgia's parliamentary election of 26 October 2024: Georgian Dream's 89 of 150 seats.
    georgia = (await run(GE_2024))["election"]
    assert (georgia["date"], georgia["seats"]) == ("2024-10-26", 150)
    assert georgia["winner"] == {
        "name": "Georgian Dream \N{EN DASH} Democratic Georgia",
        "share": 53.93,
        "result": {"seats": 89},
    }
    assert georgia["result"]["key"] == "ge-parliament-2024/final-cec"
    # Ilham Aliyev's fifth consecutive term began with the 2024 election.
    terms = (await run(ALIYEV_TERMS))["officeTerms"]
    assert {"key": "president-of-azerbaijan/2024-ilham-aliyev", "consecutiveTerm": 5} in terms
    # Heydar Aliyev's acting presidency of 1993 is no term: the election of October 1993
    # began his first, that of 1998 his second.
    heydar = [t for t in terms if "heydar-aliyev" in t["key"]]
    assert heydar == [
        {"key": "president-of-azerbaijan/1993-heydar-aliyev-acting", "consecutiveTerm": 1},
        {"key": "president-of-azerbaijan/1993-heydar-aliyev", "consecutiveTerm": 1},
        {"key": "president-of-azerbaijan/1998-heydar-aliyev", "consecutiveTerm": 2},
    ]


async def test_the_shipped_data_with_the_data_sets_has_every_warning_explained(
    empty_db: TortoiseContext,
) -> None:
    batch = await datasets.bundled_batch(BUNDLED_FIXTURES, DATA)
    assert datasets.unexplained(batch) == []
    assert {"az-president-2024", "gb-parliament-2017", "us-president-2020"} <= batch.keys(
        "elections"
    )


async def test_a_second_start_with_the_data_sets_does_not_read_them_again(
    server_database: str,
) -> None:
    def answer(url: str) -> str:
        response = httpx.post(f"{url}/graphql", json={"query": AZ_2024}, timeout=10)
        return str(response.json()["data"]["election"]["winner"]["name"])

    with running_server(server_database, LOAD_FIXTURES="bundled") as server:
        assert answer(server.url) == "Ilham Aliyev"
        assert "Bundled fixtures and data sets: " in server.output()
        assert "unchanged since they were loaded" not in server.output()
    first = await row_counts(server_database)
    assert first["cabinet"] > 0 and first["election"] > 1000, first
    with running_server(server_database, LOAD_FIXTURES="bundled") as server:
        assert answer(server.url) == "Ilham Aliyev"
        assert "Bundled fixtures and data sets: unchanged since they were loaded" in server.output()
    assert await row_counts(server_database) == first


async def test_curated_serves_the_shipped_fixtures_alone(server_database: str) -> None:
    with running_server(server_database, LOAD_FIXTURES="curated") as server:
        response = httpx.post(f"{server.url}/graphql", json={"query": AZ_2024}, timeout=10)
        assert response.json()["data"]["election"]["date"] == "2024-02-07"
        assert f"Fixtures loaded from {BUNDLED_FIXTURES}:" in server.output()
    counts = await row_counts(server_database)
    assert (counts["cabinet"], counts["dataset"]) == (0, 0)
