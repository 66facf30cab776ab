"""Global IDs: `node` and `nodes` for every node type, unknown and malformed IDs, stability."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import pytest_asyncio
from tortoise.context import TortoiseContext

import loader
from schema import schema
from schema.context import Context
from service.settings import BUNDLED_FIXTURES
from tests.conftest import run


def gid(type_name: str, key: str) -> str:
    """A global ID as the API builds it: base64 of "Type:natural key"."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


NODE = "query ($id: ID!) { node(id: $id) { __typename id ... on %s { %s } } }"

# One object of each node type: its natural key, some fields, and their values.
CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "Area",
        "khankendi",
        "key name kind parent { key }",
        {
            "key": "khankendi",
            "name": "Khankendi",
            "kind": "CITY",
            "parent": {"key": "nagorno-karabakh"},
        },
    ),
    (
        "Candidacy",
        "az-president-2024/ilham-aliyev",
        "key name share votes won ageAtElection",
        {
            "key": "az-president-2024/ilham-aliyev",
            "name": "Ilham Aliyev",
            "share": 92.12,
            "votes": 4567458,
            "won": True,
            "ageAtElection": 62,
        },
    ),
    ("Country", "AZ", "code name", {"code": "AZ", "name": "Azerbaijan"}),
    (
        "Election",
        "az-president-2024",
        "key date early turnout margin",
        {
            "key": "az-president-2024",
            "date": "2024-02-07",
            "early": True,
            "turnout": 76.43,
            "margin": 89.95,
        },
    ),
    (
        "Endorsement",
        "az-president-2024/congratulation-venezuela",
        "key kind channel country { code } endorserPerson { name }",
        {
            "key": "az-president-2024/congratulation-venezuela",
            "kind": "CONGRATULATION",
            "channel": "LETTER",
            "country": {"code": "VE"},
            "endorserPerson": {"name": "Nicolás Maduro"},
        },
    ),
    (
        "Organization",
        "coalition-for-change",
        "key kind members { nodes { key } }",
        {
            "key": "coalition-for-change",
            "kind": "BLOC",
            "members": {
                "nodes": [{"key": "akhali"}, {"key": "droa"}, {"key": "girchi-more-freedom"}]
            },
        },
    ),
    (
        "Person",
        "zahid-oruj",
        "key name candidacies { nodes { key } }",
        {
            "key": "zahid-oruj",
            "name": "Zahid Oruj",
            "candidacies": {
                "nodes": [
                    {"key": "az-president-2013/zahid-oruj"},
                    {"key": "az-president-2018/zahid-oruj"},
                    {"key": "az-president-2024/zahid-oruj"},
                ]
            },
        },
    ),
    (
        "Source",
        "cec-az-news-1285",
        "key url publisher",
        {
            "key": "cec-az-news-1285",
            "url": "https://msk.gov.az/en/news/view/1285",
            "publisher": "Central Election Commission of Azerbaijan",
        },
    ),
    (
        "Tally",
        "az-president-2018/preliminary-92",
        "key stage registered cast turnout turnoutComputed",
        {
            "key": "az-president-2018/preliminary-92",
            "stage": "PRELIMINARY",
            "registered": 5314365,
            "cast": 3959553,
            "turnout": 74.51,
            "turnoutComputed": True,
        },
    ),
]


async def errors_of(query: str, variables: dict[str, Any] | None = None) -> list[str]:
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    assert result.errors, "expected an error"
    return [error.message for error in result.errors]


def test_every_node_type_has_a_case() -> None:
    sdl = schema.as_str()
    implementing = {
        line.split()[1] for line in sdl.splitlines() if line.endswith("implements Node {")
    }
    assert {type_name for type_name, *_ in CASES} <= implementing


@pytest.mark.parametrize(("type_name", "key", "fields", "expected"), CASES)
async def test_node_returns_the_right_type_and_fields(
    world: TortoiseContext, type_name: str, key: str, fields: str, expected: dict[str, Any]
) -> None:
    node_id = gid(type_name, key)
    data = await run(NODE % (type_name, fields), {"id": node_id})
    assert data["node"] == {"__typename": type_name, "id": node_id, **expected}


@pytest.mark.parametrize(
    ("field", "argument", "value", "type_name", "key"),
    [
        ("country", "code", "az", "Country", "AZ"),
        ("election", "key", "az-president-2024", "Election", "az-president-2024"),
        ("person", "key", "ilham-aliyev", "Person", "ilham-aliyev"),
        ("organization", "key", "georgian-dream", "Organization", "georgian-dream"),
        (
            "candidacy",
            "key",
            "az-president-2024/zahid-oruj",
            "Candidacy",
            "az-president-2024/zahid-oruj",
        ),
        ("tally", "key", "az-president-2024/final-cec", "Tally", "az-president-2024/final-cec"),
        ("source", "key", "ispd-azerbaijan", "Source", "ispd-azerbaijan"),
    ],
)
async def test_id_fields_are_built_from_natural_keys(
    world: TortoiseContext, field: str, argument: str, value: str, type_name: str, key: str
) -> None:
    data = await run(f"query ($v: String!) {{ {field}({argument}: $v) {{ id }} }}", {"v": value})
    assert data[field]["id"] == gid(type_name, key)
    assert base64.b64decode(data[field]["id"]).decode() == f"{type_name}:{key}"


