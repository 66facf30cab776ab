"""The limits: each attack gets its exact refusal, and an ordinary session stays under all.

Every limit has the payload that crosses it by one and what the client gets back; the last
tests play what GraphiQL sends in development (its introspection query, then the example
operations of docs/queries/) and check that no limit refuses any of it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import json
import math
import random
import re
import struct
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import strawberry
from graphql import SourceLocation, get_introspection_query, get_operation_ast, parse
from starlette.routing import Route
from strawberry.types.execution import PreExecutionError
from tortoise.context import TortoiseContext

from schema import Schema, build_schema, limits
from schema.context import Context
from server import create_app
from service.settings import Limits, Settings
from tests.support.clients import client
from tests.support.errors import error
from tests.support.running import run
from tests.support.waiting import slow_countries
from web import graphql_app
from web.graphql_app import (
    GRAPHQL_RESPONSE_JSON,
    GraphQLApp,
    JSONTooLarge,
    bounded_json,
    json_depth,
)

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )


def test_the_defaults_are_the_documented_ones() -> None:
    assert Limits() == Limits(
        max_depth=10,
        max_aliases=15,
        max_tokens=1000,
        max_directives=50,
        max_cost=500_000,
        cost_list_size=10,
        execution_timeout=10.0,
        max_batch_operations=0,
        max_list_items=100,
    )
    assert Settings().max_body_bytes == 1024 * 1024
    assert Settings().read_timeout == 15.0


# --- Depth, aliases, tokens, directives: refused before anything runs ------------------------


def nested(depth: int) -> str:
    """election > country > elections > nodes > country > elections > nodes > ... > id,
    `depth` levels below the root field (depth as the limiter counts it); one election a
    page, so that only the depth can refuse it."""
    inner = "id"
    for level in range(depth - 1, 0, -1):
        inner = f"{('country', 'elections(first: 1)', 'nodes')[(level - 1) % 3]} {{ {inner} }}"
    return f'{{ election(key: "az-president-2024") {{ {inner} }} }}'


async def test_depth_ten_runs_and_eleven_is_a_400(world: TortoiseContext) -> None:
    async with client() as http:
        response = await post(http, nested(10))
        assert response.status_code == 200
        level = response.json()["data"]["election"]
        for _ in range(3):
            level = level["country"]["elections"]["nodes"][0]
        # The ID of Azerbaijan's first election, the first of its list.
        assert level == {"id": base64.b64encode(b"Election:az-president-1992").decode()}

        response = await post(http, nested(11))
    assert response.status_code == 400
    # Located at the field below the tenth level.
    column = nested(11).rindex("id") + 1
    assert response.json() == error("'anonymous' exceeds maximum operation depth of 10", 1, column)


def aliased(count: int) -> str:
    return "{ " + " ".join(f'a{i}: country(code: "AZ") {{ code }}' for i in range(count)) + " }"


async def test_fifteen_aliases_run_and_sixteen_are_a_400(world: TortoiseContext) -> None:
    async with client() as http:
        response = await post(http, aliased(15))
        assert response.json() == {"data": {f"a{i}": {"code": "AZ"} for i in range(15)}}
        response = await post(http, aliased(16))
    assert response.status_code == 400
    assert response.json() == error("16 aliases found. Allowed: 15")


AZ = base64.b64encode(b"Country:AZ").decode()


def tokens(count: int) -> str:
    """`{ __typename … ...F0 ...F1 … } fragment F0 on Query { __typename } …`: two braces,
    nine tokens a fragment (its spread and its definition), `__typename` for the rest."""
    fragments, rest = divmod(count - 2, 9)
    spreads = " ".join(f"...F{i}" for i in range(fragments))
    definitions = " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(fragments))
    return "{ " + "__typename " * rest + spreads + " } " + definitions


async def test_a_thousand_tokens_run_and_more_are_a_400(world: TortoiseContext) -> None:
    async with client() as http:
        response = await post(http, tokens(1000))
        assert response.json() == {"data": {"__typename": "Query"}}
        response = await post(http, tokens(1001))
    assert response.status_code == 400
    assert response.json() == error(
        "Syntax Error: Document contains more than 1000 tokens. Parsing aborted.",
        1,
        tokens(1001).rindex("}") + 1,  # the 1001st token
    )


def directives(count: int) -> str:
    return "{ " + "__typename @skip(if: false) " * count + "}"


async def test_fifty_directives_run_and_fifty_one_are_a_400(world: TortoiseContext) -> None:
    async with client() as http:
        response = await post(http, directives(50))
        assert response.json() == {"data": {"__typename": "Query"}}
        response = await post(http, directives(51))
    assert response.status_code == 400
    assert response.json() == error("51 directives found. Allowed: 50")


# --- Fragments: each measured once, however often it is spread --------------------------------


def fan_out(levels: int, leaf: str = "__typename") -> str:
    """Each fragment spreads the next twice: `levels` fragments describe 2^levels paths."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ {leaf} }}"


