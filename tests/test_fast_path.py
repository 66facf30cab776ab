"""The fast path gives byte for byte graphql-core's answer: over every operation in
docs/queries/, the benchmark's operations, hand-picked corners (errors, nulls, fragments,
directives, interfaces) and queries generated from the schema with a fixed seed; over HTTP
too. Each comparison also says which path answered, so the tests show the fast path was
taken where it should be, and that it hands errors and introspection to graphql-core."""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Visitor,
    is_leaf_type,
    parse,
    validate,
    visit,
)
from strawberry.relay import to_base64
from tortoise.context import TortoiseContext

from bench.operations import COUNTRY_HISTORY, ELECTION_PAGE, ELECTIONS_PAGE, SMALL
from models.tally import Stage
from schema import Schema, schema
from schema.candidacy import CandidacyStatus
from schema.context import Context
from schema.fast_path import (
    MAX_MADE_KEYS,
    FastInfo,
    complete_leaves,
    dict_maker,
    of_its_class,
)
from schema.known import KnownQueries
from schema.node import ModelNode
from service import compat
from service.metrics import Metrics
from service.settings import Limits
from tests.support.clients import client
from tests.support.curating import Tokens
from tests.support.metrics import answered
from tests.support.waiting import slow_countries

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
ORDINARY = schema.without_fast_path()
#: The schema, counting in metrics of its own which path answered each operation.
METRICS = Metrics()
COUNTED = schema.configured(
    schema.extensions,
    schema.limits,
    schema.field_suggestions,
    fast_path_counts=METRICS.fast_path_counts,
)
#: Variables for the docs/queries operations that have required ones without a default.
DOC_VARIABLES: dict[str, dict[str, Any]] = {
    "election-result": {"key": "az-president-2024"},
    "election-schedule": {"key": "az-president-2018"},
    "election-sources": {"key": "az-president-2024"},
    "parliament-result": {"key": "ge-parliament-2024"},
    "parliamentary-history": {"code": "GE"},
    "party-across-renames": {"key": "georgian-dream"},
    "person-candidacies": {"key": "ilham-aliyev"},
    "presidential-elections": {"country": "AZ"},
    "tetritskaro-court-chain": {},
    "us-election-by-state": {"key": "az-president-2024"},
    "winner-congratulations": {"key": "az-president-2024"},
}


@dataclass
class Answers:
    """One operation run both ways: the encoded answers, and which path gave the fast one."""

    fast: str
    ordinary: str
    path: str
    #: The fast path's answer again, once the first run has made the query known (if it ran
    #: without an error): with the kept fields and arguments and the joins (schema/joins.py).
    known: str
    #: A third run's answer, compiled where the second compiled the query (schema/compiled.py),
    #: and the path that gave it ("compiled", "fast" or "graphql-core").
    compiled: str
    compiled_path: str


def encoded(result: Any) -> str:
    """A result as Strawberry's HTTP layer would write it (data, then errors)."""
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [error.formatted for error in result.errors]
    return json.dumps(out, ensure_ascii=False)


def outcomes() -> Counter[str]:
    """How many operations COUNTED's executor answered on the fast path ("fast") and how
    many it handed to graphql-core, for any reason ("graphql-core")."""
    counted: Counter[str] = Counter()
    for family in METRICS.registry.collect():
        for found in family.samples:
            if found.name == "elections_graphql_fast_path_total":
                outcome = found.labels["outcome"]
                path = outcome if outcome in ("fast", "compiled") else "graphql-core"
                counted[path] += int(found.value)
    return counted


def outcome(before: Counter[str]) -> str:
    """The one outcome counted since `before`. An operation refused before it ran (a parse
    or validation error, a mutation without a token) reaches no executor, so there is none:
    that fails, rather than pass as graphql-core's answer compared with itself."""
    counted = outcomes() - before
    assert sum(counted.values()) == 1, f"the operation did not run once: {dict(counted)}"
    (path,) = counted
    return path


def knowing() -> Schema:
    """COUNTED with known queries of its own (schema/known.py), as build_schema gives an
    app's: a query's second run is a known run, its third compiled where the query compiles
    (schema/compiled.py). New for each comparison, so that none starts known from another."""
    counted = COUNTED.configured(
        COUNTED.extensions,
        COUNTED.limits,
        COUNTED.field_suggestions,
        fast_path_counts=METRICS.fast_path_counts,
    )
    counted.known = KnownQueries()
    return counted


