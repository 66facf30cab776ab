"""Tally: published result stages, their order, the preferred one and computed turnout."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from tests.support.running import nodes, run

TALLY = "query ($key: String!) { tally(key: $key) { %s } }"
COUNTS = """round stage asOf countedShare stationsReported stationsTotal registered cast valid
    invalid againstAll turnout turnoutComputed preferred"""


async def test_2024_tallies_in_stage_order(world: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "az-president-2024") {
            tallies { nodes { key round stage asOf countedShare preferred } } } }"""
    )
    assert [tuple(t.values()) for t in nodes(data["election"]["tallies"])] == [
        # Preliminary counts, by date, then by share counted (unknown counts as 100).
        ("az-president-2024/preliminary-54", 1, "PRELIMINARY", "2024-02-07", 54.47, False),
        ("az-president-2024/preliminary-93", 1, "PRELIMINARY", "2024-02-08", 93.35, False),
        ("az-president-2024/preliminary-seed", 1, "PRELIMINARY", "2024-02-08", None, False),
        (
            "az-president-2024/turnout-cec-press-conference",
            1,
            "PRELIMINARY",
            "2024-02-08",
            None,
            False,
        ),
        # Final figures side by side: the dated CEC protocol first, then those whose
        # publication date is unknown, by key; all after every preliminary count.
        ("az-president-2024/final-cec", 1, "FINAL", "2024-02-13", None, True),
        ("az-president-2024/final-ispd", 1, "FINAL", None, None, False),
        ("az-president-2024/turnout-hogan-lovells", 1, "FINAL", None, None, False),
        ("az-president-2024/turnout-tag24", 1, "FINAL", None, None, False),
        ("az-president-2024/turnout-wikipedia-current", 1, "FINAL", None, None, False),
        ("az-president-2024/turnout-wikipedia-th-mirror", 1, "FINAL", None, None, False),
    ]


async def test_2003_preliminary_count_comes_before_the_undated_finals(
    world: TortoiseContext,
) -> None:
    # RFE/RL reported the 91 % count on 18 October; the final figures have no date, as
    # their publication date is unknown, and follow it by key.
    data = await run(
        '{ election(key: "az-president-2003") { tallies { nodes { key stage asOf } } } }'
    )
    assert [tuple(t.values()) for t in nodes(data["election"]["tallies"])] == [
        ("az-president-2003/preliminary-rferl-91", "PRELIMINARY", "2003-10-18"),
        ("az-president-2003/final-cnn", "FINAL", None),
        ("az-president-2003/final-fact-index", "FINAL", None),
        ("az-president-2003/final-wikipedia-current", "FINAL", None),
        ("az-president-2003/final-wikipedia-older", "FINAL", None),
    ]


async def test_one_preferred_tally_per_election(world: TortoiseContext) -> None:
    data = await run(
        "{ elections { nodes { key result { key } tallies { nodes { key preferred } } } } }"
    )
    elections = nodes(data["elections"])
    for election in elections:
        preferred = [t["key"] for t in nodes(election["tallies"]) if t["preferred"]]
        assert preferred == [election["result"]["key"]], election["key"]
    assert {e["key"]: e["result"]["key"] for e in elections} == {
        "az-president-1992": "az-president-1992/final-nohlen",
        "az-president-1993": "az-president-1993/final-cec",
        "az-president-1998": "az-president-1998/final-nohlen",
        "az-president-2003": "az-president-2003/final-wikipedia-current",
        "az-president-2008": "az-president-2008/final-cec",
        "az-president-2013": "az-president-2013/final",
        "az-president-2018": "az-president-2018/final",
        "az-president-2024": "az-president-2024/final-cec",
        "ge-parliament-2024": "ge-parliament-2024/final-cec",
    }


async def test_2024_final_cec_whole(world: TortoiseContext) -> None:
    data = await run(
        TALLY
        % f"""key {COUNTS} summary election {{ key }} sources {{ key url }}
            lines {{ candidacy {{ key }} votes share seats tally {{ key }} }}""",
        {"key": "az-president-2024/final-cec"},
    )
    tally = data["tally"]
    assert tally.pop("summary").startswith("The CEC's final protocol, forwarded to the")
    lines = tally.pop("lines")
    assert tally == {
        "key": "az-president-2024/final-cec",
        "round": 1,
        "stage": "FINAL",
        "asOf": "2024-02-13",
        "countedShare": None,
        "stationsReported": None,
        "stationsTotal": None,
        "registered": None,
        "cast": None,
        "valid": None,
        "invalid": None,
        "againstAll": None,
        "turnout": 76.43,
        "turnoutComputed": False,  # reported, not computed: the counts are not given
        "preferred": True,
        "election": {"key": "az-president-2024"},
        "sources": [{"key": "menafn-1107844554", "url": "https://menafn.com/1107844554"}],
    }
    assert {line.pop("tally")["key"] for line in lines} == {"az-president-2024/final-cec"}
    assert [
        (line["candidacy"]["key"].split("/")[1], line["votes"], line["share"], line["seats"])
        for line in lines
    ] == [
        ("ilham-aliyev", 4567458, 92.12, None),
        ("zahid-oruj", 107632, 2.17, None),
        ("fazil-mustafa", 98421, 1.99, None),
        ("gudrat-hasanguliyev", 85411, 1.72, None),
        ("razi-nurullayev", 39643, 0.8, None),
        ("musayev", 32885, 0.66, None),
        ("f-aliyev", 26517, 0.54, None),
    ]