async def test_a_fragment_fan_out_is_refused_by_its_cost(world: TortoiseContext) -> None:
    # 40 levels took over a minute in the depth and alias limiters, which walked every
    # path, with the server answering nothing else; now each fragment is measured once, and
    # the cost, counted the same way, refuses the 2^40 fields.
    async with client() as http:
        response = await post(http, fan_out(40))
    assert response.status_code == 400
    assert response.json() == error(
        "'anonymous' could return up to 1,099,511,627,776 fields, over the limit of 500,000; "
        "ask for fewer fields, or for fewer items with `first`.",
        1,
        1,
    )


def test_depth_and_aliases_count_each_fragment_once() -> None:
    # 150 levels: 2^150 paths, which no walk of each could finish; counted, they are exact.
    document = parse(fan_out(150, "a: __typename"))
    assert [error.message for error in limits.shape_errors(document, 10, 15)] == [
        f"{2**150} aliases found. Allowed: 15"
    ]
    assert limits.shape_errors(document, 10, 2**150) == []


def test_depth_through_fragments_is_located_where_it_passes_the_limit() -> None:
    # The spread of B sits at the tenth level, so B's `code` is at the eleventh.
    text = (
        "query Deep { ...A }\n"
        'fragment A on Query { a0: election(key: "e") { country { elections { nodes {'
        " country { elections { nodes { country { elections { nodes { ...B } } } } } } } } } } }\n"
        "fragment B on Election { country { code } }"
    )
    [refusal] = limits.shape_errors(parse(text), 10, 15)
    assert (refusal.message, refusal.locations) == (
        "'Deep' exceeds maximum operation depth of 10",
        [SourceLocation(3, text.splitlines()[2].index("code") + 1)],
    )
    assert limits.shape_errors(parse(text), 11, 15) == []


async def test_fragments_that_spread_each_other_are_refused_by_the_spec(
    world: TortoiseContext,
) -> None:
    cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    async with client() as http:
        response = await post(http, cycle)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Cannot spread fragment 'A' within itself via 'B'.",
                "locations": [{"line": 1, "column": 32}, {"line": 1, "column": 61}],
            }
        ]
    }


# --- Lists: at most 100 items, each counted in the cost ---------------------------------------


def ids(count: int) -> list[str]:
    return [AZ] * count


async def test_a_list_of_a_hundred_runs_and_more_are_refused(world: TortoiseContext) -> None:
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    async with client() as http:
        response = await post(http, query, {"ids": ids(100)})
        assert response.json() == {"data": {"nodes": [{"id": AZ}] * 100}}
        # Sent as a variable: 20,000 IDs took 26.7 s and 1.7 GB before.
        response = await post(http, query, {"ids": ids(20_000)})
        assert response.status_code == 400
        assert response.json() == error(
            "`$ids` has 20,000 items, over the limit of 100 for a list; send at most 100 at a time."
        )
        # Written in the query: refused where it is written.
        literal = "{ nodes(ids: [" + ", ".join(f'"{AZ}"' for _ in range(101)) + "]) { id } }"
        response = await post(http, literal)
        assert response.status_code == 400
        assert response.json() == error(
            "`ids` has 101 items, over the limit of 100 for a list; send at most 100 at a time.",
            1,
            14,
        )
        # Inside an input object, at any depth of the variables.
        filtered = "query ($f: ElectionFilter) { elections(filter: $f) { totalCount } }"
        deep = {"and": [{"or": [{"country": "AZ"}] * 101}]}
        response = await post(http, filtered, {"f": deep})
    assert response.json() == error(
        "`$f.and[0].or` has 101 items, over the limit of 100 for a list; "
        "send at most 100 at a time."
    )


async def test_the_list_limit_comes_from_the_settings(world: TortoiseContext) -> None:
    settings = Settings(limits=Limits(max_list_items=2))
    async with client(settings) as http:
        query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
        response = await post(http, query, {"ids": ids(3)})
    assert response.json() == error(
        "`$ids` has 3 items, over the limit of 2 for a list; send at most 2 at a time."
    )


def test_cost_counts_a_list_of_ids_by_its_length() -> None:
    # One item per ID, each with its fields: no longer the 10 of a list without `first`.
    query = (
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Election { key sources { key } } } }"
    )
    assert cost(query, {"ids": ids(100)}) == 100 * (1 + 1 + 1 + 10 * 2)
    assert cost(query, {"ids": ids(3)}) == 3 * (1 + 1 + 1 + 10 * 2)
    literal = "{ nodes(ids: [" + ", ".join(f'"{AZ}"' for _ in range(7)) + "]) { id } }"
    assert cost(literal) == 7 * 2
    assert cost('query ($ids: [ID!]! = ["a", "b"]) { nodes(ids: $ids) { id } }') == 2 * 2
    # An `ids` that takes a variable makes the cost depend on the request.
    assert limits.cost_takes_variables(parse(query))
    assert not limits.cost_takes_variables(parse(literal))


