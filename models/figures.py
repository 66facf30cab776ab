"""The figures derived from stored tallies, each in one place: how much of the count a tally
covers, publication order, the preferred tally, turnout, the ranking of a tally's lines, the
margin, means and spreads; with the SQL of those that filters, ordering and statistics
compute in the database. Plain functions of rows: no database, no
GraphQL, no HTTP, so that the API, the export and the SQL say the same. (Who won by the rules
of an election is models/winner.py.)

One rounding rule, for every figure: to PLACES decimal places, half up (away from zero, as
SQL's ROUND does). A percentage of two counts (turnout) is rounded on the counts themselves, in
integers, in Python and in SQL alike: 970 ballots of 8,000 registered is 12.125 % exactly, and
reads 12.13 wherever it is computed. A figure from stored decimals (a margin, a mean) is
rounded as the decimal it is written as: 1.005 reads 1.01, though the nearest binary float
is a little below it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol, TypeVar

from models.tally import Stage, Tally, TallyLine

#: The decimal places of every derived percentage, margin and mean.
PLACES = 2

# Keyed by the stages' values too (Stage is a StrEnum), so a fixture record's "final" finds
# its place as a stored tally's Stage.FINAL does.
_STAGE_ORDER: dict[str, int] = {Stage.PRELIMINARY: 0, Stage.FINAL: 1, Stage.CERTIFIED: 2}


class Published(Protocol):
    """What publication order and the share counted read of a tally: a stored row, or a
    fixture record of one (loader.records.TallyRecord; curation/replay.py orders those)."""

    @property
    def key(self) -> str: ...
    @property
    def round(self) -> int: ...
    @property
    def stage(self) -> str: ...
    @property
    def as_of(self) -> dt.date | None: ...
    @property
    def counted_share(self) -> float | None: ...
    @property
    def stations_reported(self) -> int | None: ...
    @property
    def stations_total(self) -> int | None: ...


PublishedT = TypeVar("PublishedT", bound=Published)


def rounded(value: float | Decimal, places: int = PLACES) -> float:
    """`value` to `places` decimals, half up, as the decimal it is written as."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float:
    """`part` of `whole` in percent, to PLACES decimals, half up, computed exactly on the
    counts (`part` >= 0, `whole` > 0, as counts are): `percent_sql` is the same in SQL."""
    scale: int = 10**PLACES
    return (200 * scale * part + whole) // (2 * whole) / scale


def percent_sql(part: str, whole: str) -> str:
    """`percent` as an SQL expression, the same on SQLite and PostgreSQL: integer division
    (which truncates, as floor does for counts) of 64-bit integers, then one exact division
    by a power of ten, as Python's."""
    scale: int = 10**PLACES
    return (
        f"((CAST({part} AS BIGINT) * {200 * scale} + {whole}) "
        f"/ (CAST({whole} AS BIGINT) * 2) / {scale}.0)"
    )


def counted(row: Published) -> float:
    """How much of the count a tally covers, in percent: as published, else from stations
    (unrounded: it orders tallies, and is not shown)."""
    if row.counted_share is not None:
        return row.counted_share
    if row.stations_reported is not None and row.stations_total:
        return 100 * row.stations_reported / row.stations_total
    return 100.0


def in_stage_order(rows: Iterable[PublishedT]) -> list[PublishedT]:
    """Round, then stage, then date (undated last), then share counted: publication order.

    Stage comes before date, so undated final figures never precede the night's counts.
    """
    return sorted(
        rows,
        key=lambda t: (
            t.round,
            _STAGE_ORDER[t.stage],
            t.as_of is None,
            t.as_of or dt.date.min,
            counted(t),
            t.key,
        ),
    )


def preferred_of(rows: Sequence[Tally], area_id: int | None = None) -> Tally | None:
    """The tally that "the result" means: the preferred one of the last round, for the whole
    country, or for the area `area_id` (an area's own preferred tally is that area's result).
    `preferred_sql` in SQL, for the whole country."""
    preferred = [t for t in rows if t.preferred and t.area_id == area_id]
    return max(preferred, key=lambda t: (t.round, -t.pk)) if preferred else None


def preferred_sql(election_id: str) -> str:
    """The id of `preferred_of` the election `election_id`'s tallies, as an SQL subquery."""
    return (
        f"(SELECT p.id FROM tally p WHERE p.election_id = {election_id} AND p.preferred "
        "AND p.area_id IS NULL ORDER BY p.round DESC, p.id LIMIT 1)"
    )


def turnout(row: Tally) -> float | None:
    """Turnout in percent: ballots cast of registered voters, else as the source reported it.
    `turnout_sql` in SQL."""
    if row.cast is not None and row.registered:
        return percent(row.cast, row.registered)
    return row.turnout_reported


def turnout_sql(tally: str) -> str:
    """`turnout` of the tally row aliased `tally`, as an SQL expression."""
    cast, registered = f'{tally}."cast"', f"{tally}.registered"  # CAST is a keyword
    return (
        f"(CASE WHEN {cast} IS NOT NULL AND {registered} <> 0 "
        f"THEN {percent_sql(cast, registered)} ELSE {tally}.turnout_reported END)"
    )


def ranked(lines: Iterable[TallyLine]) -> list[TallyLine]:
    """Lines from first place down: by share, then votes, then seats."""
    return sorted(
        lines,
        key=lambda line: (
            -(line.share if line.share is not None else -1.0),
            -(line.votes if line.votes is not None else -1),
            -(line.seats if line.seats is not None else -1),
            line.candidacy_id,
        ),
    )


def margin(ranked_lines: Sequence[TallyLine]) -> float | None:
    """First place's share minus the second's, in percentage points, when both are given."""
    if len(ranked_lines) < 2:
        return None
    first, second = ranked_lines[0].share, ranked_lines[1].share
    if first is None or second is None:
        return None
    return rounded(first - second)


def mean(values: Sequence[float]) -> float | None:
    """The mean, rounded; None for no values."""
    return rounded(sum(values) / len(values)) if values else None


def spread(values: Sequence[float]) -> float:
    """The highest value minus the lowest, rounded."""
    return rounded(max(values) - min(values))
