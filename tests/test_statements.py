"""Statements: stances on a whole election (rejections, fraud allegations, observer verdicts,
boycotts), by date; the kind filters of Election.statements and of the root `elections`;
Person.statements; and the two docs/queries operations built on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from tests.support.running import nodes, run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


def query_text(name: str) -> str:
    return (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")


def org(name: str, short_name: str | None = None) -> dict[str, Any]:
    return {"name": name, "shortName": short_name}


APFP = org("Azerbaijani Popular Front Party", "APFP")
MUSAVAT = org("Musavat")
ODIHR = org("OSCE Office for Democratic Institutions and Human Rights", "OSCE/ODIHR")


# --- docs/queries/azerbaijan-2024-objections.graphql --------------------------------------


async def test_query_azerbaijan_2024_objections(world: TortoiseContext) -> None:
    query = query_text("azerbaijan-2024-objections")
    expected = {
        "election": {
            "key": "az-president-2024",
            "date": "2024-02-07",
            "rejections": {
                "nodes": [
                    {
                        "key": "az-president-2024/rejection-apfp",
                        "date": None,
                        "person": None,
                        "organization": APFP,
                        "actorDescription": None,
                        "summary": (
                            "According to the Georgian news report of the result, the Azerbaijani "
                            "Popular Front Party called the outcome of the 7 February vote "
                            "illegitimate and not a reflection of what voters wanted, pointing to "
                            "the lack of any real competition and to pressure, fear and threats "
                            "surrounding the ballot."
                        ),
                        "sources": [{"key": "seed-article-2024-02"}],
                    }
                ]
            },
            "fraudAllegations": {
                "nodes": [
                    {
                        # A person speaking for an organization: both are given.
                        "key": "az-president-2024/fraud-allegation-emin-huseynov",
                        "date": None,
                        "person": {"name": "Emin Huseynov"},
                        "organization": org("Azerbaijani Civil Coalition in Exile", "AZEX"),
                        "actorDescription": None,
                        "summary": (
                            "In an interview with Kavkazsky Uzel, quoted in the same Georgian "
                            "report, AZEX co-chair Emin Huseynov said the state had mobilised "
                            'civil servants and, for the first time, students for "carousel" '
                            "voting to produce a score above 90 %, against an average of about "
                            "85 % for Aliyev in earlier elections; in his view the vote served "
                            "to give Aliyev seven more years in power."
                        ),
                        "sources": [{"key": "seed-article-2024-02"}],
                    }
                ]
            },
            # Dated first; ODIHR's findings carry no date of their own, so they come last.
            "observerAssessments": {
                "nodes": [
                    {
                        "key": "az-president-2024/emds-preliminary",
                        "date": "2024-02-08",
                        "person": None,
                        "organization": org("EMDS"),
                        "actorDescription": None,
                        "summary": (
                            "The domestic monitor EMDS found that the election lacked genuine "
                            "competition and reported group and multiple voting, interference by "
                            "local executive authorities, pressure on observers, and gaps between "
                            "the turnout its observers saw and the official figures."
                        ),
                        "sources": [{"key": "epde-emds-preliminary"}],
                    },
                    {
                        "key": "az-president-2024/odihr-preliminary",
                        "date": None,
                        "person": None,
                        "organization": ODIHR,
                        "actorDescription": None,
                        "summary": (
                            "OSCE/ODIHR's preliminary findings, as relayed by the EU's EEAS on 9 "
                            "February 2024, described a restrictive political climate: "
                            "preparations were handled efficiently, but critical voices were "
                            "silenced and voters had no genuine alternative. Polling day was calm "
                            "and mostly orderly, yet observers noted frequent disregard of "
                            "mandatory procedures, little transparency and many serious "
                            "irregularities. The findings' own release date is not given."
                        ),
                        "sources": [{"key": "einpresswire-687428779"}],
                    },
                ]
            },
        }
    }
    assert await run(query) == expected
    assert await run(query, {"key": "az-president-2024"}) == expected


async def test_objections_of_other_elections(world: TortoiseContext) -> None:
    query = query_text("azerbaijan-2024-objections")

    def who(
        connection: dict[str, Any],
    ) -> list[tuple[str | None, str | None, str | None, str | None]]:
        return [
            (
                item["date"],
                item["person"] and item["person"]["name"],
                item["organization"] and item["organization"]["name"],
                item["actorDescription"],
            )
            for item in nodes(connection)
        ]

    georgia = (await run(query, {"key": "ge-parliament-2024"}))["election"]
    assert {name: who(georgia[name]) for name in georgia if name not in ("key", "date")} == {
        "rejections": [
            (None, None, "Coalition for Change", None),
            (None, None, "Gakharia \u2013 For Georgia", None),
            (None, None, "Strong Georgia", None),
            (None, None, "Unity \u2013 National Movement", None),
        ],
        "fraudAllegations": [("2024-11-01", None, "Edison Research", None)],
        "observerAssessments": [
            ("2024-10-27", None, ODIHR["name"], None),
            ("2024-12-20", None, ODIHR["name"], None),
        ],
    }
    # 1993: no statements of any kind.
    assert (await run(query, {"key": "az-president-1993"}))["election"] == {
        "key": "az-president-1993",
        "date": "1993-10-03",
        "rejections": {"nodes": []},
        "fraudAllegations": {"nodes": []},
        "observerAssessments": {"nodes": []},
    }
    assert await run(query, {"key": "no-such-election"}) == {"election": None}


# --- docs/queries/boycotted-elections.graphql ---------------------------------------------


def boycott(
    date: str | None,
    organization: dict[str, Any] | None,
    summary: str,
    actor_description: str | None = None,
) -> dict[str, Any]:
    return {
        "date": date,
        "person": None,
        "organization": organization,
        "actorDescription": actor_description,
        "summary": summary,
    }


def listed_2008(party: str) -> str:
    return (
        f"The {party} is listed by Wikipedia among the five opposition parties that refused "
        "to take part, citing unfair conditions."
    )


BOYCOTTED: list[dict[str, Any]] = [
    {
        "key": "az-president-1998",
        "date": "1998-10-11",
        "country": {"code": "AZ"},
        # Nobody named: the source describes the boycotters without naming them.
        "statements": {
            "nodes": [
                boycott(
                    None,
                    None,
                    "Five of the main opposition leaders stayed out of the race after their demand "
                    "for a third of the seats on the Central Election Commission was turned down.",
                    actor_description="five leading opposition politicians",
                ),
            ]
        },
    },
    {
        "key": "az-president-2008",
        "date": "2008-10-15",
        "country": {"code": "AZ"},
        # Dated announcements first, then the undated ones by key.
        "statements": {
            "nodes": [
                boycott(
                    "2008-07-20",
                    org("Azadliq bloc"),
                    "The opposition Azadliq bloc resolved on 20 July 2008 to stay out of the "
                    "presidential election, according to the European Stability Initiative.",
                ),
                boycott(
                    "2008-08-04",
                    MUSAVAT,
                    "Musavat announced its boycott on 4 August 2008, the same day the ruling party "
                    "put Ilham Aliyev forward for a second term.",
                ),
                boycott(None, APFP, listed_2008("Azerbaijani Popular Front Party")),
                boycott(
                    None,
                    org("Citizen and Progress Party"),
                    listed_2008("Citizen and Progress Party"),
                ),
                boycott(None, org("Democratic Party", "ADP"), listed_2008("Democratic Party")),
                boycott(None, org("Liberal Party"), listed_2008("Liberal Party")),
            ]
        },
    },
    {
        "key": "az-president-2018",
        "date": "2018-04-11",
        "country": {"code": "AZ"},
        "statements": {
            "nodes": [
                boycott(
                    "2018-02-10",
                    MUSAVAT,
                    "Musavat declared on 10 February 2018, five days after the early vote was "
                    "called, that it would boycott it.",
                ),
                boycott(
                    None,
                    org("National Council of Democratic Forces", "NCDF"),
                    "The National Council of Democratic Forces (NCDF) boycotted the snap election.",
                ),
            ]
        },
    },
    {
        "key": "az-president-2024",
        "date": "2024-02-07",
        "country": {"code": "AZ"},
        "statements": {
            "nodes": [
                boycott(
                    None,
                    APFP,
                    "The Azerbaijani Popular Front Party put up no candidate and called on its "
                    "supporters not to vote.",
                ),
                boycott(
                    None,
                    MUSAVAT,
                    "Musavat put up no candidate and called on its supporters not to vote.",
                ),
            ]
        },
    },
]


async def test_query_boycotted_elections(world: TortoiseContext) -> None:
    query = query_text("boycotted-elections")

    def whole(connection: dict[str, Any]) -> list[dict[str, Any]]:
        """The page's items, once it is checked to be the whole list, ending at endCursor."""
        edges = connection["edges"]
        assert connection["totalCount"] == len(edges)
        assert connection["pageInfo"] == {
            "hasNextPage": False,
            "endCursor": edges[-1]["cursor"] if edges else None,
        }
        return [edge["node"] for edge in edges]

    assert whole((await run(query))["elections"]) == BOYCOTTED
    assert whole((await run(query, {"country": "az"}))["elections"]) == BOYCOTTED
    # Georgia's opposition rejected the 2024 result but did not boycott the vote.
    assert await run(query, {"country": "GE"}) == {
        "elections": {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }
    }
    # Two at a time: the second page starts after the first one's end cursor.
    first = (await run(query, {"first": 2}))["elections"]
    assert first["totalCount"] == 4
    assert first["pageInfo"] == {"hasNextPage": True, "endCursor": first["edges"][1]["cursor"]}
    after = first["pageInfo"]["endCursor"]
    second = (await run(query, {"first": 2, "after": after}))["elections"]
    assert second["totalCount"] == 4
    assert second["pageInfo"] == {"hasNextPage": False, "endCursor": second["edges"][1]["cursor"]}
    assert [edge["node"] for edge in first["edges"] + second["edges"]] == BOYCOTTED

    def who(statement: dict[str, Any]) -> str:
        """The organization's name, or the description of actors the sources do not name."""
        assert statement["person"] is None
        if statement["organization"] is None:
            return str(statement["actorDescription"])
        assert statement["actorDescription"] is None
        return str(statement["organization"]["name"])

    # Who boycotted, election by election.
    data = await run(query)
    assert {
        edge["node"]["key"][-4:]: sorted(who(s) for s in nodes(edge["node"]["statements"]))
        for edge in data["elections"]["edges"]
    } == {
        "1998": ["five leading opposition politicians"],
        "2008": [
            "Azadliq bloc",
            "Azerbaijani Popular Front Party",
            "Citizen and Progress Party",
            "Democratic Party",
            "Liberal Party",
            "Musavat",
        ],
        "2018": ["Musavat", "National Council of Democratic Forces"],
        "2024": ["Azerbaijani Popular Front Party", "Musavat"],
    }


