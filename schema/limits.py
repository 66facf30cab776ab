"""Limits: how much one request may ask for, and the validation that refuses more."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

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
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
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

from service import compat
from service.compat import MaybeNullValidationRule, OneOfInputValidationRule
from service.settings import Limits

#: The largest page of a connection: `first` and `last` must be between 1 and this.
MAX_PAGE = 100


def _list_size(
    field: FieldNode,
    arguments: Mapping[str, Any],
    variables: Mapping[str, object],
    defaults: Mapping[str, int],
    list_size: int,
) -> int:
    """What a list or connection field counts for: its `first` or `last` as the request
    gives it (a literal, a variable's value or default), else the argument's own default,
    else a connection's largest page, else `list_size`."""
    for argument in field.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(int(value.value), 0)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value, defaults.get(value.name.value))
            if isinstance(given, int) and not isinstance(given, bool):
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
    as its largest page (100), and its `edges` or `nodes` list counts 1 more; a list counts as
    `list_size`. Introspection
    (`__schema`, `__type`) counts 1 per field: its size is fixed by the schema, and
    graphql-core refuses the deeply nested introspection that could grow.
    The document must be valid: unknown fields or fragments are not expected here.
    """
    variables = variables or {}
    defaults = {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
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
    """Whether a `first` or `last` argument in the document takes a variable: only then can
    the cost of one of its operations differ from one request to the next."""
    found = False

    class Visitor(GraphQLVisitor):
        def enter_argument(self, node: ArgumentNode, *_args: object) -> None:
            nonlocal found
            if node.name.value in ("first", "last") and isinstance(node.value, VariableNode):
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

#: Documents validated lately, per schema: query text -> the rules' errors. Validation took
#: four fifths of a small query's time; the answer depends only on the document and on the
#: schema with its settings (one object per configuration), so it is kept per both, and
#: goes with the schema object.
_VALIDATED: WeakKeyDictionary[Any, OrderedDict[str, list[GraphQLError]]] = WeakKeyDictionary()
VALIDATED_SIZE = 1024


class Validation(SchemaExtension):
    """Validation with the spec's rules and Strawberry's, plus ours: at most
    `max_directives` directives, and the cost within `max_cost`, counted with the request's
    variables. It runs instead of Strawberry's own validation, so that it can hide
    graphql-core's "Did you mean …?" suggestions when they are turned off. The rules'
    verdict on a query text is remembered; the cost, which depends on the variables, is
    counted every time."""

    def __init__(self, limits: Limits, suggestions: bool) -> None:
        self.limits = limits
        self.suggestions = suggestions
        self.directives = directives_rule(limits.max_directives)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            schema = compat.graphql_schema(context.schema)
            rules = (*context.validation_rules, *STRAWBERRY_RULES, self.directives)
            validated = _VALIDATED.setdefault(context.schema, OrderedDict())
            query = context.query or ""
            errors = validated.get(query) if query else None
            if errors is None:
                errors = validate(schema, document, rules, hide_suggestions=not self.suggestions)
                if query:
                    validated[query] = errors
                    if len(validated) > VALIDATED_SIZE:
                        validated.popitem(last=False)
            else:
                validated.move_to_end(query)
            operation = get_operation_ast(document, context.operation_name)
            if not errors and operation is not None:
                count = cost(
                    schema, document, operation, context.variables, self.limits.cost_list_size
                )
                if count > self.limits.max_cost:
                    errors = [cost_error(operation, count, self.limits.max_cost)]
            # Set even when empty: Strawberry then skips the validation it would run itself.
            context.pre_execution_errors = errors
        yield
