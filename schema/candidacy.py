"""Candidacy: the GraphQL type for a person or party list standing in one election."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from models import winner as rules
from models.figures import preferred_of, ranked
from schema.connection import (
    After,
    Before,
    Connection,
    First,
    Last,
    Page,
    list_connection,
)
from schema.context import once_many
from schema.external_ids import ExternalIds, external_ids_of
from schema.level import Loaded, level, loaded
from schema.node import ModelNode, follows, reads
from schema.organization import Organization, name_on
from schema.person import Person
from schema.source import Source, linked_sources
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
    (lines,) = await preferred_lines_of(info, [election_id])
    return lines


async def preferred_lines_of(info: Info, election_ids: list[int]) -> list[list[models.TallyLine]]:
    """`preferred_lines` of several elections, read together."""
    loaders = info.context.loaders

    async def make(ids: list[int]) -> list[list[models.TallyLine]]:
        tallies = await loaded(loaders.children(models.Tally, "election"), ids)
        preferred = [preferred_of(rows) for rows in tallies]
        lines = iter(
            await loaded(
                loaders.children(models.TallyLine, "tally"),
                [tally.pk for tally in preferred if tally is not None],
            )
        )
        return [[] if tally is None else ranked(next(lines)) for tally in preferred]

    # Kept for the request: each candidacy's share, votes and `won` ask for them again.
    return await once_many(loaders.preferred_lines, election_ids, make)


async def decisions_of(
    info: Info, election_ids: list[int], elections: list[models.Election] | None = None
) -> list[rules.Decision[int]]:
    """Each election's decision of its preferred tally, made once per request and for several
    elections together (`elections`: their rows, in the same order, where the caller has
    them, so that they are not read again)."""
    loaders = info.context.loaders
    rows = {} if elections is None else {row.pk: row for row in elections}

    async def make(ids: list[int]) -> list[rules.Decision[int]]:
        lines_of = await preferred_lines_of(info, ids)
        candidacies = await loaded(
            loaders.by_id(models.Candidacy),
            [line.candidacy_id for lines in lines_of for line in lines],
        )
        alliance = {c.pk: c.alliance_id for c in candidacies if c is not None}
        unread = [id_ for id_ in ids if id_ not in rows]
        for row in await loaded(loaders.by_id(models.Election), unread):
            rows[row.pk] = row
        return [
            rules.decide(
                rows[id_].kind.value,
                (rules.Line(ln.candidacy_id, ln.votes, ln.share, ln.seats) for ln in lines),
                alliance,
            )
            for id_, lines in zip(ids, lines_of, strict=True)
        ]

    return await once_many(loaders.decisions, election_ids, make)


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
    @reads("person_id", "Person")
    @reads("party_id", "Organization")
    @level(lambda candidacies, info: _names(candidacies, info))
    async def name(self, info: Info) -> str:
        (name,) = await _names([self], info)
        return name

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

    @strawberry.field(description="This candidacy's line in the preferred final tally, if any.")
    @level(lambda candidacies, info: _results(candidacies, info))
    async def result(self, info: Info) -> TallyLine | None:
        (result,) = await _results([self], info)
        return result

    @strawberry.field(description="Share in percent in the preferred final tally, if published.")
    @level(lambda candidacies, info: _shares(candidacies, info))
    async def share(self, info: Info) -> float | None:
        (share,) = await _shares([self], info)
        return share

    @strawberry.field(description="Votes in the preferred final tally, if published.")
    @level(lambda candidacies, info: _votes(candidacies, info))
    async def votes(self, info: Info) -> int | None:
        (votes,) = await _votes([self], info)
        return votes

    @strawberry.field(
        description="Whether it won by the rules of its election (electors, seats, a runoff's "
        "second round, else the most votes), a list in the winning alliance included; null "
        "when the preferred final tally decides no one (none published, a tie, no majority "
        "of electors)."
    )
    @level(lambda candidacies, info: _won(candidacies, info))
    async def won(self, info: Info) -> bool | None:
        (won,) = await _won([self], info)
        return won

    @strawberry.field(
        description="Whether it had the most votes (else the largest share) in the preferred "
        "final tally, whoever won by the rules; null when no one did (none published, a tie)."
    )
    @level(lambda candidacies, info: _led_popular_vote(candidacies, info))
    async def led_popular_vote(self, info: Info) -> bool | None:
        (led,) = await _led_popular_vote([self], info)
        return led

    @strawberry.field(
        description="Endorsements before the vote and congratulations after, by date."
    )
    @level(
        lambda candidacies, info, first=None, after=None, last=None, before=None: (
            _ENDORSEMENTS.level(candidacies, info, Page.of(first, after, last, before))
        )
    )
    async def endorsements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Endorsement, strawberry.lazy("schema.endorsement")]]:
        return await _ENDORSEMENTS.one(self, info, Page.of(first, after, last, before))

    @strawberry.field(description="Sources that name this candidacy.")
    @level(linked_sources(models.Candidacy).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Candidacy).one(self, info)


# The level forms of Candidacy's fields (schema/level.py); each resolver is its form for one.


async def _names(candidacies: Sequence[Candidacy], info: Info) -> list[str]:
    people = await Person.load_level(info, [c.row.person_id for c in candidacies])
    # A list's name where there is no candidate: the loader refuses a candidacy with neither.
    parties = await Organization.load_level(
        info,
        [c.row.party_id if p is None else None for c, p in zip(candidacies, people, strict=True)],
    )
    names = []
    for person, party in zip(people, parties, strict=True):
        if person is None:
            assert party is not None
            names.append(party.name)
        else:
            names.append(person.name)
    return names


async def _lines(candidacies: Sequence[Candidacy], info: Info) -> list[models.TallyLine | None]:
    """Each candidacy's line in its election's preferred tally, if any."""
    election_ids = [c.row.election_id for c in candidacies]
    by_election: dict[int, dict[int, models.TallyLine]] = {}
    for election_id, lines in zip(
        election_ids, await preferred_lines_of(info, election_ids), strict=True
    ):
        if election_id not in by_election:
            found: dict[int, models.TallyLine] = {}
            for line in lines:
                found.setdefault(line.candidacy_id, line)  # the first, as a search finds it
            by_election[election_id] = found
    return [by_election[c.row.election_id].get(c.row.pk) for c in candidacies]


async def _results(candidacies: Sequence[Candidacy], info: Info) -> list[TallyLine | None]:
    lines = await _lines(candidacies, info)
    return [None if line is None else TallyLine.from_model(line) for line in lines]


async def _shares(candidacies: Sequence[Candidacy], info: Info) -> list[float | None]:
    return [None if line is None else line.share for line in await _lines(candidacies, info)]


async def _votes(candidacies: Sequence[Candidacy], info: Info) -> list[int | None]:
    return [None if line is None else line.votes for line in await _lines(candidacies, info)]


async def _won(candidacies: Sequence[Candidacy], info: Info) -> list[bool | None]:
    found = await decisions_of(info, [c.row.election_id for c in candidacies])
    return [d.won(c.row.pk, c.row.alliance_id) for c, d in zip(candidacies, found, strict=True)]


async def _led_popular_vote(candidacies: Sequence[Candidacy], info: Info) -> list[bool | None]:
    found = await decisions_of(info, [c.row.election_id for c in candidacies])
    return [
        d.led_popular_vote(c.row.pk, c.row.alliance_id)
        for c, d in zip(candidacies, found, strict=True)
    ]


def _endorsements(
    _candidacy: Candidacy, rows: list[models.Endorsement], page: Page
) -> Connection[Endorsement]:
    from schema.endorsement import Endorsement, by_date

    return list_connection(by_date(rows), Endorsement.from_model, "Candidacy.endorsements", page)


_ENDORSEMENTS: Loaded[Candidacy, int, list[models.Endorsement], Connection[Endorsement]] = Loaded(
    lambda loaders: loaders.children(models.Endorsement, "candidacy"),
    lambda candidacy: candidacy.row.pk,
    _endorsements,
)