# --- Election.statements --------------------------------------------------------------------


ALL_STATEMENTS = """
query Statements($key: String!, $kind: StatementKind) {
  election(key: $key) {
    statements(kind: $kind) {
      nodes {
        key
        kind
        date
        person { key }
        organization { key }
        election { key }
      }
    }
  }
}
"""


async def test_statements_by_date_then_undated_by_key(world: TortoiseContext) -> None:
    data = await run(ALL_STATEMENTS, {"key": "az-president-2024"})

    def statement(
        key: str, kind: str, date: str | None, person: str | None, organization: str | None
    ) -> dict[str, Any]:
        return {
            "key": f"az-president-2024/{key}",
            "kind": kind,
            "date": date,
            "person": person and {"key": person},
            "organization": organization and {"key": organization},
            "election": {"key": "az-president-2024"},
        }

    assert data == {
        "election": {
            "statements": {
                "nodes": [
                    statement(
                        "emds-preliminary", "OBSERVER_ASSESSMENT", "2024-02-08", None, "emds"
                    ),
                    statement(
                        "boycott-apfp", "BOYCOTT", None, None, "azerbaijani-popular-front-party"
                    ),
                    statement("boycott-musavat", "BOYCOTT", None, None, "musavat"),
                    statement(
                        "fraud-allegation-emin-huseynov",
                        "FRAUD_ALLEGATION",
                        None,
                        "emin-huseynov",
                        "azex",
                    ),
                    statement("odihr-preliminary", "OBSERVER_ASSESSMENT", None, None, "osce-odihr"),
                    statement(
                        "rejection-apfp", "REJECTS", None, None, "azerbaijani-popular-front-party"
                    ),
                ]
            }
        }
    }


