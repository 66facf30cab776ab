"""Area: the GraphQL type for a region, district, municipality or disputed territory."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, relay

import models
from models.figures import preferred_of
from schema.connection import After, Before, Connection, First, Last, nested_connection
from schema.external_ids import ExternalIds, external_ids_of
from schema.node import ModelNode, follows
from service.errors import ClientError

if TYPE_CHECKING:
    from schema.country import Country
    from schema.tally import Tally


@strawberry.enum(description="What kind of area this is.")
class AreaKind(Enum):
    REGION = strawberry.enum_value("region", description="A first-level region or province.")
    DISTRICT = strawberry.enum_value("district", description="A district or rayon.")
    MUNICIPALITY = strawberry.enum_value("municipality", description="A municipality.")
    CITY = strawberry.enum_value("city", description="A city or town.")
    DISPUTED_TERRITORY = strawberry.enum_value(
        "disputed_territory", description="A territory whose status is disputed."
    )


@strawberry.type(description="A part of a country: region, district, municipality, city.")
class Area(ModelNode):
    model = models.Area
    row: strawberry.Private[models.Area]
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the area, stable across loads.")
    name: str = strawberry.field(description="Name of the area in English.")
    kind: AreaKind = strawberry.field(description="What kind of area this is.")
    code: str | None = strawberry.field(
        description='Its ISO 3166-2 code, e.g. "US-GA", where it has one: the `area` that '
        "`Election.result` and `Election.tallies` take."
    )

    @strawberry.field(description="The publishers' identifiers of this area (e.g. its FIPS code).")
    def external_ids(self) -> ExternalIds:
        return external_ids_of(self.row)

    @strawberry.field(
        description="The results counted in this area: each election's preferred final tally "
        "for it (of the last round), oldest election first."
    )
    async def results(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Tally, strawberry.lazy("schema.tally")]]:
        from schema.tally import Tally

        loaders = info.context.loaders
        rows = await loaders.children(models.Tally, "area").load(self.row.pk)
        by_election: dict[int, list[models.Tally]] = {}
        for row in rows:
            by_election.setdefault(row.election_id, []).append(row)
        elections = await loaders.by_id(models.Election).load_many(list(by_election))
        dated = sorted((e.date, e.key, e.pk) for e in elections if e is not None)
        results = [preferred_of(by_election[pk], self.row.pk) for _, _, pk in dated]
        return nested_connection(
            [r for r in results if r is not None], Tally, "Area.results", first, after, last, before
        )

    @strawberry.field(description="The country the area belongs to.")
    @follows("country_id", "Country", required=True)
    async def country(self, info: Info) -> Annotated[Country, strawberry.lazy("schema.country")]:
        from schema.country import Country

        return await Country.load_required(info, self.row.country_id)

    @strawberry.field(description="The area this one lies in, if any.")
    @follows("parent_id", "Area")
    async def parent(self, info: Info) -> Area | None:
        return await Area.load(info, self.row.parent_id)

    @strawberry.field(description="Areas inside this one, by name.")
    async def children(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Area]:
        rows = await info.context.loaders.children(models.Area, "parent").load(self.row.pk)
        ordered = sorted(rows, key=lambda r: (r.name, r.key))
        return nested_connection(ordered, Area, "Area.children", first, after, last, before)


async def area_by_code(info: Info, code: str) -> models.Area:
    """The area with this ISO 3166-2 code (any case); a ClientError names a code that no
    area has, so that a mistyped code is not taken for a result that is missing."""
    wanted = code.strip().upper()
    row: models.Area | None = await info.context.loaders.by_key(models.Area, "code").load(wanted)
    if row is None:
        shown = code if len(code) <= 20 else code[:20] + "…"
        raise ClientError(
            f'`area`: no area has the ISO 3166-2 code {shown!r}. Codes look like "US-GA" '
            "(country, hyphen, subdivision); `Country.areas { nodes { code } }` lists them."
        )
    return row
