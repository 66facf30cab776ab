"""Exit polls: lines against the preferred final tally (share, official share, discrepancy),
each poll's mean absolute and largest discrepancy, the root exitPoll(key:); and
Election.stageMovement, how far the published tallies of an election moved apart.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import loader
from tests.support.running import run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"

GD = "Georgian Dream \u2013 Democratic Georgia"
CFC = "Coalition for Change"
UNITY = "Unity \u2013 National Movement"
STRONG = "Strong Georgia"
GAKHARIA = "Gakharia \u2013 For Georgia"


def line(
    name: str,
    share: float | None,
    official: float | None,
    discrepancy: float | None,
    *,
    seats: int | None = None,
    below: float | None = None,
) -> dict[str, Any]:
    return {
        "candidacy": {"name": name},
        "share": share,
        "shareBelow": below,
        "seats": seats,
        "officialShare": official,
        "discrepancy": discrepancy,
    }


def poll(
    key: str,
    pollster: str,
    channel: str,
    mean: float,
    largest: float,
    lines: list[dict[str, Any]],
    *,
    sample_size: int | None = None,
    margin_of_error: float | None = None,
) -> dict[str, Any]:
    return {
        "key": f"ge-parliament-2024/{key}",
        "pollster": {"name": pollster},
        "commissionedBy": {"name": channel},
        "released": "2024-10-26",
        "releasedTime": "20:00",
        "sampleSize": sample_size,
        "marginOfError": margin_of_error,
        "meanAbsoluteDiscrepancy": mean,
        "largestDiscrepancy": largest,
        "lines": lines,
    }


# Official shares: the CEC summary protocol of 16 November 2024 (the preferred tally).
GEORGIA_EXIT_POLLS = [
    poll(
        "exit-poll-edison",
        "Edison Research",
        "Formula",
        # (13.03 + 5.67 + 6.53 + 1.49 + 0.42) / 5 = 5.428
        5.43,
        -13.03,
        [
            line(GD, 40.9, 53.93, -13.03, seats=67),
            # Equal estimates: in the order the candidacies were loaded.
            line(CFC, 16.7, 11.03, 5.67, seats=27),
            line(UNITY, 16.7, 10.17, 6.53, seats=27),
            line(STRONG, 10.3, 8.81, 1.49, seats=16),
            line(GAKHARIA, 8.2, 7.78, 0.42, seats=13),
            # Below the threshold: no line in the final tally, so no gap.
            line("Girchi", 2.3, None, None),
            line("Alliance of Patriots / Alt-Info", 2.0, None, None),
            line("Labour Party", 2.0, None, None),
        ],
        sample_size=14946,
        margin_of_error=2.5,
    ),
    poll(
        "exit-poll-gorbi",
        "GORBI",
        "Imedi",
        # (2.17 + 1.57 + 1.43 + 1.81) / 4 = 1.745; Gakharia's bound has no gap.
        1.75,
        2.17,
        [
            line(GD, 56.1, 53.93, 2.17),
            line(CFC, 12.6, 11.03, 1.57),
            line(UNITY, 11.6, 10.17, 1.43),
            line(STRONG, 7.0, 8.81, -1.81),
            line(GAKHARIA, None, 7.78, None, below=5.0),
        ],
    ),
    poll(
        "exit-poll-harrisx",
        "HarrisX",
        "Mtavari Arkhi",
        # (11.93 + 6.97 + 2.83 + 0.19 + 0.22) / 5 = 4.428
        4.43,
        -11.93,
        [
            line(GD, 42.0, 53.93, -11.93),
            line(CFC, 18.0, 11.03, 6.97),
            line(UNITY, 13.0, 10.17, 2.83),
            line(STRONG, 9.0, 8.81, 0.19),
            line(GAKHARIA, 8.0, 7.78, 0.22),
        ],
    ),
]


async def test_query_georgia_2024_exit_poll_gaps(world: TortoiseContext) -> None:
    query = (QUERIES / "georgia-2024-exit-poll-gaps.graphql").read_text(encoding="utf-8")
    expected = {
        "election": {"key": "ge-parliament-2024", "exitPolls": {"nodes": GEORGIA_EXIT_POLLS}}
    }
    assert await run(query) == expected
    assert await run(query, {"key": "ge-parliament-2024"}) == expected
    # The facts the question is about.
    edison, gorbi, _ = GEORGIA_EXIT_POLLS
    assert edison["lines"][0] == line(GD, 40.9, 53.93, -13.03, seats=67)
    assert gorbi["lines"][-1]["candidacy"] == {"name": GAKHARIA}
    assert gorbi["lines"][-1]["share"] is None
    assert gorbi["lines"][-1]["shareBelow"] == 5.0
    # Edison's seat projection: 67 for Georgian Dream against 83 for the four opposition lists.
    assert sum(line["seats"] or 0 for line in edison["lines"][1:]) == 83


async def test_exit_poll_by_key(world: TortoiseContext) -> None:
    query = """
    query ExitPoll($key: String!) {
      exitPoll(key: $key) {
        key
        pollster { key kind }
        commissionedBy { key kind }
        election { key }
        released
        releasedTime
        sampleSize
        stations
        marginOfError
        summary
        meanAbsoluteDiscrepancy
        largestDiscrepancy
        lines { candidacy { key } share discrepancy }
        sources { key }
      }
    }
    """
    assert await run(query, {"key": "az-president-2013/exit-poll-cooperation-alliance"}) == {
        "exitPoll": {
            "key": "az-president-2013/exit-poll-cooperation-alliance",
            "pollster": {"key": "cooperation-alliance", "kind": "NGO"},
            "commissionedBy": None,
            "election": {"key": "az-president-2013"},
            "released": "2013-10-09",
            "releasedTime": None,
            "sampleSize": None,
            "stations": 939,
            "marginOfError": None,
            "summary": (
                "Exit poll by the Cooperation Alliance NGO at 939 polling stations, published by "
                "Trend on polling day."
            ),
            # Aliyev 83.89 against 84.54, Hasanli 8.20 against 5.53.
            "meanAbsoluteDiscrepancy": 1.66,
            "largestDiscrepancy": 2.67,
            "lines": [
                {
                    "candidacy": {"key": "az-president-2013/ilham-aliyev"},
                    "share": 83.89,
                    "discrepancy": -0.65,
                },
                {
                    "candidacy": {"key": "az-president-2013/jamil-hasanli"},
                    "share": 8.2,
                    "discrepancy": 2.67,
                },
            ],
            "sources": [{"key": "trend-2199693"}],
        }
    }
    data = await run(query, {"key": "ge-parliament-2024/exit-poll-edison"})
    assert data["exitPoll"]["pollster"] == {"key": "edison-research", "kind": "POLLSTER"}
    assert data["exitPoll"]["commissionedBy"] == {"key": "formula-tv", "kind": "MEDIA"}
    assert data["exitPoll"]["sources"] == [
        {"key": "edison-exit-poll-release"},
        {"key": "jam-news-exit-polls"},
        {"key": "unn-first-exit-polls"},
        {"key": "vidthmb-112-ua-edison"},
    ]
    assert await run(query, {"key": "no-such-poll"}) == {"exitPoll": None}


EXIT_POLLS = """
query ExitPolls($key: String!) {
  election(key: $key) {
    exitPolls {
      nodes {
        key
        meanAbsoluteDiscrepancy
        largestDiscrepancy
        lines { share officialShare discrepancy }
      }
    }
  }
}
"""


@pytest.mark.parametrize(
    ("election", "expected"),
    [
        (
            # Every poll has one line, Aliyev's; official 92.12. By release date, then key.
            "az-president-2024",
            [
                ("exit-poll-oracle-advisory-group", 1.78, 1.78, [(93.9, 92.12, 1.78)]),
                ("exit-poll-ray-monitoring-center", 0.48, 0.48, [(92.6, 92.12, 0.48)]),
                ("exit-poll-social-research-center", 0.28, 0.28, [(92.4, 92.12, 0.28)]),
            ],
        ),
        (
            "az-president-2018",
            [("exit-poll-finkelstein", 0.45, -0.45, [(85.57, 86.02, -0.45)])],
        ),
        (
            "az-president-2013",
            [
                (
                    "exit-poll-cooperation-alliance",
                    1.66,
                    2.67,
                    [(83.89, 84.54, -0.65), (8.2, 5.53, 2.67)],
                ),
                # A negative largest discrepancy keeps its sign; the mean is absolute.
                ("exit-poll-finkelstein", 0.84, -0.84, [(83.7, 84.54, -0.84)]),
            ],
        ),
        # No exit poll is stored for 2008 or the earlier elections.
        ("az-president-2008", []),
        ("az-president-1993", []),
    ],
)
async def test_exit_poll_discrepancies(
    world: TortoiseContext,
    election: str,
    expected: list[tuple[str, float, float, list[tuple[float, float, float]]]],
) -> None:
    data = await run(EXIT_POLLS, {"key": election})
    assert data == {
        "election": {
            "exitPolls": {
                "nodes": [
                    {
                        "key": f"{election}/{key}",
                        "meanAbsoluteDiscrepancy": mean,
                        "largestDiscrepancy": largest,
                        "lines": [
                            {"share": share, "officialShare": official, "discrepancy": gap}
                            for share, official, gap in lines
                        ],
                    }
                    for key, mean, largest, lines in expected
                ]
            }
        }
    }


# --- A small world of its own: no official result, several rounds ------------------------


SMALL = """
sources:
  - key: "src"
    url: "https://example.org/src"
    publisher: "Example"
