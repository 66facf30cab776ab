"""Source: the GraphQL type for where a fact was read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry import Info, relay

import models
from schema.node import ModelNode


@strawberry.type(description="Where a fact was read: an article, a protocol, a report.")
class Source(ModelNode):
    model = models.Source
    node_key: relay.NodeID[str]
    key: str = strawberry.field(description="Natural key of the source, stable across loads.")
    url: str | None = strawberry.field(description="Address of the source, if it has one.")
    publisher: str = strawberry.field(description="Who published it.")
    title: str | None = strawberry.field(description="Title of the article or document.")
    published: dt.date | None = strawberry.field(description="Publication date, when known.")
    version: str | None = strawberry.field(
        description="For a data set: the release read (a version, a commit); null otherwise."
    )
    licence: str | None = strawberry.field(
        description='For a data set: the licence it is published under, e.g. "CC0 1.0".'
    )


async def sources_of(info: Info, model: type[Any], row_id: int) -> list[Source]:
    """The sources linked to one row of a fact model, in key order."""
    rows = await info.context.loaders.links(model, "sources").load(row_id)
    return [Source.from_model(row) for row in rows]
