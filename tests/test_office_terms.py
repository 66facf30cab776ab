"""Office terms: how each began, which consecutive term it was, its length from partial
dates, its neighbours in the office (previousTerm, nextTerm, predecessor, successor); the
root officeTerms(country:, office:); Person.officeTerms and Person.averageWinningShare;
and the two docs/queries operations on Ilham Aliyev.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import loader
from schema.office_term import first_day
from tests.support.running import nodes, run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
PRESIDENT = "President of Azerbaijan"


def years_to_today(started: dt.date) -> float:
    """yearsInOffice of a term that is still running."""
    return round((dt.date.today() - started).days / 365.25, 1)


# --- docs/queries/ilham-aliyev-terms.graphql ----------------------------------------------


async def test_query_ilham_aliyev_terms(world: TortoiseContext) -> None:
    query = (QUERIES / "ilham-aliyev-terms.graphql").read_text(encoding="utf-8")

    def term(
        number: int, started: str, ended: str | None, election: str, date: str
    ) -> dict[str, Any]:
        return {
            "office": PRESIDENT,
            "started": started,
            "ended": ended,
            "beganBy": "ELECTED",
            "consecutiveTerm": number,
            # The last other holder before each of his terms: his father.
            "predecessor": {"name": "Heydar Aliyev"},
            "election": {"key": election, "date": date},
        }

    def candidacy(election: str, age: int) -> dict[str, Any]:
        return {"election": {"key": election}, "ageAtElection": age, "won": True}

    expected = {
        "person": {
            "name": "Ilham Aliyev",
            "birthDate": "1961-12-24",
            "officeTerms": {
                "nodes": [
                    term(1, "2003-10", "2008-10", "az-president-2003", "2003-10-15"),
                    term(2, "2008-10", "2013-10", "az-president-2008", "2008-10-15"),
                    term(3, "2013-10", "2018-04", "az-president-2013", "2013-10-09"),
                    term(4, "2018-04", "2024-02", "az-president-2018", "2018-04-11"),
                    term(5, "2024-02", None, "az-president-2024", "2024-02-07"),
                ]
            },
            # 41 in 2003, not 62 as the seed article has it; 62 in 2024.
            "candidacies": {
                "nodes": [
                    candidacy("az-president-2003", 41),
                    candidacy("az-president-2008", 46),
                    candidacy("az-president-2013", 51),
                    candidacy("az-president-2018", 56),
                    candidacy("az-president-2024", 62),
                ]
            },
        }
    }
    assert await run(query) == expected
    data = await run(query, {"key": "ilham-aliyev"})
    assert data == expected
    ages = [c["ageAtElection"] for c in nodes(data["person"]["candidacies"])]
    assert ages == [41, 46, 51, 56, 62]
    assert nodes(data["person"]["officeTerms"])[-1]["consecutiveTerm"] == 5

    # His father: two terms, the first after Elchibey.
    heydar = await run(query, {"key": "heydar-aliyev"})
    assert [
        (t["started"], t["ended"], t["consecutiveTerm"], t["predecessor"])
        for t in nodes(heydar["person"]["officeTerms"])
    ] == [
        ("1993-10", "1998-10", 1, {"name": "Abulfaz Elchibey"}),
        ("1998-10", "2003-10", 2, {"name": "Abulfaz Elchibey"}),
    ]
    assert await run(query, {"key": "nobody"}) == {"person": None}


# --- docs/queries/ilham-aliyev-average-share.graphql -------------------------------------


async def test_query_ilham_aliyev_average_share(world: TortoiseContext) -> None:
    query = (QUERIES / "ilham-aliyev-average-share.graphql").read_text(encoding="utf-8")

    def won(election: str, date: str, share: float) -> dict[str, Any]:
        return {"election": {"key": election, "date": date}, "share": share, "won": True}

    expected = {
        "person": {
            "name": "Ilham Aliyev",
            # (76.84 + 88.73 + 84.54 + 86.02) / 4 = 84.0325: the "about 85 %" is 84.0.
            "beforeCutoff": 84.03,
            # (336.13 + 92.12) / 5 = 85.65
            "allElections": 85.65,
            "candidacies": {
                "nodes": [
                    won("az-president-2003", "2003-10-15", 76.84),
                    won("az-president-2008", "2008-10-15", 88.73),
                    won("az-president-2013", "2013-10-09", 84.54),
                    won("az-president-2018", "2018-04-11", 86.02),
                    won("az-president-2024", "2024-02-07", 92.12),
                ]
            },
        }
    }
    assert await run(query) == expected
    assert await run(query, {"key": "ilham-aliyev", "until": "2023-12-31"}) == expected
    data = await run(query)
    assert round(data["person"]["beforeCutoff"], 1) == 84.0
    assert round(data["person"]["allElections"], 1) == 85.7
    # The cut-off day counts: up to the 2024 polling day itself, all five.
    data = await run(query, {"until": "2024-02-07"})
    assert data["person"]["beforeCutoff"] == 85.65
    data = await run(query, {"until": "2024-02-06"})
    assert data["person"]["beforeCutoff"] == 84.03


@pytest.mark.parametrize(
    ("person", "since", "until", "average"),
    [
        ("ilham-aliyev", None, None, 85.65),
        ("ilham-aliyev", "2003-01-01", "2018-12-31", 84.03),
        ("ilham-aliyev", "2024-01-01", None, 92.12),
        ("ilham-aliyev", "2019-01-01", "2023-12-31", None),
        # Heydar Aliyev: 98.8 (1993) and 77.6 (1998).
        ("heydar-aliyev", None, None, 88.2),
        ("heydar-aliyev", None, "1995-01-01", 98.8),
        ("abulfaz-elchibey", None, None, 60.87),
        # Stood three times, never won.
        ("zahid-oruj", None, None, None),
        # Never stood.
        ("emin-huseynov", None, None, None),
    ],
)
async def test_average_winning_share(
    world: TortoiseContext, person: str, since: str | None, until: str | None, average: float | None
) -> None:
    query = """
    query Average($key: String!, $since: Date, $until: Date) {
      person(key: $key) { averageWinningShare(since: $since, until: $until) }
    }
    """
    data = await run(query, {"key": person, "since": since, "until": until})
    assert data == {"person": {"averageWinningShare": average}}


# --- Root officeTerms and the line of holders ---------------------------------------------


TERMS = """
query Terms($country: String!, $office: String!) {
  officeTerms(country: $country, office: $office) {
    key
    person { key }
    started
    ended
    beganBy
    election { key }
    consecutiveTerm
    yearsInOffice
    previousTerm { key }
    nextTerm { key }
    predecessor { key }
    successor { key }
  }
}
"""


def row(
    key: str,
    person: str,
    started: str,
    ended: str | None,
    number: int,
    years: float,
    previous: str | None,
    following: str | None,
    predecessor: str | None,
    successor: str | None,
    *,
    began_by: str = "ELECTED",
    election: str | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "person": {"key": person},
        "started": started,
        "ended": ended,
        "beganBy": began_by,
        "election": None if election is None else {"key": election},
        "consecutiveTerm": number,
        "yearsInOffice": years,
        "previousTerm": None if previous is None else {"key": previous},
        "nextTerm": None if following is None else {"key": following},
        "predecessor": None if predecessor is None else {"key": predecessor},
        "successor": None if successor is None else {"key": successor},
    }


def az(year: int, who: str) -> str:
    return f"president-of-azerbaijan/{year}-{who}"


async def test_presidents_of_azerbaijan(world: TortoiseContext) -> None:
    data = await run(TERMS, {"country": "az", "office": PRESIDENT})
    elchibey, heydar, ilham = "abulfaz-elchibey", "heydar-aliyev", "ilham-aliyev"
    running = years_to_today(dt.date(2024, 2, 1))
    # fmt: off
    assert data == {
        "officeTerms": [
            # key, person, started, ended, consecutive term, years in office,
            # previous term, next term, predecessor, successor, election
            # 1992-06 to "1993": from 1 June 1992 to 1 January 1993, the first days the
            # partial dates can mean.
            row(az(1992, elchibey), elchibey, "1992-06", "1993", 1, 0.6,
                None, az(1993, heydar), None, heydar, election="az-president-1992"),
            row(az(1993, heydar), heydar, "1993-10", "1998-10", 1, 5.0,
                az(1992, elchibey), az(1998, heydar), elchibey, ilham,
                election="az-president-1993"),
            row(az(1998, heydar), heydar, "1998-10", "2003-10", 2, 5.0,
                az(1993, heydar), az(2003, ilham), elchibey, ilham,
                election="az-president-1998"),
            row(az(2003, ilham), ilham, "2003-10", "2008-10", 1, 5.0,
                az(1998, heydar), az(2008, ilham), heydar, None, election="az-president-2003"),
            row(az(2008, ilham), ilham, "2008-10", "2013-10", 2, 5.0,
                az(2003, ilham), az(2013, ilham), heydar, None, election="az-president-2008"),
            # Cut short by the snap election of April 2018: 1 Oct 2013 to 1 Apr 2018.
            row(az(2013, ilham), ilham, "2013-10", "2018-04", 3, 4.5,
                az(2008, ilham), az(2018, ilham), heydar, None, election="az-president-2013"),
            # A seven-year term cut short by the snap election of February 2024.
            row(az(2018, ilham), ilham, "2018-04", "2024-02", 4, 5.8,
                az(2013, ilham), az(2024, ilham), heydar, None, election="az-president-2018"),
            # Still running: counted to today.
            row(az(2024, ilham), ilham, "2024-02", None, 5, running,
                az(2018, ilham), None, heydar, None, election="az-president-2024"),
        ]
    }
    # fmt: on


async def test_office_terms_filters(world: TortoiseContext) -> None:
    # The country code is case-insensitive; the office must match exactly.
    upper = await run(TERMS, {"country": " AZ ", "office": PRESIDENT})
    assert len(upper["officeTerms"]) == 8
    assert await run(TERMS, {"country": "AZ", "office": "president of azerbaijan"}) == {
        "officeTerms": []
    }
    assert await run(TERMS, {"country": "GE", "office": PRESIDENT}) == {"officeTerms": []}


async def test_heydar_aliyev_terms_and_successor(world: TortoiseContext) -> None:
    query = """
    {
      person(key: "heydar-aliyev") {
        officeTerms {
          nodes {
            key beganBy consecutiveTerm yearsInOffice
            predecessor { name } successor { name }
            previousTerm { person { name } } nextTerm { person { name } }
            summary
            sources { key }
          }
        }
      }
    }
    """
    assert await run(query) == {
        "person": {
            "officeTerms": {
                "nodes": [
                    {
                        "key": az(1993, "heydar-aliyev"),
                        "beganBy": "ELECTED",
                        "consecutiveTerm": 1,
                        "yearsInOffice": 5.0,
                        "predecessor": {"name": "Abulfaz Elchibey"},
                        "successor": {"name": "Ilham Aliyev"},
                        "previousTerm": {"person": {"name": "Abulfaz Elchibey"}},
                        "nextTerm": {"person": {"name": "Heydar Aliyev"}},
                        "summary": (
                            "Began with Heydar Aliyev's win at the early election of 3 October "
                            "1993; a five-year term, renewed at the election of October 1998."
                        ),
                        "sources": [
                            {"key": "aliyev-heritage-cec-1993"},
                            {"key": "wikimili-az-1993"},
                            {"key": "wp-mirror-eudic-az-1998"},
                        ],
                    },
                    {
                        "key": az(1998, "heydar-aliyev"),
                        "beganBy": "ELECTED",
                        "consecutiveTerm": 2,
                        "yearsInOffice": 5.0,
                        "predecessor": {"name": "Abulfaz Elchibey"},
                        "successor": {"name": "Ilham Aliyev"},
                        "previousTerm": {"person": {"name": "Heydar Aliyev"}},
                        "nextTerm": {"person": {"name": "Ilham Aliyev"}},
                        "summary": (
                            "Second term, won on 11 October 1998; it ended when his son Ilham "
                            "Aliyev took over after the election of October 2003."
                        ),
                        "sources": [
                            {"key": "wikipedia-mobile-az-2003"},
                            {"key": "wp-mirror-eudic-az-1998"},
                        ],
                    },
                ]
            }
        }
    }


async def test_office_term_node_and_election(world: TortoiseContext) -> None:
    data = await run(
        '{ person(key: "ilham-aliyev") { officeTerms { nodes { id key election { key } } } } }'
    )
    first = nodes(data["person"]["officeTerms"])[0]
    query = """
    query Node($id: ID!) {
      node(id: $id) { id ... on OfficeTerm { key office person { name } election { key } } }
    }
    """
    assert await run(query, {"id": first["id"]}) == {
        "node": {
            "id": first["id"],
            "key": az(2003, "ilham-aliyev"),
            "office": PRESIDENT,
            "person": {"name": "Ilham Aliyev"},
            "election": {"key": "az-president-2003"},
        }
    }


# --- Partial dates and an interrupted line, in a world of its own -------------------------


@pytest.mark.parametrize(
    ("partial", "day"),
    [
        ("2003", dt.date(2003, 1, 1)),
        ("2003-10", dt.date(2003, 10, 1)),
        ("2003-10-31", dt.date(2003, 10, 31)),
    ],
)
def test_first_day_of_a_partial_date(partial: str, day: dt.date) -> None:
    assert first_day(partial) == day


LINE = """
sources:
  - key: "src"
    url: "https://example.org/src"
    publisher: "Example"
