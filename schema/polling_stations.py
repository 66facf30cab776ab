"""PollingStations: the GraphQL type for how many polling stations an election had, and where."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.area import Area
from schema.level import level
from schema.node import ModelNode, follows
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.election import Election


@strawberry.type(
    description="The number of polling stations of an election, in all or in one area."
)
class PollingStations(ModelNode):
    model = models.PollingStations
    row: strawberry.Private[models.PollingStations]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the count, stable across loads.")
    count: int = strawberry.field(description="Number of polling stations.")
    summary: str | None = strawberry.field(description="What was counted, in brief.")

    @strawberry.field(description="The area counted; null for the whole country.")
    @follows("area_id", "Area")
    async def area(self, info: Info) -> Area | None:
        return await Area.load(info, self.row.area_id)

    @strawberry.field(description="The election the polling stations served.")
    @follows("election_id", "Election", required=True)
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        return await Election.load_required(info, self.row.election_id)

    @strawberry.field(description="Where the count was reported.")
    @level(linked_sources(models.PollingStations).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.PollingStations).one(self, info)
