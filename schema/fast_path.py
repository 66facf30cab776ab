"""The fast path: a query executed level by level, each resolver called once per object with
no task, no per-field info and no per-call argument conversion (or once per level, where it
has a level form: schema/level.py); anything it cannot answer exactly as graphql-core would
falls back to graphql-core.

graphql-core completes each field of each object on its own: it builds a resolve info,
Strawberry converts the arguments again, and every asynchronous resolver becomes a task.
For a page of 100 elections that is about 20,000 fields, and it was 20-30 times the time of
hand-written SQL (BENCHMARKS.md). Here the same resolvers run, with the same loaders, but
breadth first: for one field, all the objects of a level are resolved together, the
resolvers' coroutines are driven by hand until each waits on a loader, the loaders run one
batch each, and the coroutines go on. The arguments of a field are converted once for the
whole level, and the results are completed with the schema's own types and serializers.

The answer must be byte for byte the one graphql-core gives (tests/test_fast_path.py checks
that over every operation in docs/queries/ and over generated ones). So the fast path only
answers queries (never mutations); it declines fields it does not know how to call (field
extensions other than the `node` lookup, introspection, middleware), and it gives up on any
error and on any null in a non-null position: graphql-core then runs the whole operation
again and reports the error in its own words. A query is read-only, so running it twice
changes nothing but the time.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import itertools
import math
import operator
import weakref
from collections.abc import Awaitable, Callable, Container, Coroutine, Sequence
from typing import Any, NoReturn, cast

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    ExecutionResult,
    FieldNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    ListValueNode,
    ObjectValueNode,
    OperationType,
    Undefined,
    VariableNode,
    get_argument_values,
    is_leaf_type,
)
from strawberry import UNSET, relay

from schema import budget
from schema.budget import AnswerTooLarge, BudgetedExecutor
from schema.level import in_places, level_form
from schema.node import ModelNode
from service import compat
from service.compat import (
    DEFINITION_BACKREF,
    NODE_ID,
    TYPE_CAST_ATTRIBUTE,
    FieldDetails,
    StrawberryField,
    StrawberryObjectDefinition,
    collect_fields,
    get_arguments,
)
from service.metrics import FallbackReason, FastPathCounts

Resolve = Callable[[Any], Any]


class Level:
    """A field's resolver for all the objects of a level at once: its level form
    (schema/level.py), a coroutine function from the objects to the list of their values."""

    __slots__ = ("resolve",)

    def __init__(self, resolve: Callable[[Sequence[Any]], Awaitable[list[Any]]]) -> None:
        self.resolve = resolve


class Unsupported(Exception):
    """The fast path cannot give graphql-core's answer here: graphql-core must run. The
    reason is what the fallback is counted under in /metrics."""

    def __init__(self, what: str, reason: FallbackReason = "unsupported") -> None:
        super().__init__(what)
        self.reason: FallbackReason = reason


class FastInfo:
    """What a resolver gets as `info` on the fast path: the context, and nothing else.

    Our resolvers read only `info.context`; any other attribute (a resolver of the future
    that wants the path or the selection) makes the fast path fall back.
    """

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context

    def __getattr__(self, name: str) -> NoReturn:
        raise Unsupported(f"info.{name}")


#: Fields collected per selection: by type name and the identities of the field nodes.
Collected = dict[tuple[str, tuple[int, ...]], dict[str, list[FieldDetails]]]
#: Fields' arguments as their resolvers take them, info apart, kept where no variable can
#: change them: by the parent type's name and the identity of the field's node.
Calls = dict[tuple[str, int], dict[str, Any]]
#: How each field of a selection is resolved, and the function that makes its objects
#: (`dict_maker`), found once and kept for the next runs of a known query: by the identity of
#: the selection's fields as `collected` keeps them (held with them, so that the identity
#: stays theirs).
Plans = dict[int, tuple[dict[str, list[FieldDetails]], "list[FieldPlan]", "Maker"]]
#: The argument values a kept call may hold: nothing a resolver could change for the next
#: request that shares them.
_CONSTANT_TYPES = frozenset({int, float, str, bool, type(None)})


class FastExecutor(BudgetedExecutor):
    """Strawberry's executor (graphql-core's), which first tries the fast path on a query.

    `collected` may hold the fields collected for the selections of a document that no
    variable can change (no `@skip` or `@include`), `plans` how each of their fields is
    resolved, and `calls` the fields' arguments as their resolvers take them, each kept from
    one request to the next by whoever keeps the document alive (schema/known.py). `counts`
    counts each operation's outcome in the app's metrics (the schema passes them: none
    outside an app).
    """

    def __init__(
        self,
        *args: Any,
        collected: Collected | None = None,
        calls: Calls | None = None,
        plans: Plans | None = None,
        counts: FastPathCounts | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.collected = collected
        self.calls = calls
        self.plans = plans
        self.counts = counts

    def execute_operation(self, serially: bool | None = None) -> Any:
        operation = self.operation.operation
        if operation is not OperationType.QUERY:
            mutation = operation is OperationType.MUTATION
            return self._fallback("mutation" if mutation else "subscription", serially)
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return self._fallback("middleware", serially)
        if serially:  # a query run field after field, as asked: graphql-core's way
            return self._fallback("unsupported", serially)
        return self._fast_or_fallback()

    def _fallback(self, reason: FallbackReason, serially: bool | None = None) -> Any:
        if self.counts is not None:
            self.counts.fallback(reason)
        return super().execute_operation(serially)

    async def _fast_or_fallback(self) -> Any:
        try:
            data = await _Run(self).operation()
        except Exception as error:  # whatever it was, graphql-core answers (the docstring)
            answer = budget.current.get()
            if answer is not None and answer.spent:
                # Raised at one level, or in a group from levels side by side; graphql-core
                # would spend the budget the same way, then stop.
                return ExecutionResult(None, [budget.too_large_error(answer.limit)])
            if answer is not None:  # graphql-core makes the whole answer again
                answer.refill()
            result = self._fallback(error.reason if isinstance(error, Unsupported) else "error")
            return await result if self.is_awaitable(result) else result
        if self.counts is not None:
            self.counts.fast()
        return ExecutionResult(data, None)


class _Run:
    """One operation on the fast path."""

    def __init__(self, executor: FastExecutor) -> None:
        self.executor = executor
        self.schema: GraphQLSchema = executor.schema
        self.strawberry = compat.strawberry_schema(self.schema)
        self.info = FastInfo(executor.context_value)
        loaders = getattr(executor.context_value, "loaders", None)
        batches = getattr(loaders, "batches", None)
        self.batched: Container[Any] = frozenset() if batches is None else batches.futures
        self.budget = budget.current.get()

    async def operation(self) -> dict[str, Any]:
        executor = self.executor
        root_type = self.schema.query_type
        assert root_type is not None
        grouped = self.collect(root_type, ())
        if grouped is None:
            grouped, defers, _forbidden = collect_fields(
                self.schema,
                executor.fragments,
                executor.variable_values,
                root_type,
                executor.operation,
                executor.hide_suggestions,
            )
            if defers:
                raise Unsupported("@defer", "defer")
            self.keep(root_type, (), grouped)
        (data,) = await self.objects(root_type, [executor.root_value], grouped)
        return data

    def collect(
        self, object_type: GraphQLObjectType, nodes: tuple[int, ...]
    ) -> dict[str, list[FieldDetails]] | None:
        """Fields collected for this selection by an earlier request, if they were kept."""
        collected = self.executor.collected
        return None if collected is None else collected.get((object_type.name, nodes))

    def keep(
        self,
        object_type: GraphQLObjectType,
        nodes: tuple[int, ...],
        grouped: dict[str, list[FieldDetails]],
    ) -> None:
        if self.executor.collected is not None:
            self.executor.collected[(object_type.name, nodes)] = grouped

    async def objects(
        self,
        parent_type: GraphQLObjectType,
        sources: Sequence[Any],
        grouped: dict[str, list[FieldDetails]],
    ) -> list[dict[str, Any]]:
        """The objects' results: every field resolved for all of them at once, then each
        field completed, the fields that hold objects side by side as graphql-core runs
        them, so that their loaders share batches."""
        count = len(sources)
        if self.budget is not None and self.budget.take(count * len(grouped) * budget.FIELD):
            raise AnswerTooLarge(budget.too_large_message(self.budget.limit))
        # Every field's resolver first, so that a field the fast path declines is found
        # before any coroutine is made.
        plans, maker = self.plans(parent_type, grouped)
        resolvers = [plan.make(self) for plan in plans]
        # Every field's values, one after the other; a level resolver's (Level) is one
        # coroutine that gives the whole column.
        flat: list[Any] = []
        try:
            for resolve in resolvers:
                if isinstance(resolve, Level):
                    flat.append(resolve.resolve(sources))
                else:
                    flat.extend([resolve(s) for s in sources])
        except BaseException:
            _close(flat)
            raise
        values = await settle(flat, self.batched)
        columns: list[list[Any]] = []
        nested: list[tuple[int, Coroutine[Any, Any, list[Any]]]] = []
        size = 0  # of this level's texts
        start = 0
        for i, (plan, resolve) in enumerate(zip(plans, resolvers, strict=True)):
            if isinstance(resolve, Level):
                column = values[start]
                start += 1
                if type(column) is not list or len(column) != count:
                    raise Unsupported("a level resolver's column")
            else:
                column = values[start : start + count]
                start += count
            if plan.leaf:
                column = complete_leaves(plan.return_type, column)  # at once: no coroutine
                size += budget.weight_of(column)
            else:
                assert plan.return_type is not None  # `__typename` is a leaf
                nested.append((i, self.complete(plan.return_type, plan.details, column)))
            columns.append(column)
        if self.budget is not None and self.budget.take(size):
            for _, unstarted in nested:
                unstarted.close()
            raise AnswerTooLarge(budget.too_large_message(self.budget.limit))
        if len(nested) == 1:
            ((i, completion),) = nested
            columns[i] = await completion
        elif nested:
            # Side by side, driven as the resolvers are (no task each): their loads share
            # batches, as they would with a task each.
            done = await settle([completion for _, completion in nested], self.batched)
            for (i, _), column in zip(nested, done, strict=True):
                columns[i] = column
        # Each object's dict from its values across the columns, every column `count` long: a
        # level resolver's is checked above, the others are sliced so, and completing a
        # column keeps its length.
        if not columns:  # every field skipped: an empty object each
            return [{} for _ in range(count)]
        if maker is None:
            # A query's first run: writing the maker would cost more than it saves. The rows
            # of the columns, in loops that run in C (a third quicker than a comprehension).
            rows = zip(*columns, strict=True)
            return list(map(dict, map(zip, itertools.repeat(list(grouped)), rows)))
        return list(map(maker, *columns))

    def plans(
        self, parent_type: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]
    ) -> tuple[list[FieldPlan], Maker | None]:
        """How each of the selection's fields is resolved, and for a known query the function
        that makes its objects: found for this run, or kept from an earlier run of the known
        query (the same fields, so the same plans)."""
        kept = self.executor.plans
        if kept is not None:
            found = kept.get(id(grouped))
            if found is not None and found[0] is grouped:
                return found[1], found[2]
        plans = [self.plan(parent_type, details) for details in grouped.values()]
        if kept is None:
            return plans, None
        maker = dict_maker(tuple(grouped))
        kept[id(grouped)] = (grouped, plans, maker)
        return plans, maker

    def plan(self, parent_type: GraphQLObjectType, details: list[FieldDetails]) -> FieldPlan:
        """How one selected field is resolved: what does not change from one run to the next
        found now, the rest (arguments, info) left to `FieldPlan.make`."""
        name = details[0].node.name.value
        if name == "__typename":
            return FieldPlan(None, details, _constant_make(_typename(parent_type.name)))
        field_def = parent_type.fields.get(name)
        if field_def is None:  # __schema and __type: introspection is graphql-core's
            raise Unsupported(name, "introspection")
        return FieldPlan(field_def.type, details, self.maker(parent_type, field_def, details[0]))

    def maker(
        self, parent_type: GraphQLObjectType, field_def: GraphQLField, details: FieldDetails
    ) -> Make:
        """How a run makes the field's resolver: a function from a source object to the
        field's value (or a coroutine of it), or the field's Level."""
        field = field_def.extensions.get(DEFINITION_BACKREF)
        if not isinstance(field, StrawberryField):
            raise Unsupported(details.node.name.value)
        if field.base_resolver is None and not field.extensions:
            return _constant_make(operator.attrgetter(field.python_name))
        if field.extensions:
            if parent_type is self.schema.query_type and field.name == "node":
                return lambda run: run.node(run.argument_values(field_def, details)["id"])
            raise Unsupported(field.name)
        assert field.base_resolver is not None
        resolver = field.base_resolver
        if getattr(resolver.wrapped_func, "__func__", None) is NODE_ID:
            type_name = parent_type.name
            return lambda run: functools.partial(global_id, type_name, info=run.info)
        if resolver.parent_parameter or resolver.root_parameter:
            raise Unsupported(field.name)
        function = cast("Callable[..., Any]", resolver.wrapped_func)

        def arguments(run: _Run) -> dict[str, Any]:
            return run.arguments(parent_type, field, field_def, details)

        if not resolver.self_parameter:
            return lambda run: _without_source(function, arguments(run))
        form = level_form(function)
        if form is not None:  # called once for the whole level (schema/level.py)
            return lambda run: _level(form, arguments(run))
        # Called once per object: the shortest call that passes the level's arguments.
        return lambda run: _per_object(function, arguments(run))

    def arguments(
        self,
        parent_type: GraphQLObjectType,
        field: StrawberryField,
        field_def: GraphQLField,
        details: FieldDetails,
    ) -> dict[str, Any]:
        """The field's arguments as its resolver takes them, info included: converted once
        per level, and kept for the next runs of a known query where no variable can change
        them (80 fields' conversions per run of an election's page, BENCHMARKS.md)."""
        resolver = field.base_resolver
        assert resolver is not None
        info_parameter = resolver.info_parameter
        calls = self.executor.calls
        key = (parent_type.name, id(details.node))
        kept = None if calls is None else calls.get(key)
        if kept is not None:
            return kept if info_parameter is None else {**kept, info_parameter.name: self.info}
        kwargs = resolver_arguments(
            self.strawberry, field, self.info, self.argument_values(field_def, details)
        )
        if (
            calls is not None
            and details.fragment_variable_values is None
            and not _has_variables(details.node)
        ):
            constant = {
                name: value
                for name, value in kwargs.items()
                if info_parameter is None or name != info_parameter.name
            }
            if all(map(_constant, constant.values())):
                calls[key] = constant
        return kwargs

    def argument_values(self, field_def: GraphQLField, details: FieldDetails) -> dict[str, Any]:
        """The field's arguments as graphql-core coerces them, with this run's variables."""
        executor = self.executor
        return get_argument_values(
            field_def,
            details.node,
            executor.variable_values,
            details.fragment_variable_values,
            executor.hide_suggestions,
        )

    def node(self, global_id: str | relay.GlobalID) -> Resolve:
        """`node(id:)` for our model types; other IDs are graphql-core's to refuse."""
        node_type, node_id = node_lookup(self.strawberry, global_id)
        info = self.info

        async def resolve(_source: Any) -> Any:
            (found,) = await node_type.resolve_nodes(info=cast(Any, info), node_ids=[node_id])
            return found

        return resolve

    async def complete(
        self, return_type: GraphQLOutputType, details: list[FieldDetails], values: list[Any]
    ) -> list[Any]:
        """The values of one field for a level's objects, completed as graphql-core does."""
        if is_leaf_type(_named(return_type)):
            return complete_leaves(return_type, values)
        if isinstance(return_type, GraphQLNonNull):
            if any(value is None for value in values):
                raise Unsupported("null in a non-null position", "null")
            return_type = return_type.of_type
        if isinstance(return_type, GraphQLList):
            # All the lists' items completed together, then cut back into lists.
            items: list[Any] = []
            lengths: list[int | None] = []
            for value in values:
                if value is None:
                    lengths.append(None)
                else:
                    items_of = _as_list(value)
                    lengths.append(len(items_of))
                    items.extend(items_of)
            done = await self.complete(return_type.of_type, details, items)
            lists: list[Any] = []
            start = 0
            for length in lengths:
                if length is None:
                    lists.append(None)
                else:
                    lists.append(done[start : start + length])
                    start += length
            return lists
        if isinstance(return_type, GraphQLObjectType):
            return await self.complete_objects(return_type, details, values)
        if isinstance(return_type, GraphQLAbstractType):
            return await self.complete_abstract(return_type, details, values)
        raise Unsupported(str(return_type))

    async def complete_objects(
        self, object_type: GraphQLObjectType, details: list[FieldDetails], values: list[Any]
    ) -> list[Any]:
        present = [value for value in values if value is not None]
        is_type_of = object_type.is_type_of
        if (
            is_type_of is not None
            and not of_its_class(object_type, present)
            and not all(is_type_of(value, cast(Any, None)) for value in present)
        ):
            raise Unsupported("is_type_of")
        nodes = tuple(id(detail.node) for detail in details)
        grouped = self.collect(object_type, nodes)
        if grouped is None:
            grouped = compat.subfields(self.executor, object_type, details)
            self.keep(object_type, nodes, grouped)
        return in_places(values, await self.objects(object_type, present, grouped))

    async def complete_abstract(
        self, abstract_type: GraphQLAbstractType, details: list[FieldDetails], values: list[Any]
    ) -> list[Any]:
        """Values of an interface: each completed as the object type of its class."""
        by_type: dict[str, list[int]] = {}
        for i, value in enumerate(values):
            if value is not None:
                definition = getattr(value, "__strawberry_definition__", None)
                if definition is None or definition.is_graphql_generic:
                    raise Unsupported("resolve_type")
                by_type.setdefault(definition.name, []).append(i)
        completed: list[Any] = [None] * len(values)
        for type_name, positions in by_type.items():
            object_type = self.schema.get_type(type_name)
            if not (
                isinstance(object_type, GraphQLObjectType)
                and self.schema.is_sub_type(abstract_type, object_type)
            ):
                raise Unsupported("resolve_type")
            done = await self.complete_objects(object_type, details, [values[i] for i in positions])
            for i, value in zip(positions, done, strict=True):
                completed[i] = value
        return completed


