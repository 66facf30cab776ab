"""Global IDs: every entity is a Relay node whose ID is built from its natural key."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

from strawberry import Info, relay
from strawberry.extensions import FieldExtension
from strawberry.relay import GlobalID, GlobalIDValueError
from tortoise.models import Model

from schema.conversion import FromRow
from schema.level import in_places, level, loaded
from service.compat import StrawberryObjectDefinition

R = TypeVar("R", bound=Callable[..., Any])


class ModelNode(relay.Node, FromRow):
    """A node backed by a model row and found by its natural key.

    Subclasses set `model` (and `natural_key` when it is not "key"); `from_model` (from
    FromRow) makes one from a row, `load` from a foreign key, and `node(id:)` and
    `nodes(ids:)` work with one query per batch.
    """

    model: ClassVar[type[Model]]
    natural_key: ClassVar[str] = "key"
    #: Every node type by its class's name (`follows`).
    named: ClassVar[dict[str, type[ModelNode]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ModelNode.named[cls.__name__] = cls

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        loader = info.context.loaders.by_key(cls.model, cls.natural_key)
        rows = await loader.load_many(list(node_ids))
        return [None if row is None else cls.from_model(row) for row in rows]

    @classmethod
    async def resolve_alone(cls, info: Info, node_id: str) -> Self | None:
        """`resolve_nodes` for one ID that nothing else in its operation is loaded beside
        (a compiled lookup's only root field, schema/compiled.py): read at once."""
        row = await info.context.loaders.by_key(cls.model, cls.natural_key).load_alone(node_id)
        return None if row is None else cls.from_model(row)

    @classmethod
    async def load(cls, info: Info, row_id: int | None) -> Self | None:
        """The node of the row with this id (a foreign key), through the request's loader,
        so the rows a level asks for are read in one statement; None for no id or no row."""
        if row_id is None:
            return None
        row = await info.context.loaders.by_id(cls.model).load(row_id)
        return None if row is None else cls.from_model(row)

    @classmethod
    async def load_level(
        cls, info: Info, row_ids: list[int | None], required: bool = False
    ) -> list[Self | None]:
        """`load` (or `load_required`) for the foreign keys of a level's objects at once: the
        rows asked for in one batch, and one wait for them (schema/level.py); no batch and no
        wait when every row was read before in the request. Each row is made into one object
        for the request (`Rows.nodes`)."""
        loaders = info.context.loaders
        wanted = [i for i in row_ids if i is not None]
        rows = loaders.rows.known(cls.model, wanted)
        if rows is None:
            rows = await loaded(loaders.by_id(cls.model), wanted)
        found: list[Self | None] = in_places(row_ids, loaders.rows.nodes(cls, rows))
        # A null key or a missing row, looked for in the ids and rows, which compare with
        # None in C: `None in found` compared each node through its dataclass's __eq__.
        if required and (None in row_ids or None in rows):
            raise LookupError(f"No {cls.__name__} has the id {row_ids[found.index(None)]}.")
        return found

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


def follows(column: str, node: str, required: bool = False) -> Callable[[R], R]:
    """The level form (schema/level.py) of a resolver that follows the foreign key `column` of
    its object's row to the node type named `node`, as `node.load(info, self.row.column)`
    does (`load_required` when `required`): `load_level` over the level's keys. The type is
    named, and found when first called, so that types may follow each other both ways."""
    key = operator.attrgetter(f"row.{column}")

    async def form(objects: list[Any], info: Info) -> list[Any]:
        return await ModelNode.named[node].load_level(info, [key(o) for o in objects], required)

    def give(resolver: R) -> R:
        setattr(resolver, _FOLLOWS, (column, node, required, key))
        return level(form)(resolver)

    return give


_FOLLOWS = "__follows__"


@dataclass(frozen=True)
class Followed:
    """What a resolver made with `follows` follows: the foreign key, the node type it leads
    to, whether the key may not be null (its row then must be found), and the key's value
    in an object's row."""

    column: str
    node: type[ModelNode]
    required: bool
    key: Callable[[Any], Any]


def followed(resolver: object) -> Followed | None:
    """What a resolver made with `follows` follows; None for any other resolver."""
    found: tuple[str, str, bool, Callable[[Any], Any]] | None = getattr(resolver, _FOLLOWS, None)
    if found is None:
        return None
    column, node, required, key = found
    return Followed(column, ModelNode.named[node], required, key)


#: Where `reads` notes its keys on a resolver.
_READS = "__reads__"


def reads(column: str, node: str) -> Callable[[R], R]:
    """Notes that a resolver reads the rows the foreign key `column` of its object's row
    points at, of the node type named `node`, though it answers with something else (a
    candidacy's name is its person's or its party's): a known query asking for the field
    then reads those rows with its object's rows (schema/joins.py), as for a field made
    with `follows`. Under `@strawberry.field`; one for each key."""

    def give(resolver: R) -> R:
        setattr(resolver, _READS, (*getattr(resolver, _READS, ()), (column, node)))
        return resolver

    return give


def read_through(resolver: object) -> tuple[tuple[str, type[ModelNode]], ...]:
    """The foreign keys a resolver notes with `reads`, and the node types they lead to."""
    noted: tuple[tuple[str, str], ...] = getattr(resolver, _READS, ())
    return tuple((column, ModelNode.named[node]) for column, node in noted)