countries:
  - {code: "GE", name: "Georgia"}
  - {code: "AM", name: "Armenia"}
people:
  - {key: "anna", name: "Anna"}
  - {key: "boris", name: "Boris"}
  - {key: "carla", name: "Carla"}
  - {key: "david", name: "David"}
elections:
  - {key: "ge-2000", country: "GE", kind: "presidential", office: "President",
     date: 2000-06-25, sources: ["src"]}
  - {key: "ge-2004", country: "GE", kind: "presidential", office: "President",
     date: 2004-06-13, sources: ["src"]}
office_terms:
  # Listed out of order on purpose.
  - {key: "ge/4", person: "anna", office: "President", country: "GE", started: "2004-06-15",
     ended: "2008", began_by: "elected", election: "ge-2004", sources: ["src"]}
  - {key: "ge/1", person: "anna", office: "President", country: "GE", started: "2000",
     ended: "2000-07-02", began_by: "succeeded", sources: ["src"]}
  - {key: "ge/3", person: "boris", office: "President", country: "GE", started: "2004-05",
     ended: "2004-06-15", began_by: "acting", sources: ["src"]}
  - {key: "ge/2", person: "anna", office: "President", country: "GE", started: "2000-07-02",
     ended: "2004-05", began_by: "elected", election: "ge-2000", sources: ["src"]}
  # Another office of the same country, and the same office in another country.
  - {key: "ge/pm", person: "carla", office: "Prime Minister", country: "GE", started: "2002",
     ended: "2003", began_by: "succeeded", sources: ["src"]}
  - {key: "am/1", person: "david", office: "President", country: "AM", started: "2003-06",
     ended: "2004-06", began_by: "succeeded", sources: ["src"]}
