"""Titles: an election's name as people write it, for the curated stories and for every
country of the bundled data sets."""

from __future__ import annotations

import datetime as dt

from tortoise import connections
from tortoise.context import TortoiseContext

from models.title import NAMINGS, Naming, naming, title
from tests.support.running import nodes, run

TITLES = "query ($f: ElectionFilter) { elections(filter: $f, first: 100) { nodes { title } } }"


async def titles(filter_: dict[str, object]) -> list[str]:
    data = await run(TITLES, {"f": filter_})
    return [e["title"] for e in nodes(data["elections"])]


async def test_the_curated_elections(world: TortoiseContext) -> None:
    assert await titles({"country": "AZ"}) == [
        f"{year} Azerbaijani presidential election"
        for year in (1992, 1993, 1998, 2003, 2008, 2013, 2018, 2024)
    ]
    assert await titles({"country": "GE"}) == ["2024 Georgian parliamentary election"]


def test_a_country_missing_from_the_table_is_named_by_its_name() -> None:
    armenia = naming("AM", "Armenia")
    assert armenia == Naming("Armenia", "parliamentary", "Armenia")
    assert title(armenia, "parliamentary", "National Assembly", dt.date(2021, 6, 20)) == (
        "2021 Armenia parliamentary election"
    )
    assert title(armenia, "referendum", "Constitution", dt.date(2015, 12, 6)) == (
        "2015 Armenia referendum"
    )


async def test_every_country_with_elections_in_the_data_sets_has_a_naming(
    data_sets: TortoiseContext,
) -> None:
    rows = await connections.get("default").execute_query_dict(
        "SELECT DISTINCT c.code FROM election e JOIN country c ON c.id = e.country_id"
    )
    codes = {row["code"] for row in rows}
    assert len(codes) == 40  # ParlGov's 37, the United States, Azerbaijan and Georgia
    assert sorted(codes - set(NAMINGS)) == []


async def test_parliaments_named_as_each_country_names_them(data_sets: TortoiseContext) -> None:
    year = {"from": "2017-01-01", "to": "2017-12-31"}
    assert await titles({"country": "GB", "date": year}) == ["2017 United Kingdom general election"]
    assert await titles({"country": "DE", "date": year}) == ["2017 German federal election"]
    assert await titles({"country": "FR", "date": year}) == ["2017 French legislative election"]
    norway = await titles({"country": "NO", "date": year})
    assert norway == ["2017 Norwegian parliamentary election"]
    assert await titles({"country": "NZ", "date": year}) == ["2017 New Zealand general election"]


async def test_two_elections_in_one_year_are_told_apart_by_the_month(
    data_sets: TortoiseContext,
) -> None:
    assert await titles({"country": "GB", "date": {"from": "1974-01-01", "to": "1974-12-31"}}) == [
        "February 1974 United Kingdom general election",
        "October 1974 United Kingdom general election",
    ]


async def test_european_parliament_and_us_presidential_elections(
    data_sets: TortoiseContext,
) -> None:
    year = {"from": "2019-01-01", "to": "2019-12-31"}
    assert await titles({"country": "NL", "date": year}) == [
        "2019 European Parliament election in the Netherlands"
    ]
    assert await titles({"country": "US", "date": {"from": "2020-01-01"}}) == [
        "2020 United States presidential election"
    ]