async def test_turnout_computed_from_cast_over_registered(world: TortoiseContext) -> None:
    # 2018: 3,959,553 of 5,314,365 registered voters voted: 74.51 %. Its sources give no
    # publication date, so it has none.
    data = await run(TALLY % COUNTS, {"key": "az-president-2018/preliminary-92"})
    assert data["tally"] == {
        "round": 1,
        "stage": "PRELIMINARY",
        "asOf": None,
        "countedShare": 92.0,
        "stationsReported": 5201,
        "stationsTotal": None,
        "registered": 5314365,
        "cast": 3959553,
        "valid": None,
        "invalid": None,
        "againstAll": None,
        "turnout": 74.51,
        "turnoutComputed": True,
        "preferred": False,
    }
    assert round(100 * 3959553 / 5314365, 2) == 74.51


@pytest.mark.parametrize(
    ("key", "registered", "cast", "turnout", "computed"),
    [
        # Counts for both: computed, 3,966,327 / 4,062,053.
        ("az-president-1993/final-cec", 4062053, 3966327, 97.64, True),
        # Ballots cast but no electorate: the reported percentage.
        ("az-president-1998/final-nohlen", None, 3358465, 78.9, False),
        ("ge-parliament-2024/turnout-preliminary", None, 2060412, 58.94, False),
        # Electorate but no ballots: the reported percentage.
        ("az-president-2024/turnout-wikipedia-current", 6514222, None, 76.26, False),
        # An electorate, nothing else: no turnout at all.
        ("az-president-2024/preliminary-54", 6478623, None, None, None),
        # Ballots cast only, no percentage: none either.
        ("az-president-1992/final-nohlen", None, 3096477, None, None),
        # Only a percentage.
        ("az-president-2024/turnout-cec-press-conference", None, None, 67.7, False),
    ],
)
async def test_turnout_of_each_kind_of_tally(
    world: TortoiseContext,
    key: str,
    registered: int | None,
    cast: int | None,
    turnout: float | None,
    computed: bool | None,
) -> None:
    data = await run(TALLY % "registered cast turnout turnoutComputed", {"key": key})
    assert data["tally"] == {
        "registered": registered,
        "cast": cast,
        "turnout": turnout,
        "turnoutComputed": computed,
    }


async def test_every_2024_turnout_variant(world: TortoiseContext) -> None:
    data = await run('{ election(key: "az-president-2024") { tallies { nodes { key turnout } } } }')
    turnouts = {t["key"].split("/")[1]: t["turnout"] for t in nodes(data["election"]["tallies"])}
    assert {k: v for k, v in turnouts.items() if v is not None} == {
        "preliminary-seed": 77.0,
        "turnout-cec-press-conference": 67.7,
        "turnout-hogan-lovells": 76.68,
        "turnout-tag24": 76.7,
        "turnout-wikipedia-current": 76.26,
        "turnout-wikipedia-th-mirror": 76.68,
        "final-cec": 76.43,
    }


async def test_2024_count_at_93_percent_adds_up_to_valid_votes(world: TortoiseContext) -> None:
    data = await run(
        TALLY % "countedShare stationsReported stationsTotal valid lines { votes share }",
        {"key": "az-president-2024/preliminary-93"},
    )
    tally = data["tally"]
    assert (tally["countedShare"], tally["stationsReported"], tally["stationsTotal"]) == (
        93.35,
        6102,
        6537,
    )
    assert tally["valid"] == 4651473
    assert sum(line["votes"] for line in tally["lines"]) == tally["valid"]
    assert tally["lines"][0] == {"votes": 4281625, "share": 92.05}


