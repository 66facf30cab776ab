"""Limits: how much one request may ask for, and the validation that refuses more."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    ObjectFieldNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_list_type,
    is_non_null_type,
    validate,
    visit,
)
from graphql import (
    Visitor as GraphQLVisitor,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension

from schema.documents import document_bytes
from schema.hints import REPLACED
from service import compat
from service.caches import Cache, text_bytes
from service.compat import MaybeNullValidationRule, OneOfInputValidationRule
from service.settings import CacheBytes, Limits

#: The largest page of a connection: `first` and `last` must be between 1 and this.
MAX_PAGE = 100


#: Arguments whose value sets how many items a field returns: a list field answers one item
#: per ID of its `ids`; a connection a page of `first` or `last` items.
_SIZE_ARGUMENTS = ("first", "last", "ids")


def _given(value: Any, variables: Mapping[str, object], defaults: Mapping[str, object]) -> object:
    """An argument's value as the request gives it: a literal, or a variable's value or
    default (only the integers and lists that sizes are read from)."""
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, ListValueNode):
        return value.values
    if isinstance(value, VariableNode):
        name = value.name.value
        return variables[name] if name in variables else defaults.get(name)
    return None


def _list_size(
    field: FieldNode,
    arguments: Mapping[str, Any],
    variables: Mapping[str, object],
    defaults: Mapping[str, object],
    list_size: int,
) -> int:
    """What a list or connection field counts for: as many as its `ids`, or its `first` or
    `last`, as the request gives them (a literal, a variable's value or default), else the
    argument's own default, else a connection's largest page, else `list_size`."""
    for argument in field.arguments or ():
        name = argument.name.value
        if name not in _SIZE_ARGUMENTS:
            continue
        given = _given(argument.value, variables, defaults)
        if name == "ids":
            if isinstance(given, list | tuple):
                return len(given)
        elif isinstance(given, int) and not isinstance(given, bool):
            return max(given, 0)
    first = arguments.get("first")
    if first is not None:
        default = first.default.value if first.default is not None else first.default_value
        if isinstance(default, int) and not isinstance(default, bool):
            return default
        return MAX_PAGE
    return list_size


def cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, object] | None = None,
    list_size: int = Limits.cost_list_size,
) -> int:
    """The worst-case number of fields `operation` can return: every field counts 1 for
    each time it can appear, list sizes multiplied through the nesting.

    A connection counts as its `first` or `last` argument when the request gives one, else
    as its largest page (100), and its `edges` or `nodes` list counts 1 more; a list with an
    `ids` argument (`nodes(ids:)`) counts as many as its IDs; another list counts as
    `list_size`. Introspection
    (`__schema`, `__type`) counts 1 per field: its size is fixed by the schema, and
    graphql-core refuses the deeply nested introspection that could grow.
    The document must be valid: unknown fields or fragments are not expected here.
    """
    variables = variables or {}
    defaults = {
        definition.variable.name.value: _given(definition.default_value, {}, {})
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode | ListValueNode)
    }
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    # A fragment costs the same wherever it is spread, so each is counted once: a chain of
    # fragments that each spread the next twice must not take exponential time here.
    fragment_costs: dict[tuple[str, bool], int] = {}

    def selection_cost(selection_set: SelectionSetNode, parent: Any, multiply: bool) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name == "__typename":
                    total += 1
                    continue
                if name in ("__schema", "__type"):
                    definition = SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
                    field_multiply = False
                elif isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    definition = parent.fields[name]
                    field_multiply = multiply
                else:  # pragma: no cover - a valid document selects only __typename on unions
                    continue
                count = 1
                type_: Any = definition.type
                # A connection counts its page size once, for its edges and what they hold.
                connection = get_named_type(type_).name.endswith("Connection")
                if connection and field_multiply:
                    count *= _list_size(selection, definition.args, variables, defaults, list_size)
                edges = name in ("edges", "nodes") and getattr(parent, "name", "").endswith(
                    "Connection"
                )
                while True:
                    if is_non_null_type(type_):
                        type_ = type_.of_type
                    elif is_list_type(type_):
                        if field_multiply and not edges:
                            count *= _list_size(
                                selection, definition.args, variables, defaults, list_size
                            )
                        type_ = type_.of_type
                    else:
                        break
                inner = (
                    selection_cost(
                        selection.selection_set, get_named_type(definition.type), field_multiply
                    )
                    if selection.selection_set
                    else 0
                )
                total += count * (1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = schema.get_type(condition.name.value) if condition else parent
                total += selection_cost(selection.selection_set, scope, multiply)
            elif isinstance(selection, FragmentSpreadNode):
                key = (selection.name.value, multiply)
                if key not in fragment_costs:
                    fragment_costs[key] = 0  # a cycle (refused by validation) counts nothing
                    fragment = fragments[selection.name.value]
                    scope = schema.get_type(fragment.type_condition.name.value)
                    fragment_costs[key] = selection_cost(fragment.selection_set, scope, multiply)
                total += fragment_costs[key]
        return total

    root = schema.get_root_type(operation.operation)
    return selection_cost(operation.selection_set, root, True)


def cost_takes_variables(document: DocumentNode) -> bool:
    """Whether an `ids`, `first` or `last` argument in the document takes a variable: only
    then can the cost of one of its operations differ from one request to the next."""
    found = False

    class Visitor(GraphQLVisitor):
        def enter_argument(self, node: ArgumentNode, *_args: object) -> None:
            nonlocal found
            if node.name.value in _SIZE_ARGUMENTS and isinstance(node.value, VariableNode):
                found = True

    visit(document, Visitor())
    return found


def cost_error(operation: OperationDefinitionNode, cost: int, limit: int) -> GraphQLError:
    name = operation.name.value if operation.name else "anonymous"
    return GraphQLError(
        f"'{name}' could return up to {cost:,} fields, over the limit of {limit:,}; "
        "ask for fewer fields, or for fewer items with `first`.",
        operation,
    )


@cache  # one class per limit, not one per request
def directives_rule(limit: int) -> type[ValidationRule]:
    """A validation rule refusing a document with more than `limit` directives."""

    class MaxDirectives(ValidationRule):
        count = 0

        def enter_directive(self, node: DirectiveNode, *_args: object) -> None:
            self.count += 1

        def leave_document(self, node: DocumentNode, *_args: object) -> None:
            if self.count > limit:
                self.report_error(GraphQLError(f"{self.count} directives found. Allowed: {limit}"))

    return MaxDirectives


#: The rules Strawberry's own validation adds to the extensions' (`validate_document` in
#: strawberry/schema/schema.py), which Validation runs in its stead: tests/test_compat.py
#: fails, naming the difference, when Strawberry's list is not this one.
STRAWBERRY_RULES: tuple[type[ValidationRule], ...] = (
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)

# --- Depth and aliases --------------------------------------------------------------------------


class _Shape:
    """How deep a document's selections go and how many aliases they hold, with each fragment
    measured once however often it is spread: a chain of fragments that each spread the next
    twice describes 2^n paths in a few hundred bytes, and walking every path would hold the
    server for minutes before any limit refused the query."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self._depths: dict[str, int] = {}
        self._aliases: dict[str, int] = {}
        #: Whether a fragment spreads itself, through others or not (the spec's rules refuse it).
        self.cyclic = False

    def _fragment(self, name: str, memo: dict[str, int], measure: Any) -> int:
        if name in memo:
            return memo[name]
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0  # an unknown fragment: the spec's rules refuse it
        memo[name] = -1  # being measured: met again, it is a cycle, which adds nothing
        memo[name] = measure(fragment.selection_set)
        return memo[name]

    def depth(self, selection_set: SelectionSetNode) -> int:
        """Levels of fields below the owner of `selection_set` (introspection not counted)."""
        return max((self.reach(selection) for selection in selection_set.selections), default=0)

    def reach(self, selection: SelectionNode) -> int:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None or selection.name.value.startswith("__"):
                return 0
            return 1 + self.depth(selection.selection_set)
        if isinstance(selection, InlineFragmentNode):
            return self.depth(selection.selection_set)
        assert isinstance(selection, FragmentSpreadNode)
        depth = self._fragment(selection.name.value, self._depths, self.depth)
        if depth < 0:
            self.cyclic = True
        return max(depth, 0)

    def aliases(self, selection_set: SelectionSetNode) -> int:
        """Aliased fields, each fragment counted as often as it is spread."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += selection.alias is not None
                if selection.selection_set is not None:
                    total += self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.aliases(selection.selection_set)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                total += max(self._fragment(selection.name.value, self._aliases, self.aliases), 0)
        return total

    def first_below(self, selection_set: SelectionSetNode, level: int, limit: int) -> Node | None:
        """The first selection, in the order of the text, more than `limit` levels down,
        `selection_set` being at `level`; only the selections that lead there are entered."""
        for selection in selection_set.selections:
            if level > limit:
                return selection
            if level + self.reach(selection) <= limit:
                continue
            if isinstance(selection, FieldNode):
                assert selection.selection_set is not None
                return self.first_below(selection.selection_set, level + 1, limit)
            if isinstance(selection, InlineFragmentNode):
                return self.first_below(selection.selection_set, level, limit)
            assert isinstance(selection, FragmentSpreadNode)
            fragment = self.fragments[selection.name.value]
            return self.first_below(fragment.selection_set, level, limit)
        return None


def shape_errors(document: DocumentNode, max_depth: int, max_aliases: int) -> list[GraphQLError]:
    """The depth of each operation within `max_depth` and the aliases of all within
    `max_aliases`, in the words of Strawberry's QueryDepthLimiter and MaxAliasesLimiter,
    counted in time linear in the document's size."""
    shape = _Shape(document)
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    errors = []
    try:
        for operation in operations:
            if shape.depth(operation.selection_set) > max_depth and not shape.cyclic:
                name = operation.name.value if operation.name else "anonymous"
                errors.append(
                    GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {max_depth}",
                        shape.first_below(operation.selection_set, 0, max_depth),
                    )
                )
        aliases = sum(shape.aliases(operation.selection_set) for operation in operations)
    except RecursionError:
        return [GraphQLError("The document nests its fragments too deeply to be checked.")]
    if aliases > max_aliases:
        errors.append(GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}"))
    return errors


