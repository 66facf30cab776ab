"""Organization: the GraphQL type for parties, blocs, commissions, courts, missions and more."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.connection import After, Before, Connection, First, Last, nested_connection
from schema.conversion import FromRow
from schema.external_ids import ExternalIds, external_ids_of
from schema.level import level
from schema.node import ModelNode, follows
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.cabinet import Cabinet
    from schema.candidacy import Candidacy
    from schema.country import Country
    from schema.endorsement import Endorsement
    from schema.statement import Statement


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

    @strawberry.field(description="The country it belongs to; null for international bodies.")
    @follows("country_id", "Country")
    async def country(
        self, info: Info
    ) -> Annotated[Country, strawberry.lazy("schema.country")] | None:
        from schema.country import Country

        return await Country.load(info, self.row.country_id)

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
        return nested_connection(
            rows, Organization, "Organization.members", first, after, last, before
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
        ordered = await by_election_date(info, rows)
        return nested_connection(
            ordered, Candidacy, "Organization.candidacies", first, after, last, before
        )

    @strawberry.field(description="The publishers' identifiers of this organization (ParlGov's).")
    def external_ids(self) -> ExternalIds:
        return external_ids_of(self.row)

    @strawberry.field(
        description="Sources for the facts about this organization: the data set it was "
        "imported from, or what a bloc's members were read in."
    )
    @level(linked_sources(models.Organization).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Organization).one(self, info)

    @strawberry.field(
        description="Its names over time, oldest first, each from the day it was taken; "
        "empty when no change of name is recorded (`name` is then its only one)."
    )
    async def names(self, info: Info) -> list[OrganizationName]:
        rows = await info.context.loaders.children(models.OrganizationName, "organization").load(
            self.row.pk
        )
        return [OrganizationName.from_model(r) for r in sorted(rows, key=lambda r: r.since)]

    @strawberry.field(
        description="The organizations it came from (by a split, a merger, as a successor), "
        "by date."
    )
    async def predecessors(self, info: Info) -> list[OrganizationLink]:
        rows = await info.context.loaders.children(models.OrganizationLink, "successor").load(
            self.row.pk
        )
        return await _links(info, rows, "predecessor_id")

    @strawberry.field(
        description="The organizations that came from it (by a split, a merger, as a "
        "successor), by date."
    )
    async def successors(self, info: Info) -> list[OrganizationLink]:
        rows = await info.context.loaders.children(models.OrganizationLink, "predecessor").load(
            self.row.pk
        )
        return await _links(info, rows, "successor_id")

    @strawberry.field(
        description="The cabinets it sat in, by the day they took office; `primeMinister` on "
        "each cabinet's parties says whether it led."
    )
    async def cabinets(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Cabinet, strawberry.lazy("schema.cabinet")]]:
        from schema.cabinet import Cabinet, by_start

        rows = await info.context.loaders.links(models.Organization, "cabinets").load(self.row.pk)
        return nested_connection(
            by_start(rows), Cabinet, "Organization.cabinets", first, after, last, before
        )

    @strawberry.field(
        description="Endorsements and congratulations it gave, or a person gave for it, by date."
    )
    async def endorsements_given(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Endorsement, strawberry.lazy("schema.endorsement")]]:
        from schema.endorsement import Endorsement, by_date

        rows = await info.context.loaders.children(
            models.Endorsement, "endorser_organization"
        ).load(self.row.pk)
        return nested_connection(
            by_date(rows), Endorsement, "Organization.endorsementsGiven", first, after, last, before
        )

    @strawberry.field(
        description="Statements it made, or a person made for it, about elections, by date."
    )
    async def statements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Statement, strawberry.lazy("schema.statement")]]:
        from schema.statement import Statement, by_date

        rows = await info.context.loaders.children(models.Statement, "organization").load(
            self.row.pk
        )
        return nested_connection(
            by_date(rows), Statement, "Organization.statements", first, after, last, before
        )


def name_on(row: models.Organization, names: list[models.OrganizationName], day: dt.date) -> str:
    """The name an organization went by on `day`: the last taken by then, else its first
    recorded, else `name` (Candidacy.partyNameThen)."""
    ordered = sorted(names, key=lambda r: r.since)
    taken = [r for r in ordered if r.since <= day]
    if taken:
        return taken[-1].name
    return ordered[0].name if ordered else row.name


@strawberry.enum(description="How one organization came from another, in ParlGov's terms.")
class LinkKind(Enum):
    SPLINTER = strawberry.enum_value(
        "splinter", description="A group left the predecessor and formed the successor."
    )
    DIVISION = strawberry.enum_value(
        "division", description="The predecessor divided into several parties."
    )
    MERGER = strawberry.enum_value(
        "merger", description="The predecessor merged with others into the successor."
    )
    JOINED = strawberry.enum_value("joined", description="The predecessor joined the successor.")
    SUCCESSOR = strawberry.enum_value(
        "successor", description="The successor took the predecessor's place."
    )
    POLITICIAN = strawberry.enum_value(
        "politician", description="A politician of the predecessor founded the successor."
    )
    UNSPECIFIED = strawberry.enum_value(
        "unspecified", description="The source records the link without saying which kind."
    )


@strawberry.type(description="A name an organization took on a day and kept until its next.")
class OrganizationName(FromRow):
    name: str = strawberry.field(description="The name, in English.")
    short_name: str | None = strawberry.field(description="Its abbreviation, if any.")
    native_name: str | None = strawberry.field(description="The name in its own language.")
    since: dt.date = strawberry.field(description="The day it was taken.")


@strawberry.type(description="A dated link to another organization in a party's history.")
class OrganizationLink:
    organization: Organization = strawberry.field(
        description="The other organization: the predecessor or the successor."
    )
    kind: LinkKind = strawberry.field(description="How the successor came from the predecessor.")
    date: dt.date = strawberry.field(description="When.")
    row: strawberry.Private[models.OrganizationLink]

    @strawberry.field(description="The publishers' identifiers of this link (ParlGov's).")
    def external_ids(self) -> ExternalIds:
        return external_ids_of(self.row)


async def _links(
    info: Info, rows: list[models.OrganizationLink], other: str
) -> list[OrganizationLink]:
    ordered = sorted(rows, key=lambda r: (r.date, r.key))
    found = await info.context.loaders.by_id(models.Organization).load_many(
        [getattr(r, other) for r in ordered]
    )
    return [
        OrganizationLink(
            organization=Organization.from_model(o),
            kind=LinkKind(r.kind.value),
            date=r.date,
            row=r,
        )
        for r, o in zip(ordered, found, strict=True)
        if o is not None
    ]
