"""The example operations in docs/queries/, run against the test world.

Every `docs/queries/<name>.graphql` file has a test: here a `test_query_<name>` (hyphens
become underscores) that gets the file's text from the `query` fixture, runs it against the
test world and asserts the answer with the figures of the world; or, for a query that
shows one feature, a test in that feature's module that names the file. A file without a
test, or a test here without a file, fails `test_every_query_file_has_a_test`; every file,
whoever tests it, must hold exactly one named query that the schema accepts.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate
from tortoise.context import TortoiseContext

from schema import schema
from tests.support.running import nodes, run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
QUERY_FILES = sorted(QUERIES.glob("*.graphql"))
PREFIX = "test_query_"


def kebab(operation_name: str) -> str:
    """`Azerbaijan2024Result` -> `azerbaijan-2024-result`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])", "-", operation_name).lower()


@pytest.fixture
def query(request: pytest.FixtureRequest) -> str:
    """The text of the docs/queries file named after the requesting test."""
    name = request.node.originalname.removeprefix(PREFIX).replace("_", "-")
    return (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")


# --- The files themselves ---------------------------------------------------------------


def test_kebab() -> None:
    assert kebab("Azerbaijan2024Result") == "azerbaijan-2024-result"
    assert kebab("ElectionResult") == "election-result"


def named_in_other_tests() -> set[str]:
    """Query files that a test module other than this one names in a string literal."""
    named: set[str] = set()
    for module in Path(__file__).resolve().parent.glob("test_*.py"):
        if module.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value.removesuffix(".graphql"))
    return named


def test_every_query_file_has_a_test() -> None:
    files = {path.stem for path in QUERY_FILES}
    here = {
        name.removeprefix(PREFIX).replace("_", "-")
        for name, value in globals().items()
        if name.startswith(PREFIX) and callable(value)
    }
    assert files, f"no .graphql files in {QUERIES}"
    # A file is tested by `test_query_<name>` here, or by a test module of its own that
    # reads it by name (e.g. the tests of the feature the query shows).
    assert {
        "files without a test": sorted(files - here - named_in_other_tests()),
        "tests here without a file": sorted(here - files),
    } == {"files without a test": [], "tests here without a file": []}


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_each_file_holds_one_named_operation(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), f"{path.name} must open with a # comment saying what it answers"
    document = parse(text)
    assert len(document.definitions) == 1, f"{path.name} must hold exactly one definition"
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert operation.operation == OperationType.QUERY
    assert operation.name is not None, f"{path.name} holds an anonymous operation"
    assert kebab(operation.name.value) == path.stem
    assert validate(schema._schema, document) == []


# --- One test per file ------------------------------------------------------------------


AZ_2024_CANDIDATES = [
    "Ilham Aliyev",
    "Zahid Oruj",
    "Fazil Mustafa",
    "Gudrat Hasanguliyev",
    "Razi Nurullayev",
    "Musayev",
    "F. Aliyev",
]


def stage_lines(
    shares: Sequence[float], votes: Sequence[int | None] | None = None
) -> list[dict[str, Any]]:
    votes = votes if votes is not None else [None] * len(shares)
    return [
        {"candidacy": {"name": name}, "share": share, "votes": count}
        for name, share, count in zip(AZ_2024_CANDIDATES, shares, votes, strict=True)
    ]


def tally(
    key: str,
    stage: str,
    as_of: str | None,
    *,
    counted_share: float | None = None,
    stations: tuple[int, int] | None = None,
    registered: int | None = None,
    valid: int | None = None,
    preferred: bool = False,
    turnout: float | None = None,
    lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "key": f"az-president-2024/{key}",
        "stage": stage,
        "asOf": as_of,
        "countedShare": counted_share,
        "stationsReported": None if stations is None else stations[0],
        "stationsTotal": None if stations is None else stations[1],
        "registered": registered,
        "valid": valid,
        "preferred": preferred,
        "turnout": turnout,
        "lines": lines or [],
    }