async def both(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Answers:
    """The operation run by the schema with the fast path and by graphql-core alone."""

    def context() -> Context:
        return Context(authorization=None if token is None else f"Bearer {token}")

    counted = knowing()
    before = outcomes()
    fast = await counted.execute(query, variable_values=variables, context_value=context())
    path = outcome(before)
    known = await counted.execute(query, variable_values=variables, context_value=context())
    before = outcomes()
    compiled = await counted.execute(query, variable_values=variables, context_value=context())
    # A query with an error is never known: each run is graphql-core's (a known query that
    # meets an error runs on two executors, so no single outcome would be counted).
    compiled_path = outcome(before) if fast.errors is None else "graphql-core"
    ordinary = await ORDINARY.execute(query, variable_values=variables, context_value=context())
    return Answers(
        encoded(fast), encoded(ordinary), path, encoded(known), encoded(compiled), compiled_path
    )


async def same(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Answers:
    answers = await both(query, variables, token)
    assert answers.fast == answers.ordinary, query
    assert answers.known == answers.ordinary, query
    assert answers.compiled == answers.ordinary, query
    return answers


# --- docs/queries and the benchmark's operations -----------------------------------------


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.graphql")), ids=lambda p: p.stem)
async def test_every_docs_query_is_answered_on_the_fast_path_alike(
    world: TortoiseContext, path: Path
) -> None:
    answers = await same(path.read_text(encoding="utf-8"), DOC_VARIABLES.get(path.stem))
    assert answers.path == "fast"
    # One compiles (schema/compiled.py): an election with the people who called it.
    assert answers.compiled_path == ("compiled" if path.stem == "election-schedule" else "fast")
    answer = json.loads(answers.fast)
    assert "errors" not in answer
    # A real answer: every root field found something (test_queries.py checks the figures).
    assert answer["data"] and all(value for value in answer["data"].values()), answer


async def test_the_benchmark_operations_are_answered_alike(world: TortoiseContext) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        (ELECTION_PAGE, {"key": "az-president-2024"}),
        (COUNTRY_HISTORY, {"code": "AZ"}),
        (ELECTIONS_PAGE, {"first": 100}),
        (SMALL, {"id": to_base64("Election", "az-president-2024")}),
    ]
    for query, variables in cases:
        answers = await same(query, variables)
        assert answers.path == "fast"
        # One election by ID, its own fields: compiled once known (schema/compiled.py).
        assert answers.compiled_path == ("compiled" if query is SMALL else "fast")
    history = json.loads((await same(COUNTRY_HISTORY, {"code": "AZ"})).fast)["data"]
    last = history["country"]["elections"]["nodes"][-1]
    assert last["key"] == "az-president-2024"
    assert last["candidacies"]["nodes"][0] == {
        "key": "az-president-2024/ilham-aliyev",
        "name": "Ilham Aliyev",
        "share": 92.12,
        "votes": 4567458,
        "won": True,
    }


# --- Corners -----------------------------------------------------------------------------

CORNERS: list[tuple[str, str, dict[str, Any] | None, str, str]] = [
    # (what, query, variables, the path that must answer, and once known and compiled where
    # it compiles: schema/compiled.py)
    ("an unknown key is null", '{ election(key: "nope") { key } }', None, "fast", "compiled"),
    (
        "aliases, __typename, a field twice",
        '{ a: election(key: "az-president-2024") { __typename k: key key date } '
        'b: country(code: "ge") { name __typename } }',
        None,
        "fast",
        "compiled",
    ),
    (
        "named and inline fragments, nested",
        'query { election(key: "az-president-1998") { ...E ... on Election { turnout } } } '
        "fragment E on Election { key winner { ...C } result { stage } } "
        "fragment C on Candidacy { key share person { name } }",
        None,
        "fast",
        "fast",
    ),
    (
        "@skip and @include from variables and literals",
        'query Q($s: Boolean!, $i: Boolean!) { election(key: "az-president-2024") { '
        "key @skip(if: $s) date @include(if: $i) early @include(if: false) "
        "... @skip(if: $i) { office } } }",
        {"s": True, "i": True},
        "fast",
        "fast",
    ),
    (
        "every field of a level's objects skipped: an empty object each",
        'query Q($s: Boolean!) { election(key: "az-president-2024") { key @skip(if: $s) '
        "candidacies(first: 2) { nodes { key @skip(if: $s) } } } }",
        {"s": True},
        "fast",
        "fast",
    ),
    (
        "a null object in a nullable field, and empty lists",
        '{ election(key: "az-president-1992") { result { key lines { votes } } '
        "exitPolls { nodes { key } totalCount } legalCases { edges { cursor } } } }",
        None,
        "fast",
        "fast",
    ),
    (
        "edges, cursors, page info and totalCount",
        '{ elections(first: 2, filter: {country: "AZ"}) { totalCount edges { cursor node { key } } '
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
        None,
        "fast",
        "fast",
    ),
    (
        "node(id:) with an interface fragment",
        "query N($id: ID!) { node(id: $id) { __typename id ... on Person { name } } }",
        {"id": to_base64("Person", "ilham-aliyev")},
        "fast",
        "compiled",
    ),
    (
        "node(id:) of an unknown key is null",
        "query N($id: ID!) { node(id: $id) { id } }",
        {"id": to_base64("Election", "no-such-election")},
        "fast",
        "compiled",
    ),
    (
        "node(id:) naming the Node interface: graphql-core refuses it",
        "query N($id: ID!) { node(id: $id) { id } }",
        {"id": to_base64("Node", "x")},
        "graphql-core",
        "graphql-core",
    ),
    (
        "a cursor of another list: an error, from graphql-core",
        '{ election(key: "az-president-2024") { candidacies(after: "bm9wZQ") { nodes { key } } } }',
        None,
        "graphql-core",
        "graphql-core",
    ),
    (
        "`first` out of range: an error in a non-null field",
        '{ country(code: "AZ") { name } elections(first: 0) { nodes { key } } }',
        None,
        "graphql-core",
        "graphql-core",
    ),
    (
        "introspection is graphql-core's",
        "{ __schema { queryType { name } } }",
        None,
        "graphql-core",
        "graphql-core",
    ),
]


@pytest.mark.parametrize(
    ("what", "query", "variables", "path", "compiled"), CORNERS, ids=[c[0] for c in CORNERS]
)
async def test_corners_are_answered_alike(
    world: TortoiseContext,
    what: str,
    query: str,
    variables: dict[str, Any] | None,
    path: str,
    compiled: str,
) -> None:
    answers = await same(query, variables)
    assert (answers.path, answers.compiled_path) == (path, compiled), what


@pytest.mark.parametrize(
    ("scalar", "values"),
    [
        (GraphQLString, ["Aliyev", None, ""]),
        (GraphQLID, ["RWxlY3Rpb246YXo=", None]),
        (GraphQLBoolean, [True, False, None]),
        (GraphQLInt, [2**31 - 1, -(2**31), None, 0]),
        (GraphQLFloat, [92.12, None, 0.1 + 0.2]),
        # What the serializer converts: given back converted, as graphql-core gives it.
        (GraphQLFloat, [92, 7.5]),
        (GraphQLInt, [True, 3]),
        (GraphQLString, [1.5, "a"]),
        (GraphQLBoolean, [1, 0]),
    ],
)
def test_a_scalar_column_is_serialized_as_graphql_core_serializes_it(
    scalar: GraphQLScalarType, values: list[Any]
) -> None:
    completed = complete_leaves(scalar, list(values))
    assert completed == [None if v is None else scalar.serialize(v) for v in values]
    assert [type(v) for v in completed] == [
        type(None) if v is None else type(scalar.serialize(v)) for v in values
    ]


@pytest.mark.parametrize(
    ("scalar", "values", "refusal"),
    [
        (GraphQLInt, [1, 2**31], "Int cannot represent non 32-bit signed integer value: 2147483"),
        (GraphQLInt, [-(2**31) - 1], "Int cannot represent non 32-bit signed integer value"),
        (GraphQLFloat, [1.0, float("nan")], "Float cannot represent non numeric value: nan"),
        (GraphQLFloat, [float("inf")], "Float cannot represent non numeric value: inf"),
    ],
)
def test_a_scalar_the_serializer_refuses_is_refused_as_it_refuses_it(
    scalar: GraphQLScalarType, values: list[Any], refusal: str
) -> None:
    with pytest.raises(GraphQLError, match=re.escape(refusal)):
        complete_leaves(scalar, values)


@pytest.mark.parametrize(
    "keys",
    [
        ("key",),
        ("key", "name", "share"),
        # Names of the maker's own (its arguments, its keys' names, itself) are only keys.
        ("v1", "v0", "k0", "make", "__typename"),
        tuple(f"f{i}" for i in range(MAX_MADE_KEYS)),
        tuple(f"f{i}" for i in range(MAX_MADE_KEYS + 1)),  # made key by key
    ],
    ids=lambda keys: f"{len(keys)} keys",
)
def test_a_levels_objects_are_made_as_dicts_of_their_keys(keys: tuple[str, ...]) -> None:
    # The columns of a level of three objects, each value naming its key and object.
    columns = [[f"{key}@{i}" for i in range(3)] for key in keys]
    made = list(map(dict_maker(keys), *columns))
    assert made == [{key: f"{key}@{i}" for key in keys} for i in range(3)]
    assert [list(item) for item in made] == [list(keys)] * 3  # the keys in their order


def test_an_enum_column_is_serialized_as_graphql_core_serializes_each_value() -> None:
    status = compat.graphql_schema(schema).type_map["CandidacyStatus"]
    assert isinstance(status, GraphQLEnumType)
    column = [CandidacyStatus.WITHDRAWN, None, CandidacyStatus.REGISTERED]
    assert complete_leaves(status, column) == ["WITHDRAWN", None, "REGISTERED"]
    assert complete_leaves(status, column) == [
        None if v is None else status.serialize(v) for v in column
    ]
    assert complete_leaves(GraphQLNonNull(status), [CandidacyStatus.DISQUALIFIED]) == [
        "DISQUALIFIED"
    ]
    # A member of another Enum class is refused in the serializer's words, alone or beside
    # the type's own members.
    refusal = "Enum 'CandidacyStatus' cannot represent value: <Stage.PRELIMINARY: 'preliminary'>"
    for values in ([Stage.PRELIMINARY], [CandidacyStatus.REGISTERED, Stage.PRELIMINARY]):
        with pytest.raises(GraphQLError, match=re.escape(refusal)):
            complete_leaves(status, values)


def test_objects_of_a_types_own_class_are_accepted_as_strawberry_accepts_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The subclass below would be noted among the node types for the rest of the run.
    monkeypatch.setattr(ModelNode, "named", dict(ModelNode.named))
    election_type = schema._schema.get_type("Election")
    assert isinstance(election_type, GraphQLObjectType)
    election = election_type.extensions["strawberry-definition"].origin
    made = [object.__new__(election) for _ in range(3)]
    assert of_its_class(election_type, made) and of_its_class(election_type, [])

    class Other(election):  # type: ignore[misc,valid-type]
        pass

    # A subclass, or an object cast to another type: left to Strawberry's `is_type_of`.
    assert not of_its_class(election_type, [*made, object.__new__(Other)])
    cast_one = strawberry.cast(election_type.extensions["strawberry-definition"].origin, made[0])
    assert cast_one is made[0] and not of_its_class(election_type, made)


async def test_an_error_answer_is_graphql_cores_own(world: TortoiseContext) -> None:
    answers = await same('{ country(code: "AZ") { name } elections(first: 0) { nodes { key } } }')
    assert json.loads(answers.fast) == {
        # `elections` is non-null, so its error nulls the whole data.
        "data": None,
        "errors": [
            {
                "message": "`first` must be between 1 and 100, got 0.",
                "locations": [{"line": 1, "column": 32}],
                "path": ["elections"],
            }
        ],
    }


async def test_a_mutation_never_takes_the_fast_path(tokens: Tokens) -> None:
    # With a write token, or it would be refused before it ran. Of an unknown key: nothing
    # is deleted by either run.
    query = 'mutation { deleteElection(key: "nope") { deletedKey errors { field message } } }'
    answers = await same(query, token=tokens.write)
    assert answers.path == "graphql-core"
    assert json.loads(answers.fast) == {
        "data": {
            "deleteElection": {
                "deletedKey": None,
                "errors": [{"field": "key", "message": "there is no election 'nope'"}],
            }
        }
    }


async def test_an_operation_that_does_not_run_is_no_comparison(tokens: Tokens) -> None:
    # A field that does not exist is refused by validation, before either path: a case
    # with one would compare graphql-core's refusal with itself, so it fails instead.
    with pytest.raises(AssertionError, match="the operation did not run once"):
        await same('mutation { deleteElection(key: "nope") { deleted } }', token=tokens.write)
    with pytest.raises(AssertionError, match="the operation did not run once"):
        await same('{ election(key: "az-president-2024") { nope } }')
    # Nor is a mutation without a token, refused before it runs.
    with pytest.raises(AssertionError, match="the operation did not run once"):
        await same('mutation { deleteElection(key: "nope") { deletedKey } }')


# --- Generated queries -------------------------------------------------------------------

#: Root lookups that need an argument, with values from the bundled fixtures (some unknown).
ROOT_ARGUMENTS: dict[str, list[str]] = {
    "election": [
        'key: "az-president-2024"',
        'key: "az-president-1998"',
        'key: "ge-parliament-2024"',
        'key: "no-such-election"',
    ],
    "country": ['code: "AZ"', 'code: "ge"', 'code: "XX"'],
    "person": ['key: "ilham-aliyev"', 'key: "zahid-oruj"', 'key: "nobody"'],
    "organization": ['key: "yap"', 'key: "georgian-dream"', 'key: "none"'],
    "node": [
        f'id: "{to_base64("Election", "az-president-2003")}"',
        f'id: "{to_base64("Person", "ilham-aliyev")}"',
        f'id: "{to_base64("Country", "GE")}"',
    ],
}
#: Root fields the generator leaves out: they need a token, or arguments it cannot make.
SKIPPED = {
    "auditLog",
    "nodes",
    "officeTerms",
    "candidacy",
    "tally",
    "source",
    "legalCase",
    "exitPoll",
}


@dataclass
class Generator:
    """Random queries over the schema: aliases, fragments, variables, directives, errors."""

    rng: random.Random
    fragments: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    declared: list[str] = field(default_factory=list)
    features: set[str] = field(default_factory=set)
    erred: bool = False
    #: Queries drawn and drawn again because they failed validation.
    invalid: int = 0

    def query(self) -> tuple[str, dict[str, Any]]:
        """A query that passes validation: one drawn with fields that conflict (an alias
        used twice, or two fragments on an interface giving a field two types) is drawn
        again, as it would reach neither path."""
        while True:
            text, variables = self.draw()
            if not validate(schema._schema, parse(text)):
                return text, variables
            self.invalid += 1

    def draw(self) -> tuple[str, dict[str, Any]]:
        self.fragments, self.variables, self.declared = [], {}, []
        self.erred = False
        query_type = schema._schema.query_type
        assert query_type is not None
        roots = [n for n in query_type.fields if n not in SKIPPED and not n.startswith("_")]
        parts = []
        for name in self.rng.sample(roots, self.rng.randint(1, 2)):
            parts.append(self.field(query_type, name, depth=3, root=True))
        declared = f"({', '.join(self.declared)})" if self.declared else ""
        text = f"query Generated{declared} {{ {' '.join(parts)} }} {' '.join(self.fragments)}"
        return text, dict(self.variables)

    def field(self, parent: GraphQLObjectType, name: str, depth: int, root: bool = False) -> str:
        definition: GraphQLField = parent.fields[name]
        text = name
        if self.rng.random() < 0.2:
            text = f"a{self.rng.randint(0, 99)}: {name}"
            self.features.add("alias")
        arguments = self.arguments(name, definition, root)
        if arguments is None:
            return "__typename"
        text += arguments
        text += self.directive()
        named = _named(definition.type)
        if is_leaf_type(named):
            return text
        return f"{text} {{ {self.selection(named, depth - 1)} }}"

    def arguments(self, name: str, definition: GraphQLField, root: bool) -> str | None:
        """The field's arguments, or None when it needs some the generator cannot make."""
        if root and name in ROOT_ARGUMENTS:
            value = self.rng.choice(ROOT_ARGUMENTS[name])
            if self.rng.random() < 0.4:  # the same value through a variable
                arg, _, literal = value.partition(": ")
                variable = f"v{len(self.declared)}"
                kind = "ID!" if arg == "id" else "String!"
                self.declared.append(f"${variable}: {kind}")
                self.variables[variable] = json.loads(literal)
                self.features.add("variable")
                return f"({arg}: ${variable})"
            return f"({value})"
        if any(
            isinstance(a.type, GraphQLNonNull) and a.default_value is None
            for a in definition.args.values()
        ):
            return None
        if "first" in definition.args:
            roll = self.rng.random()
            # Errors only on a root list, one per query: where two fields fail at once,
            # which error graphql-core reports depends on which of its tasks ran first.
            if root and not self.erred and roll < 0.15:
                self.erred = True
                self.features.add("error")
                return "(first: 0)" if roll < 0.1 else '(after: "bm9wZQ")'
            if roll < 0.22:
                return f"(last: {self.rng.randint(1, 3)})"
            return f"(first: {self.rng.randint(1, 4)})"
        return ""

    def directive(self) -> str:
        roll = self.rng.random()
        if roll > 0.12:
            return ""
        self.features.add("directive")
        which = self.rng.choice(["skip", "include"])
        if roll < 0.06:
            return f" @{which}(if: {self.rng.choice(['true', 'false'])})"
        variable = f"b{len(self.declared)}"
        self.declared.append(f"${variable}: Boolean!")
        self.variables[variable] = self.rng.random() < 0.5
        return f" @{which}(if: ${variable})"

    def selection(self, named: Any, depth: int) -> str:
        if isinstance(named, GraphQLInterfaceType):
            self.features.add("interface")
            types = schema._schema.get_possible_types(named)
            picked = self.rng.sample(types, min(2, len(types)))
            inner = " ".join(f"... on {t.name} {{ {self.selection(t, depth)} }}" for t in picked)
            return f"__typename id {inner}"
        assert isinstance(named, GraphQLObjectType)
        names = [
            n for n, f in named.fields.items() if depth > 0 or is_leaf_type(_named(f.type))
        ] or ["__typename"]
        chosen = self.rng.sample(names, min(len(names), self.rng.randint(1, 4)))
        fields = [self.field(named, n, depth) if n != "__typename" else n for n in chosen]
        if self.rng.random() < 0.15:
            fields.append("__typename")
        roll = self.rng.random()
        if roll < 0.15 and len(fields) > 1:
            self.features.add("fragment")
            fragment = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {fragment} on {named.name} {{ {fields.pop()} }}")
            fields.append(f"...{fragment}")
        elif roll < 0.25:
            self.features.add("inline fragment")
            fields = [f"... on {named.name} {{ {' '.join(fields)} }}"]
        return " ".join(fields)


def _named(type_: GraphQLOutputType) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


async def test_generated_queries_are_answered_alike(world: TortoiseContext) -> None:
    paths: dict[str, int] = {"fast": 0, "graphql-core": 0}
    with_errors = with_nulls = 0
    generator = Generator(random.Random(20261128))
    for _ in range(250):
        answers = await same(*generator.query())
        paths[answers.path] += 1
        with_errors += '"errors"' in answers.fast
        with_nulls += ": null" in answers.fast
    # The generator made every kind of query it knows, and few it had to draw again...
    assert generator.features == {
        "alias",
        "variable",
        "directive",
        "fragment",
        "inline fragment",
        "interface",
        "error",
    }
    assert generator.invalid < 10, generator.invalid
    assert with_errors >= 10
    assert with_nulls >= 50
    # ...and most were answered on the fast path; errors went to graphql-core.
    assert paths["fast"] >= 150, paths
    assert paths["graphql-core"] >= with_errors


# --- Over HTTP --------------------------------------------------------------------------


Request = dict[str, Any]
HEADERS = ("content-type", "etag", "cache-control", "vary", "www-authenticate", "allow")
APQ_QUERY = '{ election(key: "ge-parliament-2024") { key seats turnout } }'
APQ = {
    "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(APQ_QUERY.encode()).hexdigest()}
}
HTTP_REQUESTS: list[tuple[str, Request]] = [
    ("GET", {"params": {"query": '{ election(key: "az-president-2024") { key turnout } }'}}),
    ("POST", {"json": {"query": ELECTION_PAGE, "variables": {"key": "az-president-2024"}}}),
    (
        "POST",
        {"json": {"query": SMALL, "variables": {"id": to_base64("Election", "az-president-2018")}}},
    ),
    ("POST", {"json": {"query": "{ elections(first: 0) { nodes { key } } }"}}),
    (
        "GET",
        {
            "params": {"query": '{ country(code: "GE") { name } }'},
            "headers": {"accept": "application/graphql-response+json"},
        },
    ),
    ("GET", {"params": {"query": APQ_QUERY, "extensions": json.dumps(APQ)}}),
    ("GET", {"params": {"extensions": json.dumps(APQ)}}),
    ("GET", {"params": {"query": 'mutation { deleteElection(key: "x") { deletedKey } }'}}),
    ("POST", {"json": {"query": "{ auditLog { nodes { action } } }"}}),
    ("POST", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
]


async def exchange(http: httpx.AsyncClient, method: str, request: Request) -> httpx.Response:
    return await http.request(method, "/graphql", **request)


def same_response(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.content) == (b.status_code, b.content)
    for header in HEADERS:
        assert a.headers.get(header) == b.headers.get(header), header


async def test_over_http_the_answers_are_the_same_bytes(world: TortoiseContext) -> None:
    """Each request three times to a server with the fast path: the first runs the ordinary
    way and makes the query known, the second is answered by fast_requests when it can be,
    and the third compiled where the query compiles (schema/compiled.py)."""
    async with client(fast_path=True) as fast, client(fast_path=False) as ordinary:
        for method, request in HTTP_REQUESTS:
            expected = await exchange(ordinary, method, request)
            before = await answered(fast)
            first = await exchange(fast, method, request)
            second = await exchange(fast, method, request)
            third = await exchange(fast, method, request)
            same_response(first, expected)
            same_response(second, expected)
            same_response(third, expected)
            count = await answered(fast) - before
            # Successful queries are answered fast the second time at least (by hash alone,
            # the first time too: the query with its hash was known already); errors,
            # mutations, the audit log (it needs a token) and bad JSON go the ordinary way.
            succeeded = expected.status_code == 200 and "errors" not in expected.json()
            assert (count >= 2) if succeeded else (count == 0), (method, request)
    assert second.status_code == 400


async def test_a_known_query_with_an_etag_gets_304_on_either_path(world: TortoiseContext) -> None:
    query = {"query": '{ election(key: "az-president-2003") { key date } }'}
    async with client(fast_path=True) as fast, client(fast_path=False) as ordinary:
        etag = (await fast.get("/graphql", params=query)).headers["etag"]
        for http in (fast, ordinary):
            response = await http.get("/graphql", params=query, headers={"if-none-match": etag})
            assert response.status_code == 304
            assert response.headers["etag"] == etag


async def test_variables_that_go_over_the_cost_go_the_ordinary_way(world: TortoiseContext) -> None:
    query = (
        "query P($n: Int!) { elections(first: $n) { nodes { key "
        "candidacies(first: $n) { nodes { key } } } } }"
    )
    limits = Limits(max_cost=100)
    async with (
        client(fast_path=True, limits=limits) as fast,
        client(fast_path=False, limits=limits) as ordinary,
    ):
        cheap = await fast.post("/graphql", json={"query": query, "variables": {"n": 2}})
        pages = [
            (1992, ["abulfaz-elchibey", "nizami-suleymanov"]),
            (1993, ["heydar-aliyev", "kerar-abilov"]),
        ]
        assert cheap.json()["data"]["elections"]["nodes"] == [
            {
                "key": f"az-president-{year}",
                "candidacies": {"nodes": [{"key": f"az-president-{year}/{p}"} for p in people]},
            }
            for year, people in pages
        ]
        assert list(cheap.json()) == ["data"]
        before = await answered(fast)
        dear = {"query": query, "variables": {"n": 50}}
        refused = await fast.post("/graphql", json=dear)
        same_response(refused, await ordinary.post("/graphql", json=dear))
        assert await answered(fast) == before
    assert refused.json()["errors"][0]["message"].startswith("'P' could return up to 7,650 fields")


async def test_a_known_query_that_runs_too_long_is_stopped_alike(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = {"query": "query Countries { countries(first: 2) { nodes { code } } }"}
    settings = {"limits": Limits(execution_timeout=0.2)}
    async with (
        client(fast_path=True, **settings) as fast,
        client(fast_path=False, **settings) as ordinary,
    ):
        assert (await fast.post("/graphql", json=query)).json() == {
            "data": {"countries": {"nodes": [{"code": "AZ"}, {"code": "BY"}]}}
        }
        slow = slow_countries(monkeypatch)
        before = await answered(fast)
        started = time.perf_counter()
        stopped = await fast.post("/graphql", json=query)
        assert time.perf_counter() - started < 2
        assert await answered(fast) == before + 1
        assert slow.cancelled
        slow.cancelled = False
        same_response(stopped, await ordinary.post("/graphql", json=query))
        assert slow.cancelled
    assert stopped.json() == {
        "data": None,
        "errors": [
            {"message": "The operation took longer than the limit of 0.2 s and was stopped."}
        ],
    }


async def test_a_known_query_with_include_follows_each_requests_variables(
    world: TortoiseContext,
) -> None:
    query = (
        'query Q($i: Boolean!) { election(key: "az-president-2024") { key date @include(if: $i) } }'
    )
    async with client(fast_path=True) as fast, client(fast_path=False) as ordinary:
        answers = []
        for include in (True, False, True, False):
            request = {"json": {"query": query, "variables": {"i": include}}}
            answer = await exchange(fast, "POST", request)
            same_response(answer, await exchange(ordinary, "POST", request))
            answers.append(answer.json()["data"]["election"])
    assert (
        answers
        == [
            {"key": "az-president-2024", "date": "2024-02-07"},
            {"key": "az-president-2024"},
        ]
        * 2
    )


async def test_a_known_query_serves_each_type_its_id_names(world: TortoiseContext) -> None:
    query = (
        "query N($id: ID!) { node(id: $id) { __typename id "
        "... on Election { key date } ... on Person { name } ... on Country { code } } }"
    )
    ids = [
        to_base64("Election", "az-president-2024"),
        to_base64("Person", "ilham-aliyev"),
        to_base64("Country", "GE"),
        to_base64("Election", "no-such-election"),
        to_base64("Election", "az-president-2018"),
    ]
    async with client(fast_path=True) as fast, client(fast_path=False) as ordinary:
        before = await answered(fast)
        answers = []
        for node_id in ids:
            request = {"json": {"query": query, "variables": {"id": node_id}}}
            answer = await exchange(fast, "POST", request)
            same_response(answer, await exchange(ordinary, "POST", request))
            answers.append(answer.json()["data"]["node"])
        assert await answered(fast) - before == len(ids) - 1
    assert [a and a["__typename"] for a in answers] == [
        "Election",
        "Person",
        "Country",
        None,
        "Election",
    ]
    assert answers[1]["name"] == "Ilham Aliyev"


async def test_a_known_query_follows_each_requests_variables_in_arguments(
    world: TortoiseContext,
) -> None:
    # `first: $n` and a variable inside an input object change from one request to the next;
    # `first: 1` on the tallies does not, and is converted once for every request.
    query = (
        "query Q($n: Int!, $c: String!) {"
        ' election(key: "az-president-2024") {'
        "  candidacies(first: $n) { nodes { key } } tallies(first: 1) { nodes { key } } }"
        " elections(filter: {country: $c}, first: 2) { nodes { key } } }"
    )
    runs = [(1, "AZ"), (3, "GE"), (1, "AZ")]
    async with client(fast_path=True) as fast, client(fast_path=False) as ordinary:
        before = await answered(fast)
        answers = []
        for n, code in runs:
            request = {"json": {"query": query, "variables": {"n": n, "c": code}}}
            answer = await exchange(fast, "POST", request)
            same_response(answer, await exchange(ordinary, "POST", request))
            answers.append(answer.json()["data"])
        assert await answered(fast) - before == len(runs) - 1  # the first run makes it known
    assert [len(a["election"]["candidacies"]["nodes"]) for a in answers] == [1, 3, 1]
    assert [len(a["election"]["tallies"]["nodes"]) for a in answers] == [1, 1, 1]
    assert [[e["key"][:3] for e in a["elections"]["nodes"]] for a in answers] == [
        ["az-", "az-"],
        ["ge-"],  # the fixtures' one Georgian election
        ["az-", "az-"],
    ]
    assert answers[0] == answers[2]


async def test_a_known_query_keeps_only_arguments_no_variable_can_change(
    world: TortoiseContext,
) -> None:
    query = (
        "query Q($n: Int!) {"
        ' election(key: "az-president-2024") {'
        "  candidacies(first: $n) { nodes { key endorsements(first: 2) { nodes { key } } } }"
        " }"
        ' elections(filter: {country: "AZ"}, orderBy: [{field: DATE, direction: DESC}],'
        "  first: 1) { nodes { key } } }"
    )
    for n in (2, 2):  # the first run makes it known, the second keeps what it can
        result = await schema.execute(query, variable_values={"n": n}, context_value=Context())
        assert result.errors is None
    assert schema.known is not None
    known = schema.known.get(query, None)
    assert known is not None
    names = {id(node): node.name.value for node in _field_nodes(known.document)}
    kept = {
        (type_name, names[node]): arguments for (type_name, node), arguments in known.calls.items()
    }
    # Literal values are kept; a variable, an input object and a list are not.
    assert ("Election", "candidacies") not in kept
    assert ("Query", "elections") not in kept
    assert kept[("Query", "election")] == {"key": "az-president-2024"}
    assert kept[("Candidacy", "endorsements")]["first"] == 2
    # Without the request's info: each run passes its own.
    assert not any(
        isinstance(value, FastInfo | Context)
        for arguments in kept.values()
        for value in arguments.values()
    )


def _field_nodes(document: DocumentNode) -> list[FieldNode]:
    found: list[FieldNode] = []

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_args: object) -> None:
            found.append(node)

    visit(document, Fields())
    return found