def complete_leaves(return_type: GraphQLOutputType | None, values: list[Any]) -> list[Any]:
    """Scalar or enum values (or lists of them) serialized as graphql-core does;
    `__typename` (no type) as it is."""
    if return_type is None:
        return values
    if isinstance(return_type, GraphQLNonNull):
        if any(value is None for value in values):
            raise Unsupported("null in a non-null position", "null")
        return_type = return_type.of_type
    if isinstance(return_type, GraphQLList):
        item_type = return_type.of_type
        return [
            None if value is None else complete_leaves(item_type, list(_as_list(value)))
            for value in values
        ]
    if _as_they_are(return_type, values):
        return values
    if isinstance(return_type, GraphQLEnumType):
        named = _member_names(return_type, values)
        if named is not None:
            return named
    serialize = return_type.serialize  # type: ignore[union-attr]
    completed: list[Any] = []
    for value in values:
        if value is None:
            completed.append(None)
            continue
        out = serialize(value)
        if out is None or out is Undefined:
            raise Unsupported("serialize")
        completed.append(out)
    return completed


#: For each enum type, the name its serializer gives each member of each Enum class its
#: columns have held (none for a class with a member it refuses): Strawberry's serializer
#: looks through the type's values for every member it is given, a loop in Python for each
#: value of a column. A type may be given members of more than one class (its serializer
#: also names a member of another class whose value it knows), hence a table per class.
_MEMBER_NAMES: weakref.WeakKeyDictionary[GraphQLEnumType, dict[type, dict[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _member_names(enum_type: GraphQLEnumType, values: list[Any]) -> list[Any] | None:
    """An enum column serialized from the names kept for its members, each as the type's
    serializer gave it; None unless every value is null or a member of one Enum class whose
    every member the serializer names (the serializer then takes each value in turn, and
    refuses as it refuses)."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if len(kinds) != 1:
        return None
    (kind,) = kinds
    by_class = _MEMBER_NAMES.get(enum_type)
    if by_class is None:
        by_class = _MEMBER_NAMES[enum_type] = {}
    names = by_class.get(kind)
    if names is None:
        names = by_class[kind] = _names(enum_type, kind)
    if not names:
        return None
    return [None if value is None else names[value] for value in values]


def _names(enum_type: GraphQLEnumType, kind: type) -> dict[Any, Any]:
    """The name the type's serializer gives each member of an Enum class; none when `kind`
    is no Enum class, or the serializer refuses a member or names it null."""
    if not issubclass(kind, enum.Enum):
        return {}
    try:
        names = {member: enum_type.serialize(member) for member in kind}
    except Exception:  # a member it refuses: refused where a value is one, in its words
        return {}
    if None in names.values() or Undefined in names.values():
        return {}  # what the fast path declines to answer (`complete_leaves`)
    return names


def resolver_arguments(
    strawberry: Any, field: StrawberryField, info: FastInfo, values: dict[str, Any]
) -> dict[str, Any]:
    """A field's arguments (as graphql-core coerced them) as its resolver takes them, converted
    by Strawberry, info included; Unsupported for a resolver Strawberry calls in some other
    way than with its object (or none) and these keywords."""
    resolver = field.base_resolver
    assert resolver is not None
    args, kwargs = get_arguments(
        field=field,
        source=None,
        info=cast(Any, info),
        kwargs=values,
        config=strawberry.config,
        scalar_registry=strawberry.schema_converter.scalar_registry,
    )
    if args != ([None] if resolver.self_parameter else []):
        raise Unsupported(field.name)
    return kwargs


def global_id(type_name: str, source: Any, info: FastInfo) -> relay.GlobalID:
    """Node's `id`, as relay's resolver makes it: the type's name and the node's id."""
    node_id = type(source).resolve_id(source, info=cast(Any, info))
    if not isinstance(node_id, str):
        raise Unsupported("id")
    return relay.GlobalID(type_name=type_name, node_id=node_id)


def node_lookup(strawberry: Any, global_id: str | relay.GlobalID) -> tuple[type[ModelNode], str]:
    """The model type and natural key a `node(id:)` argument names; Unsupported for an ID
    that names no model type (an interface, say), which graphql-core refuses in its words."""
    if isinstance(global_id, str):
        global_id = relay.GlobalID.from_id(global_id)  # raises on a malformed ID
    definition = strawberry.get_type_by_name(global_id.type_name)
    if not (
        isinstance(definition, StrawberryObjectDefinition)
        and not definition.is_interface
        and isinstance(definition.origin, type)
        and issubclass(definition.origin, ModelNode)
    ):
        raise Unsupported("node")
    return definition.origin, global_id.node_id


#: The built-in scalars, and the one Python type each serializes as it is: a str as a String
#: or an ID, a bool as a Boolean, an int (of 32 bits) as an Int, a finite float as a Float.
_SCALAR_TYPES: dict[GraphQLOutputType, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
    GraphQLFloat: float,
}


def _as_they_are(return_type: GraphQLOutputType, values: list[Any]) -> bool:
    """Whether graphql-core's serializer would give back each of these values as it is (a
    check in a few passes over the values in C, where serializing calls a function each)."""
    python_type = _SCALAR_TYPES.get(return_type)
    if python_type is None or not set(map(type, values)) <= {python_type, type(None)}:
        return False
    if python_type is int:
        present = [value for value in values if value is not None]
        return not present or (min(present) >= GRAPHQL_MIN_INT and max(present) <= GRAPHQL_MAX_INT)
    if python_type is float:
        return all(map(math.isfinite, [value for value in values if value is not None]))
    return True


def as_they_are(
    return_type: GraphQLOutputType | GraphQLInputType,
) -> tuple[type | None, Callable[[Any], bool] | None]:
    """For one value of a field of this type: the Python type of the values graphql-core's
    serializer gives back as they are, and what else they must be (see `_as_they_are`); no
    type for a type none is given back as it is (a list, an enum, a custom scalar). The
    same values of a variable of the type are kept as they are by graphql-core's coercion
    (schema/variables.py)."""
    if isinstance(return_type, GraphQLNonNull):
        return_type = return_type.of_type
    python_type = _SCALAR_TYPES.get(cast(GraphQLOutputType, return_type))
    if python_type is int:
        return int, _int32
    if python_type is float:
        return float, math.isfinite
    return python_type, None


def _int32(value: int) -> bool:
    return GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT


def of_its_class(object_type: GraphQLObjectType, values: list[Any]) -> bool:
    """Whether every value is an object of the type's own class, cast to no other type: what
    Strawberry's `is_type_of` accepts, checked in a few passes in C rather than a call each."""
    origin = getattr(object_type.extensions.get(DEFINITION_BACKREF), "origin", None)
    return (
        origin is not None
        and set(map(type, values)) <= {origin}
        and not any(map(hasattr, values, itertools.repeat(TYPE_CAST_ATTRIBUTE)))
    )


#: The most keys a selection's objects are made with by a function written for them
#: (`dict_maker`); a selection of more is made key by key.
MAX_MADE_KEYS = 64
#: What makes the objects of a selection from its columns' values, one argument per field.
Maker = Callable[..., dict[str, Any]]


def dict_maker(keys: tuple[str, ...]) -> Maker:
    """The function that makes a level's objects' dicts from their values, one argument per
    key, e.g. for ("key", "name") `lambda v0, v1: {k0: v0, k1: v1}`. Mapped over a level's
    columns (`map(maker, *columns)`), it is about twice as fast as `dict(zip(keys, row))`
    for each row of the transposed columns (BENCHMARKS.md). The keys are bound as names of
    its namespace, never written into its source, which holds only names of our own.
    Writing it takes about 40 µs, so it is written for a known query's selection, once,
    and kept with its plans."""
    if len(keys) > MAX_MADE_KEYS:
        return lambda *values: dict(zip(keys, values, strict=True))
    names = [f"v{i}" for i in range(len(keys))]
    entries = ", ".join(f"k{i}: v{i}" for i in range(len(keys)))
    namespace: dict[str, Any] = {f"k{i}": key for i, key in enumerate(keys)}
    exec(f"def make({', '.join(names)}):\n    return {{{entries}}}\n", namespace)
    made: Maker = namespace["make"]
    return made


def _typename(name: str) -> Resolve:
    return lambda _source: name


#: How a run makes a field's resolver (`_Run.maker`).
Make = Callable[[_Run], Resolve | Level]


class FieldPlan:
    """How one selected field is resolved: its type (None for `__typename`), its field
    nodes, how a run makes its resolver, and whether its values are completed as leaves."""

    __slots__ = ("details", "leaf", "make", "return_type")

    def __init__(
        self, return_type: GraphQLOutputType | None, details: list[FieldDetails], make: Make
    ) -> None:
        self.return_type = return_type
        self.details = details
        self.make = make
        self.leaf = return_type is None or is_leaf_type(_named(return_type))


def _constant_make(resolve: Resolve) -> Make:
    """A field's resolver that is the same for every run (a column, `__typename`)."""
    return lambda _run: resolve


def _level(form: Callable[..., Awaitable[list[Any]]], kwargs: dict[str, Any]) -> Level:
    return Level(lambda sources: form(sources, **kwargs))


def _per_object(function: Callable[..., Any], kwargs: dict[str, Any]) -> Resolve:
    return functools.partial(function, **kwargs) if kwargs else function


def _without_source(function: Callable[..., Any], kwargs: dict[str, Any]) -> Resolve:
    return lambda _source: function(**kwargs)


def _close(values: list[Any]) -> None:
    """Closes the coroutines among values that will not be run."""
    for value in values:
        if type(value) is _COROUTINE:
            value.close()


def _named(type_: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _has_variables(node: FieldNode) -> bool:
    """Whether a variable appears anywhere in the field's arguments."""
    stack: list[Any] = [argument.value for argument in node.arguments or ()]
    while stack:
        value = stack.pop()
        if isinstance(value, VariableNode):
            return True
        if isinstance(value, ListValueNode):
            stack.extend(value.values)
        elif isinstance(value, ObjectValueNode):
            stack.extend(field.value for field in value.fields)
    return False


def _constant(value: Any) -> bool:
    """Whether an argument's value can be shared by the runs of a query: a number, text,
    boolean, enum member, null or Strawberry's UNSET, which no resolver can change."""
    return type(value) in _CONSTANT_TYPES or isinstance(value, enum.Enum) or value is UNSET


def _as_list(value: Any) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise Unsupported("not a list")
    return value


async def settle(values: list[Any], batched: Container[Any] = frozenset()) -> list[Any]:
    """The values with every coroutine among them run to its end, without tasks.

    Each coroutine runs until it waits on a future. A coroutine that waits on anything but a
    loader (a lock, the database) goes on as soon as its future is done, as a task
    would: it may hold a lock that another waits on. Those that wait on loaders
    (`batched`, the futures they handed out) go on together once all those futures are
    done, so that their next loads, whichever loader they came from, make one batch each.
    They hold nothing meanwhile: a loader's batch runs in a task of its own.
    """
    ready: list[tuple[int, Coroutine[Any, Any, Any]]] = [
        (i, value) for i, value in enumerate(values) if type(value) is _COROUTINE
    ]
    if not ready:
        if any(hasattr(value, "__await__") for value in values):
            raise Unsupported("awaitable")
        return values
    loop = asyncio.get_running_loop()
    # The coroutines waiting on each future; loaders' futures apart, in their order.
    blocked: dict[Any, list[tuple[int, Coroutine[Any, Any, Any]]]] = {}
    loads: list[Any] = []
    done_loads = 0  # loads[:done_loads] are known to be done
    # Other futures tell `wake` when they are done: a callback each, as a task would have.
    finished: list[Any] = []
    wake: list[asyncio.Future[None]] = []

    def done(future: Any) -> None:
        finished.append(future)
        if wake and not wake[0].done():
            wake[0].set_result(None)

    try:
        while ready or blocked:
            turn: list[tuple[int, Coroutine[Any, Any, Any]]] = []
            for i, coroutine in ready:
                try:
                    future = coroutine.send(None)
                except StopIteration as stop:
                    values[i] = stop.value
                    continue
                if future is None:
                    turn.append((i, coroutine))  # `await asyncio.sleep(0)`: a turn of the loop
                    continue
                compat.unblock(future)  # what a task does with a future its coroutine waits on
                if future in blocked:
                    blocked[future].append((i, coroutine))
                    continue
                blocked[future] = [(i, coroutine)]
                if future in batched:
                    loads.append(future)
                else:
                    future.add_done_callback(done)
            ready = turn
            if turn:
                await asyncio.sleep(0)
            while blocked and not ready:
                for future in finished:
                    ready.extend(blocked.pop(future))
                finished.clear()
                if ready:
                    break
                # Loads are done in the order they were asked for, more or less: look on
                # from the first one not seen done, rather than from the start each time.
                while done_loads < len(loads) and loads[done_loads].done():
                    done_loads += 1
                if loads and done_loads == len(loads):  # every load is done: all go on
                    for future in loads:
                        ready.extend(blocked.pop(future))
                    loads.clear()
                    done_loads = 0
                    break
                pending = loads[done_loads] if loads else None  # the first not done
                # Wait for a load not yet done, or for any other future, whichever is first.
                waited = [] if pending is None else [pending]
                if len(loads) < len(blocked):
                    wake[:] = [loop.create_future()]
                    waited.append(wake[0])
                await _first_done(loop, waited)
    except asyncio.CancelledError:
        # Cancelled (the time limit, a shutdown): what a task does. The futures waited on
        # are cancelled, and each coroutine gets the cancellation and runs its handlers to
        # their end; the batches still running are cancelled, and their SQL with them, as
        # the operation ends (schema/context.py, `running`).
        for future in blocked:
            future.cancel()
        for _, coroutine in [*ready, *(c for group in blocked.values() for c in group)]:
            await _cancel(coroutine)
        raise
    except BaseException:
        for _, coroutine in [*ready, *(c for group in blocked.values() for c in group)]:
            coroutine.close()
        raise
    return values


async def _first_done(loop: asyncio.AbstractEventLoop, futures: list[Any]) -> None:
    """Returns once one of the futures is done, without their results: what
    `asyncio.wait(futures, return_when=FIRST_COMPLETED)` does, without the sets of done and
    pending futures it makes for its answer, which `settle` never reads. `settle` waits at
    every level of an operation: with `asyncio.wait`, the election page took 3 % more
    instructions (BENCHMARKS.md)."""
    waiter = loop.create_future()

    def wake(_future: Any) -> None:
        if not waiter.done():
            waiter.set_result(None)

    for future in futures:
        future.add_done_callback(wake)
    try:
        await waiter
    finally:
        for future in futures:
            future.remove_done_callback(wake)


async def _cancel(coroutine: Coroutine[Any, Any, Any]) -> None:
    """Throws the cancellation into a coroutine and drives its clean-up to the end."""
    thrown: BaseException | None = asyncio.CancelledError()
    while True:
        try:
            future = coroutine.send(None) if thrown is None else coroutine.throw(thrown)
        except BaseException:  # it ended: with the cancellation, or otherwise
            return
        thrown = None
        if future is None:
            await asyncio.sleep(0)
        else:
            compat.unblock(future)
            await asyncio.wait([future])


async def _coroutine() -> None:
    pass


_sample = _coroutine()
_COROUTINE = type(_sample)
_sample.close()
