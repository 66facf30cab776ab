"""Legal cases: court and commission decisions about an election, their appeals both ways
(appealOf, appeals), the whole chain, the precincts and areas they annulled, the root
legalCase(key:); and the docs/queries operation on the Tetritskaro chain.
"""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import loader
import models
from tests.support.running import run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
KHUCHUA = "ge-parliament-2024/case-tetritskaro-vote-secrecy"
APPEAL = "ge-parliament-2024/case-tetritskaro-appeal"

TETRITSKARO_CHAIN = [
    {
        # Judge Khuchua's ruling: 30 precincts annulled in Tetritskaro and Tsalka.
        "key": KHUCHUA,
        "court": {"name": "Tetritskaro District Court"},
        "judges": [{"name": "Vladimer Khuchua"}],
        "claimantPeople": [],
        # By key: future-academy, gyla, open-space-caucasus, ti-georgia.
        "claimantOrganizations": [
            {"name": "Future Academy"},
            {"name": "Georgian Young Lawyers' Association"},
            {"name": "Open Space Caucasus"},
            {"name": "Transparency International Georgia"},
        ],
        "filed": None,
        "decided": "2024-11-04",
        "subject": "Violation of vote secrecy at electronically counted precincts",
        "outcome": "GRANTED",
        "precinctsAnnulled": 30,
        "annulledAreas": [{"name": "Tetritskaro"}, {"name": "Tsalka"}],
        "appealOf": None,
    },
    {
        # The Tbilisi Court of Appeal granted the CEC's appeal and quashed the ruling; its
        # date is not given, so it comes after the dated ruling.
        "key": APPEAL,
        "court": {"name": "Tbilisi Court of Appeal"},
        "judges": [
            {"name": "Davit Akhalbedashvili"},
            {"name": "Dimitri Gvritishvili"},
            {"name": "Gocha Didava"},
        ],
        "claimantPeople": [],
        "claimantOrganizations": [{"name": "Central Election Commission of Georgia"}],
        "filed": None,
        "decided": None,
        "subject": "Appeal against the annulment of 30 precinct results in Tetritskaro and Tsalka",
        "outcome": "GRANTED",
        "precinctsAnnulled": None,
        "annulledAreas": [],
        "appealOf": {"key": KHUCHUA},
    },
]


async def test_query_tetritskaro_court_chain(world: TortoiseContext) -> None:
    query = (QUERIES / "tetritskaro-court-chain.graphql").read_text(encoding="utf-8")
    expected = {"legalCase": {"chain": TETRITSKARO_CHAIN}}
    assert await run(query) == expected
    # Any case of the chain gives the whole chain.
    assert await run(query, {"key": KHUCHUA}) == expected
    assert await run(query, {"key": APPEAL}) == expected
    # A case outside any appeal is a chain of one.
    data = await run(query, {"key": "ge-parliament-2024/cec-marneuli-69"})
    assert [step["key"] for step in data["legalCase"]["chain"]] == [
        "ge-parliament-2024/cec-marneuli-69"
    ]
    assert await run(query, {"key": "no-such-case"}) == {"legalCase": None}


async def test_appeals_both_ways(world: TortoiseContext) -> None:
    query = """
    query Case($key: String!) {
      legalCase(key: $key) {
        key
        appealOf { key appeals { key } }
        appeals { key appealOf { key } }
      }
    }
    """
    assert await run(query, {"key": KHUCHUA}) == {
        "legalCase": {
            "key": KHUCHUA,
            "appealOf": None,
            "appeals": [{"key": APPEAL, "appealOf": {"key": KHUCHUA}}],
        }
    }
    assert await run(query, {"key": APPEAL}) == {
        "legalCase": {
            "key": APPEAL,
            "appealOf": {"key": KHUCHUA, "appeals": [{"key": APPEAL}]},
            "appeals": [],
        }
    }


