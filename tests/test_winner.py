"""Who won by the rules: electors, runoffs, seats; and the popular-vote leader beside them."""

from __future__ import annotations

from tortoise.context import TortoiseContext

import models
from models.winner import Line, by_electors, by_runoff, by_seats, popular_vote_leader


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
