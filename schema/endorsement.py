"""Endorsement: the GraphQL type for support before a vote or congratulations after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.country import Country
from schema.level import level
from schema.node import ModelNode, follows
from schema.organization import Organization
from schema.person import Person
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.candidacy import Candidacy


@strawberry.enum(description="Whether support came before or after the vote.")
class EndorsementKind(Enum):
    ENDORSEMENT = strawberry.enum_value("endorsement", description="Support before the vote.")
    CONGRATULATION = strawberry.enum_value(
        "congratulation", description="Congratulations on the result, after the vote."
    )


@strawberry.enum(description="How the endorsement or congratulation was delivered.")
class Channel(Enum):
    CALL = strawberry.enum_value("call", description="A telephone call.")
    LETTER = strawberry.enum_value("letter", description="A letter or message.")
    STATEMENT = strawberry.enum_value("statement", description="A public statement.")
    POST = strawberry.enum_value("post", description="A post on social media.")
    MEETING = strawberry.enum_value("meeting", description="In person.")


def by_date(rows: Iterable[models.Endorsement]) -> list[models.Endorsement]:
    """Dated ones first, oldest first; undated ones after; ties by key."""
    return sorted(rows, key=lambda r: (r.date is None, r.date or dt.date.min, r.key))


@strawberry.type(description="Support for a candidacy before the vote, or congratulations after.")
class Endorsement(ModelNode):
    model = models.Endorsement
    row: strawberry.Private[models.Endorsement]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the endorsement, stable across loads.")
    kind: EndorsementKind = strawberry.field(description="Before the vote or after it.")
    date: dt.date | None = strawberry.field(description="When it was given, when known.")
    channel: Channel | None = strawberry.field(description="How it was delivered, when known.")
    summary: str = strawberry.field(description="What was said, in brief.")

    @strawberry.field(description="The candidacy endorsed or congratulated.")
    @follows("candidacy_id", "Candidacy", required=True)
    async def candidacy(
        self, info: Info
    ) -> Annotated[Candidacy, strawberry.lazy("schema.candidacy")]:
        from schema.candidacy import Candidacy

        return await Candidacy.load_required(info, self.row.candidacy_id)

    @strawberry.field(description="The person who gave it, if a person did.")
    @follows("endorser_person_id", "Person")
    async def endorser_person(self, info: Info) -> Person | None:
        return await Person.load(info, self.row.endorser_person_id)

    @strawberry.field(description="The organization that gave it, or the one the person spoke for.")
    @follows("endorser_organization_id", "Organization")
    async def endorser_organization(self, info: Info) -> Organization | None:
        return await Organization.load(info, self.row.endorser_organization_id)

    @strawberry.field(description="The country the endorser spoke for; null for none.")
    @follows("country_id", "Country")
    async def country(self, info: Info) -> Country | None:
        return await Country.load(info, self.row.country_id)

    @strawberry.field(description="Where it was reported.")
    @level(linked_sources(models.Endorsement).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Endorsement).one(self, info)

    @strawberry.field(
        description="The earliest publication date among its sources: when it was known to "
        "have happened by, even where the day it was given is not known."
    )
    async def reported_on(self, info: Info) -> dt.date | None:
        rows = await info.context.loaders.links(models.Endorsement, "sources").load(self.row.pk)
        dates = [row.published for row in rows if row.published is not None]
        return min(dates) if dates else None
