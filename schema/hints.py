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
    FieldsOnCorrectTypeRule,
    GraphQLError,
    GraphQLInputType,
    GraphQLObjectType,
    ValidationRule,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VariableDefinitionNode,
    get_named_type,
    validate_input_literal,
)


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


class ValuePaths(ValidationRule):
    """The spec's rule "values of correct type", each error prefixed by the field, the
    argument and the path within it: `elections(filter.date.from): …`. Every literal value
    is an argument's or a variable's default, so each is checked whole from there."""

    field: str | None = None

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        self.field = node.name.value

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        self.field = f"@{node.name.value}"

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        where = node.name.value if self.field is None else f"{self.field}({node.name.value}"
        close = "" if self.field is None else ")"
        self.check(node.value, self.context.get_input_type(), where, close)

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        if node.default_value is not None:
            type_ = self.context.get_input_type()
            self.check(node.default_value, type_, f"${node.variable.name.value} (default)", "")

    def check(
        self, value: ValueNode, type_: GraphQLInputType | None, where: str, close: str
    ) -> None:
        if type_ is None:
            return  # an unknown argument: another rule refuses it

        def on_error(error: GraphQLError, path: list[str | int]) -> None:
            place = f"{where}{_path(path)}{close}" if path or close else where
            self.report_error(GraphQLError(f"{place}: {error.message}", error.nodes))

        validate_input_literal(value, type_, on_error, None, None, self.context.hide_suggestions)


#: The spec's rules these replace.
REPLACED: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    FieldsOnCorrectTypeRule: ConnectionFields,
    ValuesOfCorrectTypeRule: ValuePaths,
}
