"""Country: the GraphQL type for a country and what happened in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from schema.connection import After, Before, Connection, First, Last, nested_connection
from schema.node import ModelNode

if TYPE_CHECKING:
    from schema.area import Area
    from schema.cabinet import Cabinet
    from schema.election import Election
    from schema.statistics import ElectionStatistics


@strawberry.type(description="A country's ISO 3166-1 codes besides alpha-2, and official name.")
class CountryIso:
    alpha3: str | None = strawberry.field(description='Alpha-3 code, e.g. "AZE".')
    numeric: str | None = strawberry.field(description='Numeric code, e.g. "031".')
    official_name: str | None = strawberry.field(
        description='Official name, e.g. "Republic of Azerbaijan", where ISO 3166 gives one.'
    )


@strawberry.type(description="A country, identified by its ISO 3166-1 alpha-2 code.")
class Country(ModelNode):
    model = models.Country
    natural_key = "code"
    row: strawberry.Private[models.Country]
    node_key: relay.NodeID[str]
    code: str = strawberry.field(description='ISO 3166-1 alpha-2 code, e.g. "AZ".')
    name: str = strawberry.field(description="English name of the country.")

    @strawberry.field(description="Elections held in this country, oldest first.")
    async def elections(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Election, strawberry.lazy("schema.election")]]:
        from schema.election import Election, by_date

        rows = await info.context.loaders.children(models.Election, "country").load(self.row.pk)
        return nested_connection(
            by_date(rows), Election, "Country.elections", first, after, last, before
        )

    @strawberry.field(description="Regions, districts and other areas of this country, by name.")
    async def areas(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Area, strawberry.lazy("schema.area")]]:
        from schema.area import Area

        rows = await info.context.loaders.children(models.Area, "country").load(self.row.pk)
        ordered = sorted(rows, key=lambda r: (r.name, r.key))
        return nested_connection(ordered, Area, "Country.areas", first, after, last, before)

    @strawberry.field(description="Its cabinets, by the day they took office.")
    async def cabinets(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Cabinet, strawberry.lazy("schema.cabinet")]]:
        from schema.cabinet import Cabinet, by_start

        rows = await info.context.loaders.children(models.Cabinet, "country").load(self.row.pk)
        return nested_connection(
            by_start(rows), Cabinet, "Country.cabinets", first, after, last, before
        )

    @strawberry.field(description="The country's other ISO 3166-1 codes and official name.")
    def iso(self) -> CountryIso:
        row = self.row
        return CountryIso(alpha3=row.alpha3, numeric=row.numeric, official_name=row.official_name)

    @strawberry.field(
        description="How many elections it held, their average turnout and winner's share."
    )
    async def statistics(
        self, info: Info
    ) -> Annotated[ElectionStatistics, strawberry.lazy("schema.statistics")]:
        from schema.statistics import country_statistics

        return await country_statistics(info, self.row.pk)
