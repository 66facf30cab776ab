"""The schema as a whole: the committed SDL, descriptions everywhere, and the query limits."""

from __future__ import annotations

import base64
import difflib
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    Lexer,
    Source,
    TokenKind,
    get_introspection_query,
    specified_directives,
    specified_scalar_types,
)
from tortoise.context import TortoiseContext

import schema as schema_package
from schema import schema
from schema.context import Context
from tests.support.running import run

SDL_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"
REGENERATE = (
    "python -c \"import pathlib, schema; pathlib.Path('schema.graphql')"
    ".write_text(schema.schema.as_str() + '\\n', encoding='utf-8')\""
)


def printed_sdl() -> str:
    """The SDL as committed: strawberry's printed schema and a final newline."""
    return schema.as_str() + "\n"


async def refused(query: str) -> list[str]:
    """Execute a query expected to be refused; return its error messages."""
    result = await schema.execute(query, context_value=Context())
    assert result.data is None, result.data
    assert result.errors, "expected the query to be refused"
    return [error.message for error in result.errors]


# --- The committed SDL ------------------------------------------------------------------


def test_committed_sdl_is_up_to_date() -> None:
    expected = printed_sdl()
    committed = SDL_FILE.read_text(encoding="utf-8") if SDL_FILE.is_file() else ""
    if committed != expected:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                fromfile="schema.graphql (committed)",
                tofile="schema.graphql (printed from schema/)",
            )
        )
        lines = diff.splitlines()
        shown = "\n".join(lines[:80]) + ("\n..." if len(lines) > 80 else "")
        raise AssertionError(
            "schema.graphql is out of date: regenerate it with `make schema`, or from the top\n"
            f"of the repository with\n    {REGENERATE}\n"
            "and commit the result.\n\n" + shown
        )


def test_str_and_as_str_agree() -> None:
    assert str(schema) == schema.as_str()


def test_sdl_has_no_python_reprs_as_default_values() -> None:
    # An argument whose default is a Python object (strawberry.argument(...) written as the
    # default instead of inside Annotated) is printed as its repr.
    sdl = printed_sdl()
    assert "<strawberry" not in sdl
    assert " object at 0x" not in sdl


def test_sdl_covers_every_node_type() -> None:
    sdl = printed_sdl()
    for name in (
        "Area",
        "Candidacy",
        "Country",
        "Election",
        "Endorsement",
        "Organization",
        "Person",
        "Source",
        "Tally",
    ):
        assert f"type {name} implements Node {{" in sdl, name


def test_sdl_covers_the_mutations_and_their_types() -> None:
    sdl = printed_sdl()
    # The root types have their default names, so the SDL needs no `schema { … }`.
    assert "type Query {" in sdl
    assert "type Mutation {" in sdl
    for entity in ("Election", "Candidacy", "Tally", "Endorsement", "Statement"):
        field = entity[0].lower() + entity[1:]
        assert f"  create{entity}(\n" in sdl, entity
        assert f"  update{entity}(\n" in sdl, entity
        assert f"  delete{entity}(\n" in sdl, entity
        assert f"input Create{entity}Input {{" in sdl, entity
        assert f"input Update{entity}Input {{" in sdl, entity
        assert f"type {entity}Payload {{" in sdl, entity
        assert f"  {field}: {entity}\n" in sdl, entity
    for type_ in (
        "type FieldError {",
        "type DeletePayload {",
        "type LoadFixturesPayload {",
        "type SectionCounts {",
        "input TallyLineInput {",
        "enum FixtureFormat {",
        "type AuditEntry {",
        "enum AuditAction {",
    ):
        assert type_ in sdl, type_
    assert "  loadFixtures(\n" in sdl
    assert "  auditLog(\n" in sdl


# --- Descriptions -----------------------------------------------------------------------


def missing_descriptions() -> list[str]:
    """Every type, field, argument and enum value of ours that has no description.

    Skipped: the introspection types (`__*`), the scalars and directives the GraphQL spec
    defines. Strawberry's own additions (the `Node` interface and its `id`, the `Date`
    scalar, the `node`/`nodes` fields and their arguments) do carry descriptions, so they
    are checked like ours.
    """
    graphql_schema = schema._schema
    builtin_scalars = set(specified_scalar_types)
    missing: list[str] = []

    def check(where: str, description: str | None) -> None:
        if not (description and description.strip()):
            missing.append(where)

    for name, type_ in sorted(graphql_schema.type_map.items()):
        if name.startswith("__") or name in builtin_scalars:
            continue
        check(name, type_.description)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, input_field in type_.fields.items():
                check(f"{name}.{field_name}", input_field.description)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{name}.{value_name}", value.description)

    builtin_directives = {directive.name for directive in specified_directives}
    for directive in graphql_schema.directives:
        if directive.name in builtin_directives:
            continue
        check(f"@{directive.name}", directive.description)
        for arg_name, arg in directive.args.items():
            check(f"@{directive.name}({arg_name})", arg.description)
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    assert missing_descriptions() == []


