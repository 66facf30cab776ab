"""Source: the GraphQL type for where a fact was read."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import strawberry
from strawberry import relay
from tortoise.models import Model

import models
from schema.level import Loaded
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


@cache
def linked_sources(model: type[Model]) -> Loaded[Any, int, list[Any], list[Source]]:
    """A fact's sources, in key order: the resolver of its type's `sources` (`one`) and its
    level form (`level`), for the rows of `model`."""
    return Loaded(lambda loaders: loaders.linked(model, "sources", Source), _pk, _copy)


def _copy(_fact: Any, sources: list[Source]) -> list[Source]:
    # A list of its own for each fact: the loader's is shared by every fact with its id.
    return list(sources)


def _pk(fact: Any) -> int:
    pk: int = fact.row.pk
    return pk