async def test_query_election_result(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"key": "az-president-2024"})
    final_cec_votes = [4567458, 107632, 98421, 85411, 39643, 32885, 26517]
    assert data == {
        "election": {
            "key": "az-president-2024",
            "date": "2024-02-07",
            "winner": {
                "name": "Ilham Aliyev",
                "party": {"name": "New Azerbaijan Party"},
                "share": 92.12,
                "votes": 4567458,
            },
            "turnout": 76.43,
            "margin": 89.95,  # 92.12 - 2.17
            "result": {
                "key": "az-president-2024/final-cec",
                "stage": "FINAL",
                "asOf": "2024-02-13",
            },
            # Stage by stage (preliminary, then final); within a stage by date, undated ones
            # (the sources do not say when they were published) last, then by share counted.
            "tallies": {
                "nodes": [
                    tally(
                        "preliminary-54",
                        "PRELIMINARY",
                        "2024-02-07",
                        counted_share=54.47,
                        registered=6478623,
                        lines=stage_lines([92.1, 2.2, 1.99, 1.78, 0.79, 0.66, 0.48]),
                    ),
                    tally(
                        "preliminary-93",
                        "PRELIMINARY",
                        "2024-02-08",
                        counted_share=93.35,
                        stations=(6102, 6537),
                        valid=4651473,
                        lines=stage_lines(
                            [92.05, 2.19, 2.0, 1.76, 0.8, 0.67, 0.53],
                            [4281625, 101851, 92980, 81799, 37386, 31033, 24799],
                        ),
                    ),
                    tally(
                        "preliminary-seed",
                        "PRELIMINARY",
                        "2024-02-08",
                        turnout=77.0,
                        lines=[
                            {"candidacy": {"name": "Ilham Aliyev"}, "share": 92.0, "votes": None},
                            {"candidacy": {"name": "Zahid Oruj"}, "share": 2.2, "votes": None},
                        ],
                    ),
                    tally(
                        "turnout-cec-press-conference", "PRELIMINARY", "2024-02-08", turnout=67.7
                    ),
                    tally(
                        "final-cec",
                        "FINAL",
                        "2024-02-13",
                        preferred=True,
                        turnout=76.43,
                        lines=stage_lines(
                            [92.12, 2.17, 1.99, 1.72, 0.8, 0.66, 0.54], final_cec_votes
                        ),
                    ),
                    tally(
                        "final-ispd",
                        "FINAL",
                        None,
                        lines=stage_lines(
                            [92.12, 2.17, 1.98, 1.72, 0.8, 0.66, 0.53],
                            [4577693, 107877, 98623, 85607, 39727, 32956, 26561],
                        ),
                    ),
                    tally("turnout-hogan-lovells", "FINAL", None, turnout=76.68),
                    tally("turnout-tag24", "FINAL", None, turnout=76.7),
                    tally(
                        "turnout-wikipedia-current",
                        "FINAL",
                        None,
                        registered=6514222,
                        turnout=76.26,
                    ),
                    tally(
                        "turnout-wikipedia-th-mirror",
                        "FINAL",
                        None,
                        registered=6478840,
                        turnout=76.68,
                    ),
                ]
            },
        }
    }
    # The 93.35 % stage: its candidates' votes add up exactly to its valid votes.
    (stage_93,) = [
        t
        for t in nodes(data["election"]["tallies"])
        if t["key"] == "az-president-2024/preliminary-93"
    ]
    assert sum(line["votes"] for line in stage_93["lines"]) == stage_93["valid"] == 4651473


async def test_query_presidential_elections(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"country": "AZ"})
    expected = [
        ("az-president-1992", "1992-06-07", False, "Abulfaz Elchibey", 60.87),
        ("az-president-1993", "1993-10-03", True, "Heydar Aliyev", 98.8),
        ("az-president-1998", "1998-10-11", False, "Heydar Aliyev", 77.6),
        ("az-president-2003", "2003-10-15", False, "Ilham Aliyev", 76.84),
        ("az-president-2008", "2008-10-15", False, "Ilham Aliyev", 88.73),
        ("az-president-2013", "2013-10-09", False, "Ilham Aliyev", 84.54),
        ("az-president-2018", "2018-04-11", True, "Ilham Aliyev", 86.02),
        ("az-president-2024", "2024-02-07", True, "Ilham Aliyev", 92.12),
    ]
    edges = data["elections"]["edges"]
    assert [edge["node"] for edge in edges] == [
        {"key": key, "date": date, "early": early, "winner": {"name": name, "share": share}}
        for key, date, early, name, share in expected
    ]
    # One page holds them all: nothing follows it.
    assert data["elections"]["totalCount"] == 8
    assert data["elections"]["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": edges[-1]["cursor"],
    }
    # Three at a time, each page starting after the last one's end cursor: the same eight.
    pages: list[list[str]] = []
    after = None
    while True:
        page = (await run(query, {"country": "AZ", "first": 3, "after": after}))["elections"]
        assert page["totalCount"] == 8
        pages.append([edge["node"]["key"] for edge in page["edges"]])
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [
        ["az-president-1992", "az-president-1993", "az-president-1998"],
        ["az-president-2003", "az-president-2008", "az-president-2013"],
        ["az-president-2018", "az-president-2024"],
    ]
    # The cursors are those of the single page, item by item.
    assert [edge["cursor"] for edge in edges][2::3] == [
        (await run(query, {"country": "AZ", "first": 3 * i}))["elections"]["pageInfo"]["endCursor"]
        for i in (1, 2)
    ]
    # Georgia's parliamentary election is not presidential; Georgia has no presidential one here.
    assert await run(query, {"country": "ge"}) == {
        "elections": {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }
    }