def test_the_walk_reaches_arguments_enum_values_and_strawberry_builtins() -> None:
    # Guard against a walk that silently checks nothing.
    type_map = schema._schema.type_map
    query = type_map["Query"]
    assert isinstance(query, GraphQLObjectType)
    assert query.fields["country"].args["code"].description == (
        'ISO code, e.g. "AZ"; case-insensitive.'
    )
    assert query.fields["node"].args["id"].description == "The ID of the object."
    assert query.fields["nodes"].args["ids"].description == "The IDs of the objects."
    node = type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    assert node.description == "An object with a Globally Unique ID"
    assert node.fields["id"].description == "The Globally Unique ID of this object"
    assert type_map["Date"].description == (
        'A day, as ISO 8601 writes it: YYYY-MM-DD, e.g. "2024-02-07".'
    )
    assert type_map["DateTime"].description == "Date with time (isoformat)"
    stage = type_map["Stage"]
    assert isinstance(stage, GraphQLEnumType)
    assert stage.values["FINAL"].description == "The count's final figures."


# --- Limits -----------------------------------------------------------------------------


def test_limits_are_the_documented_ones() -> None:
    assert (schema_package.MAX_DEPTH, schema_package.MAX_ALIASES, schema_package.MAX_TOKENS) == (
        10,
        15,
        1000,
    )


def nested(depth: int, name: str | None = None) -> str:
    """A query of the given depth as the limiter counts it (the root field is at depth 0):
    election > country > elections > nodes > country > elections > nodes > ... > id, one
    election a page, so that only the depth can refuse it."""
    inner = "id"
    for level in range(depth - 1, 0, -1):
        inner = f"{('country', 'elections(first: 1)', 'nodes')[(level - 1) % 3]} {{ {inner} }}"

    head = f"query {name} " if name else ""
    return f'{head}{{ election(key: "az-president-2024") {{ {inner} }} }}'


async def test_depth_ten_runs(world: TortoiseContext) -> None:
    query = nested(10)
    # The operation's braces and ten selection sets: fields at depths 0 (election) to 10 (id).
    assert query.count("{") == 11
    data = await run(query)
    level = data["election"]
    for _ in range(3):
        level = level["country"]["elections"]["nodes"][0]
    # The ID of Azerbaijan's first election, the first of its list.
    assert level == {"id": base64.b64encode(b"Election:az-president-1992").decode()}


async def test_depth_eleven_is_refused() -> None:
    assert await refused(nested(11)) == ["'anonymous' exceeds maximum operation depth of 10"]
    assert await refused(nested(11, "Deep")) == ["'Deep' exceeds maximum operation depth of 10"]


async def test_depth_through_fragments_counts_too() -> None:
    query = (
        'query Frag { election(key: "az-president-2024") { ...E } }\n'
        "fragment E on Election { country { elections { nodes { country { elections { nodes {"
        " country { ...C } } } } } } } }\n"
        "fragment C on Country { elections { nodes { country { id } } } }"
    )
    assert await refused(query) == ["'Frag' exceeds maximum operation depth of 10"]


async def test_the_introspection_query_passes_the_limits() -> None:
    # GraphiQL and code generators send it; none of the limits may refuse it.
    result = await schema.execute(
        get_introspection_query(descriptions=True), context_value=Context()
    )
    assert result.errors is None
    assert result.data is not None
    assert result.data["__schema"]["queryType"]["name"] == "Query"


def aliased(count: int) -> str:
    return "{ " + " ".join(f'a{i}: country(code: "AZ") {{ code }}' for i in range(count)) + " }"


async def test_fifteen_aliases_run(world: TortoiseContext) -> None:
    data = await run(aliased(15))
    assert data == {f"a{i}": {"code": "AZ"} for i in range(15)}


async def test_sixteen_aliases_are_refused() -> None:
    assert await refused(aliased(16)) == ["16 aliases found. Allowed: 15"]


def token_count(query: str) -> int:
    """Tokens as graphql-core counts them against the limit: the lexical tokens, not the
    end of the document (commas, whitespace and comments are not tokens)."""
    lexer = Lexer(Source(query))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def many_tokens(tokens: int) -> str:
    """A query of exactly `tokens` tokens: fragments that each select `__typename` (nine
    tokens for one, with its spread), and `__typename`s for the rest. (A list of IDs is
    refused past 100 items.)"""
    fragments, rest = divmod(tokens - 2, 9)
    spreads = " ".join(f"...F{i}" for i in range(fragments))
    definitions = " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(fragments))
    query = "{ " + "__typename " * rest + spreads + " } " + definitions
    assert token_count(query) == tokens
    return query


async def test_a_thousand_tokens_run(world: TortoiseContext) -> None:
    assert await run(many_tokens(1000)) == {"__typename": "Query"}


async def test_more_than_a_thousand_tokens_are_refused() -> None:
    assert await refused(many_tokens(1001)) == [
        "Syntax Error: Document contains more than 1000 tokens. Parsing aborted."
    ]
