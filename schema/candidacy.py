"""Candidacy: the GraphQL type for a person or party list standing in one election."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from models import winner as rules
from models.figures import preferred_of, ranked
from schema.connection import After, Before, Connection, First, Last, nested_connection
from schema.context import once
from schema.external_ids import ExternalIds, external_ids_of
from schema.node import ModelNode, follows
from schema.organization import Organization, name_on
from schema.person import Person
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

    async def make() -> list[models.TallyLine]:
        tallies = await loaders.children(models.Tally, "election").load(election_id)
        tally = preferred_of(tallies)
        if tally is None:
            return []
        return ranked(await loaders.children(models.TallyLine, "tally").load(tally.pk))

    # Kept for the request: each candidacy's share, votes and `won` ask for them again.
    return await once(loaders.preferred_lines, election_id, make)


async def decision(
    info: Info, election_id: int, election: models.Election | None = None
) -> rules.Decision[int]:
    """The decision of an election's preferred tally, made once per request (`election`: its
    row, where the caller has it, so that it is not read again)."""
    loaders = info.context.loaders

    async def make() -> rules.Decision[int]:
        lines = await preferred_lines(info, election_id)
        candidacies = await loaders.by_id(models.Candidacy).load_many(
            [line.candidacy_id for line in lines]
        )
        alliance = {c.pk: c.alliance_id for c in candidacies if c is not None}
        row = election or await loaders.by_id(models.Election).load(election_id)
        return rules.decide(
            row.kind.value,
            (rules.Line(line.candidacy_id, line.votes, line.share, line.seats) for line in lines),
            alliance,
        )

    return await once(loaders.decisions, election_id, make)


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

    @strawberry.field(
        description="The publishers' identifiers of this candidacy (ParlGov's result row)."
    )
    def external_ids(self) -> ExternalIds:
        return external_ids_of(self.row)

    @strawberry.field(
        description="The electoral alliance this list ran in, in the same election: its own "
        "figures are part of the alliance's; null for a list or candidate on its own."
    )
    @follows("alliance_id", "Candidacy")
    async def alliance(self, info: Info) -> Candidacy | None:
        return await Candidacy.load(info, self.row.alliance_id)

    @strawberry.field(description="The candidate's name, or the list's name for a party list.")
    async def name(self, info: Info) -> str:
        person = await Person.load(info, self.row.person_id)
        if person is not None:
            return person.name
        party = await Organization.load(info, self.row.party_id)
        assert party is not None  # the loader refuses a candidacy with neither
        return party.name

    @strawberry.field(description="The candidate; null for a party list.")
    @follows("person_id", "Person")
    async def person(self, info: Info) -> Person | None:
        return await Person.load(info, self.row.person_id)

    @strawberry.field(description="The nominating party or bloc, or the list itself.")
    @follows("party_id", "Organization")
    async def party(self, info: Info) -> Organization | None:
        return await Organization.load(info, self.row.party_id)

    @strawberry.field(
        description="The party's name on polling day, from its names over time "
        "(`Organization.names`): the results of a party that changed its name stay on one "
        "organization, and this says what the ballot called it. Null without a party."
    )
    async def party_name_then(self, info: Info) -> str | None:
        party_id = self.row.party_id
        if party_id is None:
            return None
        loaders = info.context.loaders
        party = await loaders.by_id(models.Organization).load(party_id)
        names = await loaders.children(models.OrganizationName, "organization").load(party_id)
        election = await loaders.by_id(models.Election).load(self.row.election_id)
        return name_on(party, names, election.date)

    @strawberry.field(description="The election stood in.")
    @follows("election_id", "Election", required=True)
    async def election(self, info: Info) -> Annotated[Election, strawberry.lazy("schema.election")]:
        from schema.election import Election

        return await Election.load_required(info, self.row.election_id)

    @strawberry.field(description="The candidate's age in whole years on polling day.")
    async def age_at_election(self, info: Info) -> int | None:
        person = await Person.load(info, self.row.person_id)
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

    @strawberry.field(
        description="Whether it won by the rules of its election (electors, seats, a runoff's "
        "second round, else the most votes), a list in the winning alliance included; null "
        "when the preferred final tally decides no one (none published, a tie, no majority "
        "of electors)."
    )
    async def won(self, info: Info) -> bool | None:
        found = await decision(info, self.row.election_id)
        return found.won(self.row.pk, self.row.alliance_id)

    @strawberry.field(
        description="Whether it had the most votes (else the largest share) in the preferred "
        "final tally, whoever won by the rules; null when no one did (none published, a tie)."
    )
    async def led_popular_vote(self, info: Info) -> bool | None:
        found = await decision(info, self.row.election_id)
        return found.led_popular_vote(self.row.pk, self.row.alliance_id)

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
        return nested_connection(
            by_date(rows), Endorsement, "Candidacy.endorsements", first, after, last, before
        )

    @strawberry.field(description="Sources that name this candidacy.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_of(info, models.Candidacy, self.row.pk)