countries:
  - code: "GE"
    name: "Georgia"
people:
  - key: "anna"
    name: "Anna"
  - key: "boris"
    name: "Boris"
  - key: "carla"
    name: "Carla"
organizations:
  - key: "pollster"
    name: "Pollster"
    kind: "pollster"
elections:
  - key: "counted"
    country: "GE"
    kind: "presidential"
    office: "President"
    date: 2020-10-04
    sources: ["src"]
  - key: "uncounted"
    country: "GE"
    kind: "presidential"
    office: "President"
    date: 2022-10-02
    sources: ["src"]
candidacies:
  - {key: "counted/anna", election: "counted", person: "anna", sources: ["src"]}
  - {key: "counted/boris", election: "counted", person: "boris", sources: ["src"]}
  - {key: "counted/carla", election: "counted", person: "carla", sources: ["src"]}
  - {key: "uncounted/anna", election: "uncounted", person: "anna", sources: ["src"]}
tallies:
  - key: "counted/round-1"
    election: "counted"
    stage: "final"
    as_of: 2020-10-05
    lines:
      - {candidacy: "counted/anna", share: 40.0}
      - {candidacy: "counted/boris", share: 35.0}
      - {candidacy: "counted/carla", share: 25.0}
    sources: ["src"]
  - key: "counted/round-2-preliminary"
    election: "counted"
    round: 2
    stage: "preliminary"
    as_of: 2020-10-18
    counted_share: 50
    lines:
      - {candidacy: "counted/anna", share: 54.0}
      - {candidacy: "counted/boris", share: 46.0}
    sources: ["src"]
  - key: "counted/round-2"
    election: "counted"
    round: 2
    stage: "final"
    as_of: 2020-10-20
    preferred: true
    lines:
      - {candidacy: "counted/anna", share: 55.5}
      - {candidacy: "counted/boris", share: 44.5}
    sources: ["src"]
