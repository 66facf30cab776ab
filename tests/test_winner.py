"""Who won by the rules: electors, runoffs, seats; and the popular-vote leader beside them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext

import models
from models.winner import Line, by_electors, by_runoff, by_seats, decide, popular_vote_leader
from tests.support.clients import client
from tests.support.running import run

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


async def national(year: int) -> list[Line[str]]:
    rows = await models.TallyLine.filter(tally__key=f"us-president-{year}/national").values_list(
        "candidacy__person__key", "votes", "seats"
    )
    return [Line(who, votes=votes, seats=seats) for who, votes, seats in rows]


async def test_the_popular_vote_leader_lost_in_2000_and_2016(data_sets: TortoiseContext) -> None:
    for year, winner, leader in [
        (2000, "george-w-bush", "al-gore"),
        (2016, "donald-trump", "hillary-clinton"),
    ]:
        lines = await national(year)
        assert (by_electors(lines, electors=538), popular_vote_leader(lines)) == (winner, leader)


async def test_in_2020_the_leader_won(data_sets: TortoiseContext) -> None:
    lines = await national(2020)
    assert by_electors(lines, electors=538) == popular_vote_leader(lines) == "joe-biden"


def test_no_majority_of_electors_is_no_winner() -> None:
    lines = [Line("a", seats=269), Line("b", seats=269)]
    assert by_electors(lines, electors=538) is None
    assert by_electors([Line("a", seats=270), Line("b", seats=268)]) == "a"


def test_a_runoff_is_won_in_its_last_round() -> None:
    first = [Line("a", votes=45), Line("b", votes=30), Line("c", votes=25)]
    second = [Line("a", votes=48), Line("b", votes=52)]
    assert by_runoff([first, second]) == "b"
    assert by_runoff([first]) == "a"
    assert by_runoff([]) is None


async def test_a_parliament_is_won_by_the_most_seats(data_sets: TortoiseContext) -> None:
    rows = await models.TallyLine.filter(tally__key="gb-parliament-2017/parlgov").values_list(
        "candidacy__party__key", "votes", "seats"
    )
    lines = [Line(who, votes=v, seats=s) for who, v, s in rows]
    assert by_seats(lines) == popular_vote_leader(lines) == "gb-con"
    assert by_seats([Line("a", seats=3), Line("b", seats=3)]) is None


US_2016 = """{
  election(key: "us-president-2016") {
    winner { name won ledPopularVote result { votes seats } }
    popularVoteLeader { name won ledPopularVote result { votes seats } }
    popularVoteLeaderWon winnerShare margin
  }
}"""


async def test_us_2016_is_won_by_the_electors_not_the_popular_vote(
    data_sets: TortoiseContext,
) -> None:
    data = await run(US_2016)
    assert data["election"] == {
        "winner": {
            "name": "Donald Trump",
            "won": True,
            "ledPopularVote": False,
            "result": {"votes": 62985062, "seats": 304},
        },
        "popularVoteLeader": {
            "name": "Hillary Clinton",
            "won": False,
            "ledPopularVote": True,
            "result": {"votes": 65853503, "seats": 227},
        },
        "popularVoteLeaderWon": False,
        "winnerShare": None,
        "margin": None,
    }


async def test_elections_where_the_popular_vote_leader_lost(data_sets: TortoiseContext) -> None:
    data = await run(
        """{ elections(filter: {popularVoteLeaderWon: false,
                                or: [{country: "US"}, {country: "GB"}]}, first: 100) {
            nodes { key winner { name } popularVoteLeader { name } } } }"""
    )
    found = {e["key"]: (e["winner"]["name"], e["popularVoteLeader"]["name"]) for e in
             data["elections"]["nodes"]}  # fmt: skip
    assert found["us-president-2000"] == ("George W. Bush", "Al Gore")
    assert found["us-president-2016"] == ("Donald Trump", "Hillary Clinton")
    # February 1974: Labour won the most seats on fewer votes than the Conservatives.
    assert found["gb-parliament-1974-02"] == ("Labour", "Conservatives")
    assert "us-president-2020" not in found and "gb-parliament-2017" not in found


async def every_election(country: str, fields: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = (
            await run(
                "query($after: String, $country: String) {"
                " elections(first: 100, after: $after, filter: {country: $country}) {"
                " pageInfo { hasNextPage endCursor } nodes { " + fields + " } } }",
                {"after": after, "country": country},
            )
        )["elections"]
        out.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]


async def test_filters_and_statistics_decide_as_the_fields(data_sets: TortoiseContext) -> None:
    # The SQL of filters and statistics (schema/computed.py) against models/winner.py, over
    # every British and American election: the same winners, the same shares.
    for country in ("GB", "US"):
        elections = await every_election(country, "key popularVoteLeaderWon winnerShare")
        for value in (True, False):
            listed = await run(
                "query($v: Boolean, $c: String) { elections(first: 1, "
                "filter: {popularVoteLeaderWon: $v, country: $c}) { totalCount } }",
                {"v": value, "c": country},
            )
            expected = sum(1 for e in elections if e["popularVoteLeaderWon"] is value)
            assert listed["elections"]["totalCount"] == expected
    gb = [e["winnerShare"] for e in await every_election("GB", "winnerShare")]
    shares = [s for s in gb if s is not None]
    data = await run('{ country(code: "GB") { statistics { count averageWinnerShare } } }')
    assert data["country"]["statistics"] == {
        "count": len(gb),
        "averageWinnerShare": round(sum(shares) / len(shares), 2),
    }


async def test_a_list_in_the_winning_alliance_won(data_sets: TortoiseContext) -> None:
    # UK 1955: the seats are coded on the Conservatives and the National Liberals (the share on
    # their alliance); the alliance won with their 345 seats, and so did each member.
    data = await run(
        """{ election(key: "gb-parliament-1955") {
            winner { key result { seats share } } winnerShare
            candidacies { nodes { key won } } } }"""
    )
    assert data["election"]["winner"] == {
        "key": "gb-parliament-1955/gb-cnl",
        "result": {"seats": None, "share": 49.7},
    }
    assert data["election"]["winnerShare"] == 49.7
    won = {c["key"]: c["won"] for c in data["election"]["candidacies"]["nodes"]}
    assert won["gb-parliament-1955/gb-con"] is True
    members = await run(
        '{ candidacies(filter: {election: "gb-parliament-1955", won: true}) { nodes { key } } }'
    )
    assert [c["key"] for c in members["candidacies"]["nodes"]] == [
        "gb-parliament-1955/gb-cnl",
        "gb-parliament-1955/gb-con",
        "gb-parliament-1955/gb-nlp",
    ]


async def test_the_popular_vote_leader_lost_query(data_sets: TortoiseContext) -> None:
    query = (QUERIES / "popular-vote-leader-lost.graphql").read_text(encoding="utf-8")
    data = await run(query, {"country": "US"})
    assert data["elections"] == {
        "totalCount": 2,
        "nodes": [
            {
                "key": "us-president-2000",
                "date": "2000-11-07",
                "winner": {
                    "name": "George W. Bush",
                    "share": None,
                    "result": {"votes": 50456169, "seats": 271},
                },
                "popularVoteLeader": {
                    "name": "Al Gore",
                    "share": None,
                    "result": {"votes": 50996062, "seats": 266},
                },
            },
            {
                "key": "us-president-2016",
                "date": "2016-11-08",
                "winner": {
                    "name": "Donald Trump",
                    "share": None,
                    "result": {"votes": 62985062, "seats": 304},
                },
                "popularVoteLeader": {
                    "name": "Hillary Clinton",
                    "share": None,
                    "result": {"votes": 65853503, "seats": 227},
                },
            },
        ],
    }


async def test_the_export_decides_as_the_api(data_sets: TortoiseContext) -> None:
    # The export's winner, margin and won come from the same decision (models/winner.py):
    # electors in the US, seats in the UK (an alliance's members won with it in 1955).
    keys = ["us-president-2016", "gb-parliament-1974-02", "gb-parliament-1955"]
    api = await run(
        "{ "
        + " ".join(
            f'e{i}: election(key: "{key}") {{ key margin winner {{ key }} '
            "candidacies { nodes { key won } } }"
            for i, key in enumerate(keys)
        )
        + " }"
    )
    async with client() as http:
        elections = (await http.get("/export/elections.jsonl")).text.splitlines()
        candidacies = (await http.get("/export/candidacies.jsonl")).text.splitlines()
    exported = {row["key"]: row for row in map(json.loads, elections) if row["key"] in keys}
    won = {row["key"]: row["won"] for row in map(json.loads, candidacies)}
    for election in api.values():
        row = exported[election["key"]]
        assert (row["winner"], row["margin"]) == (election["winner"]["key"], election["margin"])
        for candidacy in election["candidacies"]["nodes"]:
            assert won[candidacy["key"]] == candidacy["won"], candidacy["key"]
    assert exported["us-president-2016"]["winner"] == "us-president-2016/donald-trump"
    assert exported["gb-parliament-1974-02"]["winner"] == "gb-parliament-1974-02/gb-lab"
    assert won["gb-parliament-1955/gb-nlp"] is True


def test_a_decision_counts_an_alliance_once_with_its_members_figures() -> None:
    # The alliance "ab" publishes seats but no votes; its members "a" and "b" publish votes
    # and no seats. It stands with their 450 votes (and share) and its own 40 seats.
    lines = [
        Line("ab", seats=40),
        Line("a", votes=300, share=30.0),
        Line("b", votes=150, share=15.0),
        Line("c", votes=400, share=40.0, seats=35),
    ]
    decision = decide("parliamentary", lines, {"a": "ab", "b": "ab"})
    assert decision.standing == {
        "ab": Line("ab", votes=450, share=45.0, seats=40),
        "c": Line("c", votes=400, share=40.0, seats=35),
    }
    assert (decision.winner, decision.popular_vote_leader) == ("ab", "ab")
    assert decision.margin() == 5.0
    assert decision.won("a", "ab") is True
    assert decision.won("c", None) is False


def test_a_decision_without_seats_goes_to_the_most_votes_but_not_for_a_parliament() -> None:
    lines = [Line("a", votes=480, share=48.0), Line("b", votes=520, share=52.0)]
    presidency = decide("presidential", lines, {})
    assert (presidency.winner, presidency.popular_vote_leader) == ("b", "b")
    assert presidency.margin() == 4.0
    parliament = decide("parliamentary", lines, {})
    assert (parliament.winner, parliament.popular_vote_leader) == (None, "b")
    assert parliament.margin() is None
    tie = decide("referendum", [Line("yes", votes=10), Line("no", votes=10)], {})
    assert (tie.winner, tie.popular_vote_leader) == (None, None)
