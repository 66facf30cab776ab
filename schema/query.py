"""Query: the root fields, one per thing a client can look up."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry import Info, relay
from tortoise import fields

import models
from schema.area import Area
from schema.candidacy import Candidacy
from schema.connection import After, Before, Connection, First, Last, Page
from schema.country import Country
from schema.country_code import alpha_2
from schema.election import Election
from schema.endorsement import Endorsement
from schema.exit_poll import ExitPoll
from schema.filters import (
    AreaFilter,
    CandidacyFilter,
    CountryFilter,
    ElectionFilter,
    EndorsementFilter,
    ExitPollFilter,
    Filter,
    LegalCaseFilter,
    OrganizationFilter,
    PersonFilter,
    StatementFilter,
)
from schema.keyset import TRUE, Dialect, Sql
from schema.legal_case import LegalCase
from schema.node import ObjectTypeIds
from schema.office_term import OfficeTerm
from schema.ordering import (
    AreaOrder,
    CandidacyOrder,
    CountryOrder,
    ElectionOrder,
    EndorsementOrder,
    ExitPollOrder,
    LegalCaseOrder,
    OrganizationOrder,
    PersonOrder,
    StatementOrder,
    sort_keys,
)
from schema.organization import Organization
from schema.person import Person
from schema.rows import table_connection
from schema.source import Source
from schema.statement import Statement
from schema.statistics import ElectionStatistics, election_statistics
from schema.tally import Tally
from service.database import default_client

# fields_map holds any Field; the office is a CharField (models/office_term.py).
OFFICE_MAX_LENGTH: int = cast(
    "fields.CharField[str]", models.OfficeTerm._meta.fields_map["office"]
).max_length


def _where(filter_: Filter | None) -> Sql:
    return TRUE if filter_ is None else filter_.sql(Dialect(default_client()))


def _filter(description: str) -> Any:
    return strawberry.argument(description=description)


def _order(what: str, default: str) -> Any:
    return strawberry.argument(
        description=f"The order, key by key; {default} when not given. The natural key "
        f"always breaks ties, so the order of {what} is total."
    )


@strawberry.type(description="The root of every query.")
class Query:
    node: relay.Node | None = relay.node(
        description="Any object by its global ID; null if there is none.",
        extensions=[ObjectTypeIds()],
    )
    nodes: list[relay.Node | None] = relay.node(
        description="Objects by their global IDs, in the same order; null where there is none.",
        extensions=[ObjectTypeIds()],
    )

    @strawberry.field(description="Countries, by name unless ordered otherwise.")
    async def countries(
        self,
        info: Info,
        filter: Annotated[CountryFilter | None, _filter("Which countries.")] = None,
        order_by: Annotated[list[CountryOrder] | None, _order("countries", "by name")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Country]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("country", order_by, ["name"], natural_key="code")
        return await table_connection(
            models.Country,
            Country.from_model,
            _where(filter),
            keys,
            "countries",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(
        description="A country by its ISO 3166-1 alpha-2 code; null if unknown. Anything but "
        'two letters (a name, an alpha-3 code) is refused with the code meant: "AZ", not '
        '"Azerbaijan" or "AZE".'
    )
    async def country(
        self,
        info: Info,
        code: Annotated[
            str, strawberry.argument(description='ISO code, e.g. "AZ"; case-insensitive.')
        ],
    ) -> Country | None:
        found = alpha_2(code, "country(code:)")
        row = await info.context.loaders.by_key(models.Country, "code").load(found)
        return None if row is None else Country.from_model(row)

    @strawberry.field(description="Elections, oldest first unless ordered otherwise.")
    async def elections(
        self,
        info: Info,
        filter: Annotated[ElectionFilter | None, _filter("Which elections.")] = None,
        order_by: Annotated[list[ElectionOrder] | None, _order("elections", "oldest first")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Election]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("election", order_by, ["date"])
        return await table_connection(
            models.Election,
            Election.from_model,
            _where(filter),
            keys,
            "elections",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(
        description="How many elections a filter matches, their average turnout and winner's "
        "share, and how the winners' shares spread."
    )
    async def election_statistics(
        self,
        filter: Annotated[ElectionFilter | None, _filter("Which elections.")] = None,
    ) -> ElectionStatistics:
        return await election_statistics(_where(filter))

    @strawberry.field(description="Candidacies, by election date unless ordered otherwise.")
    async def candidacies(
        self,
        info: Info,
        filter: Annotated[CandidacyFilter | None, _filter("Which candidacies.")] = None,
        order_by: Annotated[
            list[CandidacyOrder] | None, _order("candidacies", "by election date")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Candidacy]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("candidacy", order_by, ["election_date"])
        return await table_connection(
            models.Candidacy,
            Candidacy.from_model,
            _where(filter),
            keys,
            "candidacies",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(
        description="Endorsements and congratulations, by date (undated last) unless ordered "
        "otherwise."
    )
    async def endorsements(
        self,
        info: Info,
        filter: Annotated[EndorsementFilter | None, _filter("Which endorsements.")] = None,
        order_by: Annotated[
            list[EndorsementOrder] | None, _order("endorsements", "by date, undated last")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Endorsement]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("endorsement", order_by, ["date"])
        return await table_connection(
            models.Endorsement,
            Endorsement.from_model,
            _where(filter),
            keys,
            "endorsements",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(
        description="Statements on elections (recognitions, rejections, observers' verdicts, "
        "fraud allegations, boycotts), by date (undated last) unless ordered otherwise."
    )
    async def statements(
        self,
        info: Info,
        filter: Annotated[StatementFilter | None, _filter("Which statements.")] = None,
        order_by: Annotated[
            list[StatementOrder] | None, _order("statements", "by date, undated last")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Statement]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("statement", order_by, ["date"])
        return await table_connection(
            models.Statement,
            Statement.from_model,
            _where(filter),
            keys,
            "statements",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(description="Exit polls, by release date unless ordered otherwise.")
    async def exit_polls(
        self,
        info: Info,
        filter: Annotated[ExitPollFilter | None, _filter("Which exit polls.")] = None,
        order_by: Annotated[
            list[ExitPollOrder] | None, _order("exit polls", "by release date")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ExitPoll]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("exit_poll", order_by, ["released"])
        return await table_connection(
            models.ExitPoll,
            ExitPoll.from_model,
            _where(filter),
            keys,
            "exitPolls",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(
        description="Court and commission decisions on elections, by date (decided, else "
        "filed; undated last) unless ordered otherwise."
    )
    async def legal_cases(
        self,
        info: Info,
        filter: Annotated[LegalCaseFilter | None, _filter("Which legal cases.")] = None,
        order_by: Annotated[
            list[LegalCaseOrder] | None, _order("legal cases", "by date, undated last")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LegalCase]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("legal_case", order_by, ["date"])
        return await table_connection(
            models.LegalCase,
            LegalCase.from_model,
            _where(filter),
            keys,
            "legalCases",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(
        description='An election by its key, e.g. "az-president-2024"; null if unknown.'
    )
    async def election(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The election's key.")],
    ) -> Election | None:
        row = await info.context.loaders.by_key(models.Election).load(key)
        return None if row is None else Election.from_model(row)

    @strawberry.field(description="People, by name unless ordered otherwise.")
    async def people(
        self,
        info: Info,
        filter: Annotated[
            PersonFilter | None, _filter("Which people, e.g. by name search.")
        ] = None,
        order_by: Annotated[list[PersonOrder] | None, _order("people", "by name")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Person]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("person", order_by, ["name"])
        return await table_connection(
            models.Person,
            Person.from_model,
            _where(filter),
            keys,
            "people",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(description='A person by key, e.g. "zahid-oruj"; null if unknown.')
    async def person(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The person's key.")],
    ) -> Person | None:
        row = await info.context.loaders.by_key(models.Person).load(key)
        return None if row is None else Person.from_model(row)

    @strawberry.field(description="Organizations, by name unless ordered otherwise.")
    async def organizations(
        self,
        info: Info,
        filter: Annotated[OrganizationFilter | None, _filter("Which organizations.")] = None,
        order_by: Annotated[
            list[OrganizationOrder] | None, _order("organizations", "by name")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Organization]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("organization", order_by, ["name"])
        return await table_connection(
            models.Organization,
            Organization.from_model,
            _where(filter),
            keys,
            "organizations",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(description="Regions, districts, cities…, by name unless ordered otherwise.")
    async def areas(
        self,
        info: Info,
        filter: Annotated[AreaFilter | None, _filter("Which areas.")] = None,
        order_by: Annotated[list[AreaOrder] | None, _order("areas", "by name")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Area]:
        page = Page.of(first, after, last, before)
        keys = sort_keys("area", order_by, ["name"])
        return await table_connection(
            models.Area,
            Area.from_model,
            _where(filter),
            keys,
            "areas",
            page,
            info.context.loaders.rows,
        )

    @strawberry.field(description="An organization by key; null if unknown.")
    async def organization(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The organization's key.")],
    ) -> Organization | None:
        row = await info.context.loaders.by_key(models.Organization).load(key)
        return None if row is None else Organization.from_model(row)

    @strawberry.field(description='A candidacy by key, e.g. "az-president-2024/zahid-oruj".')
    async def candidacy(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The candidacy's key.")],
    ) -> Candidacy | None:
        row = await info.context.loaders.by_key(models.Candidacy).load(key)
        return None if row is None else Candidacy.from_model(row)

    @strawberry.field(description="A tally by key; null if unknown.")
    async def tally(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The tally's key.")],
    ) -> Tally | None:
        row = await info.context.loaders.by_key(models.Tally).load(key)
        return None if row is None else Tally.from_model(row)

    @strawberry.field(description="A source by key; null if unknown.")
    async def source(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The source's key.")],
    ) -> Source | None:
        row = await info.context.loaders.by_key(models.Source).load(key)
        return None if row is None else Source.from_model(row)

    @strawberry.field(description="A legal case by key; null if unknown.")
    async def legal_case(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The case's key.")],
    ) -> LegalCase | None:
        row = await info.context.loaders.by_key(models.LegalCase).load(key)
        return None if row is None else LegalCase.from_model(row)

    @strawberry.field(description="An exit poll by key; null if unknown.")
    async def exit_poll(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The exit poll's key.")],
    ) -> ExitPoll | None:
        row = await info.context.loaders.by_key(models.ExitPoll).load(key)
        return None if row is None else ExitPoll.from_model(row)

    @strawberry.field(description="Terms of an office in a country, earliest first.")
    async def office_terms(
        self,
        info: Info,
        country: Annotated[str, strawberry.argument(description='ISO code, e.g. "AZ".')],
        office: Annotated[
            str, strawberry.argument(description='The office, e.g. "President of Azerbaijan".')
        ],
    ) -> list[OfficeTerm]:
        # The country through the loader, and no office longer than the column or with a NUL
        # character: Tortoise refuses the one in a filter, PostgreSQL the other, and neither
        # can match a row anyway.
        found = await info.context.loaders.by_key(models.Country, "code").load(
            country.strip().upper()
        )
        if found is None or len(office) > OFFICE_MAX_LENGTH or "\0" in office:
            return []
        rows = await models.OfficeTerm.filter(country_id=found.pk, office=office).order_by(
            "started", "key"
        )
        return [OfficeTerm.from_model(row) for row in rows]