@cache
def shape_rule(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing an operation deeper than `max_depth`, or a document with
    more than `max_aliases` aliases; it counts before the other rules visit the document."""

    class Shape(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for error in shape_errors(context.document, max_depth, max_aliases):
                self.report_error(error)

    return Shape


# --- Lists ------------------------------------------------------------------------------------


def list_error(where: str, count: int, limit: int, node: Node | None = None) -> GraphQLError:
    return GraphQLError(
        f"`{where}` has {count:,} items, over the limit of {limit:,} for a list; "
        f"send at most {limit:,} at a time.",
        node,
    )


@cache
def list_rule(limit: int) -> type[ValidationRule]:
    """A validation rule refusing a list of more than `limit` items written in the document
    (an argument, an input field or a variable's default); lists in variables are counted
    with each request (`variable_list_error`)."""

    class MaxListItems(ValidationRule):
        def enter_list_value(
            self, node: ListValueNode, _key: object, parent: object, *_args: object
        ) -> None:
            if len(node.values) <= limit:
                return
            if isinstance(parent, ArgumentNode | ObjectFieldNode):
                where = parent.name.value
            elif isinstance(parent, VariableDefinitionNode):
                where = f"${parent.variable.name.value}"
            else:
                where = "a list"
            self.report_error(list_error(where, len(node.values), limit, node))

    return MaxListItems


def variable_list_error(variables: Mapping[str, object], limit: int) -> GraphQLError | None:
    """A refusal for the first list of more than `limit` items in the variables, named by
    its path (`$ids`, `$filter.or[2].and`), or None."""
    stack: list[tuple[str, object]] = [(f"${name}", value) for name, value in variables.items()]
    while stack:  # not recursive: the body's nesting is bounded, but not by the stack's
        where, value = stack.pop()
        if isinstance(value, list):
            if len(value) > limit:
                return list_error(where, len(value), limit)
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, dict):
            stack.extend((f"{where}.{key}", item) for key, item in value.items())
    return None


# --- Which operation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requested:
    """The operation name a request gave (None: none)."""

    name: str | None


#: Set by `Schema.execute`, and by `Schema.stream` around each read of a stream
#: (subscriptions), for the Validation extension: Strawberry's execution context answers the
#: first operation's name when the request gives none, and so would run the first of
#: several. Unset, the context's name stands.
requested_operation: ContextVar[Requested | None] = ContextVar("requested_operation", default=None)


def operation_choice_error(document: DocumentNode, name: str | None) -> GraphQLError | None:
    """A refusal of a document of several operations with none named (GraphQL spec, 6.1)."""
    if name is not None:
        return None
    names = [
        definition.name.value if definition.name else "(anonymous)"
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if len(names) < 2:
        return None
    return GraphQLError(
        f"The document has {len(names)} operations ({', '.join(names)}): "
        "name the one to run in `operationName`."
    )


# --- Validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The rules' errors on a query text, and what they hold in memory: an error keeps the
    nodes it points at, and so the whole document."""

    errors: list[GraphQLError]
    bytes: int


def verdict_cache(budget: int = CacheBytes.validated) -> Cache[str, Verdict]:
    """Verdicts by query text; a verdict weighs its text and what its errors hold."""
    return Cache(budget, lambda query, verdict: text_bytes(query) + verdict.bytes)


class Validation(SchemaExtension):
    """Validation with the spec's rules and Strawberry's, plus ours: the depth and the aliases
    (counted without walking each path through the fragments), lists of at most
    `max_list_items`, at most `max_directives` directives, one operation chosen, and the cost
    within `max_cost`, counted with the request's variables. It runs instead of Strawberry's
    own validation, so that it can hide graphql-core's "Did you mean …?" suggestions when
    they are turned off. The rules' verdict on a query text is kept in `verdicts` (the
    validation took four fifths of a small query's time); the rest depends on the request
    and is checked every time."""

    def __init__(self, limits: Limits, suggestions: bool, verdicts: Cache[str, Verdict]) -> None:
        self.limits = limits
        self.suggestions = suggestions
        self.verdicts = verdicts

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            schema = compat.graphql_schema(context.schema)
            limits = self.limits
            rules = (
                # First: it counts when it is made, before the others visit the document.
                shape_rule(limits.max_depth, limits.max_aliases),
                # The spec's, two of them with hints of ours (schema/hints.py).
                *(REPLACED.get(rule, rule) for rule in context.validation_rules),
                *STRAWBERRY_RULES,
                directives_rule(limits.max_directives),
                list_rule(limits.max_list_items),
            )
            query = context.query or ""
            verdict = self.verdicts.get(query) if query else None
            if verdict is None:
                found = validate(schema, document, rules, hide_suggestions=not self.suggestions)
                held = sum(text_bytes(error.message) for error in found)
                verdict = Verdict(found, held + (document_bytes(document) if found else 0))
                if query:
                    self.verdicts.put(query, verdict)
            errors = verdict.errors
            requested = requested_operation.get()
            name = context.operation_name if requested is None else requested.name
            if not errors:
                refusal = operation_choice_error(document, name)
                if refusal is None:
                    refusal = variable_list_error(context.variables or {}, limits.max_list_items)
                errors = [refusal] if refusal is not None else []
            operation = get_operation_ast(document, name)
            if not errors and operation is not None:
                count = cost(schema, document, operation, context.variables, limits.cost_list_size)
                if count > limits.max_cost:
                    errors = [cost_error(operation, count, limits.max_cost)]
            # Set even when empty: Strawberry then skips the validation it would run itself.
            context.pre_execution_errors = errors
        yield
