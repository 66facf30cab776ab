"""Organization: the GraphQL type for parties, blocs, commissions, courts, missions and more."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import Info, relay

import models
from schema.connection import After, Before, Connection, First, Last, Page, list_connection
from schema.node import ModelNode

if TYPE_CHECKING:
    from schema.candidacy import Candidacy
    from schema.country import Country


@strawberry.enum(description="What kind of organization this is.")
class OrganizationKind(Enum):
    PARTY = strawberry.enum_value("party", description="A political party.")
    BLOC = strawberry.enum_value("bloc", description="An alliance of parties on one list.")
    ELECTION_COMMISSION = strawberry.enum_value(
        "election_commission", description="A body that runs elections and counts votes."
    )
    COURT = strawberry.enum_value("court", description="A court of law.")
    OBSERVER_MISSION = strawberry.enum_value(
        "observer_mission", description="An election observation mission."
    )
    POLLSTER = strawberry.enum_value("pollster", description="An opinion or exit pollster.")
    MEDIA = strawberry.enum_value("media", description="A newspaper, broadcaster or news site.")
    NGO = strawberry.enum_value("ngo", description="A non-governmental organization.")
    GOVERNMENT = strawberry.enum_value("government", description="A government or ministry.")
    INTERNATIONAL = strawberry.enum_value(
        "international", description="An international organization."
    )


@strawberry.type(description="A party, bloc, commission, court, mission, pollster or government.")
class Organization(ModelNode):
    model = models.Organization
    row: strawberry.Private[models.Organization]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the organization, stable across loads.")
    name: str = strawberry.field(description="Full name in English.")
    short_name: str | None = strawberry.field(description="Abbreviation, e.g. YAP or GYLA.")
    kind: OrganizationKind = strawberry.field(description="What kind of organization this is.")

    @classmethod
    def from_model(cls, row: models.Organization) -> Self:
        return cls(
            row=row,
            node_key=row.key,
            key=row.key,
            name=row.name,
            short_name=row.short_name,
            kind=OrganizationKind(row.kind.value),
        )

    @strawberry.field(description="The country it belongs to; null for international bodies.")
    async def country(
        self, info: Info
    ) -> Annotated[Country, strawberry.lazy("schema.country")] | None:
        from schema.country import country_by_id

        return await country_by_id(info, self.row.country_id)

    @strawberry.field(description="For a bloc: its component parties, by key.")
    async def members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Organization]:
        rows = await info.context.loaders.links(models.Organization, "members").load(self.row.pk)
        return list_connection(
            rows,
            Organization.from_model,
            "Organization.members",
            Page.of(first, after, last, before),
        )

    @strawberry.field(description="Blocs this organization is a component of, by key.")
    async def member_of(self, info: Info) -> list[Organization]:
        rows = await info.context.loaders.links(models.Organization, "member_of").load(self.row.pk)
        return [Organization.from_model(row) for row in rows]

    @strawberry.field(description="Candidacies it nominated or stood as a list, by election date.")
    async def candidacies(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Candidacy, strawberry.lazy("schema.candidacy")]]:
        from schema.candidacy import Candidacy, by_election_date

        rows = await info.context.loaders.children(models.Candidacy, "party").load(self.row.pk)
        return list_connection(
            await by_election_date(info, rows),
            Candidacy.from_model,
            "Organization.candidacies",
            Page.of(first, after, last, before),
        )


async def organization_by_id(info: Info, organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    row = await info.context.loaders.by_id(models.Organization).load(organization_id)
    return None if row is None else Organization.from_model(row)