async def test_election_legal_cases(world: TortoiseContext) -> None:
    query = """
    query Cases($key: String!) {
      election(key: $key) {
        legalCases {
          nodes {
            key
            court { key }
            claimantPeople { key }
            claimantOrganizations { key }
            judges { key }
            filed
            decided
            outcome
            precinctsAnnulled
            annulledAreas { key }
            election { key }
          }
        }
      }
    }
    """

    def case(
        key: str,
        court: str,
        outcome: str,
        *,
        filed: str | None = None,
        decided: str | None = None,
        people: tuple[str, ...] = (),
        organizations: tuple[str, ...] = (),
        judges: tuple[str, ...] = (),
        precincts: int | None = None,
        areas: tuple[str, ...] = (),
        election: str = "ge-parliament-2024",
    ) -> dict[str, Any]:
        return {
            "key": f"{election}/{key}",
            "court": {"key": court},
            "claimantPeople": [{"key": k} for k in people],
            "claimantOrganizations": [{"key": k} for k in organizations],
            "judges": [{"key": k} for k in judges],
            "filed": filed,
            "decided": decided,
            "outcome": outcome,
            "precinctsAnnulled": precincts,
            "annulledAreas": [{"key": k} for k in areas],
            "election": {"key": election},
        }

    # By decision date (filing date when undecided), undated ones last, ties by key.
    assert await run(query, {"key": "ge-parliament-2024"}) == {
        "election": {
            "legalCases": {
                "nodes": [
                    case(
                        "case-tetritskaro-vote-secrecy",
                        "tetritskaro-district-court",
                        "GRANTED",
                        decided="2024-11-04",
                        organizations=(
                            "future-academy",
                            "gyla",
                            "open-space-caucasus",
                            "ti-georgia",
                        ),
                        judges=("vladimer-khuchua",),
                        precincts=30,
                        areas=("tetritskaro", "tsalka"),
                    ),
                    case(
                        "case-summary-protocol",
                        "ge-appellate-court-unnamed",
                        "REJECTED",
                        filed="2024-11-18",
                        decided="2024-11-22",
                        organizations=(
                            "gakharia-for-georgia",
                            "gyla",
                            "strong-georgia",
                            "unity-national-movement",
                        ),
                        judges=("khatia-ardazishvili", "natia-merabishvili", "nino-chalidze"),
                    ),
                    case(
                        "case-constitutional-opposition-mps",
                        "constitutional-court-georgia",
                        "REFUSED",
                        decided="2024-11-29",
                    ),
                    case(
                        "case-constitutional-president",
                        "constitutional-court-georgia",
                        "REFUSED",
                        filed="2024-11-19",
                        decided="2024-11-29",
                        people=("salome-zourabichvili",),
                    ),
                    case(
                        "case-tetritskaro-appeal",
                        "tbilisi-court-of-appeal",
                        "GRANTED",
                        organizations=("cec-georgia",),
                        judges=("davit-akhalbedashvili", "dimitri-gvritishvili", "gocha-didava"),
                    ),
                    # A commission's decision is a case too: the CEC is its "court".
                    case(
                        "cec-marneuli-69",
                        "cec-georgia",
                        "GRANTED",
                        precincts=1,
                        areas=("marneuli",),
                    ),
                ]
            }
        }
    }
    assert await run(query, {"key": "az-president-2008"}) == {
        "election": {
            "legalCases": {
                "nodes": [
                    # Eight polling stations annulled by the CEC; where is not recorded.
                    case(
                        "cec-annulled-8-stations",
                        "cec-azerbaijan",
                        "GRANTED",
                        precincts=8,
                        election="az-president-2008",
                    )
                ]
            }
        }
    }
    assert await run(query, {"key": "az-president-2024"}) == {
        "election": {"legalCases": {"nodes": []}}
    }