async def test_query_person_candidacies(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"key": "zahid-oruj"})
    person = data["person"]
    assert person["name"] == "Zahid Oruj"
    candidacies = nodes(person["candidacies"])
    # Without the tallies: what the preferred final tally of each election says about him.
    assert [
        {k: v for k, v in candidacy.items() if k != "election"} for candidacy in candidacies
    ] == [
        # 2013: the preferred final tally has lines only for Aliyev and Hasanli.
        {
            "key": "az-president-2013/zahid-oruj",
            "nomination": "SELF",
            "role": None,
            "share": None,
            "votes": None,
            "won": False,
        },
        {
            "key": "az-president-2018/zahid-oruj",
            "nomination": "SELF",
            "role": None,
            "share": 3.12,
            "votes": 122956,
            "won": False,
        },
        {
            "key": "az-president-2024/zahid-oruj",
            "nomination": "SELF",
            "role": "Member of the National Assembly",
            "share": 2.17,
            "votes": 107632,
            "won": False,
        },
    ]
    assert [(c["election"]["key"], c["election"]["date"]) for c in candidacies] == [
        ("az-president-2013", "2013-10-09"),
        ("az-president-2018", "2018-04-11"),
        ("az-president-2024", "2024-02-07"),
    ]
    # His line in every tally of every election he stood in: (stage, preferred, share, votes),
    # or None where the tally has no line for him.
    his_lines = {
        tally["key"]: [
            (tally["stage"], tally["preferred"], line["share"], line["votes"])
            for line in tally["lines"]
            if line["candidacy"]["key"] == candidacy["key"]
        ]
        for candidacy in candidacies
        for tally in nodes(candidacy["election"]["tallies"])
    }
    assert his_lines == {
        # 2013: only the CEC's preliminary figures of polling night include him.
        "az-president-2013/preliminary-2320": [("PRELIMINARY", False, 1.63, None)],
        "az-president-2013/preliminary-all-precincts": [],
        "az-president-2013/preliminary-early": [],
        "az-president-2013/final": [],
        "az-president-2018/preliminary-92": [("PRELIMINARY", False, 3.11, None)],
        "az-president-2018/final": [("FINAL", True, 3.12, 122956)],
        "az-president-2024/preliminary-54": [("PRELIMINARY", False, 2.2, None)],
        "az-president-2024/final-ispd": [("FINAL", False, 2.17, 107877)],
        "az-president-2024/turnout-hogan-lovells": [],
        "az-president-2024/turnout-tag24": [],
        "az-president-2024/turnout-wikipedia-current": [],
        "az-president-2024/turnout-wikipedia-th-mirror": [],
        "az-president-2024/preliminary-93": [("PRELIMINARY", False, 2.19, 101851)],
        "az-president-2024/preliminary-seed": [("PRELIMINARY", False, 2.2, None)],
        "az-president-2024/turnout-cec-press-conference": [],
        "az-president-2024/final-cec": [("FINAL", True, 2.17, 107632)],
    }
    assert await run(query, {"key": "nobody"}) == {"person": None}


