"""Area: the GraphQL type for a region, district, municipality or disputed territory."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import Info, relay

import models
from schema.connection import After, Before, Connection, First, Last, Page, list_connection
from schema.node import ModelNode

if TYPE_CHECKING:
    from schema.country import Country


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

    @classmethod
    def from_model(cls, row: models.Area) -> Self:
        return cls(
            row=row, node_key=row.key, key=row.key, name=row.name, kind=AreaKind(row.kind.value)
        )

    @strawberry.field(description="The country the area belongs to.")
    async def country(self, info: Info) -> Annotated[Country, strawberry.lazy("schema.country")]:
        from schema.country import country_by_id

        country = await country_by_id(info, self.row.country_id)
        assert country is not None  # a foreign key that cannot be null
        return country

    @strawberry.field(description="The area this one lies in, if any.")
    async def parent(self, info: Info) -> Area | None:
        parent_id = self.row.parent_id
        if parent_id is None:
            return None
        row = await info.context.loaders.by_id(models.Area).load(parent_id)
        return None if row is None else Area.from_model(row)

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
        return list_connection(
            sorted(rows, key=lambda r: (r.name, r.key)),
            Area.from_model,
            "Area.children",
            Page.of(first, after, last, before),
        )