async def test_legal_case_text_and_sources(world: TortoiseContext) -> None:
    query = """
    query Case($key: String!) {
      legalCase(key: $key) { subject summary sources { key } }
    }
    """
    data = await run(query, {"key": "ge-parliament-2024/case-summary-protocol"})
    assert data == {
        "legalCase": {
            "subject": "Annulment of the CEC summary protocol of the election results",
            "summary": (
                "Three opposition lists and GYLA sued on 18 November 2024 to have the CEC's "
                "summary protocol annulled. On 22 November the claim failed on appeal before "
                "judges Natia Merabishvili, Khatia Ardazishvili and Nino Chalidze. The report "
                "names neither the appellate court nor the first-instance ruling."
            ),
            "sources": [{"key": "zaraz1-198526"}],
        }
    }


# --- A longer chain in a world of its own ---------------------------------------------------


CHAIN = """
sources:
  - key: "src"
    url: "https://example.org/src"
    publisher: "Example"
countries:
  - code: "GE"
    name: "Georgia"
organizations:
  - {key: "district-court", name: "District Court", kind: "court"}
  - {key: "appeal-court", name: "Court of Appeal", kind: "court"}
  - {key: "supreme-court", name: "Supreme Court", kind: "court"}
elections:
  - key: "e"
    country: "GE"
    kind: "parliamentary"
    office: "Parliament"
    date: 2024-10-26
    sources: ["src"]
legal_cases:
  # Listed out of order on purpose: the chain is ordered by date, undated last.
  - key: "e/cassation"
    election: "e"
    court: "supreme-court"
    appeal_of: "e/appeal-by-commission"
    decided: 2024-12-10
    subject: "Cassation"
    outcome: "rejected"
    sources: ["src"]
  - key: "e/appeal-by-party"
    election: "e"
    court: "appeal-court"
    appeal_of: "e/first"
    subject: "Appeal by a party, undated"
    outcome: "refused"
    sources: ["src"]
  - key: "e/appeal-by-commission"
    election: "e"
    court: "appeal-court"
    appeal_of: "e/first"
    filed: 2024-11-05
    decided: 2024-11-12
    subject: "Appeal by the commission"
    outcome: "granted"
    sources: ["src"]
  - key: "e/first"
    election: "e"
    court: "district-court"
    filed: 2024-10-30
    decided: 2024-11-04
    subject: "First instance"
    outcome: "granted"
    sources: ["src"]
  - key: "e/pending"
    election: "e"
    court: "district-court"
    filed: 2024-11-20
    subject: "Another claim, not decided yet"
    outcome: "pending"
    sources: ["src"]
"""

CHAIN_QUERY = """
query Chain($key: String!) {
  legalCase(key: $key) { chain { key } appeals { key } }
}
"""


async def load_chain(tmp_path: Path) -> None:
    path = tmp_path / "chain.yaml"
    path.write_text(textwrap.dedent(CHAIN), encoding="utf-8")
    await loader.load([path])


async def test_chain_of_several_appeals(empty_db: TortoiseContext, tmp_path: Path) -> None:
    await load_chain(tmp_path)
    chain = [
        {"key": "e/first"},
        {"key": "e/appeal-by-commission"},
        {"key": "e/cassation"},
        {"key": "e/appeal-by-party"},
    ]
    appeals = {
        "e/first": [{"key": "e/appeal-by-commission"}, {"key": "e/appeal-by-party"}],
        "e/appeal-by-commission": [{"key": "e/cassation"}],
        "e/appeal-by-party": [],
        "e/cassation": [],
    }
    for key, its_appeals in appeals.items():
        assert await run(CHAIN_QUERY, {"key": key}) == {
            "legalCase": {"chain": chain, "appeals": its_appeals}
        }
    assert await run(CHAIN_QUERY, {"key": "e/pending"}) == {
        "legalCase": {"chain": [{"key": "e/pending"}], "appeals": []}
    }
    # Undecided: ordered by its filing date among the election's cases.
    data = await run('{ election(key: "e") { legalCases { nodes { key outcome } } } }')
    assert data == {
        "election": {
            "legalCases": {
                "nodes": [
                    {"key": "e/first", "outcome": "GRANTED"},
                    {"key": "e/appeal-by-commission", "outcome": "GRANTED"},
                    {"key": "e/pending", "outcome": "PENDING"},
                    {"key": "e/cassation", "outcome": "REJECTED"},
                    {"key": "e/appeal-by-party", "outcome": "REFUSED"},
                ]
            }
        }
    }


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a loop that never yields cannot be cancelled by asyncio."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


