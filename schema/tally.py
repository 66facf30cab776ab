"""Tally: the GraphQL type for one published result stage (its figures: models/figures.py)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from models.figures import ranked, turnout
from schema.conversion import FromRow
from schema.level import Loaded, level
from schema.node import ModelNode, follows
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.area import Area
    from schema.candidacy import Candidacy
    from schema.election import Election


@strawberry.enum(description="How far along the count a published result is.")
class Stage(Enum):
    PRELIMINARY = strawberry.enum_value(
        "preliminary", description="Published while counting was still going on."
    )
    FINAL = strawberry.enum_value("final", description="The count's final figures.")
    CERTIFIED = strawberry.enum_value(
        "certified", description="Final figures confirmed by the body that certifies results."
    )


@strawberry.type(description="One line of a tally: a candidacy's votes, share and seats.")
class TallyLine(FromRow):
    row: strawberry.Private[models.TallyLine]
    votes: int | None = strawberry.field(description="Votes received, when published.")
    share: float | None = strawberry.field(
        description="Share of the vote in percent, as published."
    )
    seats: int | None = strawberry.field(description="Seats won, for parliamentary elections.")

    @strawberry.field(description="The candidacy this line counts.")
    @follows("candidacy_id", "Candidacy", required=True)
    async def candidacy(
        self, info: Info
    ) -> Annotated[Candidacy, strawberry.lazy("schema.candidacy")]:
        from schema.candidacy import Candidacy

        return await Candidacy.load_required(info, self.row.candidacy_id)

    @strawberry.field(description="The tally this line belongs to.")
    @follows("tally_id", "Tally", required=True)
    async def tally(self, info: Info) -> Tally:
        return await Tally.load_required(info, self.row.tally_id)


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
    @level(lambda tallies, info: _LINES.level(tallies, info))
    async def lines(self, info: Info) -> list[TallyLine]:
        return await _LINES.one(self, info)

    @strawberry.field(description="The area counted; null when it counts the whole country.")
    @follows("area_id", "Area")
    async def area(self, info: Info) -> Annotated[Area, strawberry.lazy("schema.area")] | None:
        from schema.area import Area

        return await Area.load(info, self.row.area_id)

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
    @follows("election_id", "Election", required=True)
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        return await Election.load_required(info, self.row.election_id)

    @strawberry.field(description="Where these figures were published.")
    @level(linked_sources(models.Tally).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Tally).one(self, info)


_LINES: Loaded[Tally, int, list[models.TallyLine], list[TallyLine]] = Loaded(
    lambda loaders: loaders.children(models.TallyLine, "tally"),
    lambda tally: tally.row.pk,
    lambda _tally, rows: [TallyLine.from_model(row) for row in ranked(rows)],
)
