"""Hints: validation rules of ours that replace two of the spec's, with the same verdicts and
messages that say what to do.

- a field asked of a connection (`{ elections { key } }`) points to `nodes { key }` and
  `edges { node { key } }`;
- a literal value of the wrong type names where it is (`elections(filter.date.from)`),
  since its message alone ("… is not a date") does not say which of several values it is.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    ASTValidationRule,
    DirectiveNode,
    FieldNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLObjectType,
    ValueNode,
    get_named_type,
)
from graphql.language import SKIP, VisitorAction
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation.rules.fields_on_correct_type import FieldsOnCorrectTypeRule
from graphql.validation.rules.values_of_correct_type import ValuesOfCorrectTypeRule


def _node_type(type_: Any) -> GraphQLObjectType | None:
    """The type of the items of a connection type; None for any other type."""
    if not isinstance(type_, GraphQLObjectType) or not type_.name.endswith("Connection"):
        return None
    nodes = type_.fields.get("nodes")
    if nodes is None or "edges" not in type_.fields:
        return None
    named = get_named_type(nodes.type)
    return named if isinstance(named, GraphQLObjectType) else None


class ConnectionFields(FieldsOnCorrectTypeRule):
    """The spec's rule, with a hint where an item's field is asked of a connection."""

    def enter_field(self, node: FieldNode, *args: Any) -> None:
        parent = self.context.get_parent_type()
        item = _node_type(parent)
        name = node.name.value
        if item is None or self.context.get_field_def() is not None:
            super().enter_field(node, *args)
            return
        if name in item.fields:
            hint = (
                f"select it of each item: `nodes {{ {name} }}` or `edges {{ node {{ {name} }} }}`"
            )
        else:
            hint = (
                f"it holds a page of {item.name}: select their fields in `nodes {{ … }}` or "
                "`edges { node { … } }`"
            )
        message = f"Cannot query field '{name}' on type '{parent}': {hint}."
        self.report_error(GraphQLError(message, node))


def _path(parts: list[str | int]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


class ValuePaths(ValuesOfCorrectTypeRule):
    """The spec's rule, with each error on a literal prefixed by the field, the argument and
    the path within it: `elections(filter.date.from): …`."""

    field: str | None = None
    argument: str | None = None

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        self.field = node.name.value

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        self.field = f"@{node.name.value}"

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = node.name.value

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = None

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if self.argument is None or input_type is None:
            return super().is_valid_value_node(node, input_type)
        where = f"{self.argument}"
        if self.field is not None:
            where = f"{self.field}({self.argument}"

        def on_error(error: GraphQLError, path: list[str | int]) -> None:
            place = f"{where}{_path(path)}" + (")" if self.field is not None else "")
            self.report_error(GraphQLError(f"{place}: {error.message}", error.nodes))

        validate_input_literal(
            node, input_type, on_error, None, None, self.context.hide_suggestions
        )
        return SKIP


#: The spec's rules these replace.
REPLACED: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    FieldsOnCorrectTypeRule: ConnectionFields,
    ValuesOfCorrectTypeRule: ValuePaths,
}
