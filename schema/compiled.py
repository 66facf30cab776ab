"""Compiled lookups: a known query whose root fields each find one object, by its global ID or
by a root resolver's arguments, and read only that object's own fields, is answered from the
objects its resolvers give, without graphql-core's execution context or the fast path's
levels, with the same answer.

For `node(id:) { id ... on Election { key date } }` most of a known run's time went to
machinery made for large operations: graphql-core's execution context (its incremental
executor, its info), the fast path's levels and its settling of coroutines, each once for one
object (BENCHMARKS.md). Here the fields the fast path collected for each type on an earlier
run (schema/known.py keeps them) become, once, a list of reads per type; a run coerces the
variables, calls each root field's resolver, and reads each object's fields.

Only what it knows is compiled: the `node` lookup or a root resolver, giving one object (or
an interface's) or null, whose selected fields are columns (fields without a resolver), its
`id` and `__typename`, each of a scalar or enum type. Anything else is left to the fast path,
and so is a run it cannot answer exactly as graphql-core would: an error, a null where none
may be, a type no earlier run reached. The fast path then runs the query from the start, and
answers as graphql-core does (schema/fast_path.py); a query changes nothing, so running it
again costs only time.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_argument_values,
    get_variable_values,
    is_leaf_type,
)
from strawberry import relay

from schema import budget
from schema.budget import AnswerTooLarge
from schema.fast_path import (
    Collected,
    FastInfo,
    Unsupported,
    as_they_are,
    complete_leaves,
    node_lookup,
    of_its_class,
    settle,
)
from service import compat
from service.compat import (
    DEFINITION_BACKREF,
    NODE_ID,
    FieldDetails,
    StrawberryField,
    get_arguments,
)

#: One field's value from its object, with the run's info (for a node's `id`).
Read = Callable[[Any, FastInfo], Any]


@dataclass(frozen=True)
class Leaf:
    """A field of an object read as it is: its key in the answer, its type (None for
    `__typename`) and how it is read."""

    key: str
    return_type: GraphQLOutputType | None
    read: Read
    #: The Python type a value of this field is answered as it is (`str` for a String, say),
    #: and what else such a value must be (an Int within 32 bits, a finite Float); others go
    #: through the type's serializer.
    as_it_is: type | None = None
    check: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Shape:
    """What is read of an object of one type: its type, for the check that the object is of
    its own class, and its fields in the answer's order."""

    object_type: GraphQLObjectType
    leaves: tuple[Leaf, ...]


@dataclass(frozen=True)
class Root:
    """A root field: the object it finds, and what is read of it by its type's name."""

    key: str
    field_def: GraphQLField
    details: FieldDetails
    #: The Strawberry field, for its resolver and the conversion of its arguments; None for
    #: the `node(id:)` lookup.
    field: StrawberryField | None
    shapes: dict[str, Shape]

    def call(self, strawberry: Any, variables: Any, info: FastInfo) -> Any:
        """The root field's object, or a coroutine of it, for this run's variables."""
        arguments = get_argument_values(self.field_def, self.details.node, variables)
        if self.field is None:
            node_type, node_id = node_lookup(strawberry, arguments["id"])
            return _first(node_type.resolve_nodes(info=cast(Any, info), node_ids=[node_id]))
        resolver = self.field.base_resolver
        assert resolver is not None
        args, kwargs = get_arguments(
            field=self.field,
            source=None,
            info=cast(Any, info),
            kwargs=arguments,
            config=strawberry.config,
            scalar_registry=strawberry.schema_converter.scalar_registry,
        )
        if args != [None]:
            raise Unsupported(self.field.name)  # a resolver Strawberry calls some other way
        function = cast("Callable[..., Any]", resolver.wrapped_func)
        return function(None, **kwargs)

    def complete(self, value: Any, info: FastInfo, answer: budget.Budget | None) -> Any:
        """The object's part of the answer, as the fast path would complete it."""
        if value is None:
            if isinstance(self.field_def.type, GraphQLNonNull):
                raise Unsupported("null in a non-null position", "null")
            return None
        definition = getattr(value, "__strawberry_definition__", None)
        if definition is None or definition.is_graphql_generic:
            raise Unsupported("resolve_type")
        shape = self.shapes.get(definition.name)
        if shape is None:  # a type no earlier run reached here: the fast path collects it
            raise Unsupported("a type not compiled")
        if not of_its_class(shape.object_type, [value]):
            raise Unsupported("is_type_of")
        if answer is not None and answer.take(len(shape.leaves) * budget.FIELD):
            raise AnswerTooLarge(budget.too_large_message(answer.limit))
        out: dict[str, Any] = {}
        size = 0
        for leaf in shape.leaves:
            read = leaf.read(value, info)
            if type(read) is not leaf.as_it_is or (leaf.check is not None and not leaf.check(read)):
                # Anything but a value of the one type it serializes to as it is (schema:
                # fast_path._as_they_are): its type's serializer, as graphql-core calls it.
                (read,) = complete_leaves(leaf.return_type, [read])
            out[leaf.key] = read
            size += budget.weight(read)
        if answer is not None and answer.take(size):
            raise AnswerTooLarge(budget.too_large_message(answer.limit))
        return out


