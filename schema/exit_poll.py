"""ExitPoll: the GraphQL type for a polling-day estimate, and its distance from the count."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import Info, relay

import models
from models.figures import mean, rounded
from schema.conversion import convert
from schema.level import level
from schema.node import ModelNode, follows
from schema.organization import Organization
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.candidacy import Candidacy
    from schema.election import Election


async def official_shares(info: Info, election_id: int) -> dict[int, float]:
    """Candidacy id -> share in the election's preferred final tally."""
    from schema.candidacy import preferred_lines

    lines = await preferred_lines(info, election_id)
    return {line.candidacy_id: line.share for line in lines if line.share is not None}


def _difference(estimate: float | None, official: float | None) -> float | None:
    if estimate is None or official is None:
        return None
    return rounded(estimate - official)


@strawberry.type(description="One line of an exit poll: a candidacy's estimated share.")
class ExitPollLine:
    row: strawberry.Private[models.ExitPollLine]
    election_id: strawberry.Private[int]
    share: float | None = strawberry.field(description="Estimated share in percent.")
    share_below: float | None = strawberry.field(
        description='An upper bound when the poll gave only one, e.g. 5 for "under 5 %".'
    )
    seats: int | None = strawberry.field(description="Projected seats, when given.")

    @classmethod
    def from_model(cls, row: models.ExitPollLine, election_id: int) -> Self:
        # Its own: the line's row holds its poll, not the election its share is compared in.
        return convert(cls, row, election_id=election_id)

    @strawberry.field(description="The candidacy estimated.")
    @follows("candidacy_id", "Candidacy", required=True)
    async def candidacy(
        self, info: Info
    ) -> Annotated[Candidacy, strawberry.lazy("schema.candidacy")]:
        from schema.candidacy import Candidacy

        return await Candidacy.load_required(info, self.row.candidacy_id)

    @strawberry.field(description="The candidacy's share in the preferred final tally.")
    async def official_share(self, info: Info) -> float | None:
        return (await official_shares(info, self.election_id)).get(self.row.candidacy_id)

    @strawberry.field(
        description="Estimate minus official share, in percentage points (negative: the poll "
        "gave less than the count)."
    )
    async def discrepancy(self, info: Info) -> float | None:
        official = (await official_shares(info, self.election_id)).get(self.row.candidacy_id)
        return _difference(self.share, official)


@strawberry.type(description="An exit poll: a pollster's estimate of the result on polling day.")
class ExitPoll(ModelNode):
    model = models.ExitPoll
    row: strawberry.Private[models.ExitPoll]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the exit poll, stable across loads.")
    released: dt.date = strawberry.field(description="Day the estimate was released.")
    released_time: str | None = strawberry.field(description='Local release time, e.g. "20:00".')
    sample_size: int | None = strawberry.field(description="Respondents interviewed.")
    stations: int | None = strawberry.field(description="Polling stations sampled.")
    margin_of_error: float | None = strawberry.field(description="Stated margin of error, points.")
    summary: str | None = strawberry.field(description="What the poll was, in brief.")

    @strawberry.field(description="The pollster.")
    @follows("pollster_id", "Organization", required=True)
    async def pollster(self, info: Info) -> Organization:
        return await Organization.load_required(info, self.row.pollster_id)

    @strawberry.field(description="Who commissioned the poll (e.g. a TV channel), if known.")
    @follows("commissioned_by_id", "Organization")
    async def commissioned_by(self, info: Info) -> Organization | None:
        return await Organization.load(info, self.row.commissioned_by_id)

    @strawberry.field(description="The election polled.")
    @follows("election_id", "Election", required=True)
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        return await Election.load_required(info, self.row.election_id)

    async def _lines(self, info: Info) -> list[models.ExitPollLine]:
        rows = await info.context.loaders.children(models.ExitPollLine, "exit_poll").load(
            self.row.pk
        )
        return sorted(rows, key=lambda r: (-(r.share or r.share_below or 0.0), r.candidacy_id))

    @strawberry.field(description="One line per candidacy, highest estimate first.")
    async def lines(self, info: Info) -> list[ExitPollLine]:
        election_id: int = self.row.election_id
        return [ExitPollLine.from_model(row, election_id) for row in await self._lines(info)]

    @strawberry.field(
        description="Mean absolute discrepancy against the preferred final tally, in points, "
        "over the lines that have both an estimate and an official share."
    )
    async def mean_absolute_discrepancy(self, info: Info) -> float | None:
        official = await official_shares(info, self.row.election_id)
        gaps = [
            abs(d)
            for r in await self._lines(info)
            if (d := _difference(r.share, official.get(r.candidacy_id))) is not None
        ]
        return mean(gaps)

    @strawberry.field(
        description="The largest discrepancy of any line, in points, with its sign "
        "(estimate minus official)."
    )
    async def largest_discrepancy(self, info: Info) -> float | None:
        official = await official_shares(info, self.row.election_id)
        gaps = [
            d
            for r in await self._lines(info)
            if (d := _difference(r.share, official.get(r.candidacy_id))) is not None
        ]
        return max(gaps, key=abs) if gaps else None

    @strawberry.field(description="Where the poll was published.")
    @level(linked_sources(models.ExitPoll).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.ExitPoll).one(self, info)
