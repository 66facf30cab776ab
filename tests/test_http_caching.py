"""HTTP caching: a GET's result has a strong ETag and `public, max-age`; If-None-Match gets 304;
POST, errors and refusals are `no-store`; everything varies on Accept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from tortoise.context import TortoiseContext

import loader
from service.settings import Settings, load_settings
from tests.support.clients import client
from tests.support.world import WORLD
from web.caching import entity_tag, none_match
from web.graphql_app import GRAPHQL_RESPONSE_JSON

SCHEDULE = '{ election(key: "az-president-2024") { key date early originallyDue } }'
SCHEDULE_DATA = {
    "election": {
        "key": "az-president-2024",
        "date": "2024-02-07",
        "early": True,
        "originallyDue": "2025-10",
    }
}
COUNTRY = '{ election(key: "az-president-2024") { key country { code name } } }'
JSON_TYPE = "application/json; charset=utf-8"

#: Accept picks the representation; Origin, because development answers any origin's page
#: (CORS), with Access-Control-Allow-Origin only when the request names its origin.
VARY = "Accept, Origin"


def expected_etag(response: httpx.Response) -> str:
    """The ETag docs/http.md promises: SHA-256 of the media type, a newline and the body."""
    content = response.headers["content-type"].encode() + b"\n" + response.content
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


async def test_two_identical_gets_have_the_same_strong_etag(world: TortoiseContext) -> None:
    async with client() as http:
        first = await http.get("/graphql", params={"query": SCHEDULE})
        second = await http.get("/graphql", params={"query": SCHEDULE})
    for response in (first, second):
        assert response.status_code == 200
        assert response.json() == {"data": SCHEDULE_DATA}
        assert response.headers["content-type"] == JSON_TYPE
        assert response.headers["cache-control"] == "public, max-age=60"
        assert response.headers["vary"] == VARY
    assert first.headers["etag"] == second.headers["etag"] == expected_etag(first)
    assert not first.headers["etag"].startswith("W/")  # strong: it changes with every byte


async def test_a_matching_if_none_match_gets_304_without_a_body(world: TortoiseContext) -> None:
    async with client() as http:
        etag = (await http.get("/graphql", params={"query": SCHEDULE})).headers["etag"]
        opaque = etag.strip('"')
        for if_none_match in (
            etag,
            f'W/"{opaque}"',  # weak comparison: W/ does not matter
            f'"0123", {etag}, "abc"',
            f'"0123",W/{etag}',
            "*",
        ):
            response = await http.get(
                "/graphql", params={"query": SCHEDULE}, headers={"If-None-Match": if_none_match}
            )
            assert response.status_code == 304, if_none_match
            assert response.content == b""
            assert response.headers["etag"] == etag
            assert response.headers["cache-control"] == "public, max-age=60"
            assert response.headers["vary"] == VARY
            assert "content-type" not in response.headers
            assert "content-length" not in response.headers
        for if_none_match in ('"0123"', f'"{opaque[:-1]}"', "", "nonsense", f"{opaque}"):
            response = await http.get(
                "/graphql", params={"query": SCHEDULE}, headers={"If-None-Match": if_none_match}
            )
            assert response.status_code == 200, if_none_match
            assert response.json() == {"data": SCHEDULE_DATA}
            assert response.headers["etag"] == etag


async def test_each_media_type_has_its_own_etag(world: TortoiseContext) -> None:
    async with client() as http:
        plain = await http.get("/graphql", params={"query": SCHEDULE})
        graphql = await http.get(
            "/graphql", params={"query": SCHEDULE}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
        )
        # The same bytes as another media type are another representation, so another tag.
        assert plain.content == graphql.content
        assert graphql.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        assert graphql.headers["etag"] == expected_etag(graphql) != plain.headers["etag"]
        response = await http.get(
            "/graphql",
            params={"query": SCHEDULE},
            headers={"Accept": GRAPHQL_RESPONSE_JSON, "If-None-Match": plain.headers["etag"]},
        )
        assert response.status_code == 200
        assert response.json() == {"data": SCHEDULE_DATA}


async def test_max_age_comes_from_the_settings(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for max_age in (300, 0):
        async with client(Settings(cache_max_age=max_age)) as http:
            response = await http.get("/graphql", params={"query": SCHEDULE})
        assert response.headers["cache-control"] == f"public, max-age={max_age}"
    monkeypatch.setenv("CACHE_MAX_AGE", "120")
    assert load_settings(env_file=None).cache_max_age == 120
    monkeypatch.delenv("CACHE_MAX_AGE")
    assert load_settings(env_file=None).cache_max_age == 60
    monkeypatch.setenv("CACHE_MAX_AGE", "-1")
    with pytest.raises(ValueError) as raised:
        load_settings(env_file=None)
    assert str(raised.value) == "CACHE_MAX_AGE must be a non-negative number, got -1"


async def test_post_is_never_stored(world: TortoiseContext) -> None:
    async with client() as http:
        get = await http.get("/graphql", params={"query": SCHEDULE})
        post = await http.post(
            "/graphql", json={"query": SCHEDULE}, headers={"If-None-Match": get.headers["etag"]}
        )
    # A POST may change data, and a shared cache must not answer one from its store.
    assert post.status_code == 200
    assert post.json() == {"data": SCHEDULE_DATA}
    assert post.headers["cache-control"] == "no-store"
    assert post.headers["vary"] == VARY
    assert "etag" not in post.headers


async def test_errors_are_never_stored(world: TortoiseContext) -> None:
    async with client() as http:
        # A query that cannot run: 200 with plain JSON, 400 with the GraphQL media type.
        plain = await http.get("/graphql", params={"query": "{ election { key } }"})
        graphql = await http.get(
            "/graphql",
            params={"query": "{ election { key } }"},
            headers={"Accept": GRAPHQL_RESPONSE_JSON},
        )
        # An error in a field, with the rest of the data.
        field = await http.get(
            "/graphql",
            params={"query": '{ election(key: "az-president-2024") { key } node(id: "x") { id } }'},
        )
        # Refused before running: bad JSON in the URL.
        bad_variables = await http.get(
            "/graphql", params={"query": SCHEDULE, "variables": "{"}, headers={"If-None-Match": "*"}
        )
    assert (plain.status_code, graphql.status_code, bad_variables.status_code) == (200, 400, 400)
    assert plain.json()["errors"][0]["message"] == (
        "Argument 'Query.election(key:)' of type 'String!' is required, but it was not provided."
    )
    assert field.status_code == 200
    assert field.json()["data"] == {"election": {"key": "az-president-2024"}, "node": None}
    assert field.json()["errors"][0]["path"] == ["node"]
    for response in (plain, graphql, field, bad_variables):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["vary"] == VARY
        assert "etag" not in response.headers


async def test_graphiql_keeps_its_own_caching_and_varies_on_accept(world: TortoiseContext) -> None:
    async with client() as http:
        page = await http.get(
            "/graphql", params={"query": SCHEDULE}, headers={"Accept": "text/html"}
        )
    # The same URL is GraphiQL for a browser and JSON for a client: Accept decides.
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["vary"] == VARY
    assert "etag" not in page.headers


async def test_the_etag_changes_with_the_data(empty_db: TortoiseContext, tmp_path: Path) -> None:
    await loader.load([WORLD])
    async with client() as http:
        before = await http.get("/graphql", params={"query": COUNTRY})
        assert before.json() == {
            "data": {
                "election": {
                    "key": "az-president-2024",
                    "country": {"code": "AZ", "name": "Azerbaijan"},
                }
            }
        }
        extra = tmp_path / "renamed.yaml"
        extra.write_text('countries:\n  - code: "AZ"\n    name: "Republic of Azerbaijan"\n')
        report = await loader.load([extra])
        assert report.changed == 1
        after = await http.get(
            "/graphql", params={"query": COUNTRY}, headers={"If-None-Match": before.headers["etag"]}
        )
    # The old tag no longer matches: the client gets the new data, and its new tag.
    assert after.status_code == 200
    assert after.json() == {
        "data": {
            "election": {
                "key": "az-president-2024",
                "country": {"code": "AZ", "name": "Republic of Azerbaijan"},
            }
        }
    }
    assert after.headers["etag"] == expected_etag(after) != before.headers["etag"]


def test_entity_tags() -> None:
    assert entity_tag(b'{"data":{}}', JSON_TYPE) == '"b3a14c6d7878ae9b32462077572b0e4a"'
    assert entity_tag(b'{"data":{}}', JSON_TYPE) != entity_tag(b'{"data":{} }', JSON_TYPE)
    tag = '"abc"'
    assert none_match('"abc"', tag)
    assert none_match('W/"abc"', tag)
    assert none_match(' "x" , W/"abc" ', tag)
    assert none_match("*", tag)
    assert none_match(" * ", tag)
    assert not none_match('"abcd"', tag)
    assert not none_match("abc", tag)
    assert not none_match("", tag)
    # An entity tag may hold a comma: it is one tag, not two.
    assert none_match('"a,b"', '"a,b"')
    assert not none_match('"a,b"', '"a"')
