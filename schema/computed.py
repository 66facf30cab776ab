"""SQL for the values computed from the preferred tally, shared by filters, ordering and
statistics; each gives the same number as the resolver of the same name, by the rules (and
their SQL) in models/figures.py."""

from __future__ import annotations

from models.figures import preferred_sql, turnout_sql


def preferred_tally(election_id: str) -> str:
    """The id of the preferred tally of the last round (`models.figures.preferred_of`)."""
    return preferred_sql(election_id)


def turnout(election_id: str) -> str:
    """Turnout in percent, from the counts, else as reported (`models.figures.turnout`)."""
    return f"(SELECT {turnout_sql('q')} FROM tally q WHERE q.id = {preferred_tally(election_id)})"


def winner_share(election_id: str) -> str:
    """The first place's share in the preferred tally (`Election.winnerShare`)."""
    return (
        f"(SELECT MAX(w.share) FROM tally_line w WHERE w.tally_id = {preferred_tally(election_id)})"
    )


def first_place(election_id: str) -> str:
    """The candidacy first in the preferred tally (`models.figures.ranked`)."""
    return (
        "(SELECT f.candidacy_id FROM tally_line f "
        f"WHERE f.tally_id = {preferred_tally(election_id)} "
        "ORDER BY COALESCE(f.share, -1) DESC, COALESCE(f.votes, -1) DESC, "
        "COALESCE(f.seats, -1) DESC, f.candidacy_id LIMIT 1)"
    )


def share(candidacy: str) -> str:
    """A candidacy's share in its election's preferred tally (`Candidacy.share`)."""
    return (
        f"(SELECT s.share FROM tally_line s WHERE s.candidacy_id = {candidacy}.id "
        f"AND s.tally_id = {preferred_tally(f'{candidacy}.election_id')})"
    )


def won(candidacy: str) -> str:
    """1 when first in the preferred tally, 0 when not, null without one (`Candidacy.won`)."""
    election = f"{candidacy}.election_id"
    return (
        f"(CASE WHEN {first_place(election)} IS NULL THEN NULL "
        f"WHEN {first_place(election)} = {candidacy}.id THEN 1 ELSE 0 END)"
    )
