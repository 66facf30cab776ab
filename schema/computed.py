"""SQL for the values computed from the preferred tally, shared by filters, ordering and
statistics; each gives the same number as the resolver of the same name."""

from __future__ import annotations


def preferred_tally(election_id: str) -> str:
    """The id of the preferred tally of the last round (`schema.tally.preferred_of`)."""
    return (
        f"(SELECT p.id FROM tally p WHERE p.election_id = {election_id} AND p.preferred "
        "AND p.area_id IS NULL ORDER BY p.round DESC, p.id LIMIT 1)"
    )


def turnout(election_id: str) -> str:
    """Turnout in percent, from the counts, else as reported (`schema.tally.turnout`)."""
    return (
        '(SELECT CASE WHEN q."cast" IS NOT NULL AND q.registered <> 0 '
        'THEN ROUND(100.0 * q."cast" / q.registered, 2) ELSE q.turnout_reported END '
        f"FROM tally q WHERE q.id = {preferred_tally(election_id)})"
    )


def _alliance(line: str) -> str:
    # Looked up by the line's candidacy, not joined: from a line's tally, the lines are few,
    # and a planner without statistics (a database just loaded) scanned every candidacy in
    # no alliance for each election.
    return f"(SELECT a.alliance_id FROM candidacy a WHERE a.id = {line}.candidacy_id)"


def _figure(column: str, line: str) -> str:
    """A standing line's figure: its own, else its alliance members' sum
    (`models.winner.standing`)."""
    return (
        f"COALESCE({line}.{column}, (SELECT SUM(m.{column}) FROM tally_line m "
        f"WHERE m.tally_id = {line}.tally_id AND {_alliance('m')} = {line}.candidacy_id))"
    )


def _standing(election_id: str) -> str:
    """The preferred tally's lines that stand on their own, with their figures, and the
    election's kind."""
    return (
        f"SELECT x.candidacy_id AS cid, {_figure('seats', 'x')} AS seats, "
        f"{_figure('votes', 'x')} AS votes, {_figure('share', 'x')} AS share, "
        f"(SELECT k.kind FROM election k WHERE k.id = {election_id}) AS kind "
        f"FROM tally_line x WHERE x.tally_id = {preferred_tally(election_id)} "
        f"AND {_alliance('x')} IS NULL"
    )


#: The score by the rules (`models.winner.by_rules`): seats where any are published (a
#: presidency's electors needing a majority), none for a parliament without seats, else
#: votes where any are published, else shares.
_BY_RULES = (
    "CASE WHEN g.with_seats > 0 THEN g.seats WHEN g.kind = 'parliamentary' THEN NULL "
    "WHEN g.with_votes > 0 THEN g.votes ELSE g.share END"
)
_MAJORITY = "CASE WHEN g.with_seats > 0 AND g.kind = 'presidential' THEN 1 ELSE 0 END"
#: The popular vote's score (`models.winner.popular_vote_leader`).
_POPULAR = "CASE WHEN g.with_votes > 0 THEN g.votes ELSE g.share END"


def _scored(election_id: str) -> str:
    """Each standing line with its score by the rules and by the popular vote, and where
    each places; `alike` counts the lines that share its score, `total` sums the scores."""
    return (
        "SELECT s.cid, s.score, s.popular, s.majority, "
        "RANK() OVER (ORDER BY s.score DESC NULLS LAST) AS place, "
        "COUNT(s.score) OVER (PARTITION BY s.score) AS alike, SUM(s.score) OVER () AS total, "
        "RANK() OVER (ORDER BY s.popular DESC NULLS LAST) AS popular_place, "
        "COUNT(s.popular) OVER (PARTITION BY s.popular) AS popular_alike FROM ("
        f"SELECT g.cid, {_BY_RULES} AS score, {_POPULAR} AS popular, {_MAJORITY} AS majority "
        "FROM (SELECT f.cid, f.seats, f.votes, f.share, f.kind, "
        "COUNT(f.seats) OVER () AS with_seats, COUNT(f.votes) OVER () AS with_votes "
        f"FROM ({_standing(election_id)}) f) g) s"
    )


#: A row of _scored that won by the rules, and one that led the popular vote: the single
#: top score (a tie decides no one); a line without a score never places.
_WON = (
    "(r.score IS NOT NULL AND r.place = 1 AND r.alike = 1 "
    "AND (r.majority = 0 OR 2 * r.score > r.total))"
)
_LED = "(r.popular IS NOT NULL AND r.popular_place = 1 AND r.popular_alike = 1)"


def winner(election_id: str) -> str:
    """The candidacy that won by the election's rules (`Election.winner`)."""
    return f"(SELECT r.cid FROM ({_scored(election_id)}) r WHERE {_WON})"


def popular_vote_leader(election_id: str) -> str:
    """The candidacy with the most votes, else the largest share
    (`Election.popularVoteLeader`)."""
    return f"(SELECT r.cid FROM ({_scored(election_id)}) r WHERE {_LED})"


def winner_share(election_id: str) -> str:
    """The winner's share in the preferred tally (`Election.winnerShare`)."""
    return (
        f"(SELECT {_figure('share', 'w')} FROM tally_line w "
        f"WHERE w.tally_id = {preferred_tally(election_id)} "
        f"AND w.candidacy_id = {winner(election_id)})"
    )


def popular_vote_leader_won(election_id: str) -> str:
    """1 when the popular-vote leader won, 0 when not, null when either is unknown
    (`Election.popularVoteLeaderWon`), from one reading of the tally."""
    won, led = f"CASE WHEN {_WON} THEN 1 ELSE 0 END", f"CASE WHEN {_LED} THEN 1 ELSE 0 END"
    both = f"CASE WHEN {_WON} AND {_LED} THEN 1 ELSE 0 END"
    return (
        f"(SELECT CASE WHEN COALESCE(SUM({won}), 0) = 0 OR COALESCE(SUM({led}), 0) = 0 THEN NULL "
        f"WHEN SUM({both}) = 1 THEN 1 ELSE 0 END FROM ({_scored(election_id)}) r)"
    )


def share(candidacy: str) -> str:
    """A candidacy's share in its election's preferred tally (`Candidacy.share`)."""
    return (
        f"(SELECT s.share FROM tally_line s WHERE s.candidacy_id = {candidacy}.id "
        f"AND s.tally_id = {preferred_tally(f'{candidacy}.election_id')})"
    )


def won(candidacy: str) -> str:
    """1 when it won by the rules (itself, or the alliance it ran in), 0 when not, null when
    no one did (`Candidacy.won`)."""
    found = winner(f"{candidacy}.election_id")
    return (
        f"(CASE WHEN {found} IS NULL THEN NULL "
        f"WHEN {found} = {candidacy}.id OR {found} = {candidacy}.alliance_id THEN 1 ELSE 0 END)"
    )
