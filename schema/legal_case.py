"""LegalCase: the GraphQL type for a court or commission decision, and its chain of appeals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.area import Area
from schema.level import level
from schema.node import ModelNode, follows
from schema.organization import Organization
from schema.person import Person
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.election import Election


@strawberry.enum(description="How a case ended.")
class Outcome(Enum):
    GRANTED = strawberry.enum_value("granted", description="The claim or appeal succeeded.")
    REJECTED = strawberry.enum_value("rejected", description="The claim or appeal failed.")
    REFUSED = strawberry.enum_value("refused", description="Not admitted for consideration.")
    PENDING = strawberry.enum_value("pending", description="Not decided yet.")


def by_date(rows: Iterable[models.LegalCase]) -> list[models.LegalCase]:
    """By decision date (or filing date when undecided), undated last, ties by key."""

    def when(r: models.LegalCase) -> dt.date | None:
        return r.decided or r.filed

    return sorted(rows, key=lambda r: (when(r) is None, when(r) or dt.date.min, r.key))


@strawberry.type(
    description="A decision about an election by a court, or by an election commission "
    "acting on a complaint, with the results it annulled and the case it appeals."
)
class LegalCase(ModelNode):
    model = models.LegalCase
    row: strawberry.Private[models.LegalCase]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the case, stable across loads.")
    filed: dt.date | None = strawberry.field(description="When the claim was filed.")
    decided: dt.date | None = strawberry.field(description="When it was decided.")
    subject: str = strawberry.field(description="What the claim was about.")
    outcome: Outcome = strawberry.field(description="How it ended.")
    precincts_annulled: int | None = strawberry.field(
        description="How many precincts' results this decision annulled."
    )
    summary: str | None = strawberry.field(description="What was decided, in brief.")

    @strawberry.field(description="The court (or commission) that decided.")
    @follows("court_id", "Organization", required=True)
    async def court(self, info: Info) -> Organization:
        return await Organization.load_required(info, self.row.court_id)

    @strawberry.field(description="The judges, by key.")
    async def judges(self, info: Info) -> list[Person]:
        rows = await info.context.loaders.links(models.LegalCase, "judges").load(self.row.pk)
        return [Person.from_model(row) for row in rows]

    @strawberry.field(description="People who brought the claim, by key.")
    async def claimant_people(self, info: Info) -> list[Person]:
        rows = await info.context.loaders.links(models.LegalCase, "claimant_people").load(
            self.row.pk
        )
        return [Person.from_model(row) for row in rows]

    @strawberry.field(description="Organizations that brought the claim, by key.")
    async def claimant_organizations(self, info: Info) -> list[Organization]:
        rows = await info.context.loaders.links(models.LegalCase, "claimant_organizations").load(
            self.row.pk
        )
        return [Organization.from_model(row) for row in rows]

    @strawberry.field(description="Areas whose results this decision annulled, by key.")
    async def annulled_areas(self, info: Info) -> list[Area]:
        rows = await info.context.loaders.links(models.LegalCase, "annulled_areas").load(
            self.row.pk
        )
        return [Area.from_model(row) for row in rows]

    @strawberry.field(description="The decision this case appeals, if it is an appeal.")
    @follows("appeal_of_id", "LegalCase")
    async def appeal_of(self, info: Info) -> LegalCase | None:
        return await LegalCase.load(info, self.row.appeal_of_id)

    @strawberry.field(description="Appeals against this decision, by date.")
    async def appeals(self, info: Info) -> list[LegalCase]:
        rows = await info.context.loaders.children(models.LegalCase, "appeal_of").load(self.row.pk)
        return [LegalCase.from_model(row) for row in by_date(rows)]

    @strawberry.field(
        description="The whole chain this case belongs to, from the first decision through "
        "every appeal, by date."
    )
    async def chain(self, info: Info) -> list[LegalCase]:
        loaders = info.context.loaders
        # Each case is visited once: cases that appeal each other in a loop (which the loader
        # refuses, but a database written otherwise may hold) would spin here for ever.
        root, seen = self.row, {self.row.pk}
        parent_id = root.appeal_of_id
        while parent_id is not None and parent_id not in seen:
            root = await loaders.by_id(models.LegalCase).load(parent_id)
            seen.add(root.pk)
            parent_id = root.appeal_of_id
        found, level, seen = [root], [root], {root.pk}
        while level:
            groups = await loaders.children(models.LegalCase, "appeal_of").load_many(
                [r.pk for r in level]
            )
            level = [r for group in groups for r in group if r.pk not in seen]
            seen.update(r.pk for r in level)
            found += level
        return [LegalCase.from_model(row) for row in by_date(found)]

    @strawberry.field(description="The election the case is about.")
    @follows("election_id", "Election", required=True)
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        return await Election.load_required(info, self.row.election_id)

    @strawberry.field(description="Where the decision was reported.")
    @level(linked_sources(models.LegalCase).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.LegalCase).one(self, info)