async def test_chain_survives_a_loop_of_appeals(empty_db: TortoiseContext, tmp_path: Path) -> None:
    await load_chain(tmp_path)
    # Bad data written behind the loader's back: the first decision "appeals" the cassation.
    cassation = await models.LegalCase.get(key="e/cassation")
    await models.LegalCase.filter(key="e/first").update(appeal_of_id=cassation.pk)
    with deadline(10):
        data = await run(CHAIN_QUERY, {"key": "e/appeal-by-party"})
    # Each case once, by date.
    assert data == {
        "legalCase": {
            "chain": [
                {"key": "e/first"},
                {"key": "e/appeal-by-commission"},
                {"key": "e/cassation"},
                {"key": "e/appeal-by-party"},
            ],
            "appeals": [],
        }
    }


@pytest.mark.parametrize("key", [KHUCHUA, APPEAL])
async def test_legal_case_belongs_to_its_election(world: TortoiseContext, key: str) -> None:
    data = await run(
        "query C($key: String!) { legalCase(key: $key) { election { key date } } }", {"key": key}
    )
    assert data == {"legalCase": {"election": {"key": "ge-parliament-2024", "date": "2024-10-26"}}}


LEGAL_CASES = """query ($f: LegalCaseFilter, $o: [LegalCaseOrder!], $after: String) {
  legalCases(filter: $f, orderBy: $o, first: 3, after: $after) {
    nodes { key } pageInfo { hasNextPage endCursor } } }"""


async def legal_case_keys(
    filter_: dict[str, Any] | None = None, order: list[dict[str, Any]] | None = None
) -> list[str]:
    """Every key of the root list, three a page."""
    keys: list[str] = []
    after = None
    while True:
        data = await run(LEGAL_CASES, {"f": filter_, "o": order, "after": after})
        keys += [c["key"] for c in data["legalCases"]["nodes"]]
        if not data["legalCases"]["pageInfo"]["hasNextPage"]:
            return keys
        after = data["legalCases"]["pageInfo"]["endCursor"]


async def test_the_root_list_by_date_decided_else_filed_undated_last(
    world: TortoiseContext,
) -> None:
    assert await legal_case_keys() == [
        "ge-parliament-2024/case-tetritskaro-vote-secrecy",  # decided 4 November
        "ge-parliament-2024/case-summary-protocol",  # 22 November
        "ge-parliament-2024/case-constitutional-opposition-mps",  # 29 November
        "ge-parliament-2024/case-constitutional-president",  # 29 November
        "az-president-2008/cec-annulled-8-stations",  # undated, by key
        "ge-parliament-2024/case-tetritskaro-appeal",
        "ge-parliament-2024/cec-marneuli-69",
    ]


async def test_the_root_list_filters_by_court_outcome_and_country(world: TortoiseContext) -> None:
    assert await legal_case_keys({"court": "constitutional-court-georgia"}) == [
        "ge-parliament-2024/case-constitutional-opposition-mps",
        "ge-parliament-2024/case-constitutional-president",
    ]
    assert await legal_case_keys({"outcome": "REJECTED"}) == [
        "ge-parliament-2024/case-summary-protocol"
    ]
    assert await legal_case_keys({"country": "az"}) == ["az-president-2008/cec-annulled-8-stations"]
    assert await legal_case_keys(
        {"decided": {"from": "2024-11-20"}}, [{"field": "FILED", "nulls": "FIRST"}]
    ) == [
        "ge-parliament-2024/case-constitutional-opposition-mps",  # not filed: first
        "ge-parliament-2024/case-summary-protocol",  # filed 18 November
        "ge-parliament-2024/case-constitutional-president",  # filed 19 November
    ]