async def test_1992_ballot_counts(world: TortoiseContext) -> None:
    data = await run(
        TALLY % "cast valid invalid againstAll turnout lines { share }",
        {"key": "az-president-1992/final-nohlen"},
    )
    tally = data["tally"]
    assert (tally["cast"], tally["valid"], tally["invalid"], tally["againstAll"]) == (
        3096477,
        3005770,
        90707,
        72099,
    )
    assert tally["valid"] + tally["invalid"] == tally["cast"]
    assert round(100 * tally["againstAll"] / tally["valid"], 2) == 2.40
    assert tally["turnout"] is None  # no electorate, no reported percentage
    assert [line["share"] for line in tally["lines"]] == [60.87, 33.84, 1.7, 0.67, 0.52]


async def test_lines_rank_shares_first_then_votes(world: TortoiseContext) -> None:
    # 1993: only the winner has a share; the two others follow by votes.
    data = await run(
        TALLY % "lines { candidacy { key } votes share }", {"key": "az-president-1993/final-cec"}
    )
    assert [tuple(line.values()) for line in data["tally"]["lines"]] == [
        ({"key": "az-president-1993/heydar-aliyev"}, 3919923, 98.8),
        ({"key": "az-president-1993/kerar-abilov"}, 40298, None),
        ({"key": "az-president-1993/zakir-taqiyev"}, 6406, None),
    ]


async def test_georgia_final_seats(world: TortoiseContext) -> None:
    data = await run(
        TALLY % "asOf lines { candidacy { name } share seats votes }",
        {"key": "ge-parliament-2024/final-cec"},
    )
    assert data["tally"]["asOf"] == "2024-11-16"
    lines = [
        (line["candidacy"]["name"], line["share"], line["seats"], line["votes"])
        for line in data["tally"]["lines"]
    ]
    assert lines == [
        ("Georgian Dream – Democratic Georgia", 53.93, 89, None),  # noqa: RUF001
        ("Coalition for Change", 11.03, 19, None),
        ("Unity – National Movement", 10.17, 16, None),  # noqa: RUF001
        ("Strong Georgia", 8.81, 14, None),
        ("Gakharia – For Georgia", 7.78, 12, None),  # noqa: RUF001
    ]
    assert sum(seats for _, _, seats, _ in lines) == 150


async def test_georgia_tallies_in_stage_order(world: TortoiseContext) -> None:
    data = await run(
        '{ election(key: "ge-parliament-2024") {'
        " tallies { nodes { key stage asOf countedShare } } } }"
    )
    assert [tuple(t.values()) for t in nodes(data["election"]["tallies"])] == [
        ("ge-parliament-2024/preliminary-70", "PRELIMINARY", "2024-10-26", 70.91),
        ("ge-parliament-2024/preliminary-manual-99", "PRELIMINARY", "2024-10-27", 99.64),
        ("ge-parliament-2024/preliminary-3110", "PRELIMINARY", "2024-10-27", None),
        ("ge-parliament-2024/turnout-preliminary", "PRELIMINARY", "2024-10-27", None),
        ("ge-parliament-2024/final-cec", "FINAL", "2024-11-16", None),
    ]


@pytest.mark.parametrize("key", ["az-president-2024/final", "az-president-2024", ""])
async def test_unknown_tally_key_gives_null(world: TortoiseContext, key: str) -> None:
    assert await run(TALLY % "key", {"key": key}) == {"tally": None}


async def test_a_tallys_warnings_with_their_explanations(data_sets: TortoiseContext) -> None:
    # Croatia 2020 in ParlGov: its votes cast (17,360,065) are more than four times its
    # electorate (3,701,924), and a share disagrees with its votes; both are explained in
    # data/explanations.yaml. A tally whose figures agree has no warning.
    data = await run(
        """{ croatia: tally(key: "hr-parliament-2020/parlgov") {
                registered cast valid turnout turnoutComputed
                warnings { code message explanation } }
             azerbaijan: tally(key: "az-president-2024/final-cec") {
                warnings { code message explanation } } }"""
    )
    assert data == {
        "croatia": {
            "registered": 3701924,
            "cast": 17360065,
            "valid": 1695785,
            "turnout": 468.95,
            "turnoutComputed": True,
            "warnings": [
                {
                    "code": "cast_exceeds_registered",
                    "message": "cast (17360065) exceeds registered (3701924)",
                    "explanation": "ParlGov's votes_cast is larger than its electorate, which "
                    "no count can be; kept as published rather than corrected by guesswork.",
                },
                {
                    "code": "share_mismatch",
                    "message": "the share of 'hr-parliament-2020/hr-ethnic' (1.76) is 1.13 "
                    "points from its votes over valid ballots (0.63)",
                    "explanation": "ParlGov publishes shares that are not its party votes over "
                    "its valid ballots; the file does not say on what total they were taken. "
                    "Both kept as published.",
                },
            ],
        },
        "azerbaijan": {"warnings": []},
    }