exit_polls:
  - key: "counted/poll"
    election: "counted"
    pollster: "pollster"
    released: 2020-10-18
    lines:
      - {candidacy: "counted/boris", share: 47.0}
      - {candidacy: "counted/anna", share: 50.0}
      - {candidacy: "counted/carla", share_below: 48}
    sources: ["src"]
  - key: "uncounted/poll"
    election: "uncounted"
    pollster: "pollster"
    released: 2022-10-02
    lines:
      - {candidacy: "uncounted/anna", share: 60.0}
    sources: ["src"]
"""


async def load_small(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(textwrap.dedent(SMALL), encoding="utf-8")
    await loader.load([path])


async def test_discrepancy_against_the_preferred_tally_only(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    await load_small(tmp_path)
    query = """
    {
      a: exitPoll(key: "counted/poll") {
        meanAbsoluteDiscrepancy largestDiscrepancy
        lines { candidacy { key } share shareBelow officialShare discrepancy }
      }
      b: exitPoll(key: "uncounted/poll") {
        meanAbsoluteDiscrepancy largestDiscrepancy
        lines { candidacy { key } share shareBelow officialShare discrepancy }
      }
    }
    """
    assert await run(query) == {
        "a": {
            # Anna 50 against 55.5, Boris 47 against 44.5; Carla is not in the preferred
            # (second-round) tally, and her line gives only a bound.
            "meanAbsoluteDiscrepancy": 4.0,
            "largestDiscrepancy": -5.5,
            # Highest estimate first; a bound ranks by its value.
            "lines": [
                {
                    "candidacy": {"key": "counted/anna"},
                    "share": 50.0,
                    "shareBelow": None,
                    "officialShare": 55.5,
                    "discrepancy": -5.5,
                },
                {
                    "candidacy": {"key": "counted/carla"},
                    "share": None,
                    "shareBelow": 48.0,
                    "officialShare": None,
                    "discrepancy": None,
                },
                {
                    "candidacy": {"key": "counted/boris"},
                    "share": 47.0,
                    "shareBelow": None,
                    "officialShare": 44.5,
                    "discrepancy": 2.5,
                },
            ],
        },
        # No official result at all: nothing to measure against.
        "b": {
            "meanAbsoluteDiscrepancy": None,
            "largestDiscrepancy": None,
            "lines": [
                {
                    "candidacy": {"key": "uncounted/anna"},
                    "share": 60.0,
                    "shareBelow": None,
                    "officialShare": None,
                    "discrepancy": None,
                }
            ],
        },
    }


# --- Election.stageMovement -----------------------------------------------------------------


STAGE_MOVEMENT = """
query StageMovement($key: String!) {
  election(key: $key) {
    stageMovement { candidacy { key } shares lowest highest spread }
  }
}
"""


def movement(
    key: str, shares: list[float], lowest: float, highest: float, spread: float
) -> dict[str, Any]:
    return {
        "candidacy": {"key": key},
        "shares": shares,
        "lowest": lowest,
        "highest": highest,
        "spread": spread,
    }


async def test_stage_movement_azerbaijan_2024(world: TortoiseContext) -> None:
    data = await run(STAGE_MOVEMENT, {"key": "az-president-2024"})
    # Tallies in stage order: preliminary at 54.47 % (7 Feb), at 93.35 % (8 Feb), the seed
    # article's rounded figures (8 Feb); then final: the CEC protocol (13 Feb) and ISPD's
    # figures (undated, so last). Candidacies in the order of the preferred tally.
    assert data == {
        "election": {
            "stageMovement": [
                movement(
                    "az-president-2024/ilham-aliyev",
                    [92.1, 92.05, 92.0, 92.12, 92.12],
                    92.0,
                    92.12,
                    0.12,
                ),
                movement(
                    "az-president-2024/zahid-oruj", [2.2, 2.19, 2.2, 2.17, 2.17], 2.17, 2.2, 0.03
                ),
                movement(
                    "az-president-2024/fazil-mustafa", [1.99, 2.0, 1.99, 1.98], 1.98, 2.0, 0.02
                ),
                movement(
                    "az-president-2024/gudrat-hasanguliyev",
                    [1.78, 1.76, 1.72, 1.72],
                    1.72,
                    1.78,
                    0.06,
                ),
                movement(
                    "az-president-2024/razi-nurullayev", [0.79, 0.8, 0.8, 0.8], 0.79, 0.8, 0.01
                ),
                movement("az-president-2024/musayev", [0.66, 0.67, 0.66, 0.66], 0.66, 0.67, 0.01),
                movement("az-president-2024/f-aliyev", [0.48, 0.53, 0.54, 0.53], 0.48, 0.54, 0.06),
            ]
        }
    }


async def test_stage_movement_georgia_2024(world: TortoiseContext) -> None:
    data = await run(STAGE_MOVEMENT, {"key": "ge-parliament-2024"})
    assert data["election"]["stageMovement"][:5] == [
        # 70.91 % counted, hand count at 99.64 %, 3,110 of 3,111 stations, final protocol.
        movement(
            "ge-parliament-2024/georgian-dream", [52.99, 54.08, 53.92, 53.93], 52.99, 54.08, 1.09
        ),
        movement(
            "ge-parliament-2024/coalition-for-change",
            [11.2, 10.92, 11.04, 11.03],
            10.92,
            11.2,
            0.28,
        ),
        movement(
            "ge-parliament-2024/unity-national-movement", [10.12, 10.16, 10.17], 10.12, 10.17, 0.05
        ),
        movement("ge-parliament-2024/strong-georgia", [8.78, 8.81, 8.81], 8.78, 8.81, 0.03),
        movement("ge-parliament-2024/gakharia-for-georgia", [7.76, 7.77, 7.78], 7.76, 7.78, 0.02),
    ]
    # Lists absent from the preferred tally come after, by key, each with one share.
    assert data["election"]["stageMovement"][5:] == [
        movement("ge-parliament-2024/alliance-of-patriots-alt-info", [2.53], 2.53, 2.53, 0.0),
        movement("ge-parliament-2024/girchi", [3.22], 3.22, 3.22, 0.0),
        movement("ge-parliament-2024/labour-party", [0.75], 0.75, 0.75, 0.0),
    ]


async def test_stage_movement_of_the_last_round_only(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    await load_small(tmp_path)
    assert await run(STAGE_MOVEMENT, {"key": "counted"}) == {
        "election": {
            "stageMovement": [
                movement("counted/anna", [54.0, 55.5], 54.0, 55.5, 1.5),
                movement("counted/boris", [46.0, 44.5], 44.5, 46.0, 1.5),
            ]
        }
    }
    # No tallies at all.
    assert await run(STAGE_MOVEMENT, {"key": "uncounted"}) == {"election": {"stageMovement": []}}


async def test_the_root_list_by_release_then_key(world: TortoiseContext) -> None:
    data = await run(
        """{ exitPolls(filter: {country: "GE"}) { totalCount nodes {
            key released sampleSize pollster { key } } } }"""
    )
    assert data == {
        "exitPolls": {
            "totalCount": 3,
            "nodes": [
                {
                    "key": "ge-parliament-2024/exit-poll-edison",
                    "released": "2024-10-26",
                    "sampleSize": 14946,
                    "pollster": {"key": "edison-research"},
                },
                {
                    "key": "ge-parliament-2024/exit-poll-gorbi",
                    "released": "2024-10-26",
                    "sampleSize": None,
                    "pollster": {"key": "gorbi"},
                },
                {
                    "key": "ge-parliament-2024/exit-poll-harrisx",
                    "released": "2024-10-26",
                    "sampleSize": None,
                    "pollster": {"key": "harrisx"},
                },
            ],
        }
    }


async def test_the_root_list_by_pollster_and_release_date(world: TortoiseContext) -> None:
    data = await run(
        """{ a: exitPolls(filter: {pollster: "arthur-j-finkelstein-associates"},
                          orderBy: [{field: RELEASED, direction: DESC}]) { nodes { key } }
             b: exitPolls(filter: {released: {from: "2018-01-01", to: "2024-02-07"}}) {
                totalCount }
             c: exitPolls(orderBy: [{field: SAMPLE_SIZE, direction: DESC}], first: 1) {
                nodes { key } } }"""
    )
    assert data == {
        "a": {
            "nodes": [
                {"key": "az-president-2018/exit-poll-finkelstein"},
                {"key": "az-president-2013/exit-poll-finkelstein"},
            ]
        },
        "b": {"totalCount": 4},  # 2018 and the three of 2024
        "c": {"nodes": [{"key": "ge-parliament-2024/exit-poll-edison"}]},
    }
