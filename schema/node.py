"""Global IDs: every entity is a Relay node whose ID is built from its natural key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Self, TypeVar

from strawberry import Info
from tortoise.models import Model

M = TypeVar("M", bound=Model)


class FromModel(Protocol[M]):  # type: ignore[misc]
    @classmethod
    def from_model(cls, row: M) -> Self: ...


async def nodes_by_key(
    cls: Any, info: Info, model: type[Model], keys: Iterable[str], natural_key: str = "key"
) -> list[Any]:
    """Resolve node IDs (natural keys) to GraphQL objects; unknown keys give None."""
    rows = await info.context.loaders.by_key(model, natural_key).load_many(list(keys))
    return [None if row is None else cls.from_model(row) for row in rows]