async def test_a_filter_of_more_than_a_hundred_filters_is_refused(world: TortoiseContext) -> None:
    # 5,000 `or` branches were SQLite's "Expression tree is too large", a 500. Each list
    # within 100 items, the tree is bounded by its count of filters.
    query = "query ($f: ElectionFilter) { elections(filter: $f) { totalCount } }"
    wide = {"or": [{"and": [{"kind": "PRESIDENTIAL"}, {"country": "AZ"}]}] * 40}
    async with client() as http:
        response = await post(http, query, {"f": wide})
        assert response.json() == {
            "data": None,
            "errors": [
                {
                    "message": "`filter` holds more than 100 filters through `and`, `or` and "
                    "`not` (itself included), over the limit of 100: combine fewer.",
                    "locations": [{"line": 1, "column": 30}],
                    "path": ["elections"],
                }
            ],
        }
        # A hundred filters run: 1 + 33 branches of 1 + 2.
        response = await post(http, query, {"f": {"or": wide["or"][:33]}})
    assert response.json() == {"data": {"elections": {"totalCount": 8}}}


def test_filter_size_counts_through_and_or_and_not() -> None:
    from schema.filters import MAX_FILTERS, ElectionFilter, size

    leaf = ElectionFilter(country="AZ")
    assert size(leaf) == 1
    assert size(ElectionFilter(and_=[leaf, leaf], or_=[leaf], not_=leaf)) == 5
    nested = leaf
    for _ in range(500):
        nested = ElectionFilter(not_=nested)
    assert size(nested) == MAX_FILTERS + 1  # counted no further than the limit


# --- Which operation runs ------------------------------------------------------------------------


async def test_several_operations_need_an_operation_name(world: TortoiseContext) -> None:
    # The GraphQL spec: with no name, a document of several operations runs none (the first
    # one ran before).
    document = 'query A { __typename } query B { country(code: "AZ") { name } }'
    async with client() as http:
        response = await post(http, document)
        assert response.status_code == 400
        assert response.json() == error(
            "The document has 2 operations (A, B): name the one to run in `operationName`."
        )
        for _ in range(2):  # the second time on the fast path, as a known query
            response = await http.post(
                "/graphql",
                json={"query": document, "operationName": "B"},
                headers={"Accept": GRAPHQL_RESPONSE_JSON},
            )
            assert response.json() == {"data": {"country": {"name": "Azerbaijan"}}}
        # Still refused without the name, though the document is known by now.
        response = await post(http, document)
    assert response.json() == error(
        "The document has 2 operations (A, B): name the one to run in `operationName`."
    )


async def test_several_subscriptions_need_an_operation_name(world: TortoiseContext) -> None:
    # Subscriptions are streamed, not executed: the same refusal on that path (the first
    # one ran before), and the one named runs.
    document = (
        'subscription A { resultUpdated(election: "az-president-2018") { tally { key } } } '
        'subscription B { resultUpdated(election: "az-president-2024") { tally { key } } }'
    )
    schema = build_schema(Settings())
    refused = await schema.subscribe(document, context_value=Context())
    async with contextlib.aclosing(refused):
        # With a deadline: a subscription that ran would wait for changes.
        answer = await asyncio.wait_for(anext(refused), 10)
        assert isinstance(answer, PreExecutionError)
        assert answer.data is None
        assert [e.message for e in answer.errors or ()] == [
            "The document has 2 operations (A, B): name the one to run in `operationName`."
        ]
        with pytest.raises(StopAsyncIteration):  # and nothing more
            await asyncio.wait_for(anext(refused), 10)
    named = await schema.subscribe(document, context_value=Context(), operation_name="B")
    async with contextlib.aclosing(named):
        first = await asyncio.wait_for(anext(named), 10)
    assert first.errors is None
    assert first.data == {
        "resultUpdated": {"tally": {"key": "az-president-2024/turnout-wikipedia-th-mirror"}}
    }
    assert limits.requested_operation.get() is None  # set only while a stream is read


async def test_first_outside_one_to_a_hundred_is_an_error_in_the_field(
    world: TortoiseContext,
) -> None:
    async with client() as http:
        for first in (0, 101):
            response = await post(http, f"{{ people(first: {first}) {{ nodes {{ name }} }} }}")
            assert response.status_code == 200  # it ran: a field error, not a request error
            assert response.json() == {
                "data": None,
                "errors": [
                    {
                        "message": f"`first` must be between 1 and 100, got {first}.",
                        "locations": [{"line": 1, "column": 3}],
                        "path": ["people"],
                    }
                ],
            }


