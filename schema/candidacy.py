"""Candidacy: the GraphQL type for a person or party list standing in one election."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import Info, relay

import models
from models.figures import preferred_of, ranked
from schema.connection import After, Before, Connection, First, Last, Page, list_connection
from schema.node import ModelNode
from schema.organization import Organization, organization_by_id
from schema.person import Person, person_by_id
from schema.source import Source, sources_of
from schema.tally import TallyLine

if TYPE_CHECKING:
    from schema.election import Election
    from schema.endorsement import Endorsement


@strawberry.enum(description="How a candidacy was put forward.")
class Nomination(Enum):
    PARTY = strawberry.enum_value("party", description="Nominated by a party.")
    BLOC = strawberry.enum_value("bloc", description="Nominated by a bloc of parties.")
    SELF = strawberry.enum_value("self", description="Self-nominated.")
    INITIATIVE_GROUP = strawberry.enum_value(
        "initiative_group", description="Nominated by a group of voters (initiative group)."
    )


@strawberry.enum(description="Whether the candidacy was on the ballot.")
class CandidacyStatus(Enum):
    REGISTERED = strawberry.enum_value("registered", description="Registered and on the ballot.")
    WITHDRAWN = strawberry.enum_value("withdrawn", description="Withdrew before the vote.")
    DISQUALIFIED = strawberry.enum_value("disqualified", description="Refused or struck off.")


async def preferred_lines(info: Info, election_id: int) -> list[models.TallyLine]:
    """The lines of an election's preferred tally, from first place down; [] if none."""
    loaders = info.context.loaders
    # Kept for the request: each candidacy's share, votes and `won` ask for them again.
    found: list[models.TallyLine] | None = loaders.preferred_lines.get(election_id)
    if found is None:
        tallies = await loaders.children(models.Tally, "election").load(election_id)
        tally = preferred_of(tallies)
        found = (
            []
            if tally is None
            else ranked(await loaders.children(models.TallyLine, "tally").load(tally.pk))
        )
        loaders.preferred_lines[election_id] = found
    return found


async def by_election_date(info: Info, rows: list[models.Candidacy]) -> list[models.Candidacy]:
    """Candidacies ordered by the date of their election, then by key."""
    elections = await info.context.loaders.by_id(models.Election).load_many(
        [row.election_id for row in rows]
    )
    dates = {e.pk: e.date for e in elections if e is not None}
    return sorted(rows, key=lambda r: (dates[r.election_id], r.key))


@strawberry.type(description="A person or party list standing in one election.")
class Candidacy(ModelNode):
    model = models.Candidacy
    row: strawberry.Private[models.Candidacy]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the candidacy, stable across loads.")
    nomination: Nomination | None = strawberry.field(
        description="How it was put forward; null when no source says."
    )
    incumbent: bool = strawberry.field(description="Whether the candidate held the office.")
    role: str | None = strawberry.field(description="The candidate's position at the time.")
    status: CandidacyStatus = strawberry.field(description="Whether it was on the ballot.")

    @classmethod
    def from_model(cls, row: models.Candidacy) -> Self:
        return cls(
            row=row,
            node_key=row.key,
            key=row.key,
            nomination=None if row.nomination is None else Nomination(row.nomination.value),
            incumbent=row.incumbent,
            role=row.role,
            status=CandidacyStatus(row.status.value),
        )

    @strawberry.field(description="The candidate's name, or the list's name for a party list.")
    async def name(self, info: Info) -> str:
        person = await person_by_id(info, self.row.person_id)
        if person is not None:
            return person.name
        party = await organization_by_id(info, self.row.party_id)
        assert party is not None  # the loader refuses a candidacy with neither
        return party.name

    @strawberry.field(description="The candidate; null for a party list.")
    async def person(self, info: Info) -> Person | None:
        return await person_by_id(info, self.row.person_id)

    @strawberry.field(description="The nominating party or bloc, or the list itself.")
    async def party(self, info: Info) -> Organization | None:
        return await organization_by_id(info, self.row.party_id)

    @strawberry.field(description="The election stood in.")
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        row = await info.context.loaders.by_id(models.Election).load(self.row.election_id)
        return Election.from_model(row)

    @strawberry.field(description="The candidate's age in whole years on polling day.")
    async def age_at_election(self, info: Info) -> int | None:
        person = await person_by_id(info, self.row.person_id)
        if person is None or person.birth_date is None:
            return None
        election = await info.context.loaders.by_id(models.Election).load(self.row.election_id)
        born, day = person.birth_date, election.date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))  # type: ignore[no-any-return]

    async def _line(self, info: Info) -> models.TallyLine | None:
        for line in await preferred_lines(info, self.row.election_id):
            if line.candidacy_id == self.row.pk:
                return line
        return None

    @strawberry.field(description="This candidacy's line in the preferred final tally, if any.")
    async def result(self, info: Info) -> TallyLine | None:
        line = await self._line(info)
        return None if line is None else TallyLine.from_model(line)

    @strawberry.field(description="Share in percent in the preferred final tally, if published.")
    async def share(self, info: Info) -> float | None:
        line = await self._line(info)
        return None if line is None else line.share

    @strawberry.field(description="Votes in the preferred final tally, if published.")
    async def votes(self, info: Info) -> int | None:
        line = await self._line(info)
        return None if line is None else line.votes

    @strawberry.field(description="Whether it came first in the preferred final tally.")
    async def won(self, info: Info) -> bool | None:
        lines = await preferred_lines(info, self.row.election_id)
        return None if not lines else lines[0].candidacy_id == self.row.pk

    @strawberry.field(
        description="Endorsements before the vote and congratulations after, by date."
    )
    async def endorsements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Endorsement, strawberry.lazy("schema.endorsement")]]:
        from schema.endorsement import Endorsement, by_date

        rows = await info.context.loaders.children(models.Endorsement, "candidacy").load(
            self.row.pk
        )
        return list_connection(
            by_date(rows),
            Endorsement.from_model,
            "Candidacy.endorsements",
            Page.of(first, after, last, before),
        )

    @strawberry.field(description="Sources that name this candidacy.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_of(info, models.Candidacy, self.row.pk)