"""


async def test_line_of_holders(empty_db: TortoiseContext, tmp_path: Path) -> None:
    path = tmp_path / "terms.yaml"
    path.write_text(textwrap.dedent(LINE), encoding="utf-8")
    await loader.load([path])
    data = await run(TERMS, {"country": "GE", "office": "President"})
    # fmt: off
    assert data == {
        "officeTerms": [
            # "2000" to 2 July 2000: from 1 January, 183 days.
            row("ge/1", "anna", "2000", "2000-07-02", 1, 0.5,
                None, "ge/2", None, "boris", began_by="SUCCEEDED"),
            row("ge/2", "anna", "2000-07-02", "2004-05", 2, 3.8,
                "ge/1", "ge/3", None, "boris", election="ge-2000"),
            # An acting holder in between: 1 May to 15 June 2004.
            row("ge/3", "boris", "2004-05", "2004-06-15", 1, 0.1,
                "ge/2", "ge/4", "anna", "anna", began_by="ACTING"),
            # Anna again: counted from 1 after Boris's interlude.
            row("ge/4", "anna", "2004-06-15", "2008", 1, 3.5,
                "ge/3", None, "boris", None, election="ge-2004"),
        ]
    }
    # fmt: on
    # Alone in its office: no neighbours.
    pm = "Prime Minister"
    alone = row("ge/pm", "carla", "2002", "2003", 1, 1.0, *[None] * 4, began_by="SUCCEEDED")
    data = await run(TERMS, {"country": "GE", "office": pm})
    assert data == {"officeTerms": [alone]}
    data = await run('{ person(key: "anna") { officeTerms { nodes { key } } } }')
    assert data == {"person": {"officeTerms": {"nodes": [{"key": f"ge/{n}"} for n in (1, 2, 4)]}}}
