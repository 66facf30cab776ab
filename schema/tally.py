"""Tally: the GraphQL type for one published result stage, and the arithmetic on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import Info, relay

import models
from schema.node import ModelNode
from schema.source import Source, sources_of

if TYPE_CHECKING:
    from schema.area import Area
    from schema.candidacy import Candidacy
    from schema.election import Election

_STAGE_ORDER = {models.Stage.PRELIMINARY: 0, models.Stage.FINAL: 1, models.Stage.CERTIFIED: 2}


@strawberry.enum(description="How far along the count a published result is.")
class Stage(Enum):
    PRELIMINARY = strawberry.enum_value(
        "preliminary", description="Published while counting was still going on."
    )
    FINAL = strawberry.enum_value("final", description="The count's final figures.")
    CERTIFIED = strawberry.enum_value(
        "certified", description="Final figures confirmed by the body that certifies results."
    )


def counted(row: models.Tally) -> float:
    """How much of the count a tally covers, in percent: as published, else from stations."""
    if row.counted_share is not None:
        return row.counted_share
    if row.stations_reported is not None and row.stations_total:
        return 100 * row.stations_reported / row.stations_total
    return 100.0


def in_stage_order(rows: Iterable[models.Tally]) -> list[models.Tally]:
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


def preferred_of(rows: Sequence[models.Tally], area_id: int | None = None) -> models.Tally | None:
    """The tally that "the result" means: the preferred one of the last round, for the whole
    country, or for the area `area_id` (an area's own preferred tally is that area's result)."""
    preferred = [t for t in rows if t.preferred and t.area_id == area_id]  # type: ignore[attr-defined]
    return max(preferred, key=lambda t: t.round) if preferred else None


def turnout(row: models.Tally) -> float | None:
    if row.cast is not None and row.registered:
        return round(100 * row.cast / row.registered, 2)  # type: ignore[no-any-return]
    return row.turnout_reported


def ranked(lines: Iterable[models.TallyLine]) -> list[models.TallyLine]:
    """Lines from first place down: by share, then votes, then seats."""
    return sorted(
        lines,
        key=lambda line: (
            -(line.share if line.share is not None else -1.0),
            -(line.votes if line.votes is not None else -1),
            -(line.seats if line.seats is not None else -1),
            line.candidacy_id,  # type: ignore[attr-defined]
        ),
    )


@strawberry.type(description="One line of a tally: a candidacy's votes, share and seats.")
class TallyLine:
    row: strawberry.Private[models.TallyLine]
    votes: int | None = strawberry.field(description="Votes received, when published.")
    share: float | None = strawberry.field(
        description="Share of the vote in percent, as published."
    )
    seats: int | None = strawberry.field(description="Seats won, for parliamentary elections.")

    @classmethod
    def from_model(cls, row: models.TallyLine) -> Self:
        return cls(row=row, votes=row.votes, share=row.share, seats=row.seats)

    @strawberry.field(description="The candidacy this line counts.")
    async def candidacy(
        self, info: Info
    ) -> Annotated[Candidacy, strawberry.lazy("schema.candidacy")]:
        from schema.candidacy import Candidacy

        row = await info.context.loaders.by_id(models.Candidacy).load(self.row.candidacy_id)  # type: ignore[attr-defined]
        return Candidacy.from_model(row)

    @strawberry.field(description="The tally this line belongs to.")
    async def tally(self, info: Info) -> Tally:
        row = await info.context.loaders.by_id(models.Tally).load(self.row.tally_id)  # type: ignore[attr-defined]
        return Tally.from_model(row)


@strawberry.type(description="Where a tally's figures disagree with one another.")
class TallyWarning:
    code: str = strawberry.field(
        description='What disagrees, e.g. "cast_exceeds_registered" or "share_mismatch".'
    )
    message: str = strawberry.field(description="The figures that disagree, in words.")
    explanation: str | None = strawberry.field(
        description="Why the figures are kept as published (sources that disagree), where "
        "the data explains it; null when unexplained."
    )


@strawberry.type(
    description="A published result of one election at one stage: preliminary, final or "
    "certified. Conflicting figures are kept side by side; one final tally is preferred."
)
class Tally(ModelNode):
    model = models.Tally
    row: strawberry.Private[models.Tally]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the tally, stable across loads.")
    round: int = strawberry.field(description="Round of voting, 1 for the first.")
    stage: Stage = strawberry.field(description="How far along the count this result is.")
    as_of: dt.date | None = strawberry.field(
        description="Date the figures were published; null when the source does not say."
    )
    counted_share: float | None = strawberry.field(
        description="Percent of ballots or protocols counted when published."
    )
    stations_reported: int | None = strawberry.field(description="Polling stations reported.")
    stations_total: int | None = strawberry.field(description="Polling stations in all.")
    registered: int | None = strawberry.field(description="Registered voters.")
    cast: int | None = strawberry.field(description="Ballots cast.")
    valid: int | None = strawberry.field(description="Valid ballots.")
    invalid: int | None = strawberry.field(description="Invalid ballots.")
    against_all: int | None = strawberry.field(description='Votes "against all" candidates.')
    preferred: bool = strawberry.field(
        description="Whether this is the tally the project treats as the result."
    )
    summary: str | None = strawberry.field(description="What this publication was, in brief.")

    @classmethod
    def from_model(cls, row: models.Tally) -> Self:
        return cls(
            row=row,
            node_key=row.key,
            key=row.key,
            round=row.round,
            stage=Stage(row.stage.value),
            as_of=row.as_of,
            counted_share=row.counted_share,
            stations_reported=row.stations_reported,
            stations_total=row.stations_total,
            registered=row.registered,
            cast=row.cast,
            valid=row.valid,
            invalid=row.invalid,
            against_all=row.against_all,
            preferred=row.preferred,
            summary=row.summary,
        )

    @strawberry.field(
        description="Turnout in percent: ballots cast over registered voters, or the "
        "percentage the source gave when it gave no counts."
    )
    def turnout(self) -> float | None:
        return turnout(self.row)

    @strawberry.field(description="Whether turnout was computed from counts (false: as reported).")
    def turnout_computed(self) -> bool | None:
        value = turnout(self.row)
        return None if value is None else self.row.turnout_reported is None

    @strawberry.field(description="One line per candidacy, from first place down.")
    async def lines(self, info: Info) -> list[TallyLine]:
        rows = await info.context.loaders.children(models.TallyLine, "tally").load(self.row.pk)
        return [TallyLine.from_model(row) for row in ranked(rows)]

    @strawberry.field(description="The area counted; null when it counts the whole country.")
    async def area(self, info: Info) -> Annotated[Area, strawberry.lazy("schema.area")] | None:
        from schema.area import Area

        area_id = self.row.area_id  # type: ignore[attr-defined]
        if area_id is None:
            return None
        row = await info.context.loaders.by_id(models.Area).load(area_id)
        return None if row is None else Area.from_model(row)

    @strawberry.field(
        description="Where its figures disagree with one another (ballots against voters, "
        "votes against valid ballots, shares against votes, turnout against counts), as "
        "worked out when it was loaded; empty when they agree."
    )
    def warnings(self) -> list[TallyWarning]:
        explained: dict[str, str] = self.row.explained_warnings or {}
        return [
            TallyWarning(code=w["code"], message=w["message"], explanation=explained.get(w["code"]))
            for w in self.row.warnings or []
        ]

    @strawberry.field(description="The election this tally counts.")
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        row = await info.context.loaders.by_id(models.Election).load(self.row.election_id)  # type: ignore[attr-defined]
        return Election.from_model(row)

    @strawberry.field(description="Where these figures were published.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_of(info, models.Tally, self.row.pk)
