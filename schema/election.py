"""Election: the GraphQL type for one vote, its stages, result and what surrounded it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import Info, relay

import models
from models import title as titles
from models.figures import in_stage_order, preferred_of, rounded, spread, turnout
from models.winner import Decision
from schema import cabinet, endorsement, legal_case, statement
from schema.area import area_by_code
from schema.cabinet import Cabinet
from schema.candidacy import Candidacy, decisions_of, preferred_lines, preferred_lines_of
from schema.connection import (
    After,
    Before,
    Connection,
    First,
    Last,
    Page,
    list_connection,
    nested_connection,
)
from schema.country import Country
from schema.endorsement import Endorsement
from schema.exit_poll import ExitPoll
from schema.external_ids import ExternalIds, external_ids_of
from schema.legal_case import LegalCase
from schema.level import Loaded, level, loaded
from schema.node import ModelNode, follows
from schema.organization import Organization
from schema.person import Person
from schema.polling_stations import PollingStations
from schema.source import Source, linked_sources
from schema.statement import Statement, StatementKind
from schema.tally import Tally


@strawberry.enum(description="What an election chooses.")
class ElectionKind(Enum):
    PRESIDENTIAL = strawberry.enum_value("presidential", description="A head of state.")
    PARLIAMENTARY = strawberry.enum_value("parliamentary", description="A parliament.")
    REFERENDUM = strawberry.enum_value("referendum", description="A yes/no question.")


AreaCode = Annotated[
    str | None,
    strawberry.argument(
        description='An area\'s ISO 3166-2 code, e.g. "US-GA" (any case); none for the whole '
        "country. A code no area has is an error."
    ),
]


def by_date(rows: Iterable[models.Election]) -> list[models.Election]:
    return sorted(rows, key=lambda r: (r.date, r.key))


@strawberry.type(description="One vote in one country for one office or body, regular or early.")
class Election(ModelNode):
    model = models.Election
    row: strawberry.Private[models.Election]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description='Natural key, e.g. "az-president-2024".')
    kind: ElectionKind = strawberry.field(description="What the election chooses.")
    office: str = strawberry.field(description="The office or body elected.")
    date: dt.date = strawberry.field(description="Polling day (of the first round).")
    early: bool = strawberry.field(description="Whether it was a snap election, held before due.")
    originally_due: str | None = strawberry.field(
        description="For an early election, when it was due: an ISO 8601 date at the "
        'precision the sources give ("2018-10-17", or "2025-10" when only the month is known).'
    )
    called_on: dt.date | None = strawberry.field(description="When the election was called.")
    reason: str | None = strawberry.field(description="Why it was called early, in brief.")
    term_years: int | None = strawberry.field(description="Length of the term at stake, in years.")
    seats: int | None = strawberry.field(description="Seats at stake, for a parliament.")
    summary: str | None = strawberry.field(description="What happened, in brief.")

    @strawberry.field(description="The publishers' identifiers of this election (e.g. ParlGov's).")
    def external_ids(self) -> ExternalIds:
        return external_ids_of(self.row)

    @strawberry.field(
        description='Its name as people write it: "2024 Azerbaijani presidential election", '
        '"2019 European Parliament election in Germany"; the month comes first when the '
        'country held two elections of the same office that year ("February 1974 United '
        'Kingdom general election").'
    )
    async def title(self, info: Info) -> str:
        loaders = info.context.loaders
        country_id: int = self.row.country_id
        country = await loaders.by_id(models.Country).load(country_id)
        assert country is not None  # a foreign key that cannot be null
        row = self.row
        same_year = any(
            other.pk != row.pk
            and other.office == row.office
            and other.kind == row.kind
            and other.date.year == row.date.year
            for other in await loaders.children(models.Election, "country").load(country_id)
        )
        naming = titles.naming(country.code, country.name)
        return titles.title(naming, row.kind.value, row.office, row.date, same_year)

    @strawberry.field(description="The country that held it.")
    @follows("country_id", "Country", required=True)
    async def country(self, info: Info) -> Country:
        return await Country.load_required(info, self.row.country_id)

    @strawberry.field(description="The person who called it (e.g. by decree), if any.")
    @follows("called_by_person_id", "Person")
    async def called_by_person(self, info: Info) -> Person | None:
        return await Person.load(info, self.row.called_by_person_id)

    @strawberry.field(description="The body that called it (e.g. parliament), if any.")
    @follows("called_by_organization_id", "Organization")
    async def called_by_organization(self, info: Info) -> Organization | None:
        return await Organization.load(info, self.row.called_by_organization_id)

    @strawberry.field(
        description="Every candidacy: those in the preferred final tally first, from first "
        "place down, then the rest by key."
    )
    @level(
        lambda elections, info, first=None, after=None, last=None, before=None: _candidacies(
            elections, info, first, after, last, before
        )
    )
    async def candidacies(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Candidacy]:
        (page,) = await _candidacies([self], info, first, after, last, before)
        return page

    @strawberry.field(
        description="Every published result for the whole country, or for one area, round "
        "by round and stage by stage: preliminary counts, then final figures (conflicting "
        "versions side by side), then certified ones; within a stage, by date and share "
        "counted."
    )
    @level(
        lambda elections, info, area=None, first=None, after=None, last=None, before=None: _tallies(
            elections, info, area, first, after, last, before
        )
    )
    async def tallies(
        self,
        info: Info,
        area: AreaCode = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Tally]:
        (page,) = await _tallies([self], info, area, first, after, last, before)
        return page

    @strawberry.field(
        description='The preferred final tally of the last round: what "the result" means, '
        "for the whole country or for one area (null when none was published for it)."
    )
    @level(lambda elections, info, area=None: _results(elections, info, area))
    async def result(self, info: Info, area: AreaCode = None) -> Tally | None:
        (result,) = await _results([self], info, area)
        return result

    @strawberry.field(
        description="The result in each area counted on its own (a US election's states): "
        "each area's preferred final tally of the last round, by the area's name."
    )
    async def area_results(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Tally]:
        loaders = info.context.loaders
        rows = await loaders.children(models.Tally, "election").load(self.row.pk)
        area_ids = sorted({r.area_id for r in rows if r.area_id is not None})
        areas = [a for a in await loaders.by_id(models.Area).load_many(area_ids) if a is not None]
        results = [preferred_of(rows, a.pk) for a in sorted(areas, key=lambda a: (a.name, a.key))]
        ordered = [r for r in results if r is not None]
        return nested_connection(ordered, Tally, "Election.areaResults", first, after, last, before)

    @strawberry.field(description="Turnout in percent, from the preferred final tally.")
    @level(lambda elections, info: _TURNOUT.level(elections, info))
    async def turnout(self, info: Info) -> float | None:
        return await _TURNOUT.one(self, info)

    @strawberry.field(
        description="Who won by the election's rules, from the preferred final tally of its "
        "last round: a presidency with electors goes to a majority of them, a parliament to "
        "the list (or electoral alliance) with the most seats, anything else (a single round, "
        "a runoff's second round, a referendum) to the most votes. Null when that tally "
        "decides no one: none published, a tie, no majority of electors, a parliament "
        "without seats."
    )
    @level(lambda elections, info: _winners(elections, info))
    async def winner(self, info: Info) -> Candidacy | None:
        (winner,) = await _winners([self], info)
        return winner

    @strawberry.field(
        description="Who had the most votes (else the largest share) in the preferred final "
        "tally, whoever won by the rules; it differs from `winner` where, for example, the "
        "electors chose the runner-up of the popular vote. Null on a tie or without a tally."
    )
    @level(lambda elections, info: _popular_vote_leaders(elections, info))
    async def popular_vote_leader(self, info: Info) -> Candidacy | None:
        (leader,) = await _popular_vote_leaders([self], info)
        return leader

    @strawberry.field(
        description="Whether the popular-vote leader won by the rules; null when either is unknown."
    )
    @level(lambda elections, info: _popular_vote_leaders_won(elections, info))
    async def popular_vote_leader_won(self, info: Info) -> bool | None:
        (won,) = await _popular_vote_leaders_won([self], info)
        return won

    @strawberry.field(
        description="The winner's share in percent, from the preferred final tally (an "
        "alliance's is its members' sum where its own is not published)."
    )
    @level(lambda elections, info: _winner_shares(elections, info))
    async def winner_share(self, info: Info) -> float | None:
        (share,) = await _winner_shares([self], info)
        return share

    @strawberry.field(
        description="The winner's share minus the largest share of any other list or "
        "candidate, in percentage points, from the preferred final tally: negative where the "
        "winner trailed in the popular vote."
    )
    @level(lambda elections, info: _margins(elections, info))
    async def margin(self, info: Info) -> float | None:
        (margin,) = await _margins([self], info)
        return margin

    @strawberry.field(
        description="The cabinets formed after it (those it was the last election before), "
        "by the day they took office."
    )
    async def cabinets(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Cabinet]:
        rows = await info.context.loaders.children(models.Cabinet, "previous_election").load(
            self.row.pk
        )
        return nested_connection(
            cabinet.by_start(rows), Cabinet, "Election.cabinets", first, after, last, before
        )

    @strawberry.field(description="Endorsements and congratulations of all candidacies, by date.")
    async def endorsements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Endorsement]:
        loaders = info.context.loaders
        candidacies = await loaders.children(models.Candidacy, "election").load(self.row.pk)
        groups = await loaders.children(models.Endorsement, "candidacy").load_many(
            [c.pk for c in candidacies]
        )
        ordered = endorsement.by_date(r for g in groups for r in g)
        return nested_connection(
            ordered, Endorsement, "Election.endorsements", first, after, last, before
        )

    @strawberry.field(description="Sources for the election's own facts (date, schedule, reason).")
    @level(linked_sources(models.Election).level)
    async def sources(self, info: Info) -> list[Source]:
        return await linked_sources(models.Election).one(self, info)

    @strawberry.field(
        description="Every source behind this election's figures: its own, its candidacies', "
        "its tallies' and its endorsements', once each, by key."
    )
    async def all_sources(self, info: Info) -> list[Source]:
        loaders = info.context.loaders
        candidacies = await loaders.children(models.Candidacy, "election").load(self.row.pk)
        tallies = await loaders.children(models.Tally, "election").load(self.row.pk)
        endorsements = [
            r
            for g in await loaders.children(models.Endorsement, "candidacy").load_many(
                [c.pk for c in candidacies]
            )
            for r in g
        ]
        found: dict[str, models.Source] = {}
        for model, rows in (
            (models.Election, [self.row]),
            (models.Candidacy, candidacies),
            (models.Tally, tallies),
            (models.Endorsement, endorsements),
        ):
            for group in await loaders.links(model, "sources").load_many([r.pk for r in rows]):
                for source in group:
                    found[source.key] = source
        return [Source.from_model(found[key]) for key in sorted(found)]

    @strawberry.field(
        description="Stances on the election (rejections, verdicts, boycotts…), by date."
    )
    async def statements(
        self,
        info: Info,
        kind: Annotated[
            StatementKind | None, strawberry.argument(description="Only statements of this kind.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Statement]:
        rows = await info.context.loaders.children(models.Statement, "election").load(self.row.pk)
        chosen = [r for r in rows if kind is None or r.kind.value == kind.value]
        return nested_connection(
            statement.by_date(chosen), Statement, "Election.statements", first, after, last, before
        )

    @strawberry.field(description="Exit polls of this election, by release date and key.")
    async def exit_polls(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ExitPoll]:
        rows = await info.context.loaders.children(models.ExitPoll, "election").load(self.row.pk)
        ordered = sorted(rows, key=lambda r: (r.released, r.key))
        return nested_connection(
            ordered, ExitPoll, "Election.exitPolls", first, after, last, before
        )

    @strawberry.field(description="Court and commission decisions about this election, by date.")
    async def legal_cases(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LegalCase]:
        rows = await info.context.loaders.children(models.LegalCase, "election").load(self.row.pk)
        return nested_connection(
            legal_case.by_date(rows), LegalCase, "Election.legalCases", first, after, last, before
        )

    @strawberry.field(
        description="Polling station counts: the whole country first (area null), "
        "then areas by key."
    )
    async def polling_stations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PollingStations]:
        rows = await info.context.loaders.children(models.PollingStations, "election").load(
            self.row.pk
        )
        ordered = sorted(rows, key=lambda r: (r.area_id is not None, r.key))
        return nested_connection(
            ordered, PollingStations, "Election.pollingStations", first, after, last, before
        )

    @strawberry.field(
        description="How far each candidacy's share moved across the published tallies of "
        "the last round, from the first stage to the preferred result."
    )
    async def stage_movement(self, info: Info) -> list[ShareMovement]:
        loaders = info.context.loaders
        tallies = in_stage_order(await loaders.children(models.Tally, "election").load(self.row.pk))
        if not tallies:
            return []
        last_round = [t for t in tallies if t.round == tallies[-1].round]
        groups = await loaders.children(models.TallyLine, "tally").load_many(
            [t.pk for t in last_round]
        )
        shares: dict[int, list[float]] = {}
        for lines in groups:
            for line in lines:
                if line.share is not None:
                    shares.setdefault(line.candidacy_id, []).append(line.share)
        candidacies = await loaders.by_id(models.Candidacy).load_many(list(shares))
        place = {
            line.candidacy_id: i for i, line in enumerate(await preferred_lines(info, self.row.pk))
        }
        rows = sorted(
            (c for c in candidacies if c is not None),
            key=lambda c: (place.get(c.pk, len(place)), c.key),
        )
        return [
            ShareMovement(
                candidacy=Candidacy.from_model(c),
                shares=shares[c.pk],
                lowest=min(shares[c.pk]),
                highest=max(shares[c.pk]),
                spread=spread(shares[c.pk]),
            )
            for c in rows
        ]


@strawberry.type(
    description="How one candidacy's share moved across an election's published tallies."
)
class ShareMovement:
    candidacy: Candidacy = strawberry.field(description="The candidacy.")
    shares: list[float] = strawberry.field(
        description="Its share in each tally, in publication order."
    )
    lowest: float = strawberry.field(description="The lowest published share.")
    highest: float = strawberry.field(description="The highest published share.")
    spread: float = strawberry.field(description="Highest minus lowest, in percentage points.")


# The level forms of Election's fields (schema/level.py); each resolver is its form for one.


def _turnout(_election: Election, tallies: list[models.Tally]) -> float | None:
    row = preferred_of(tallies)
    return None if row is None else turnout(row)


_TURNOUT: Loaded[Election, int, list[models.Tally], float | None] = Loaded(
    lambda loaders: loaders.children(models.Tally, "election"), lambda e: e.row.pk, _turnout
)


async def _tallies_of(elections: Sequence[Election], info: Info) -> list[list[models.Tally]]:
    loader = info.context.loaders.children(models.Tally, "election")
    return await loaded(loader, [e.row.pk for e in elections])


async def _area_id(info: Info, area: str | None) -> int | None:
    return None if area is None else (await area_by_code(info, area)).pk


async def _candidacies(
    elections: Sequence[Election],
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> list[Connection[Candidacy]]:
    page = Page.of(first, after, last, before)
    ids = [e.row.pk for e in elections]
    rows_of = await loaded(info.context.loaders.children(models.Candidacy, "election"), ids)
    pages = []
    # Made once per row in the request: a tally line's candidacy is the same object.
    node = info.context.loaders.rows.made(Candidacy)
    for rows, lines in zip(rows_of, await preferred_lines_of(info, ids), strict=True):
        place = {line.candidacy_id: i for i, line in enumerate(lines)}
        ordered = sorted(rows, key=lambda r: (place.get(r.pk, len(place)), r.key))
        pages.append(list_connection(ordered, node, "Election.candidacies", page))
    return pages


async def _tallies(
    elections: Sequence[Election],
    info: Info,
    area: str | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> list[Connection[Tally]]:
    area_id = await _area_id(info, area)
    page = Page.of(first, after, last, before)
    return [
        list_connection(
            in_stage_order([r for r in rows if r.area_id == area_id]),
            Tally.from_model,
            "Election.tallies",
            page,
        )
        for rows in await _tallies_of(elections, info)
    ]


async def _results(
    elections: Sequence[Election], info: Info, area: str | None
) -> list[Tally | None]:
    area_id = await _area_id(info, area)
    preferred = [preferred_of(rows, area_id) for rows in await _tallies_of(elections, info)]
    return [None if row is None else Tally.from_model(row) for row in preferred]


async def _decisions(elections: Sequence[Election], info: Info) -> list[Decision[int]]:
    return await decisions_of(info, [e.row.pk for e in elections], [e.row for e in elections])


async def _winners(elections: Sequence[Election], info: Info) -> list[Candidacy | None]:
    found = await _decisions(elections, info)
    return await Candidacy.load_level(info, [d.winner for d in found])


async def _popular_vote_leaders(
    elections: Sequence[Election], info: Info
) -> list[Candidacy | None]:
    found = await _decisions(elections, info)
    return await Candidacy.load_level(info, [d.popular_vote_leader for d in found])


async def _popular_vote_leaders_won(elections: Sequence[Election], info: Info) -> list[bool | None]:
    return [
        None
        if d.winner is None or d.popular_vote_leader is None
        else d.winner == d.popular_vote_leader
        for d in await _decisions(elections, info)
    ]


async def _winner_shares(elections: Sequence[Election], info: Info) -> list[float | None]:
    return [
        None if d.winner is None else d.standing[d.winner].share
        for d in await _decisions(elections, info)
    ]


async def _margins(elections: Sequence[Election], info: Info) -> list[float | None]:
    margins = [d.margin() for d in await _decisions(elections, info)]
    return [None if margin is None else rounded(margin) for margin in margins]
