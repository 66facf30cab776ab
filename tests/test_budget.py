"""The answer's budget: MAX_ANSWER_BYTES stops an operation whose answer would come to more,
on the fast path, on graphql-core's path, and for a known query over HTTP."""

from __future__ import annotations

import base64
from typing import Any

from tortoise.context import TortoiseContext

from schema import build_schema
from schema.budget import weight, weight_of
from schema.context import Context
from service.settings import Limits, Settings
from tests.support.clients import client
from tests.support.metrics import answered

#: The 2024 election 50 times with every summary of its candidacies and tallies: the cost is
#: small (the ID list counts 50), the answer tens of kilobytes.
AZ_2024 = base64.b64encode(b"Election:az-president-2024").decode()
QUERY = """
query Heavy($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Election { key summary tallies { nodes { key summary sources { url } } } }
  }
}
"""
VARIABLES = {"ids": [AZ_2024] * 50}
#: Small enough that the answer above goes over it, large enough for one election.
LIMIT = 20_000
MESSAGE = (
    "The answer would take more than the limit of 20,000 bytes (MAX_ANSWER_BYTES) to make: ask for "
    "fewer items (`first`), fewer fields, or fewer IDs at a time."
)


def settings(fast_path: bool = True) -> Settings:
    return Settings(limits=Limits(max_answer_bytes=LIMIT), fast_path=fast_path)


async def execute(fast_path: bool, query: str, variables: dict[str, Any]) -> Any:
    schema = build_schema(settings(fast_path))
    return await schema.execute(query, variable_values=variables, context_value=Context())


def test_a_value_weighs_its_text() -> None:
    assert weight("Aliyev") == 6
    assert weight(92.12) == 0
    assert weight(["a", "bc"]) == 3
    assert weight_of(["Aliyev", None, 3, ["ab"]]) == 8


async def test_an_answer_over_the_budget_is_stopped_on_either_path(world: TortoiseContext) -> None:
    for fast_path in (True, False):
        result = await execute(fast_path, QUERY, VARIABLES)
        assert result.data is None, fast_path
        assert [e.message for e in result.errors or []] == [MESSAGE], fast_path


async def test_an_answer_within_the_budget_is_whole(world: TortoiseContext) -> None:
    for fast_path in (True, False):
        result = await execute(fast_path, QUERY, {"ids": [AZ_2024]})
        assert result.errors is None, fast_path
        assert result.data is not None
        assert [node["key"] for node in result.data["nodes"]] == ["az-president-2024"]
        summaries = result.data["nodes"][0]["tallies"]["nodes"]
        assert len(summaries) == 10


async def test_after_a_fallback_the_budget_is_counted_once(world: TortoiseContext) -> None:
    # An unknown ID makes the fast path hand the operation to graphql-core, which makes the
    # whole answer again: what the fast path counted before is not counted twice.
    query = QUERY.replace("nodes(ids: $ids)", 'bad: country(code: "ZZZ") { code } nodes(ids: $ids)')
    result = await execute(True, query, {"ids": [AZ_2024]})
    assert result.data is not None and result.data["bad"] is None
    assert [node["key"] for node in result.data["nodes"]] == ["az-president-2024"]
    assert [e.message for e in result.errors or []] == [
        'country(code:): "ZZZ" is not an ISO 3166-1 alpha-2 code: give two letters, e.g. "AZ" '
        "for Azerbaijan."
    ]
    result = await execute(True, query, VARIABLES)
    assert [e.message for e in result.errors or []] == [MESSAGE]


async def test_a_known_query_over_http_is_stopped_too(world: TortoiseContext) -> None:
    # The second request of the same text runs as a known query (web/fast_requests.py).
    async with client(settings()) as http:
        small = await http.post("/graphql", json={"query": QUERY, "variables": {"ids": [AZ_2024]}})
        assert small.json()["data"]["nodes"][0]["key"] == "az-president-2024"
        before = await answered(http)
        answers = [
            (await http.post("/graphql", json={"query": QUERY, "variables": VARIABLES})).json()
            for _ in range(2)
        ]
        # Both answered as fast requests, refused there and not run again the ordinary way.
        assert await answered(http) - before == 2
    assert answers == [{"errors": [{"message": MESSAGE}]}] * 2
