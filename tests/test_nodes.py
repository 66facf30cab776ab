"""Global IDs: `node` and `nodes` for every node type, unknown and malformed IDs, stability."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import pytest_asyncio
from graphql import GraphQLInterfaceType
from tortoise.context import TortoiseContext

import loader
from schema import schema
from schema.context import Context
from tests.support.errors import errors_of
from tests.support.running import run
from tests.support.world import WORLD, global_id

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
        "ExitPoll",
        "ge-parliament-2024/exit-poll-edison",
        "key released sampleSize marginOfError pollster { key } commissionedBy { key }",
        {
            "key": "ge-parliament-2024/exit-poll-edison",
            "released": "2024-10-26",
            "sampleSize": 14946,
            "marginOfError": 2.5,
            "pollster": {"key": "edison-research"},
            "commissionedBy": {"key": "formula-tv"},
        },
    ),
    (
        "LegalCase",
        "ge-parliament-2024/case-tetritskaro-vote-secrecy",
        "key decided outcome precinctsAnnulled court { key } annulledAreas { key }",
        {
            "key": "ge-parliament-2024/case-tetritskaro-vote-secrecy",
            "decided": "2024-11-04",
            "outcome": "GRANTED",
            "precinctsAnnulled": 30,
            "court": {"key": "tetritskaro-district-court"},
            "annulledAreas": [{"key": "tetritskaro"}, {"key": "tsalka"}],
        },
    ),
    (
        "OfficeTerm",
        "president-of-azerbaijan/2003-ilham-aliyev",
        "key office started ended beganBy person { key } election { key }",
        {
            "key": "president-of-azerbaijan/2003-ilham-aliyev",
            "office": "President of Azerbaijan",
            "started": "2003-10",
            "ended": "2008-10",
            "beganBy": "ELECTED",
            "person": {"key": "ilham-aliyev"},
            "election": {"key": "az-president-2003"},
        },
    ),
    (
        "PollingStations",
        "az-president-2024/stations-nagorno-karabakh",
        "key count area { key } election { key }",
        {
            "key": "az-president-2024/stations-nagorno-karabakh",
            "count": 26,
            "area": {"key": "nagorno-karabakh"},
            "election": {"key": "az-president-2024"},
        },
    ),
    (
        "Statement",
        "az-president-2024/rejection-apfp",
        "key kind organization { key } election { key }",
        {
            "key": "az-president-2024/rejection-apfp",
            "kind": "REJECTS",
            "organization": {"key": "azerbaijani-popular-front-party"},
            "election": {"key": "az-president-2024"},
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


def node_types() -> list[str]:
    """The types of the schema that implement Node: what `node(id:)` may return."""
    node = schema._schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    return sorted(t.name for t in schema._schema.get_possible_types(node))


# Node types the test world has no object of: their case runs on the data sets.
DATA_SET_CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "Cabinet",
        "de-cabinet-scholz",
        "key name started primeMinisterParty { key }",
        {
            "key": "de-cabinet-scholz",
            "name": "Scholz",
            "started": "2021-12-08",
            "primeMinisterParty": {"key": "de-spd"},
        },
    ),
]


def test_every_node_type_has_a_case() -> None:
    # Both ways: a new Node type needs a case here, and a case names a Node type.
    assert sorted(type_name for type_name, *_ in CASES + DATA_SET_CASES) == node_types()
    assert (len(CASES), len(DATA_SET_CASES)) == (14, 1)


@pytest.mark.parametrize(("type_name", "key", "fields", "expected"), CASES)
async def test_node_returns_the_right_type_and_fields(
    world: TortoiseContext, type_name: str, key: str, fields: str, expected: dict[str, Any]
) -> None:
    node_id = global_id(type_name, key)
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
    assert data[field]["id"] == global_id(type_name, key)
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
        {"__typename": "Candidacy", "id": global_id("Candidacy", "az-president-2024/ilham-aliyev")},
        {"__typename": "Tally", "id": global_id("Tally", "az-president-2024/final-cec")},
        {"__typename": "Country", "id": global_id("Country", "AZ")},
        {"__typename": "Person", "id": global_id("Person", "ilham-aliyev")},
    ]


async def test_nodes_keeps_order_with_null_for_unknown(world: TortoiseContext) -> None:
    ids = [
        global_id("Person", "ilham-aliyev"),
        global_id("Country", "ZZ"),
        global_id("Election", "az-president-2024"),
        global_id("Person", "nobody"),
        global_id("Country", "GE"),
        global_id("Tally", "az-president-2024/final-cec"),
        global_id("Person", "ilham-aliyev"),  # the same ID twice
        global_id("Country", "ge"),  # country IDs carry the upper-case code
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
    [(type_name, "no-such-key") for type_name, *_ in CASES + DATA_SET_CASES]
    + [(type_name, "k" * 500) for type_name, *_ in CASES + DATA_SET_CASES]  # longer than any key
    + [("Candidacy", "az-president-2024"), ("Country", "az")],
)
async def test_unknown_but_well_formed_id_gives_null(
    world: TortoiseContext, type_name: str, key: str
) -> None:
    result = await schema.execute(
        "query ($id: ID!) { node(id: $id) { id } }",
        variable_values={"id": global_id(type_name, key)},
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
            base64.b64encode(b"Country").decode(),
            'Value cannot represent a GlobalID: "Q291bnRyeQ==".',
        ),
        # Base64 of bytes that are not text.
        (
            base64.b64encode(b"\xff\xfe:x").decode(),
            'Value cannot represent a GlobalID: "//46eA==".',
        ),
        # Well-formed, but naming a type the schema does not have, or one that is no node.
        (
            global_id("Nope", "x"),
            "Cannot resolve. GlobalID requires a GraphQL type, received `Nope`.",
        ),
        (
            global_id("TallyLine", "1"),
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
    assert await errors_of(many, {"ids": [global_id("Country", "AZ"), node_id]}) == [message]


async def test_node_id_in_the_query_text(world: TortoiseContext) -> None:
    data = await run(
        f'{{ node(id: "{global_id("Country", "GE")}") {{ ... on Country {{ name }} }} }}'
    )
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
    await loader.load([WORLD])
    return world_ids


async def test_ids_are_identical_after_a_fresh_load(fresh_load: dict[str, Any]) -> None:
    fresh = await run(STABLE)
    assert fresh == fresh_load
    assert fresh["election"]["id"] == global_id("Election", "az-president-2024")
    assert len(fresh["election"]["allSources"]) == 25


# Last in the module: the data sets' database stays open until the module ends.
@pytest.mark.parametrize(("type_name", "key", "fields", "expected"), DATA_SET_CASES)
async def test_node_returns_the_types_only_the_data_sets_hold(
    data_sets: TortoiseContext, type_name: str, key: str, fields: str, expected: dict[str, Any]
) -> None:
    node_id = global_id(type_name, key)
    data = await run(NODE % (type_name, fields), {"id": node_id})
    assert data["node"] == {"__typename": type_name, "id": node_id, **expected}