async def test_query_winner_congratulations(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"key": "az-president-2024"})

    def congratulation(
        country: tuple[str, str] | None,
        channel: str | None,
        person: str | None = None,
        organization: str | None = None,
        date: str | None = None,
    ) -> dict[str, Any]:
        return {
            "kind": "CONGRATULATION",
            "date": date,
            "channel": channel,
            "country": None if country is None else {"code": country[0], "name": country[1]},
            "endorserPerson": None if person is None else {"name": person},
            "endorserOrganization": None if organization is None else {"name": organization},
        }

    assert data == {
        "election": {
            "winner": {
                "name": "Ilham Aliyev",
                # Dated ones first, then undated ones by key: none of them has a date.
                "endorsements": {
                    "nodes": [
                        congratulation(("BY", "Belarus"), "CALL", "Alexander Lukashenko"),
                        congratulation(("CN", "China"), None),
                        congratulation(("CU", "Cuba"), "POST", "Miguel Díaz-Canel"),
                        congratulation(
                            None, "LETTER", "Ursula von der Leyen", "European Commission"
                        ),
                        congratulation(("HU", "Hungary"), None),
                        congratulation(("IR", "Iran"), None),
                        congratulation(("KZ", "Kazakhstan"), None),
                        congratulation(("RU", "Russia"), "CALL", "Vladimir Putin"),
                        congratulation(("TR", "Turkey"), "CALL", "Recep Tayyip Erdoğan"),
                        congratulation(
                            ("TR", "Turkey"),
                            "STATEMENT",
                            None,
                            "Ministry of Foreign Affairs of Turkey",
                        ),
                        congratulation(("UZ", "Uzbekistan"), "CALL", "Shavkat Mirziyoyev"),
                        congratulation(("VE", "Venezuela"), "LETTER", "Nicolás Maduro"),
                    ]
                },
            }
        }
    }
    # The countries, each once, with every channel its congratulations came by.
    channels: dict[str, set[str | None]] = {}
    for item in nodes(data["election"]["winner"]["endorsements"]):
        if item["country"] is not None:
            channels.setdefault(item["country"]["name"], set()).add(item["channel"])
    assert channels == {
        "Belarus": {"CALL"},
        "China": {None},
        "Cuba": {"POST"},
        "Hungary": {None},
        "Iran": {None},
        "Kazakhstan": {None},
        "Russia": {"CALL"},
        "Turkey": {"CALL", "STATEMENT"},
        "Uzbekistan": {"CALL"},
        "Venezuela": {"LETTER"},
    }


async def test_query_election_schedule(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"key": "az-president-2024"})
    assert data == {
        "election": {
            "key": "az-president-2024",
            "date": "2024-02-07",
            "early": True,
            "originallyDue": "2025-10",
            "calledOn": "2023-12-07",
            "calledByPerson": {"name": "Ilham Aliyev"},
            "calledByOrganization": None,
            "reason": (
                "Aliyev argued that, once the army's September 2023 campaign in Nagorno-Karabakh "
                "had restored Azerbaijan's sovereignty over its whole territory and opened a new "
                "period, the presidency should be the first office put to a country-wide vote; he "
                "also presented the early vote as a kind of stocktaking after twenty years as "
                "president."
            ),
        }
    }
    # The same operation for an early election called by parliament, and for a regular one.
    called_by_parliament = await run(query, {"key": "az-president-1993"})
    assert called_by_parliament == {
        "election": {
            "key": "az-president-1993",
            "date": "1993-10-03",
            "early": True,
            "originallyDue": None,
            "calledOn": "1993-09-01",
            "calledByPerson": None,
            "calledByOrganization": {"name": "National Assembly of Azerbaijan"},
            "reason": None,
        }
    }
    regular = await run(query, {"key": "az-president-2013"})
    assert regular == {
        "election": {
            "key": "az-president-2013",
            "date": "2013-10-09",
            "early": False,
            "originallyDue": None,
            "calledOn": None,
            "calledByPerson": None,
            "calledByOrganization": None,
            "reason": None,
        }
    }


async def test_query_parliament_result(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"key": "ge-parliament-2024"})

    def line(
        name: str, share: float, seats: int, members: list[str] | None = None
    ) -> dict[str, Any]:
        party = {
            "kind": "PARTY" if members is None else "BLOC",
            "members": {"nodes": [{"name": member} for member in members or []]},
        }
        return {"candidacy": {"name": name, "party": party}, "share": share, "seats": seats}

    assert data == {
        "election": {
            "key": "ge-parliament-2024",
            "seats": 150,
            "result": {
                "stage": "FINAL",
                "asOf": "2024-11-16",
                "lines": [
                    line("Georgian Dream \N{EN DASH} Democratic Georgia", 53.93, 89),
                    line(
                        "Coalition for Change",
                        11.03,
                        19,
                        ["Akhali", "Droa", "Girchi \N{EN DASH} More Freedom"],
                    ),
                    line(
                        "Unity \N{EN DASH} National Movement",
                        10.17,
                        16,
                        ["European Georgia", "Strategy Aghmashenebeli", "United National Movement"],
                    ),
                    line(
                        "Strong Georgia",
                        8.81,
                        14,
                        ["Citizens", "For the People", "Freedom Square", "Lelo"],
                    ),
                    line("Gakharia \N{EN DASH} For Georgia", 7.78, 12),
                ],
            },
        }
    }
    lines = data["election"]["result"]["lines"]
    assert sum(item["seats"] for item in lines) == data["election"]["seats"] == 150


