"""Global IDs: every entity is a Relay node whose ID is built from its natural key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from strawberry import Info, relay
from tortoise.models import Model


class ModelNode(relay.Node):
    """A node backed by a model row and found by its natural key.

    Subclasses set `model` (and `natural_key` when it is not "key") and define
    `from_model`; `node(id:)` and `nodes(ids:)` then work with one query per batch.
    """

    model: ClassVar[type[Model]]
    natural_key: ClassVar[str] = "key"

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        loader = info.context.loaders.by_key(cls.model, cls.natural_key)
        rows = await loader.load_many(list(node_ids))
        return [None if row is None else cls.from_model(row) for row in rows]  # type: ignore[attr-defined]
