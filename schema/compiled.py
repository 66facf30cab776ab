"""Compiled lookups: a known query whose root fields each find one object, by its global ID or
by a root resolver's arguments, and read that object's own fields and the objects its foreign
keys lead to, is answered from the objects its resolvers give, without graphql-core's
execution context or the fast path's levels, with the same answer.

For `node(id:) { id ... on Election { key date } }` most of a known run's time went to
machinery made for large operations: graphql-core's execution context (its incremental
executor, its info), the fast path's levels and its settling of coroutines, each once for one
object (BENCHMARKS.md). Here the fields the fast path collected for each type on an earlier
run (schema/known.py keeps them) become, once, a list of reads per type; a run coerces the
variables, calls each root field's resolver, reads each object's fields, and loads the
objects its foreign keys lead to, one batch per field and level, as the fast path does. A
`node(id:)` lookup that is the query's only root field is read in the run's own task: a batch
of one key would cost a future, a task and a turn of the event loop, and save nothing.

Only what it knows is compiled: the `node` lookup or a root resolver, giving one object (or
an interface's) or null, whose selected fields are columns (fields without a resolver), its
`id`, `__typename`, each of a scalar or enum type, and fields that follow a foreign key to one
object (`follows`, schema/node.py) of which the same holds. Anything else is left to the fast
path, and so is a run it cannot answer exactly as graphql-core would: an error, a null where
none may be, a type no earlier run reached. The fast path then runs the query from the start,
and answers as graphql-core does (schema/fast_path.py); a query changes nothing, so running it
again costs only time.
"""

from __future__ import annotations

import asyncio
import functools
import operator
from collections.abc import Callable, Container, Sequence
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
    get_named_type,
    is_leaf_type,
)

