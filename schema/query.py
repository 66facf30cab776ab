"""Query: the root fields, one per thing a client can look up."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info, relay
from tortoise.queryset import QuerySet

import models
from errors import ClientError
from schema.candidacy import Candidacy
from schema.country import Country
from schema.election import Election, ElectionKind
from schema.exit_poll import ExitPoll
from schema.legal_case import LegalCase
from schema.node import ObjectTypeIds
from schema.office_term import OfficeTerm
from schema.organization import Organization, OrganizationKind
from schema.person import Person
from schema.source import Source
from schema.statement import StatementKind
from schema.tally import Tally

MAX_FIRST = 100
OFFICE_MAX_LENGTH: int = models.OfficeTerm._meta.fields_map["office"].max_length  # type: ignore[attr-defined]


def _first(first: int) -> int:
    if not 1 <= first <= MAX_FIRST:
        raise ClientError(f"first must be between 1 and {MAX_FIRST}, got {first}")
    return first


def _search(queryset: QuerySet[models.Person] | QuerySet[models.Organization], text: str | None):  # type: ignore[no-untyped-def]
    if not text:
        return queryset
    text = text.strip()
    longest: int = queryset.model._meta.fields_map["name"].max_length  # type: ignore[attr-defined]
    if "\0" in text or len(text) > longest:
        # No name holds a NUL character or is longer than its column, and these would fail:
        # PostgreSQL refuses a NUL in a query parameter, SQLite a LIKE pattern over 50,000
        # bytes ("LIKE or GLOB pattern too complex").
        return queryset.filter(id__in=[])
    return queryset.filter(name__icontains=text)


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

    @strawberry.field(description="Every country, by name.")
    async def countries(self) -> list[Country]:
        return [
            Country.from_model(row) for row in await models.Country.all().order_by("name", "code")
        ]

    @strawberry.field(description="A country by its ISO 3166-1 alpha-2 code; null if unknown.")
    async def country(
        self,
        info: Info,
        code: Annotated[
            str, strawberry.argument(description='ISO code, e.g. "AZ"; case-insensitive.')
        ],
    ) -> Country | None:
        row = await info.context.loaders.by_key(models.Country, "code").load(code.strip().upper())
        return None if row is None else Country.from_model(row)

    @strawberry.field(description="Elections, oldest first, optionally of one country and kind.")
    async def elections(
        self,
        info: Info,
        country: Annotated[
            str | None, strawberry.argument(description="Only this country's (ISO code).")
        ] = None,
        kind: Annotated[
            ElectionKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="At most this many, 1–100.")  # noqa: RUF001
        ] = MAX_FIRST,
        statement_kind: Annotated[
            StatementKind | None,
            strawberry.argument(
                description="Only elections with at least one statement of this kind, e.g. BOYCOTT."
            ),
        ] = None,
    ) -> list[Election]:
        limit = _first(first)
        queryset = models.Election.all()
        if country is not None:
            # Through the loader, so an unknown code of any length gives [], not an error.
            found = await info.context.loaders.by_key(models.Country, "code").load(
                country.strip().upper()
            )
            if found is None:
                return []
            queryset = queryset.filter(country_id=found.pk)
        if kind is not None:
            queryset = queryset.filter(kind=kind.value)
        if statement_kind is not None:
            queryset = queryset.filter(statements__kind=statement_kind.value).distinct()
        rows = await queryset.order_by("date", "key").limit(limit)
        return [Election.from_model(row) for row in rows]

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

    @strawberry.field(description="People by name, alphabetically; all when no search is given.")
    async def people(
        self,
        search: Annotated[
            str | None, strawberry.argument(description="Part of the name, case-insensitive.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="At most this many, 1–100.")  # noqa: RUF001
        ] = MAX_FIRST,
    ) -> list[Person]:
        rows = (
            await _search(models.Person.all(), search).order_by("name", "key").limit(_first(first))
        )
        return [Person.from_model(row) for row in rows]

    @strawberry.field(description='A person by key, e.g. "zahid-oruj"; null if unknown.')
    async def person(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The person's key.")],
    ) -> Person | None:
        row = await info.context.loaders.by_key(models.Person).load(key)
        return None if row is None else Person.from_model(row)

    @strawberry.field(description="Organizations by name, alphabetically, optionally of one kind.")
    async def organizations(
        self,
        search: Annotated[
            str | None, strawberry.argument(description="Part of the name, case-insensitive.")
        ] = None,
        kind: Annotated[
            OrganizationKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="At most this many, 1–100.")  # noqa: RUF001
        ] = MAX_FIRST,
    ) -> list[Organization]:
        queryset = _search(models.Organization.all(), search)
        if kind is not None:
            queryset = queryset.filter(kind=kind.value)
        rows = await queryset.order_by("name", "key").limit(_first(first))
        return [Organization.from_model(row) for row in rows]

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