# --- Cost --------------------------------------------------------------------------------------


def cost(query: str, variables: dict[str, Any] | None = None, list_size: int = 10) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    return limits.cost(build_schema()._schema, document, operation, variables, list_size)


def test_cost_counts_every_field_times_the_lists_above_it() -> None:
    # A plain list (no `first`): 10 sources of 2 fields each, and the list itself.
    sources = '{ election(key: "e") { sources { key url } } }'
    assert cost(sources) == 1 + 10 * (1 + 2)
    assert cost(sources, list_size=20) == 1 + 20 * (1 + 2)
    # A connection counts as its largest page, 100, whatever the list size; given a
    # `first`, as given. Its `nodes` count once per item, not once more per page.
    assert cost("{ countries { nodes { code name } } }") == 100 * (1 + 1 + 2)
    assert cost("{ countries { nodes { code } } }", list_size=20) == 100 * (1 + 1 + 1)
    assert cost("{ elections { nodes { key } } }") == 100 * (1 + 1 + 1)
    assert cost("{ elections(first: 5) { nodes { key date } } }") == 5 * (1 + 1 + 2)
    assert cost("{ elections(last: 5) { nodes { key date } } }") == 5 * (1 + 1 + 2)
    # Edges the same: each edge's cursor and node once per item, as are the total and
    # pageInfo.
    edges = "totalCount pageInfo { hasNextPage } edges { cursor node { key } }"
    assert cost(f"{{ elections(first: 5) {{ {edges} }} }}") == 5 * (
        1 + 1 + (1 + 1) + (1 + 1 + (1 + 1))
    )
    # One country, its elections and their candidacies (neither with a `first`).
    assert cost(
        '{ country(code: "AZ") { elections { nodes { candidacies { nodes { name } } } } } }'
    ) == 1 + 100 * (1 + 1 + 100 * (1 + 1 + 1))
    # A plain list inside a connection: multiplied by the page and by the list size.
    assert cost("{ elections(first: 5) { nodes { sources { key } } } }") == 5 * (
        1 + 1 + 10 * (1 + 1)
    )
    assert cost("{ __typename }") == 1


def test_cost_takes_first_from_the_variables() -> None:
    query = "query ($n: Int = 3) { elections(first: $n) { nodes { key } } }"
    assert cost(query, {"n": 7}) == 7 * 3
    assert cost(query) == 3 * 3  # the variable's default
    assert cost("query ($n: Int!) { elections(first: $n) { nodes { key } } }", {}) == 100 * 3
    assert cost(query, {"n": "7"}) == 100 * 3  # not an Int: the largest page
    assert cost("query ($n: Int) { elections(last: $n) { nodes { key } } }", {"n": 4}) == 4 * 3


def test_cost_of_fragments_counts_each_spread() -> None:
    inline = '{ node(id: "x") { ... on Election { key sources { key } } } }'
    assert cost(inline) == 1 + 1 + 10 * 2
    spread = "{ elections(first: 2) { nodes { ...E ...E } } } fragment E on Election { key }"
    assert cost(spread) == 2 * (1 + 1 + 1 + 1)


def test_cost_of_a_fragment_chain_is_counted_once_per_fragment() -> None:
    # F0 spreads F1 twice, F1 spreads F2 twice, …: 2^30 `__typename`s, counted at once.
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30)]
    query = "{ ...F0 } " + " ".join(fragments) + " fragment F30 on Query { __typename }"
    started = time.perf_counter()
    assert cost(query) == 2**30
    assert time.perf_counter() - started < 1


def test_introspection_counts_one_per_field() -> None:
    # Its lists are the schema's own types and fields, fixed in size, so they multiply
    # nothing: the standard introspection query costs what its selection holds.
    assert cost("{ __schema { types { name fields { name } } } }") == 5
    assert cost(get_introspection_query(descriptions=True)) == 220


def explosion(aliases: int, first: int) -> str:
    """Elections, their candidates, the candidates' other candidacies, those elections'
    candidates, ten a page: each list multiplies the ones above it."""
    inner = (
        "candidacies(first: 10) { nodes { person { candidacies(first: 10) { nodes {"
        " election { candidacies(first: 10) { nodes { name } } } } } } } }"
    )
    return (
        "{ "
        + " ".join(
            f"e{i}: elections(first: {first}) {{ nodes {{ {inner} }} }}" for i in range(aliases)
        )
        + " }"
    )