async def test_query_election_sources(world: TortoiseContext, query: str) -> None:
    data = await run(query, {"key": "az-president-2024"})
    sources = data["election"]["allSources"]
    # Every source of the 2024 file plus the seed article, once each, by key.
    assert [(source["key"], source["url"]) for source in sources] == [
        ("cec-az-news-1285", "https://msk.gov.az/en/news/view/1285"),
        ("einpresswire-687428779", "https://www.einpresswire.com/article/687428779"),
        (
            "epde-emds-preliminary",
            "https://epde.org/?news=preliminary-statement-results-of-observation-on-early-"
            "presidential-election-in-azerbaijan",
        ),
        ("geghard-343", "https://geghard-saf.am/en/343"),
        ("hmong-th-az-2024", "https://hmong.in.th/wiki/2024_Azerbaijani_presidential_election"),
        (
            "hogan-lovells-elections-hub-52",
            "https://engagepremium.hoganlovells.com/resources/elections-hub/jurisdiction/52",
        ),
        (
            "hurriyet-190507",
            "https://www.hurriyetdailynews.com/erdogan-congratulates-azerbaijans-aliyev-on-re-"
            "election-win-190507",
        ),
        ("ispd-azerbaijan", "https://ispd.org.cy/azerbaijan/"),
        ("menafn-1107731739", "https://menafn.com/1107731739"),
        ("menafn-1107826805", "https://menafn.com/1107826805"),
        ("menafn-1107830732", "https://menafn.com/1107830732"),
        ("menafn-1107837909", "https://menafn.com/1107837909"),
        ("menafn-1107844554", "https://menafn.com/1107844554"),
        (
            "meydan-tv-2024-election",
            "https://d9mc3ts4czbpr.cloudfront.net/en/article/azerbaijans-2024-presidential-"
            "election-fragmented-opposition-an-obliterated-press-a-grateful-nation/",
        ),
        (
            "news-az-maduro-letter",
            "https://news.az/news/venezuelas-president-nicolas-maduro-sends-congratulatory-"
            "letter-to-president-ilham-aliyev",
        ),
        (
            "nsn-fm-putin-aliyev",
            "https://nsn.fm/amp/policy/putin-pozdravil-alieva-s-pobedoi-na-prezidentskih-vyborah",
        ),
        (
            "sb-by-lukashenko-aliyev",
            "https://www.sb.by/en/lukashenko-congratulated-aliyev-on-convincing-victory-in-"
            "azerbaijan-presidential-elections.html",
        ),
        ("seed-article-2024-02", None),
        ("shamshyan-1257104", "https://shamshyan.com/hy/article/2024/03/05/1257104"),
        ("tag24-970062", "https://sviluppo2024.tag24.it/970062-ilham-aliyev-e-stato-rieletto"),
        (
            "turan-emds-interim",
            "https://turan.az/en/politics/the-presidential-elections-are-held-without-genuine-"
            "political-rivalry",
        ),
        (
            "turan-osce-missions",
            "https://turan.az/en/politics/heads-of-the-osceodihr-and-osce-pa-missions-on-the-"
            "voting-process",
        ),
        ("uic-am-18288", "https://uic.am/en/18288"),
        (
            "wikipedia-az-2024",
            "https://en.wikipedia.org/wiki/2024_Azerbaijani_presidential_election",
        ),
        ("wikipedia-az-2024-snapshot-2024-01", None),
    ]
    # Whole records for a few: the sources without an address carry a title instead.
    by_key = {source["key"]: source for source in sources}
    assert by_key["seed-article-2024-02"] == {
        "key": "seed-article-2024-02",
        "url": None,
        "publisher": "Georgian online news outlet (article carries no address; its trending "
        "list covers Georgian news)",
        "title": "Ilham Aliyev declared winner of Azerbaijan's snap presidential election of "
        "7 February",
        "published": None,
    }
    assert by_key["menafn-1107844554"] == {
        "key": "menafn-1107844554",
        "url": "https://menafn.com/1107844554",
        "publisher": "Trend News Agency via MENAFN",
        "title": None,
        "published": "2024-02-13",
    }
    # Aliyev's own source (his birth date) is a person's source, not the election's.
    assert "wikipedia-ilham-aliyev" not in by_key
