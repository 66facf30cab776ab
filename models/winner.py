"""Who won, by the rules of the election: plain functions over a tally's lines, with no
database and no GraphQL, so that the API and the tests decide alike.

- an electoral college (the US presidency): the candidate with a majority of the electors
  (the lines' seats), else no one (the House of Representatives would choose);
- a runoff: the leader of the last round held;
- a parliament: the list with the most seats;
- the popular-vote leader: the most votes, whatever the rules; where the two differ (the
  US in 2000 and 2016), both are answers.
A tie gives no winner.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Line(Generic[K]):
    """One line of a tally: who, and their votes, share and seats (or electors)."""

    who: K
    votes: int | None = None
    share: float | None = None
    seats: int | None = None


def _single_top(values: Mapping[K, float]) -> K | None:
    if not values:
        return None
    best = max(values.values())
    top = [who for who, value in values.items() if value == best]
    return top[0] if len(top) == 1 else None


def popular_vote_leader(lines: Iterable[Line[K]]) -> K | None:
    """The most votes (else the largest share, where only shares are given)."""
    lines = list(lines)
    votes = {line.who: line.votes for line in lines if line.votes is not None}
    if votes:
        return _single_top({k: float(v) for k, v in votes.items()})
    return _single_top({line.who: line.share for line in lines if line.share is not None})


def by_electors(lines: Iterable[Line[K]], electors: int | None = None) -> K | None:
    """A majority of the electors (`electors`: how many there are, else the lines' sum)."""
    seats = {line.who: line.seats or 0 for line in lines}
    total = electors if electors is not None else sum(seats.values())
    leader = _single_top({k: float(v) for k, v in seats.items()})
    return leader if leader is not None and seats[leader] * 2 > total else None


def by_seats(lines: Iterable[Line[K]]) -> K | None:
    """The list with the most seats."""
    return _single_top({line.who: float(line.seats) for line in lines if line.seats is not None})


def by_runoff(rounds: Sequence[Iterable[Line[K]]]) -> K | None:
    """The leader of the last round held (a first round won outright has no second)."""
    return popular_vote_leader(rounds[-1]) if rounds else None
