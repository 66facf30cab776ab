"""Cabinet: the GraphQL type for a government of one country, its parties and how it ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.country import Country
from schema.external_ids import ExternalIds, external_ids_of
from schema.level import level
from schema.node import ModelNode, follows
from schema.organization import Organization
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.election import Election


@strawberry.enum(description="Why a cabinet ended, in ParlGov's terms.")
class Termination(Enum):
    ELECTION_REGULAR = strawberry.enum_value(
        "election_regular", description="A regular election at the end of the parliament's term."
    )
    ELECTION_DISSOLUTION = strawberry.enum_value(
        "election_dissolution",
        description="An early election, after parliament was dissolved before its term ended.",
    )
    RESIGNATION_PM = strawberry.enum_value(
        "resignation_pm", description="The prime minister resigned."
    )
    RESIGNATION_CABINET = strawberry.enum_value(
        "resignation_cabinet", description="The cabinet as a whole resigned."
    )
    CHANGE_PM = strawberry.enum_value("change_pm", description="The prime minister changed.")
    CHANGE_PARTY = strawberry.enum_value(
        "change_party", description="The parties in the coalition changed."
    )
    CONFIDENCE_VOTE = strawberry.enum_value(
        "confidence_vote",
        description="It lost a vote in parliament: of confidence, of investiture or a "
        "constructive vote of no confidence.",
    )
    OTHER = strawberry.enum_value("other", description="Another reason.")


def by_start(rows: Iterable[models.Cabinet]) -> list[models.Cabinet]:
    return sorted(rows, key=lambda r: (r.started, r.key))


@strawberry.type(description="A party in a cabinet, and whether it held the premiership.")
class CabinetParty:
    party: Organization = strawberry.field(description="The party.")
    prime_minister: bool = strawberry.field(
        description="Whether the prime minister came from this party."
    )


@strawberry.type(description="A government of one country: its parties, its dates, how it ended.")
class Cabinet(ModelNode):
    model = models.Cabinet
    row: strawberry.Private[models.Cabinet]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(
        description='Natural key, e.g. "de-cabinet-scholz": the country and the cabinet\'s name.'
    )
    name: str = strawberry.field(description='Its name, usually the prime minister\'s ("Scholz").')
    started: dt.date = strawberry.field(description="The day it took office.")
    ended: dt.date | None = strawberry.field(
        description="The day it left office; null while in office or when the source does not say."
    )
    caretaker: bool = strawberry.field(
        description="Whether it only minded the government's business until another was formed."
    )
    termination: Termination | None = strawberry.field(
        description="Why it ended; null while in office or when the source does not say."
    )

    @strawberry.field(description="The country it governed.")
    @follows("country_id", "Country", required=True)
    async def country(self, info: Info) -> Country:
        return await Country.load_required(info, self.row.country_id)

    @strawberry.field(
        description="Its parties: the prime minister's first, then the others by key."
    )
    async def parties(self, info: Info) -> list[CabinetParty]:
        rows = await info.context.loaders.links(models.Cabinet, "parties").load(self.row.pk)
        leader = self.row.prime_minister_party_id
        ordered = sorted(rows, key=lambda r: (r.pk != leader, r.key))
        return [
            CabinetParty(party=Organization.from_model(r), prime_minister=r.pk == leader)
            for r in ordered
        ]

    @strawberry.field(description="The prime minister's party, when the source names it.")
    @follows("prime_minister_party_id", "Organization")
    async def prime_minister_party(self, info: Info) -> Organization | None:
        return await Organization.load(info, self.row.prime_minister_party_id)

    @strawberry.field(
        description="The last parliamentary election before it took office, if known."
    )
    @follows("previous_election_id", "Election")
    async def previous_election(
        self, info: Info
    ) -> Annotated[Election, strawberry.lazy("schema.election")] | None:
        from schema.election import Election

        return await Election.load(info, self.row.previous_election_id)

    @strawberry.field(description="The publishers' identifiers of this cabinet (ParlGov's).")
    def external_ids(self) -> ExternalIds:
        return external_ids_of(self.row)

    @strawberry.field(description="Where its facts were read.")
    @level(linked_sources(models.Cabinet).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Cabinet).one(self, info)
