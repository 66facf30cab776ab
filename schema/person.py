"""Person: the GraphQL type for a candidate, leader or official, one across all elections."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from models.figures import mean
from schema.connection import After, Before, Connection, First, Last, nested_connection
from schema.level import level
from schema.node import ModelNode
from schema.source import Source, linked_sources

if TYPE_CHECKING:
    from schema.candidacy import Candidacy
    from schema.endorsement import Endorsement
    from schema.office_term import OfficeTerm
    from schema.statement import Statement
    from schema.statistics import CandidacyStatistics


@strawberry.type(description="A person: one row across every election they took part in.")
class Person(ModelNode):
    model = models.Person
    row: strawberry.Private[models.Person]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the person, stable across loads.")
    name: str = strawberry.field(description="Name in the usual English spelling.")
    also_known_as: list[str] = strawberry.field(
        description="Other spellings and transliterations of the name."
    )
    birth_date: dt.date | None = strawberry.field(description="Date of birth, when sourced.")
    death_date: dt.date | None = strawberry.field(description="Date of death, if any.")

    @strawberry.field(description="Every candidacy of this person, by election date.")
    async def candidacies(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Candidacy, strawberry.lazy("schema.candidacy")]]:
        from schema.candidacy import Candidacy, by_election_date

        rows = await info.context.loaders.children(models.Candidacy, "person").load(self.row.pk)
        ordered = await by_election_date(info, rows)
        return nested_connection(
            ordered, Candidacy, "Person.candidacies", first, after, last, before
        )

    @strawberry.field(description="Endorsements and congratulations this person gave, by date.")
    async def endorsements_given(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Endorsement, strawberry.lazy("schema.endorsement")]]:
        from schema.endorsement import Endorsement, by_date

        rows = await info.context.loaders.children(models.Endorsement, "endorser_person").load(
            self.row.pk
        )
        return nested_connection(
            by_date(rows), Endorsement, "Person.endorsementsGiven", first, after, last, before
        )

    @strawberry.field(description="Terms in office, earliest first.")
    async def office_terms(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[OfficeTerm, strawberry.lazy("schema.office_term")]]:
        from schema.office_term import OfficeTerm

        rows = await info.context.loaders.children(models.OfficeTerm, "person").load(self.row.pk)
        ordered = sorted(rows, key=lambda r: (r.started, r.key))
        return nested_connection(
            ordered, OfficeTerm, "Person.officeTerms", first, after, last, before
        )

    @strawberry.field(description="Statements this person made about elections, by date.")
    async def statements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Statement, strawberry.lazy("schema.statement")]]:
        from schema.statement import Statement, by_date

        rows = await info.context.loaders.children(models.Statement, "person").load(self.row.pk)
        return nested_connection(
            by_date(rows), Statement, "Person.statements", first, after, last, before
        )

    @strawberry.field(
        description="Mean of this person's shares in the elections they won (first place in "
        "the preferred final tally), over elections held in the date range; two decimals; "
        "null if they won none there."
    )
    async def average_winning_share(
        self,
        info: Info,
        since: Annotated[
            dt.date | None, strawberry.argument(description="Only elections on or after this day.")
        ] = None,
        until: Annotated[
            dt.date | None, strawberry.argument(description="Only elections on or before this day.")
        ] = None,
    ) -> float | None:
        from schema.candidacy import preferred_lines

        loaders = info.context.loaders
        rows = await loaders.children(models.Candidacy, "person").load(self.row.pk)
        elections = await loaders.by_id(models.Election).load_many([r.election_id for r in rows])
        shares = []
        for row, election in zip(rows, elections, strict=True):
            if (
                election is None
                or (since and election.date < since)
                or (until and election.date > until)
            ):
                continue
            lines = await preferred_lines(info, election.pk)
            if lines and lines[0].candidacy_id == row.pk and lines[0].share is not None:
                shares.append(lines[0].share)
        return mean(shares)

    @strawberry.field(
        description="Their record: candidacies, wins and average share in the preferred tallies."
    )
    async def statistics(
        self, info: Info
    ) -> Annotated[CandidacyStatistics, strawberry.lazy("schema.statistics")]:
        from schema.statistics import person_statistics

        return await person_statistics(info, self.row.pk)

    @strawberry.field(description="Sources for the facts about this person (e.g. the birth date).")
    @level(linked_sources(models.Person).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Person).one(self, info)
