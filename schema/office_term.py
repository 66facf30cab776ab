"""OfficeTerm: the GraphQL type for a term in office, with its place in the line of holders."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from models.figures import rounded
from schema.level import level
from schema.node import ModelNode, follows
from schema.person import Person
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.election import Election


@strawberry.enum(description="How a term in office began.")
class TermStart(Enum):
    ELECTED = strawberry.enum_value("elected", description="By winning an election.")
    SUCCEEDED = strawberry.enum_value("succeeded", description="By succession, without a vote.")
    ACTING = strawberry.enum_value("acting", description="As acting holder of the office.")


def first_day(partial: str) -> dt.date:
    """The first day a partial ISO date ("2003", "2003-10", "2003-10-31") can mean."""
    parts = [int(p) for p in partial.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


async def holders(info: Info, row: models.OfficeTerm) -> list[models.OfficeTerm]:
    """Every term of the same office in the same country, in order."""
    rows = await info.context.loaders.children(models.OfficeTerm, "country").load(row.country_id)
    return sorted((r for r in rows if r.office == row.office), key=lambda r: (r.started, r.key))


def place(terms: list[models.OfficeTerm], row: models.OfficeTerm) -> int:
    """Where a term is in the line of holders, by its id: the row may have been read by
    another statement (a model here, a loader's record there)."""
    return next(i for i, term in enumerate(terms) if term.pk == row.pk)


@strawberry.type(description="A person's term in an office: how it began and how long it lasted.")
class OfficeTerm(ModelNode):
    model = models.OfficeTerm
    row: strawberry.Private[models.OfficeTerm]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the term, stable across loads.")
    office: str = strawberry.field(description="The office held.")
    started: str = strawberry.field(
        description='Start, as an ISO 8601 date at the precision known ("2003-10").'
    )
    ended: str | None = strawberry.field(
        description="End, at the precision known; null while the term runs."
    )
    began_by: TermStart = strawberry.field(description="How the term began.")
    summary: str | None = strawberry.field(description="The term in brief.")

    @strawberry.field(description="Who held the office.")
    @follows("person_id", "Person", required=True)
    async def person(self, info: Info) -> Person:
        return await Person.load_required(info, self.row.person_id)

    @strawberry.field(description="The election that began the term, if one did.")
    @follows("election_id", "Election")
    async def election(
        self, info: Info
    ) -> Annotated[Election, strawberry.lazy("schema.election")] | None:
        from schema.election import Election

        return await Election.load(info, self.row.election_id)

    @strawberry.field(
        description="Which consecutive term of this person in this office it is: 1 for the "
        "first, counting back while the previous holder was the same person. A time as "
        "acting holder is not a term: it is not counted in the same person's next term "
        "(Heydar Aliyev's acting presidency of 1993 comes before his first term), though "
        "another person's acting time in between starts the count again."
    )
    async def consecutive_term(self, info: Info) -> int:
        terms = await holders(info, self.row)
        number = 1
        for earlier in reversed(terms[: place(terms, self.row)]):
            if earlier.person_id != self.row.person_id:
                break
            if earlier.began_by is not models.TermStart.ACTING:
                number += 1
        return number

    @strawberry.field(
        description="Years from the start to the end of the term (to today while it runs), "
        "one decimal, from the first day each partial date can mean."
    )
    def years_in_office(self) -> float:
        end = first_day(self.row.ended) if self.row.ended else dt.date.today()
        return rounded((end - first_day(self.row.started)).days / 365.25, places=1)

    @strawberry.field(description="The term just before this one in the office, by anyone.")
    async def previous_term(self, info: Info) -> OfficeTerm | None:
        terms = await holders(info, self.row)
        index = place(terms, self.row)
        return OfficeTerm.from_model(terms[index - 1]) if index > 0 else None

    @strawberry.field(description="The term just after this one in the office, by anyone.")
    async def next_term(self, info: Info) -> OfficeTerm | None:
        terms = await holders(info, self.row)
        index = place(terms, self.row)
        return OfficeTerm.from_model(terms[index + 1]) if index + 1 < len(terms) else None

    @strawberry.field(description="The last other person to hold the office before this term.")
    async def predecessor(self, info: Info) -> Person | None:
        terms = await holders(info, self.row)
        for earlier in reversed(terms[: place(terms, self.row)]):
            if earlier.person_id != self.row.person_id:
                return await Person.load(info, earlier.person_id)
        return None

    @strawberry.field(description="The next other person to hold the office after this term.")
    async def successor(self, info: Info) -> Person | None:
        terms = await holders(info, self.row)
        for later in terms[place(terms, self.row) + 1 :]:
            if later.person_id != self.row.person_id:
                return await Person.load(info, later.person_id)
        return None

    @strawberry.field(description="Where the term is documented.")
    @level(linked_sources(models.OfficeTerm).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.OfficeTerm).one(self, info)