from schema import budget
from schema.budget import AnswerTooLarge
from schema.fast_path import (
    Collected,
    FastInfo,
    Unsupported,
    as_they_are,
    complete_leaves,
    global_id,
    node_lookup,
    of_its_class,
    resolver_arguments,
    settle,
)
from schema.node import Followed, ModelNode, followed
from schema.variables import Variables
from service import compat
from service.compat import (
    DEFINITION_BACKREF,
    NODE_ID,
    FieldDetails,
    StrawberryField,
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
class Nested:
    """A field that follows a foreign key of its object's row to one object (`follows`):
    its key in the answer and type, the key and where it leads, and what is read of the
    object it finds."""

    key: str
    return_type: GraphQLOutputType
    follows: Followed
    shapes: dict[str, Shape]


@dataclass(frozen=True)
class Shape:
    """What is read of an object of one type: its type, for the check that the object is of
    its own class, and its fields in the answer's order."""

    object_type: GraphQLObjectType
    fields: tuple[Leaf | Nested, ...]


#: A nested object still to load: the answer's dict it goes in, its field, and the key.
Pending = list[tuple[dict[str, Any], Nested, Any]]


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

    def call(self, strawberry: Any, variables: Any, info: FastInfo, alone: bool) -> Any:
        """The root field's object, or a coroutine of it, for this run's variables; `alone`:
        it is the query's only root field, so its lookup has nothing to be batched with."""
        arguments = get_argument_values(self.field_def, self.details.node, variables)
        if self.field is None:
            node_type, node_id = node_lookup(strawberry, arguments["id"])
            if alone:
                return node_type.resolve_alone(cast(Any, info), node_id)
            return _node(node_type, info, node_id)
        resolver = self.field.base_resolver
        assert resolver is not None  # and it takes `self`: compile_known
        function = cast("Callable[..., Any]", resolver.wrapped_func)
        return function(None, **resolver_arguments(strawberry, self.field, info, arguments))


def _complete(
    value: Any,
    return_type: GraphQLOutputType,
    shapes: dict[str, Shape],
    info: FastInfo,
    answer: budget.Budget | None,
    pending: Pending,
) -> Any:
    """An object's part of the answer, as the fast path would complete it; the objects its
    foreign keys lead to are added to `pending`, and their places are held in its dict."""
    if value is None:
        if isinstance(return_type, GraphQLNonNull):
            raise Unsupported("null in a non-null position", "null")
        return None
    definition = getattr(value, "__strawberry_definition__", None)
    if definition is None or definition.is_graphql_generic:
        raise Unsupported("resolve_type")
    shape = shapes.get(definition.name)
    if shape is None:  # a type no earlier run reached here: the fast path collects it
        raise Unsupported("a type not compiled")
    if not of_its_class(shape.object_type, [value]):
        raise Unsupported("is_type_of")
    if answer is not None and answer.take(len(shape.fields) * budget.FIELD):
        raise AnswerTooLarge(budget.too_large_message(answer.limit))
    out: dict[str, Any] = {}
    size = 0
    for field in shape.fields:
        if type(field) is Nested:
            out[field.key] = None  # its place in the answer's order, filled once loaded
            pending.append((out, field, field.follows.key(value)))
            continue
        leaf = cast(Leaf, field)
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
    #: The operation's variables, coerced for each run.
    variables: Variables

    async def run(self, schema: GraphQLSchema, context: Any, variables: Any) -> dict[str, Any]:
        """The answer's data; Unsupported (or the resolvers' own errors) where the fast path
        must answer, AnswerTooLarge once the answer's budget is spent."""
        coerced = self.variables.coerce(variables or {})
        if isinstance(coerced, list):
            raise Unsupported("variables")  # graphql-core refuses them in its words
        strawberry = compat.strawberry_schema(schema)
        info = FastInfo(context)
        answer = budget.current.get()
        if answer is not None and answer.take(len(self.roots) * budget.FIELD):
            raise AnswerTooLarge(budget.too_large_message(answer.limit))
        loaders = getattr(context, "loaders", None)
        batches = getattr(loaders, "batches", None)
        batched: Container[Any] = frozenset() if batches is None else batches.futures
        calls: list[Any] = []
        alone = len(self.roots) == 1
        try:
            for root in self.roots:
                calls.append(root.call(strawberry, coerced, info, alone))
        except BaseException:
            for call in calls:
                if asyncio.iscoroutine(call):
                    call.close()  # never to run: no warning that it was never awaited
            raise
        values = await _settled(calls, batched)
        pending: Pending = []
        data = {
            root.key: _complete(value, root.field_def.type, root.shapes, info, answer, pending)
            for root, value in zip(self.roots, values, strict=True)
        }
        while pending:
            # One level of nested objects: each field's keys loaded in one call, side by side
            # with the other fields', as the fast path loads a level.
            level, pending = pending, []
            fields: dict[int, list[int]] = {}
            for i, (_out, field, _row_id) in enumerate(level):
                fields.setdefault(id(field), []).append(i)
            loads = []
            for places in fields.values():
                follows = level[places[0]][1].follows
                row_ids = [level[i][2] for i in places]
                loads.append(follows.node.load_level(cast(Any, info), row_ids, follows.required))
            loaded = await _settled(loads, batched)
            for places, found in zip(fields.values(), loaded, strict=True):
                for i, value in zip(places, found, strict=True):
                    out, field, _row_id = level[i]
                    out[field.key] = _complete(
                        value, field.return_type, field.shapes, info, answer, pending
                    )
        return data


async def _settled(values: list[Any], batched: Container[Any]) -> list[Any]:
    """The values with their coroutines run: one awaited as it is, several side by side, so
    that their loads share batches (`settle`)."""
    if len(values) == 1 and asyncio.iscoroutine(values[0]):
        return [await values[0]]
    return await settle(values, batched)


async def _node(node_type: type[ModelNode], info: FastInfo, node_id: str) -> Any:
    """The node of this type and key, or None: `node(id:)`'s resolver."""
    (value,) = await node_type.resolve_nodes(info=cast(Any, info), node_ids=[node_id])
    return value


def compile_known(
    schema: GraphQLSchema, operation: OperationDefinitionNode, collected: Collected
) -> Compiled | None:
    """The query compiled from the fields the fast path collected for it; None when it reads
    anything but one object per root field, its own fields and the objects its foreign keys
    lead to."""
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
    return Compiled(
        operation, tuple(roots), Variables(schema, operation.variable_definitions or ())
    )


def _shapes(
    schema: GraphQLSchema,
    return_type: GraphQLOutputType,
    collected: Collected,
    nodes: tuple[int, ...],
) -> dict[str, Shape] | None:
    """What is read of each type a field's object may be, among those the fast path has
    collected fields for (by the field's nodes); None when the field gives no single object
    or reads more of it."""
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
        fields: list[Leaf | Nested] = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            field = _leaf(object_type, key, name) or _nested(
                schema, object_type, key, name, collected, tuple(id(d.node) for d in details)
            )
            if field is None:
                return None
            fields.append(field)
        shapes[object_type.name] = Shape(object_type, tuple(fields))
    return shapes


def _nested(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    key: str,
    name: str,
    collected: Collected,
    nodes: tuple[int, ...],
) -> Nested | None:
    """How a selected field of the type is loaded, if it follows a foreign key of the row to
    one object (`follows`, with no arguments) whose selected fields compile too."""
    field_def = object_type.fields.get(name)
    if field_def is None or field_def.args:
        return None
    field = field_def.extensions.get(DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field.extensions or field.base_resolver is None:
        return None
    follows = followed(field.base_resolver.wrapped_func)
    if follows is None:
        return None
    shapes = _shapes(schema, field_def.type, collected, nodes)
    if shapes is None:
        return None
    return Nested(key, field_def.type, follows, shapes)


def _leaf(object_type: GraphQLObjectType, key: str, name: str) -> Leaf | None:
    """How one selected field of the type is read, if it is its own scalar: a column, the
    node's `id` or `__typename`."""
    if name == "__typename":
        type_name = object_type.name
        return Leaf(key, None, lambda _value, _info: type_name, str)
    field_def = object_type.fields.get(name)
    if field_def is None or field_def.args or not is_leaf_type(get_named_type(field_def.type)):
        return None
    field = field_def.extensions.get(DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field.extensions:
        return None
    as_it_is, check = as_they_are(field_def.type)
    if field.base_resolver is None:
        attribute = operator.attrgetter(field.python_name)
        return Leaf(key, field_def.type, lambda value, _info: attribute(value), as_it_is, check)
    if getattr(field.base_resolver.wrapped_func, "__func__", None) is NODE_ID:
        return Leaf(key, field_def.type, functools.partial(global_id, object_type.name))
    return None
