"""Variables: a known query's variable values coerced as graphql-core's `get_variable_values`
coerces them, those of its built-in scalars without its general machinery.

A compiled lookup (schema/compiled.py) coerces its variables on every run. For the small
query's one `ID!`, graphql-core's coercion (a signature made from the type's AST, the value
checked for nesting, passed down its coercion of any input type) took 3.0 µs, where the
request's known query takes about 70 in process; this takes 0.8. Where every variable is of
a built-in scalar, nullable or not, with no default, and every value given is one the scalar
keeps as it is (a string for an ID or a String, a 32-bit int, a finite float, a bool), the
values are kept here with the same sources and the same coerced dict. Anything else (a
missing required value, an int for an ID, a list, an input object, an enum, a default) is
graphql-core's to coerce or refuse in its words.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, NamedTuple

from graphql import (
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    VariableDefinitionNode,
    get_variable_values,
)
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import VariableValues, VariableValuesOrErrors, VariableValueSource

from schema.fast_path import as_they_are


class Plain(NamedTuple):
    """A variable of a built-in scalar with no default."""

    name: str
    signature: GraphQLVariableSignature
    #: The one Python type of the values the scalar keeps as they are, and what else such a
    #: value must be (a 32-bit int, a finite float): what graphql-core's serializer also
    #: gives back as it is (`schema.fast_path.as_they_are`).
    kept: type[Any]
    check: Callable[[Any], bool] | None
    required: bool


class Variables:
    """The variables of one operation, coerced by `coerce`."""

    def __init__(
        self, schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
    ) -> None:
        self.schema = schema
        self.definitions = definitions
        self.plain = plain_variables(schema, definitions)

    def coerce(self, inputs: dict[str, Any]) -> VariableValuesOrErrors:
        """`get_variable_values(schema, definitions, inputs)`, the same values or errors."""
        if self.plain is not None:
            kept = _kept(self.plain, inputs)
            if kept is not None:
                return kept
        return get_variable_values(self.schema, self.definitions, inputs)


def plain_variables(
    schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
) -> tuple[Plain, ...] | None:
    """The definitions as Plain variables; None if one is of another type or has a default."""
    plain = []
    for definition in definitions:
        signature = get_variable_signature(schema, definition)
        if not isinstance(signature, GraphQLVariableSignature) or definition.default_value:
            return None
        kept, check = as_they_are(signature.type)
        if kept is None:
            return None
        required = isinstance(signature.type, GraphQLNonNull)
        plain.append(Plain(signature.name, signature, kept, check, required))
    return tuple(plain)


def _kept(plain: tuple[Plain, ...], inputs: dict[str, Any]) -> VariableValues | None:
    """The variables' values as graphql-core coerces them, if each is one its scalar keeps
    as it is (or null, or missing, where the variable is nullable); None otherwise."""
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    for name, signature, kept, check, required in plain:
        value: Any = inputs.get(name, Undefined)
        if value is Undefined:
            if required:
                return None
            sources[name] = VariableValueSource(signature)  # omitted, as graphql-core does
            continue
        if value is None:
            if required:
                return None
        elif type(value) is not kept or (check is not None and not check(value)):
            return None
        sources[name] = VariableValueSource(signature, value)
        coerced[name] = value
    return VariableValues(sources, coerced)
