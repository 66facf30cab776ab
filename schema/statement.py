"""Statement: the GraphQL type for an actor's stance on a whole election."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.level import level
from schema.node import ModelNode, follows
from schema.organization import Organization
from schema.person import Person
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.election import Election


@strawberry.enum(description="The stance a statement takes on an election.")
class StatementKind(Enum):
    RECOGNISES = strawberry.enum_value("recognises", description="Accepts the result.")
    REJECTS = strawberry.enum_value("rejects", description="Refuses to accept the result.")
    OBSERVER_ASSESSMENT = strawberry.enum_value(
        "observer_assessment", description="An observer mission's verdict on the process."
    )
    FRAUD_ALLEGATION = strawberry.enum_value(
        "fraud_allegation", description="An allegation of fraud or manipulation."
    )
    BOYCOTT = strawberry.enum_value("boycott", description="A call not to take part in the vote.")


def by_date(rows: Iterable[models.Statement]) -> list[models.Statement]:
    """Dated ones first, oldest first; undated ones after; ties by key."""
    return sorted(rows, key=lambda r: (r.date is None, r.date or dt.date.min, r.key))


@strawberry.type(description="A person's or organization's stance on a whole election.")
class Statement(ModelNode):
    model = models.Statement
    row: strawberry.Private[models.Statement]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the statement, stable across loads.")
    kind: StatementKind = strawberry.field(description="The stance taken.")
    actor_description: str | None = strawberry.field(
        description="Who spoke, when the sources describe the actors without naming them."
    )
    date: dt.date | None = strawberry.field(description="When it was made, when known.")
    summary: str = strawberry.field(description="What was said and on what grounds, in brief.")

    @strawberry.field(description="The person who spoke, if a person did.")
    @follows("person_id", "Person")
    async def person(self, info: Info) -> Person | None:
        return await Person.load(info, self.row.person_id)

    @strawberry.field(description="The organization that spoke, or the one the person spoke for.")
    @follows("organization_id", "Organization")
    async def organization(self, info: Info) -> Organization | None:
        return await Organization.load(info, self.row.organization_id)

    @strawberry.field(description="The election the statement is about.")
    @follows("election_id", "Election", required=True)
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        return await Election.load_required(info, self.row.election_id)

    @strawberry.field(description="Where it was reported.")
    @level(linked_sources(models.Statement).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Statement).one(self, info)