async def test_ids_of_nested_objects_round_trip_through_node(world: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "az-president-2024") {
            winner { id } result { id } country { id } calledByPerson { id } } }"""
    )
    election = data["election"]
    ids = [election[f]["id"] for f in ("winner", "result", "country", "calledByPerson")]
    back = await run("query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": ids})
    assert back["nodes"] == [
        {"__typename": "Candidacy", "id": gid("Candidacy", "az-president-2024/ilham-aliyev")},
        {"__typename": "Tally", "id": gid("Tally", "az-president-2024/final-cec")},
        {"__typename": "Country", "id": gid("Country", "AZ")},
        {"__typename": "Person", "id": gid("Person", "ilham-aliyev")},
    ]


async def test_nodes_keeps_order_with_null_for_unknown(world: TortoiseContext) -> None:
    ids = [
        gid("Person", "ilham-aliyev"),
        gid("Country", "ZZ"),
        gid("Election", "az-president-2024"),
        gid("Person", "nobody"),
        gid("Country", "GE"),
        gid("Tally", "az-president-2024/final-cec"),
        gid("Person", "ilham-aliyev"),  # the same ID twice
        gid("Country", "ge"),  # country IDs carry the upper-case code
    ]
    data = await run(
        """query ($ids: [ID!]!) { nodes(ids: $ids) {
            __typename ... on Person { key } ... on Country { code }
            ... on Election { key } ... on Tally { key } } }""",
        {"ids": ids},
    )
    assert data["nodes"] == [
        {"__typename": "Person", "key": "ilham-aliyev"},
        None,
        {"__typename": "Election", "key": "az-president-2024"},
        None,
        {"__typename": "Country", "code": "GE"},
        {"__typename": "Tally", "key": "az-president-2024/final-cec"},
        {"__typename": "Person", "key": "ilham-aliyev"},
        None,
    ]
    assert await run("{ nodes(ids: []) { id } }") == {"nodes": []}


@pytest.mark.parametrize(
    ("type_name", "key"),
    [(type_name, "no-such-key") for type_name, *_ in CASES]
    + [(type_name, "k" * 500) for type_name, *_ in CASES]  # longer than any stored key
    + [("Candidacy", "az-president-2024"), ("Country", "az")],
)
async def test_unknown_but_well_formed_id_gives_null(
    world: TortoiseContext, type_name: str, key: str
) -> None:
    result = await schema.execute(
        "query ($id: ID!) { node(id: $id) { id } }",
        variable_values={"id": gid(type_name, key)},
        context_value=Context(),
    )
    assert result.errors is None
    assert result.data == {"node": None}


@pytest.mark.parametrize(
    ("node_id", "message"),
    [
        ("garbage", 'Value cannot represent a GlobalID: "garbage".'),
        ("", 'Value cannot represent a GlobalID: "".'),
        (
            "Election:az-president-2024",
            'Value cannot represent a GlobalID: "Election:az-president-2024".',
        ),
        # Base64, but of a string without the "Type:" part.
        (
            gid("", "x")[:0] + base64.b64encode(b"Country").decode(),
            'Value cannot represent a GlobalID: "Q291bnRyeQ==".',
        ),
        # Base64 of bytes that are not text.
        (
            base64.b64encode(b"\xff\xfe:x").decode(),
            'Value cannot represent a GlobalID: "//46eA==".',
        ),
        # Well-formed, but naming a type the schema does not have, or one that is no node.
        (gid("Nope", "x"), "Cannot resolve. GlobalID requires a GraphQL type, received `Nope`."),
        (
            gid("TallyLine", "1"),
            "Cannot resolve. GlobalID requires a GraphQL Node type, received `TallyLine`.",
        ),
    ],
)
async def test_malformed_id_is_a_clear_graphql_error(
    world: TortoiseContext, node_id: str, message: str
) -> None:
    query = "query ($id: ID!) { node(id: $id) { id } }"
    assert await errors_of(query, {"id": node_id}) == [message]
    many = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert await errors_of(many, {"ids": [gid("Country", "AZ"), node_id]}) == [message]


async def test_node_id_in_the_query_text(world: TortoiseContext) -> None:
    data = await run(f'{{ node(id: "{gid("Country", "GE")}") {{ ... on Country {{ name }} }} }}')
    assert data == {"node": {"name": "Georgia"}}


# --- Stable across loads ----------------------------------------------------------------

STABLE = """{ country(code: "AZ") { id }
    election(key: "az-president-2024") { id winner { id } result { id }
        endorsements { nodes { id } } allSources { id }
        candidacies { nodes { id person { id } party { id } } } }
    organization(key: "coalition-for-change") { id members { nodes { id } } } }"""


@pytest_asyncio.fixture
async def world_ids(world: TortoiseContext) -> dict[str, Any]:
    """IDs as the shared test world gives them (run before the fresh database takes over)."""
    return await run(STABLE)


@pytest_asyncio.fixture
async def fresh_load(world_ids: dict[str, Any], empty_db: TortoiseContext) -> dict[str, Any]:
    """The world's IDs; the current database is now a fresh one with the fixtures loaded."""
    await loader.load([BUNDLED_FIXTURES])
    return world_ids


async def test_ids_are_identical_after_a_fresh_load(fresh_load: dict[str, Any]) -> None:
    fresh = await run(STABLE)
    assert fresh == fresh_load
    assert fresh["election"]["id"] == gid("Election", "az-president-2024")
    assert len(fresh["election"]["allSources"]) > 20
