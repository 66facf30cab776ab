"""Global IDs: every entity is a Relay node whose ID is built from its natural key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self

from strawberry import Info, relay
from strawberry.extensions import FieldExtension
from strawberry.relay import GlobalID, GlobalIDValueError
from tortoise.models import Model

from schema.conversion import FromRow
from service.compat import StrawberryObjectDefinition


class ModelNode(relay.Node, FromRow):
    """A node backed by a model row and found by its natural key.

    Subclasses set `model` (and `natural_key` when it is not "key"); `from_model` (from
    FromRow) makes one from a row, `load` from a foreign key, and `node(id:)` and
    `nodes(ids:)` work with one query per batch.
    """

    model: ClassVar[type[Model]]
    natural_key: ClassVar[str] = "key"

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        loader = info.context.loaders.by_key(cls.model, cls.natural_key)
        rows = await loader.load_many(list(node_ids))
        return [None if row is None else cls.from_model(row) for row in rows]

    @classmethod
    async def load(cls, info: Info, row_id: int | None) -> Self | None:
        """The node of the row with this id (a foreign key), through the request's loader,
        so the rows a level asks for are read in one statement; None for no id or no row."""
        if row_id is None:
            return None
        row = await info.context.loaders.by_id(cls.model).load(row_id)
        return None if row is None else cls.from_model(row)

    @classmethod
    async def load_required(cls, info: Info, row_id: int) -> Self:
        """`load` for a foreign key that cannot be null, whose row the database keeps."""
        found = await cls.load(info, row_id)
        if found is None:
            raise LookupError(f"No {cls.__name__} has the id {row_id}.")
        return found


class ObjectTypeIds(FieldExtension):
    """Refuses a global ID that names an interface (`Node:…`) rather than a type of object.

    Strawberry takes the Node interface for a Node type and calls its resolve_nodes, which
    raises NotImplementedError: an internal error for a client's mistake. The refusal reads
    as Strawberry's own for an ID naming any other type that is no Node type.
    """

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info, kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info, kwargs)
        return await next_(source, info, **kwargs)

    @staticmethod
    def _check(info: Info, kwargs: dict[str, Any]) -> None:
        ids: list[GlobalID] = [kwargs["id"]] if "id" in kwargs else kwargs.get("ids", [])
        for global_id in ids:
            definition = info.schema.get_type_by_name(global_id.type_name)
            if isinstance(definition, StrawberryObjectDefinition) and definition.is_interface:
                raise GlobalIDValueError(
                    "Cannot resolve. GlobalID requires a GraphQL Node type, "
                    f"received `{global_id.type_name}`."
                )