async def test_a_query_over_the_cost_limit_is_a_400(world: TortoiseContext) -> None:
    # One alias: each page's items, each with its connection, `nodes` and one field more.
    assert cost(explosion(1, 100)) == 100 * (
        1 + 1 + 10 * (1 + 1 + 1 + 10 * (1 + 1 + 1 + 10 * (1 + 1 + 1)))
    )
    assert cost(explosion(1, 100)) == 333_200
    assert cost(explosion(2, 100)) == 666_400
    async with client() as http:
        response = await post(http, explosion(2, 100))
        assert response.status_code == 400
        assert response.json() == error(
            "'anonymous' could return up to 666,400 fields, over the limit of 500,000; "
            "ask for fewer fields, or for fewer items with `first`.",
            1,
            1,
        )
        # With first: 10 the same query costs a tenth, and runs.
        assert cost(explosion(2, 10)) == 66_640
        response = await post(http, explosion(2, 10))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data"]
    # Every election of the test world.
    assert len(body["data"]["e0"]["nodes"]) == len(body["data"]["e1"]["nodes"]) == 9


async def test_the_cost_limit_and_list_size_come_from_the_settings(world: TortoiseContext) -> None:
    settings = Settings(limits=Limits(max_cost=199, cost_list_size=100))
    query = 'query Terms { officeTerms(country: "AZ", office: "President") { key } }'
    async with client(settings) as http:
        response = await post(http, query)
        assert response.json() == error(
            "'Terms' could return up to 200 fields, over the limit of 199; "
            "ask for fewer fields, or for fewer items with `first`.",
            1,
            1,
        )
        # A connection counts as its largest page (100), not as the list size.
        response = await post(http, "query Countries { countries { nodes { code } } }")
    assert response.json() == error(
        "'Countries' could return up to 300 fields, over the limit of 199; "
        "ask for fewer fields, or for fewer items with `first`.",
        1,
        1,
    )


# --- The request body ---------------------------------------------------------------------------


def body_of(size: int) -> bytes:
    """A valid request of exactly `size` bytes: a small query padded with JSON whitespace."""
    head, tail = b'{"query": "{ __typename }"', b"}"
    return head + b" " * (size - len(head) - len(tail)) + tail