@dataclass(frozen=True)
class Compiled:
    """A known query's root fields, compiled."""

    operation: OperationDefinitionNode
    roots: tuple[Root, ...]

    async def run(self, schema: GraphQLSchema, context: Any, variables: Any) -> dict[str, Any]:
        """The answer's data; Unsupported (or the resolvers' own errors) where the fast path
        must answer, AnswerTooLarge once the answer's budget is spent."""
        coerced = get_variable_values(
            schema, self.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            raise Unsupported("variables")  # graphql-core refuses them in its words
        strawberry = compat.strawberry_schema(schema)
        info = FastInfo(context)
        answer = budget.current.get()
        if answer is not None and answer.take(len(self.roots) * budget.FIELD):
            raise AnswerTooLarge(budget.too_large_message(answer.limit))
        values = [root.call(strawberry, coerced, info) for root in self.roots]
        if len(values) == 1 and type(values[0]) is _COROUTINE:
            values[0] = await values[0]
        else:
            loaders = getattr(context, "loaders", None)
            batches = getattr(loaders, "batches", None)
            # Side by side, as the fast path runs a level's fields: their loads share batches.
            values = await settle(values, frozenset() if batches is None else batches.futures)
        return {
            root.key: root.complete(value, info, answer)
            for root, value in zip(self.roots, values, strict=True)
        }


async def _first(found: Any) -> Any:
    (value,) = await found
    return value


def compile_known(
    schema: GraphQLSchema, operation: OperationDefinitionNode, collected: Collected
) -> Compiled | None:
    """The query compiled from the fields the fast path collected for it; None when it reads
    anything but one object per root field and that object's own fields."""
    root_type = schema.query_type
    grouped = None if root_type is None else collected.get((root_type.name, ()))
    if root_type is None or grouped is None:
        return None
    roots: list[Root] = []
    for key, details in grouped.items():
        name = details[0].node.name.value
        field_def = root_type.fields.get(name)
        if field_def is None or any(d.fragment_variable_values is not None for d in details):
            return None
        field = field_def.extensions.get(DEFINITION_BACKREF)
        if not isinstance(field, StrawberryField):
            return None
        if field.extensions:
            if name != "node":  # the one field extension known here: the `node` lookup
                return None
            called: StrawberryField | None = None
        else:
            resolver = field.base_resolver
            if (
                resolver is None
                or not resolver.self_parameter
                or resolver.parent_parameter
                or resolver.root_parameter
            ):
                return None
            called = field
        shapes = _shapes(schema, field_def.type, collected, tuple(id(d.node) for d in details))
        if shapes is None:
            return None
        roots.append(Root(key, field_def, details[0], called, shapes))
    return Compiled(operation, tuple(roots))


def _shapes(
    schema: GraphQLSchema,
    return_type: GraphQLOutputType,
    collected: Collected,
    nodes: tuple[int, ...],
) -> dict[str, Shape] | None:
    """What is read of each type a root field's object may be, among those the fast path has
    collected fields for; None when the field gives no single object or reads more."""
    if isinstance(return_type, GraphQLNonNull):
        return_type = return_type.of_type
    if isinstance(return_type, GraphQLObjectType):
        types: Sequence[GraphQLObjectType] = [return_type]
    elif isinstance(return_type, GraphQLInterfaceType):
        types = schema.get_possible_types(return_type)
    else:
        return None
    shapes: dict[str, Shape] = {}
    for object_type in types:
        grouped = collected.get((object_type.name, nodes))
        if grouped is None:
            continue
        leaves: list[Leaf] = []
        for key, details in grouped.items():
            leaf = _leaf(object_type, key, details[0].node.name.value)
            if leaf is None:
                return None
            leaves.append(leaf)
        shapes[object_type.name] = Shape(object_type, tuple(leaves))
    return shapes


def _leaf(object_type: GraphQLObjectType, key: str, name: str) -> Leaf | None:
    """How one selected field of the type is read, if it is its own scalar: a column, the
    node's `id` or `__typename`."""
    if name == "__typename":
        type_name = object_type.name
        return Leaf(key, None, lambda _value, _info: type_name, str)
    field_def = object_type.fields.get(name)
    if field_def is None or not is_leaf_type(_named(field_def.type)):
        return None
    field = field_def.extensions.get(DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field.extensions:
        return None
    as_it_is, check = as_they_are(field_def.type)
    if field.base_resolver is None:
        attribute = operator.attrgetter(field.python_name)
        return Leaf(key, field_def.type, lambda value, _info: attribute(value), as_it_is, check)
    if getattr(field.base_resolver.wrapped_func, "__func__", None) is NODE_ID:
        return Leaf(key, field_def.type, _global_id(object_type.name))
    return None


def _global_id(type_name: str) -> Read:
    """Node's `id`, as relay's resolver makes it (and the fast path: `_Run.global_id`)."""

    def read(value: Any, info: FastInfo) -> relay.GlobalID:
        node_id = type(value).resolve_id(value, info=cast(Any, info))
        if not isinstance(node_id, str):
            raise Unsupported("id")
        return relay.GlobalID(type_name=type_name, node_id=node_id)

    return read


async def _coroutine() -> None:
    pass


_sample = _coroutine()
_COROUTINE: type[Any] = type(_sample)
_sample.close()


def _named(type_: GraphQLOutputType) -> GraphQLOutputType:
    while hasattr(type_, "of_type"):
        type_ = type_.of_type
    return type_
