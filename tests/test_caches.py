"""Caches bounded by bytes: the accounting of one cache, the weight of a parsed document, and
the four caches of a server kept within their budgets by distinct megabyte queries."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from pathlib import Path

import httpx
import pytest
from graphql import get_introspection_query, parse
from starlette.routing import Route
from tortoise.context import TortoiseContext

from schema import Schema
from schema.documents import document_bytes
from server import create_app
from service.caches import Cache, text_bytes
from service.manifest import sha256
from service.settings import CacheBytes, Settings
from web.graphql_app import GraphQLApp

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
MIB = 1024 * 1024


def by_length(key: str, value: str) -> int:
    return len(key) + len(value)


def test_a_cache_keeps_what_its_budget_holds_and_drops_the_least_recently_used() -> None:
    cache: Cache[str, str] = Cache(10, by_length)
    cache.put("a", "1234")  # 5 bytes
    cache.put("b", "12")  # 3
    assert (cache.bytes, len(cache)) == (8, 2)
    assert cache.get("a") == "1234"  # now the most recently used
    cache.put("c", "123")  # 4: over 10, so b goes, not a
    assert ("a" in cache, "b" in cache, "c" in cache, cache.bytes) == (True, False, True, 9)
    cache.put("a", "1")  # replaced: 2 bytes instead of 5
    assert (cache.get("a"), cache.bytes) == ("1", 6)
    # Heavier than the whole budget: not kept, and the old value under its key goes too.
    cache.put("c", "x" * 20)
    assert ("c" in cache, cache.get("c"), cache.bytes, len(cache)) == (False, None, 2, 1)
    nothing: Cache[str, str] = Cache(0, by_length)
    nothing.put("a", "1")
    assert (len(nothing), nothing.bytes) == (0, 0)
    with pytest.raises(ValueError) as raised:
        Cache(-1, by_length)
    assert str(raised.value) == "a cache's budget is a number of bytes, got -1"


def test_text_bytes_is_what_python_holds() -> None:
    assert text_bytes(None) == 0
    assert text_bytes("a") == sys.getsizeof("a") == 50
    assert text_bytes("x" * MIB) == sys.getsizeof("x" * MIB) == MIB + 49
    assert text_bytes("Ə") == sys.getsizeof("Ə") == 76  # wider characters take more


def held(text: str) -> int:
    """What graphql-core allocates to parse `text`, as tracemalloc counts it, text included."""
    gc.collect()
    tracemalloc.start()
    try:
        copy = text.encode().decode()  # a string of its own, allocated while traced
        document = parse(copy)
        gc.collect()
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del document
    return size


@pytest.mark.parametrize(
    "text",
    [
        *(path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("*.graphql"))),
        get_introspection_query(descriptions=True),
        "{ __typename }",
        "{ " + "a " * 990 + "}",  # short tokens: the most nodes per byte
        "{ a(x: [" + "1 " * 990 + "]) }",
        '{ people(search: "' + "x" * 100_000 + '") { totalCount } }',  # a string copied out
        "{ __typename } # " + "x" * 100_000,  # a comment, kept with the tokens
    ],
)
def test_a_document_weighs_at_least_what_it_holds(text: str) -> None:
    weight = document_bytes(parse(text))
    measured = held(text)
    # An upper bound, not far above: within twice what the parse allocated (and the copy of
    # the text made for it).
    assert measured <= weight <= 2 * measured + text_bytes(text), (weight, measured)


def megabyte_query(number: int) -> str:
    """A distinct query of about a megabyte: one field, and a comment."""
    return f"query Q{number} {{ __typename }} # " + "x" * (1000 * 1000)


async def test_distinct_megabyte_queries_keep_each_cache_within_its_budget(
    world: TortoiseContext,
) -> None:
    # Each ~1 MB query kept 2.4-2.9 MiB across the four caches, 1,024 entries each; now each
    # cache holds what its budget allows, and the most recent queries.
    budget = 4 * MIB
    settings = Settings(
        cache_bytes=CacheBytes(parsed=budget, validated=budget, known=budget, persisted=budget)
    )
    app = create_app(settings, manage_database=False)
    [graphql] = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(graphql, GraphQLApp)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for number in range(10):
            query = megabyte_query(number)
            persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}
            for body in ({"query": query, "extensions": persisted}, {"query": query}):
                response = await http.post("/graphql", json=body)
                assert response.json() == {"data": {"__typename": "Query"}}
    schema = graphql.schema
    assert isinstance(schema, Schema)
    store = graphql.persisted_queries.store
    known = schema.known
    assert known is not None
    kept = {
        "parsed": (len(schema.parsed), schema.parsed.bytes),
        "validated": (len(schema.verdicts), schema.verdicts.bytes),
        "known": (len(known), known.bytes),
        "persisted": (len(store), store.bytes),
    }
    assert all(bytes_ <= budget for _, bytes_ in kept.values())
    # A document holds its text and its comment's (two megabytes, and its tokens); a known
    # query twice its document; a verdict and a persisted query the text once.
    assert {name: count for name, (count, _) in kept.items()} == {
        "parsed": 2,
        "validated": 4,
        "known": 1,
        "persisted": 4,
    }
    last = megabyte_query(9)
    assert known.get(last, None) is not None
    assert graphql.persisted_queries.store.get(sha256(last)) == last
    assert graphql.persisted_queries.store.get(sha256(megabyte_query(5))) is None


def test_the_budgets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import load_settings

    names = {
        "PARSER_CACHE_BYTES": "1",
        "VALIDATION_CACHE_BYTES": "2",
        "KNOWN_QUERIES_CACHE_BYTES": "3",
        "PERSISTED_QUERIES_CACHE_BYTES": "0",
    }
    for name, value in names.items():
        monkeypatch.setenv(name, value)
    assert load_settings(env_file=None).cache_bytes == CacheBytes(1, 2, 3, 0)
    for name in names:
        monkeypatch.delenv(name)
    assert load_settings(env_file=None).cache_bytes == CacheBytes(
        32 * MIB, 8 * MIB, 32 * MIB, 8 * MIB
    )
    monkeypatch.setenv("PARSER_CACHE_BYTES", "-5")
    with pytest.raises(ValueError) as raised:
        load_settings(env_file=None)
    assert str(raised.value) == "PARSER_CACHE_BYTES must be a non-negative number, got -5"
