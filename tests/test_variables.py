"""Variables: a known query's variables are coerced to graphql-core's values and errors, those of
the built-in scalars without graphql-core's coercion."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLError, OperationDefinitionNode, get_variable_values, parse

from schema import schema
from schema import variables as variables_module
from schema.variables import Variables

GRAPHQL_SCHEMA = schema._schema

PLAIN = "query Q($id: ID!, $name: String, $n: Int, $x: Float!, $yes: Boolean, $maybe: ID) { a }"

#: Values of every kind a client's JSON gives, and Python's own that a caller might pass.
VALUES: list[Any] = [
    "RWxlY3Rpb246MQ==",
    "",
    "\u2603",
    0,
    -1,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**70,
    1.0,
    1.5,
    -0.0,
    float("inf"),
    float("nan"),
    True,
    False,
    None,
    [],
    ["a"],
    {},
    {"a": 1},
]


def definitions(query: str) -> Any:
    operation = parse(query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.variable_definitions


def outcome(values: Any) -> Any:
    """What to compare of a coercion: its sources and values, or its errors' words and places."""
    if isinstance(values, list):
        return [(e.message, e.locations) for e in values if isinstance(e, GraphQLError)]
    sources = {
        name: (source.signature.name, str(source.signature.type), repr(source.value))
        for name, source in values.sources.items()
    }
    return sources, repr(values.coerced), list(values.coerced)


@pytest.mark.parametrize("name", ["id", "name", "n", "x", "yes", "maybe"])
def test_each_value_of_a_built_in_scalar_is_coerced_as_graphql_core_coerces_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    nodes = definitions(PLAIN)
    ours = Variables(GRAPHQL_SCHEMA, nodes)
    assert ours.plain is not None and [p.name for p in ours.plain] == [
        "id",
        "name",
        "n",
        "x",
        "yes",
        "maybe",
    ]
    # The others given a value each keeps, so that this one's value decides.
    given = {"id": "a", "name": "b", "n": 1, "x": 2.5, "yes": True, "maybe": None}
    kept: list[Any] = []
    for value in [*VALUES, ...]:
        inputs = {k: v for k, v in given.items() if k != name}
        if value is not ...:  # `...`: no value given
            inputs[name] = value
        found = ours.coerce(inputs)
        assert outcome(found) == outcome(get_variable_values(GRAPHQL_SCHEMA, nodes, inputs))
        if variables_module._kept(ours.plain, inputs) is not None:
            kept.append(value)
    # The values kept without graphql-core: those each scalar takes as they are.
    assert (
        kept
        == {
            "id": ["RWxlY3Rpb246MQ==", "", "\u2603"],
            "name": ["RWxlY3Rpb246MQ==", "", "\u2603", None, ...],
            "n": [0, -1, 2**31 - 1, -(2**31), None, ...],
            "x": [1.0, 1.5, -0.0],
            "yes": [True, False, None, ...],
            "maybe": ["RWxlY3Rpb246MQ==", "", "\u2603", None, ...],
        }[name]
    )


def test_an_integer_for_an_id_and_a_missing_required_value_are_graphql_cores() -> None:
    nodes = definitions(PLAIN)
    ours = Variables(GRAPHQL_SCHEMA, nodes)
    found = ours.coerce({"id": 7, "x": 1})
    assert not isinstance(found, list)
    assert found.coerced == {"id": "7", "x": 1.0}
    refused = ours.coerce({"x": 1.5})
    assert isinstance(refused, list)
    assert [e.message for e in refused] == [
        "Variable '$id' has invalid value: Expected a value of non-null type 'ID!' to be provided."
    ]


@pytest.mark.parametrize(
    "query",
    [
        'query Q($id: ID = "x") { a }',  # a default
        "query Q($ids: [ID!]!) { a }",  # a list
        "query Q($kind: AreaKind) { a }",  # an enum
        "query Q($filter: AreaFilter) { a }",  # an input object
        "query Q($id: ID!, $when: Date) { a }",  # a scalar of the schema's own
    ],
)
def test_other_variables_are_left_to_graphql_core(query: str) -> None:
    nodes = definitions(query)
    ours = Variables(GRAPHQL_SCHEMA, nodes)
    assert ours.plain is None
    assert outcome(ours.coerce({})) == outcome(get_variable_values(GRAPHQL_SCHEMA, nodes, {}))


def test_no_variables_coerce_to_none() -> None:
    ours = Variables(GRAPHQL_SCHEMA, ())
    assert ours.plain == ()
    found = ours.coerce({"unused": 1})
    assert not isinstance(found, list)
    assert (found.sources, found.coerced) == ({}, {})
