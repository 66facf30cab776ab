"""Statistics: per country, per person, and the spread of winners' shares over a filter."""

from __future__ import annotations

from tortoise.context import TortoiseContext

from tests.support.running import run


async def test_country_statistics(world: TortoiseContext) -> None:
    data = await run(
        "{ countries(filter: {}) { nodes { code statistics "
        "{ count averageTurnout averageWinnerShare } } } }"
    )
    figures = {c["code"]: c["statistics"] for c in data["countries"]["nodes"]}
    # Eight presidential elections; turnout is known for four of them (1993, 1998, 2013,
    # 2024: 97.64, 78.9, 71.62, 76.43), the winner's share for all eight.
    assert figures["AZ"] == {"count": 8, "averageTurnout": 81.15, "averageWinnerShare": 83.19}
    assert figures["GE"] == {"count": 1, "averageTurnout": None, "averageWinnerShare": 53.93}
    assert figures["TR"] == {"count": 0, "averageTurnout": None, "averageWinnerShare": None}


async def test_person_statistics(world: TortoiseContext) -> None:
    data = await run(
        '{ ilham: person(key: "ilham-aliyev") { statistics { candidacies wins averageShare } } '
        'heydar: person(key: "heydar-aliyev") { statistics { candidacies wins averageShare } } '
        'oruj: person(key: "zahid-oruj") { statistics { candidacies wins averageShare } } }'
    )
    assert data == {
        # 2003 to 2024: 76.84, 88.73, 84.54, 86.02, 92.12.
        "ilham": {"statistics": {"candidacies": 5, "wins": 5, "averageShare": 85.65}},
        "heydar": {"statistics": {"candidacies": 2, "wins": 2, "averageShare": 88.2}},
        # 2013, 2018, 2024, none won; shares 3.12 and 2.17 (2013's preferred tally has no
        # line for him, so that candidacy counts but has no share to average).
        "oruj": {"statistics": {"candidacies": 3, "wins": 0, "averageShare": 2.65}},
    }


async def test_winner_shares_over_a_filter(world: TortoiseContext) -> None:
    data = await run(
        '{ electionStatistics(filter: {country: "AZ", early: false}) { count averageTurnout '
        "averageWinnerShare winnerShares(bucketSize: 25) { from to count } } }"
    )
    # 1992, 1998, 2003, 2008, 2013: winners' shares 60.87, 77.6, 76.84, 88.73, 84.54;
    # turnout known for 1998 and 2013 only (78.9, 71.62).
    assert data["electionStatistics"] == {
        "count": 5,
        "averageTurnout": 75.26,
        "averageWinnerShare": 77.72,
        "winnerShares": [
            {"from": 0.0, "to": 25.0, "count": 0},
            {"from": 25.0, "to": 50.0, "count": 0},
            {"from": 50.0, "to": 75.0, "count": 1},
            {"from": 75.0, "to": 100.0, "count": 4},
        ],
    }


async def test_statistics_of_everything_and_of_nothing(world: TortoiseContext) -> None:
    data = await run(
        "{ all: electionStatistics { count averageWinnerShare winnerShares { count } } "
        'none: electionStatistics(filter: {country: "US"}) { count averageTurnout '
        "averageWinnerShare winnerShares(bucketSize: 50) { from to count } } }"
    )
    assert data["all"]["count"] == 9
    assert data["all"]["averageWinnerShare"] == 79.94
    assert [b["count"] for b in data["all"]["winnerShares"]] == [0, 0, 0, 0, 0, 1, 1, 2, 3, 2]
    assert data["none"] == {
        "count": 0,
        "averageTurnout": None,
        "averageWinnerShare": None,
        "winnerShares": [
            {"from": 0.0, "to": 50.0, "count": 0},
            {"from": 50.0, "to": 100.0, "count": 0},
        ],
    }


async def test_bucket_size_out_of_range(world: TortoiseContext) -> None:
    from schema import schema
    from schema.context import Context

    result = await schema.execute(
        "{ electionStatistics { winnerShares(bucketSize: 0.5) { count } } }",
        context_value=Context(),
    )
    assert result.errors is not None
    assert result.errors[0].message == "`bucketSize` must be between 1 and 50, got 0.5."