@pytest.mark.parametrize(
    ("kind", "keys"),
    [
        ("BOYCOTT", ["boycott-apfp", "boycott-musavat"]),
        ("REJECTS", ["rejection-apfp"]),
        ("FRAUD_ALLEGATION", ["fraud-allegation-emin-huseynov"]),
        ("OBSERVER_ASSESSMENT", ["emds-preliminary", "odihr-preliminary"]),
        # Nobody's recognition of the result is recorded.
        ("RECOGNISES", []),
    ],
)
async def test_statements_kind_filter(world: TortoiseContext, kind: str, keys: list[str]) -> None:
    data = await run(ALL_STATEMENTS, {"key": "az-president-2024", "kind": kind})
    statements = nodes(data["election"]["statements"])
    assert [s["key"] for s in statements] == [f"az-president-2024/{key}" for key in keys]
    assert {s["kind"] for s in statements} <= {kind}


async def test_statements_of_1998_and_2003(world: TortoiseContext) -> None:
    query = """
    {
      a: election(key: "az-president-1998") {
        statements { nodes { key kind date actorDescription } }
      }
      b: election(key: "az-president-2003") {
        statements { nodes { key kind date actorDescription } }
      }
    }
    """
    assert await run(query) == {
        "a": {
            "statements": {
                "nodes": [
                    {
                        "key": "az-president-1998/osce-chairman-in-office",
                        "kind": "OBSERVER_ASSESSMENT",
                        "date": "1998-10-16",
                        "actorDescription": None,
                    },
                    # Undated, by key: the boycott before the rejection.
                    {
                        "key": "az-president-1998/boycott-opposition-leaders",
                        "kind": "BOYCOTT",
                        "date": None,
                        "actorDescription": "five leading opposition politicians",
                    },
                    {
                        "key": "az-president-1998/rejection-etibar-mammadov",
                        "kind": "REJECTS",
                        "date": None,
                        "actorDescription": None,
                    },
                ]
            }
        },
        "b": {
            "statements": {
                "nodes": [
                    {
                        "key": "az-president-2003/odihr-final-report",
                        "kind": "OBSERVER_ASSESSMENT",
                        "date": "2003-11-12",
                        "actorDescription": None,
                    },
                    {
                        "key": "az-president-2003/rejection-isa-gambar",
                        "kind": "REJECTS",
                        "date": None,
                        "actorDescription": None,
                    },
                ]
            }
        },
    }