async def test_a_body_over_one_mebibyte_is_a_413_before_it_is_read_whole(
    world: TortoiseContext,
) -> None:
    limit = 1024 * 1024
    message = f"The request body is larger than the limit of {limit} bytes."
    headers = {"Content-Type": "application/json"}
    received: list[int] = []

    async def chunks(size: int) -> AsyncIterator[bytes]:
        body = body_of(size)
        for start in range(0, len(body), 64 * 1024):
            received.append(start)
            yield body[start : start + 64 * 1024]

    async with client() as http:
        response = await http.post("/graphql", content=body_of(limit), headers=headers)
        assert (response.status_code, response.json()) == (200, {"data": {"__typename": "Query"}})
        # Declared by Content-Length: refused without reading.
        response = await http.post("/graphql", content=body_of(limit + 1), headers=headers)
        assert (response.status_code, response.json()) == (413, error(message))
        # Chunked, with no length declared: refused as soon as the limit is passed.
        response = await http.post("/graphql", content=chunks(limit + 1), headers=headers)
        assert (response.status_code, response.json()) == (413, error(message))
    assert len(received) == 17  # 16 chunks of 64 KiB reach the limit; the 17th passes it


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '{"query": "{ __typename }", "variables": {"n": ' + "9" * 5000 + "}}",
            "The request's JSON has a number of 5,000 characters (99999999999999999999…), over "
            "the limit of 100.",
        ),
        (
            '{"query": "{ __typename }", "variables": {"x": '
            + "[" * 100_000
            + "]" * 100_000
            + "}}",
            "The request's JSON has arrays and objects nested more than 100 levels deep.",
        ),
        (
            '{"query": "{ __typename }", "variables": {"x": ' + "[" * 99 + "]" * 99 + "}}",
            "The request's JSON has arrays and objects nested more than 100 levels deep.",
        ),
    ],
)
async def test_json_with_a_huge_number_or_deep_nesting_is_a_400(
    world: TortoiseContext, body: str, message: str
) -> None:
    # Both were 500s: Python's int() refuses 4,300 digits, and its parser recurses per level.
    headers = {"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE_JSON}
    async with client() as http:
        response = await http.post("/graphql", content=body, headers=headers)
        assert (response.status_code, response.json()) == (400, error(message))
        # At the limits, it is read: 100 levels, a number of 100 characters.
        fits = '{"query": "{ __typename }", "variables": {"x": ' + "[" * 98 + "]" * 98 + "}}"
        response = await http.post("/graphql", content=fits, headers=headers)
        assert response.json() == {"data": {"__typename": "Query"}}
        long = '{"query": "{ __typename }", "variables": {"n": 1.' + "5" * 98 + "}}"
        response = await http.post("/graphql", content=long, headers=headers)
    assert response.json() == {"data": {"__typename": "Query"}}


def test_json_is_walked_for_its_depth_only_when_it_has_more_brackets_than_levels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each level of nesting opens with a bracket of the text: a body with no more than 100
    # (those in strings too) is not walked; one with more is, wherever its brackets are.
    walked: list[int] = []

    def depth(value: object, limit: int) -> int:
        walked.append(limit)
        return json_depth(value, limit)

    monkeypatch.setattr(graphql_app, "json_depth", depth)
    shallow = {"query": "{ a { b { c } } }" + " {" * 200, "variables": {"x": [[1]]}}
    for body in (json.dumps(shallow), json.dumps(shallow).encode()):
        assert bounded_json(body) == shallow
    assert walked == [100, 100]
    walked.clear()
    for levels in (99, 100):  # 98 and 99 brackets in the list, one for the object around it
        nested = "[" * (levels - 1) + "]" * (levels - 1)
        for body in (f'{{"x": {nested}}}', f'{{"x": {nested}}}'.encode()):
            assert json_depth(bounded_json(body), 1000) == levels
    assert walked == []
    nested = "[" * 100 + "]" * 100
    for body in (f'{{"x": {nested}}}', f'{{"x": {nested}}}'.encode()):
        with pytest.raises(JSONTooLarge) as refused:
            bounded_json(body)
        assert str(refused.value) == "arrays and objects nested more than 100 levels deep"
    assert walked == [100, 100]


def test_json_is_read_as_json_loads_reads_it_with_the_number_hooks() -> None:
    hooks = {"parse_int": graphql_app.PARSE_INT, "parse_float": graphql_app.PARSE_FLOAT}
    value = {"query": "{ a }", "variables": {"n": 12, "x": 1.5, "s": "caf\u00e9 \u2603", "e": None}}
    text = json.dumps(value, ensure_ascii=False)
    readable: list[str | bytes] = [
        text,
        text.encode(),
        text.encode("utf-16"),
        text.encode("utf-32-le"),
        '"\\ud800"',  # a lone surrogate, escaped: json.loads keeps it
        b'"\xed\xa0\x80"',  # the same, as bytes (surrogatepass)
    ]
    for data in readable:
        assert graphql_app.loads(data) == json.loads(data, **hooks), data
    assert graphql_app.loads(text) == value
    unreadable: list[str | bytes] = [
        "\ufeff" + text,  # a byte order mark in text
        "{",
        b"{",
        b"\xff\xfe{",  # UTF-16 by its mark, cut short
        '{"n": 1' + "0" * 200 + "}",  # a number past the hooks' bound
    ]
    for bad in unreadable:
        with pytest.raises(Exception) as ours:
            graphql_app.loads(bad)
        with pytest.raises(Exception) as theirs:
            json.loads(bad, **hooks)
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def _outcome(read: Any, data: bytes) -> tuple[str, str]:
    """What reading `data` gives: its value's repr and type, or its exception and words."""
    try:
        value = read(data)
    except Exception as refused:  # each refusal is compared as it is
        return type(refused).__name__, str(refused)
    return type(value).__name__, repr(value)


def _number_texts(count: int, seed: int) -> list[str]:
    """JSON numbers of every kind a client might send: short and long, exact and rounded,
    tiny and huge, integers past 64 bits."""
    draw = random.Random(seed)
    texts = []
    for _ in range(count):
        kind = draw.randrange(4)
        if kind == 0:
            digits = str(draw.randrange(10 ** draw.randint(1, 15)))
            cut = draw.randint(1, len(digits))
            text = digits[:cut] + (f".{digits[cut:]}" if digits[cut:] else "")
            text += draw.choice(["", f"e{draw.randint(-330, 310)}", f"E+{draw.randint(0, 30)}"])
        elif kind == 1:
            bits = struct.unpack("d", struct.pack("Q", draw.getrandbits(64)))[0]
            text = repr(bits) if math.isfinite(bits) else "1e999"
        elif kind == 2:
            text = str(draw.randint(-(2**70), 2**70))
        else:
            text = f"{draw.uniform(-1e6, 1e6):.{draw.randint(0, 12)}f}"
        texts.append(text if text.startswith("-") or draw.random() < 0.5 else f"-{text}")
    return texts


def test_json_bytes_are_read_by_orjson_only_where_it_reads_them_as_json_loads_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The reading of a body (bytes) tries orjson first: each answer and each refusal must be
    # the one the standard library's parser gives, which is what reads them without it.
    fast = [
        b'{"query": "{ a }", "variables": {"id": "RWxlY3Rpb246MQ==", "n": 12, "x": 1.5}}',
        b'{"a": 1, "b": 2, "a": 3}',  # the last of a repeated key, in the first one's place
        b'"\\ud83d\\ude00 \\u00e9 \\/\\b\\f\\n\\r\\t \x7f\xc2\x80 \xef\xbf\xbe"',
        b" \t\r\n[-0, -0.0, 1E5, 1e-400, -1e-400, 922337203685477, true, null]",
        b"[" * 101 + b"]" * 101,  # within orjson's depth, over ours: JSONTooLarge
    ]
    slow = [
        b"123456789012345678901234567890",  # past 64 bits, which orjson reads as a float
        b"-9223372036854775809",
        b"9223372036854775808",  # within 64 bits, but 16 digits or more are not tried
        b"1e400",  # infinity to json.loads, an error to orjson
        b'{"a": NaN, "b": -Infinity}',
        b'"\\ud800"',  # a lone surrogate, escaped
        b'"\xed\xa0\x80"',  # and as bytes
        b"\xef\xbb\xbf{}",  # a byte order mark
        json.dumps({"q": "caf\u00e9"}).encode("utf-16"),
        b'"\xff"',  # not UTF-8
        b"1." + b"5" * 120,  # over MAX_NUMBER_LENGTH
        b"[" * 2000 + b"]" * 2000,  # past both parsers' depth
        b'{"a": 1}}',
        b"[1,]",
    ]
    numbers = _number_texts(4000, seed=20261205)
    bodies = [*fast, *slow, *(f'{{"variables": {{"n": {n}}}}}'.encode() for n in numbers)]
    ours = [_outcome(bounded_json, body) for body in bodies]
    taken = [graphql_app.fast_loads(body) is not NotImplemented for body in bodies]
    monkeypatch.setattr(graphql_app, "fast_loads", lambda data: NotImplemented)
    assert ours == [_outcome(bounded_json, body) for body in bodies]
    # orjson read the first kind, and none of the second; and most numbers.
    assert taken[: len(fast)] == [True] * len(fast)
    assert taken[len(fast) : len(fast) + len(slow)] == [False] * len(slow)
    assert 0.6 < sum(taken[len(fast) + len(slow) :]) / len(numbers) < 0.9
    assert ours[len(fast) - 1] == (
        "JSONTooLarge",
        "arrays and objects nested more than 100 levels deep",
    )
    assert ours[len(fast) + 3] == ("float", "inf")


# --- Execution time -----------------------------------------------------------------------------


@strawberry.type
class Slow:
    @strawberry.field
    async def nap(self, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "rested"


def slow_schema(timeout: float) -> Schema:
    return Schema(query=Slow).configured([], Limits(execution_timeout=timeout), True)


async def test_an_operation_over_the_time_limit_is_stopped() -> None:
    schema = slow_schema(0.1)
    # A full collection of the test process's heap can take longer than the limit: done now,
    # it is not due within the next call.
    gc.collect()
    result = await schema.execute("{ nap(seconds: 0.01) }")
    assert (result.data, result.errors) == ({"nap": "rested"}, None)

    started = time.perf_counter()
    result = await schema.execute("{ nap(seconds: 30) }")
    assert time.perf_counter() - started < 2
    assert result.data is None
    assert [error.message for error in result.errors or ()] == [
        "The operation took longer than the limit of 0.1 s and was stopped."
    ]


async def test_a_slow_resolver_is_cut_off_over_http(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = slow_countries(monkeypatch)
    settings = Settings(limits=Limits(execution_timeout=0.2))
    started = time.perf_counter()
    async with client(settings) as http:
        response = await post(http, "query Countries { countries { nodes { code } } }")

    assert time.perf_counter() - started < 2
    assert slow.cancelled
    # It ran and was stopped: a result with null data, so a 200 (GraphQL over HTTP spec).
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {"message": "The operation took longer than the limit of 0.2 s and was stopped."}
        ],
    }


# --- Batching ------------------------------------------------------------------------------------


async def test_batching_is_off_a_json_array_is_a_400(world: TortoiseContext) -> None:
    batch = [{"query": "{ __typename }"}, {"query": '{ country(code: "AZ") { name } }'}]
    async with client() as http:
        response = await http.post("/graphql", json=batch)
    assert response.status_code == 400
    assert response.json() == error("Batching is not enabled")


async def test_batching_when_turned_on(world: TortoiseContext) -> None:
    settings = Settings(limits=Limits(max_batch_operations=2))
    batch = [{"query": "{ __typename }"}, {"query": '{ country(code: "AZ") { name } }'}]
    async with client(settings) as http:
        response = await http.post("/graphql", json=batch)
        assert response.status_code == 200
        assert response.json() == [
            {"data": {"__typename": "Query"}},
            {"data": {"country": {"name": "Azerbaijan"}}},
        ]
        response = await http.post("/graphql", json=[*batch, batch[0]])
    assert response.status_code == 400
    assert response.json() == error("Too many operations")


async def test_a_batch_vouches_for_none_of_its_queries(world: TortoiseContext) -> None:
    # A query that ran well in a batch made the batch's last query known, which then ran on
    # the fast path with no validation: introspection in production, any depth or aliases.
    production = Settings(
        app_env="production",
        introspection=False,
        field_suggestions=False,
        limits=Limits(max_batch_operations=2),
    )
    introspection = "{ __schema { queryType { name } } }"
    refused = error(
        "GraphQL introspection has been disabled, but the requested query contained the field "
        "'__schema'.",
        1,
        3,
    )
    refused["errors"].append(
        {
            "message": "GraphQL introspection has been disabled, but the requested query "
            "contained the field 'queryType'.",
            "locations": [{"line": 1, "column": 14}],
        }
    )
    app = create_app(production, manage_database=False)
    [graphql] = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(graphql, GraphQLApp)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for hostile in (introspection, nested(13), aliased(20)):
            response = await http.post(
                "/graphql", json=[{"query": "{ __typename }"}, {"query": hostile}]
            )
            assert response.json()[0] == {"data": {"__typename": "Query"}}
            assert "errors" in response.json()[1]
            alone = await post(http, hostile)
            assert alone.status_code == 400
            assert "data" not in alone.json()
        assert (await post(http, introspection)).json() == refused
        # Each query of a batch that ran without an error is known by its own result.
        known = cast(Schema, graphql.schema).known
        assert known is not None
        assert known.get("{ __typename }", None) is not None
        assert known.get(introspection, None) is None


# --- An ordinary session stays under every limit ----------------------------------------------


def example_variables(text: str) -> dict[str, Any]:
    """The variables of a docs/queries file's `# Example: {…}` line."""
    match = re.search(r"^# Example: (\{.*?\})", text, re.MULTILINE)
    assert match is not None, text
    variables: dict[str, Any] = json.loads(match.group(1))
    return variables


@pytest.mark.parametrize(
    "introspection",
    [
        get_introspection_query(),
        get_introspection_query(descriptions=True),
        # What GraphiQL 3 sends.
        get_introspection_query(
            descriptions=True,
            specified_by_url=True,
            directive_is_repeatable=True,
            schema_description=True,
            input_value_deprecation=True,
        ),
    ],
)
async def test_graphiql_introspection_stays_under_the_limits(
    world: TortoiseContext, introspection: str
) -> None:
    async with client() as http:
        response = await post(http, introspection)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data"]
    assert body["data"]["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}


async def test_every_docs_query_stays_under_the_limits(world: TortoiseContext) -> None:
    files = sorted(QUERIES.glob("*.graphql"))
    assert len(files) >= 14
    async with client() as http:
        for path in files:
            text = path.read_text(encoding="utf-8")
            response = await post(http, text, example_variables(text))
            assert response.status_code == 200, path.name
            # The whole answer, as the schema gives it in-process (test_queries.py checks
            # its figures).
            expected = await run(text, example_variables(text))
            assert response.json() == {"data": expected}, path.name


def test_the_cost_of_each_docs_query() -> None:
    # By operation name; docs/security.md quotes the largest.
    costs = {}
    for path in sorted(QUERIES.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        operation = get_operation_ast(parse(text))
        assert operation is not None and operation.name is not None
        costs[operation.name.value] = cost(text, example_variables(text))
    assert costs == {
        "Azerbaijan2024Objections": 9_303,
        "BoycottedElections": 2_240,
        "ElectionResult": 6_215,
        "ElectionSchedule": 11,
        "ElectionSources": 61,
        "Georgia2024ExitPollGaps": 9_302,
        "IlhamAliyevAverageShare": 704,
        "IlhamAliyevTerms": 1_803,
        "KarabakhPollingStations2024": 2_605,
        "ParliamentResult": 3_076,
        "ParliamentaryHistory": 6_062,
        "PartyAcrossRenames": 1_232,
        "PersonCandidacies": 8_512,
        "PopularVoteLeaderLost": 1_700,
        "PresidentialElections": 280,
        "TetritskaroCourtChain": 911,
        "UsElectionByState": 3_434,
        "WinnerCongratulations": 1_203,
    }
    assert max(costs.values()) * 50 < Limits().max_cost


async def test_the_in_process_schema_has_the_limits_too(world: TortoiseContext) -> None:
    # `schema.schema`, which the other tests run, is the development default.
    from schema import schema

    result = await schema.execute(explosion(2, 100), context_value=Context())
    assert [error.message for error in result.errors or ()] == [
        "'anonymous' could return up to 666,400 fields, over the limit of 500,000; "
        "ask for fewer fields, or for fewer items with `first`."
    ]
