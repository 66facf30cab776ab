"""The MIT Election Lab's presidential results by state, with the curated electoral votes:
a state's figures, the national sums, the published totals, and bad input refused."""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext

import models
from loader import medsl
from tests.support.data_sets import DATA
from tests.support.running import run


async def lines(tally: str) -> dict[str, tuple[int | None, int | None]]:
    rows = await models.TallyLine.filter(tally__key=tally).values_list(
        "candidacy__person__key", "votes", "seats"
    )
    return {who: (votes, seats) for who, votes, seats in rows}


async def test_georgia_2020_has_its_votes_and_16_electors(data_sets: TortoiseContext) -> None:
    tally = await models.Tally.get(key="us-president-2020/ga").prefetch_related("area", "sources")
    assert tally.area is not None
    assert (tally.area.code, tally.area.name, tally.area.external_ids) == (
        "US-GA",
        "Georgia",
        {"fips": 13, "icpsr": 44},
    )
    assert tally.valid == 4999960
    found = await lines("us-president-2020/ga")
    assert found["joe-biden"] == (2473633, 16)
    assert found["donald-trump"] == (2461854, None)
    assert {s.key for s in tally.sources} >= {"medsl-president-1976-2020"}


async def test_the_national_tally_is_the_sum_of_the_states(data_sets: TortoiseContext) -> None:
    states: list[Any] = await models.Tally.filter(
        election__key="us-president-2016", area_id__isnull=False
    ).values_list("valid", flat=True)
    national = await models.Tally.get(key="us-president-2016/national")
    assert len(states) == 51
    assert await models.Tally.filter(key=national.key, area=None).exists()
    assert national.valid == sum(states) == 136787187
    found = await lines("us-president-2016/national")
    assert found["donald-trump"] == (62985062, 304)
    assert found["hillary-clinton"] == (65853503, 227)
    assert found["colin-powell"] == (None, 3)
    # Maine by district: three electors for Clinton, one for Trump.
    assert (await lines("us-president-2016/me"))["donald-trump"][1] == 1


def test_electoral_votes_that_differ_from_the_published_totals_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "us-president"
    shutil.copytree(DATA.root / "us-president", folder)
    votes = folder / "electoral-votes.csv"
    text = votes.read_text(encoding="utf-8")
    old = "2020,GA,BIDEN JOSEPH R. JR,16,"
    assert old in text
    votes.write_text(text.replace(old, "2020,GA,BIDEN JOSEPH R. JR,15,"), encoding="utf-8")
    found = medsl.read(DATA.medsl, medsl.Curated.beside(folder))
    [error] = found.errors
    assert str(error).startswith(f"{DATA.medsl}:")
    assert "2020: the electoral votes by state add up to" in str(error)
    assert "'us-president-2020/joe-biden': 305" in str(error)


def test_a_file_with_other_columns_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "president.csv"
    text = DATA.medsl.read_text(encoding="utf-8")
    file.write_text(text.replace("candidatevotes", "votes", 1), encoding="utf-8")
    found = medsl.read(file, DATA.curated)
    assert [str(e) for e in found.errors] == [
        f"{file}:1: missing column 'candidatevotes'; unknown column 'votes': the columns are"
        " not the published ones"
    ]
    assert not found.batch.sections


async def test_every_year_has_the_published_electoral_votes(data_sets: TortoiseContext) -> None:
    people = {}
    with (DATA.root / "us-president" / "people.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            people[row["medsl_name"]] = row["name"]
    published: dict[int, Counter[str]] = defaultdict(Counter)
    with (DATA.root / "us-president" / "national-totals.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["candidate"]:  # the abstention of 2000 has no line
                published[int(row["year"])][people[row["candidate"]]] += int(row["electoral_votes"])
    assert sorted(published) == list(range(1976, 2021, 4))
    for year, totals in published.items():
        rows = await models.TallyLine.filter(
            tally__key=f"us-president-{year}/national", seats__isnull=False
        ).values_list("candidacy__person__name", "seats")
        assert Counter(dict(rows)) == totals, year
        assert sum(totals.values()) == (537 if year == 2000 else 538)
    national = await models.Tally.get(key="us-president-2000/national")
    assert national.summary == "1 elector abstained."


async def test_the_result_of_a_us_election_is_its_national_tally(
    data_sets: TortoiseContext,
) -> None:
    data = await run('{ election(key: "us-president-2020") { result { key } } }')
    assert data == {"election": {"result": {"key": "us-president-2020/national"}}}


MEDSL_SOURCE = {
    "key": "medsl-president-1976-2020",
    "publisher": "MIT Election Data and Science Lab",
    "title": "U.S. President 1976\N{EN DASH}2020",
    "version": "20210113 (the file's version column)",
    "licence": "CC0 1.0",
    "url": "https://doi.org/10.7910/DVN/42MVDX",
}
CITED = """{
  biden: person(key: "joe-biden") { name sources { key publisher title version licence url } }
  democrats: organization(key: "us-democratic-party") {
    name
    sources { key publisher title version licence url }
  }
  powell: person(key: "colin-powell") { name sources { key publisher url } }
}"""


async def test_people_and_parties_cite_where_they_are_found(data_sets: TortoiseContext) -> None:
    assert await run(CITED) == {
        "biden": {"name": "Joe Biden", "sources": [MEDSL_SOURCE]},
        "democrats": {"name": "Democratic Party", "sources": [MEDSL_SOURCE]},
        # Colin Powell is not in MEDSL's file: three faithless electors of Washington voted
        # for him in 2016, and the source of their votes is his.
        "powell": {
            "name": "Colin Powell",
            "sources": [
                {
                    "key": "src-48cf4ee3f8f1",
                    "publisher": "apnews.com",
                    "url": "https://apnews.com/b135b14d42fa4e2ab12bdf4e48bc87d0",
                }
            ],
        },
    }