# --- Root elections(filter: {hasStatement:}) ---------------------------------------------------


ELECTIONS_WITH = """
query Elections($kind: StatementKind, $country: String, $first: Int = 100) {
  elections(filter: {hasStatement: $kind, country: $country}, first: $first) {
    totalCount
    nodes { key }
  }
}
"""


@pytest.mark.parametrize(
    ("kind", "country", "keys"),
    [
        # 2008 has six boycott statements and is listed once; 1998's boycott names nobody.
        (
            "BOYCOTT",
            None,
            ["az-president-1998", "az-president-2008", "az-president-2018", "az-president-2024"],
        ),
        (
            "REJECTS",
            None,
            [
                "az-president-1998",
                "az-president-2003",
                "az-president-2018",
                "az-president-2024",
                "ge-parliament-2024",
            ],
        ),
        ("REJECTS", "GE", ["ge-parliament-2024"]),
        (
            "FRAUD_ALLEGATION",
            None,
            ["az-president-2013", "az-president-2024", "ge-parliament-2024"],
        ),
        (
            "OBSERVER_ASSESSMENT",
            "AZ",
            [
                "az-president-1998",
                "az-president-2003",
                "az-president-2008",
                "az-president-2013",
                "az-president-2018",
                "az-president-2024",
            ],
        ),
        ("RECOGNISES", None, []),
    ],
)
async def test_elections_by_statement_kind(
    world: TortoiseContext, kind: str, country: str | None, keys: list[str]
) -> None:
    data = await run(ELECTIONS_WITH, {"kind": kind, "country": country})
    assert data == {"elections": {"totalCount": len(keys), "nodes": [{"key": key} for key in keys]}}


async def test_elections_by_statement_kind_counts_distinct_elections(
    world: TortoiseContext,
) -> None:
    # `first` limits elections, not joined statement rows: 2008's six boycotts are one row,
    # so the third election is 2018's, not 2008's again; the total counts elections too.
    data = await run(ELECTIONS_WITH, {"kind": "BOYCOTT", "first": 3})
    assert data == {
        "elections": {
            "totalCount": 4,
            "nodes": [
                {"key": "az-president-1998"},
                {"key": "az-president-2008"},
                {"key": "az-president-2018"},
            ],
        }
    }
    # Without the filter, every election.
    data = await run(ELECTIONS_WITH, {"kind": None})
    assert data["elections"]["totalCount"] == len(nodes(data["elections"])) == 9


