"""Person: the GraphQL type for a candidate, leader or official, one across all elections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import Info, relay

import models
from schema.node import nodes_by_key
from schema.source import Source, sources_of

if TYPE_CHECKING:
    from schema.candidacy import Candidacy
    from schema.endorsement import Endorsement


@strawberry.type(description="A person: one row across every election they took part in.")
class Person(relay.Node):
    row: strawberry.Private[models.Person]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the person, stable across loads.")
    name: str = strawberry.field(description="Name in the usual English spelling.")
    also_known_as: list[str] = strawberry.field(
        description="Other spellings and transliterations of the name."
    )
    birth_date: dt.date | None = strawberry.field(description="Date of birth, when sourced.")
    death_date: dt.date | None = strawberry.field(description="Date of death, if any.")

    @classmethod
    def from_model(cls, row: models.Person) -> Self:
        return cls(
            row=row,
            node_key=row.key,
            key=row.key,
            name=row.name,
            also_known_as=list(row.also_known_as),
            birth_date=row.birth_date,
            death_date=row.death_date,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await nodes_by_key(cls, info, models.Person, node_ids)

    @strawberry.field(description="Every candidacy of this person, by election date.")
    async def candidacies(
        self, info: Info
    ) -> list[Annotated[Candidacy, strawberry.lazy("schema.candidacy")]]:
        from schema.candidacy import Candidacy, by_election_date

        rows = await info.context.loaders.children(models.Candidacy, "person").load(self.row.pk)
        return [Candidacy.from_model(row) for row in await by_election_date(info, rows)]

    @strawberry.field(description="Endorsements and congratulations this person gave, by date.")
    async def endorsements_given(
        self, info: Info
    ) -> list[Annotated[Endorsement, strawberry.lazy("schema.endorsement")]]:
        from schema.endorsement import Endorsement, by_date

        rows = await info.context.loaders.children(models.Endorsement, "endorser_person").load(self.row.pk)
        return [Endorsement.from_model(row) for row in by_date(rows)]

    @strawberry.field(description="Sources for the facts about this person (e.g. the birth date).")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_of(info, models.Person, self.row.pk)


async def person_by_id(info: Info, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    row = await info.context.loaders.by_id(models.Person).load(person_id)
    return None if row is None else Person.from_model(row)