# --- Person.statements and the statement's own fields ---------------------------------------


async def test_person_statements(world: TortoiseContext) -> None:
    query = """
    query PersonStatements($key: String!) {
      person(key: $key) { statements { nodes { key kind election { key } } } }
    }
    """
    assert await run(query, {"key": "emin-huseynov"}) == {
        "person": {
            "statements": {
                "nodes": [
                    {
                        "key": "az-president-2024/fraud-allegation-emin-huseynov",
                        "kind": "FRAUD_ALLEGATION",
                        "election": {"key": "az-president-2024"},
                    }
                ]
            }
        }
    }
    assert await run(query, {"key": "etibar-mammadov"}) == {
        "person": {
            "statements": {
                "nodes": [
                    {
                        "key": "az-president-1998/rejection-etibar-mammadov",
                        "kind": "REJECTS",
                        "election": {"key": "az-president-1998"},
                    }
                ]
            }
        }
    }
    # Statements by organizations are not the statements of a person: Ilham Aliyev made none.
    assert await run(query, {"key": "ilham-aliyev"}) == {"person": {"statements": {"nodes": []}}}


async def test_statement_sources(world: TortoiseContext) -> None:
    query = """
    {
      election(key: "az-president-2008") {
        statements(kind: BOYCOTT) { nodes { key sources { key } } }
      }
    }
    """
    data = await run(query)
    musavat = [
        s
        for s in nodes(data["election"]["statements"])
        if s["key"] == "az-president-2008/boycott-musavat"
    ]

    # Sources by key.
    assert musavat == [
        {
            "key": "az-president-2008/boycott-musavat",
            "sources": [
                {"key": "cryer-az-2008"},
                {"key": "esi-az-2008"},
                {"key": "wikipedia-az-2008-older"},
            ],
        }
    ]


async def statement_keys(arguments: str) -> list[str]:
    data = await run(f"{{ statements({arguments}) {{ nodes {{ key }} }} }}")
    return [s["key"] for s in nodes(data["statements"])]


async def test_the_root_list_filters_by_kind_country_and_speaker(world: TortoiseContext) -> None:
    assert await statement_keys('filter: {kind: BOYCOTT, country: "AZ"}, first: 3') == [
        "az-president-2008/boycott-azadliq-bloc",
        "az-president-2008/boycott-musavat",
        "az-president-2018/boycott-musavat",
    ]
    assert await statement_keys('filter: {person: "emin-huseynov"}') == [
        "az-president-2024/fraud-allegation-emin-huseynov"
    ]
    assert await statement_keys(
        'filter: {country: "GE", kind: OBSERVER_ASSESSMENT, date: {from: "2024-12-01"}}'
    ) == ["ge-parliament-2024/odihr-final-report"]
    data = await run('{ statements(filter: {election: "ge-parliament-2024"}) { totalCount } }')
    assert data == {"statements": {"totalCount": 7}}  # two verdicts, an allegation, four rejections


async def test_the_root_list_by_date_newest_first_undated_last(world: TortoiseContext) -> None:
    keys = await statement_keys(
        'filter: {organization: "musavat"}, orderBy: [{field: DATE, direction: DESC}]'
    )
    assert keys == [
        "az-president-2018/boycott-musavat",
        "az-president-2008/boycott-musavat",
        # undated, by key
        "az-president-2003/rejection-isa-gambar",
        "az-president-2013/fraud-allegation-musavat",
        "az-president-2024/boycott-musavat",
    ]


async def test_an_organizations_statements_mirror_a_persons(world: TortoiseContext) -> None:
    data = await run(
        """{ organization(key: "musavat") { statements(first: 2) {
            totalCount nodes { key kind date person { key } } } } }"""
    )
    assert data == {
        "organization": {
            "statements": {
                "totalCount": 5,
                "nodes": [
                    {
                        "key": "az-president-2008/boycott-musavat",
                        "kind": "BOYCOTT",
                        "date": "2008-08-04",
                        "person": None,
                    },
                    {
                        "key": "az-president-2018/boycott-musavat",
                        "kind": "BOYCOTT",
                        "date": "2018-02-10",
                        "person": None,
                    },
                ],
            }
        }
    }
