"""The server: real uvicorn over HTTP (Tortoise keeps its state per task), and the HTTP details.

Requests served by a real uvicorn run in tasks other than the lifespan's, which is where
Tortoise's per-task context bites; an in-process ASGI client cannot show that, so the first
tests boot `uvicorn server:create_app --factory` in a subprocess. The rest check status codes,
media types and error bodies in-process, against the test world.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from starlette.responses import Response
from tortoise.context import TortoiseContext

from service.settings import ROOT
from tests.support.clients import IN_PROCESS, client
from tests.support.databases import row_counts
from tests.support.errors import error
from tests.support.servers import free_port, running_server
from tests.support.world import AZ_2024, AZ_2024_DATA, WINNER, WINNER_DATA, WORLD, global_id
from web.graphql_app import GRAPHQL_RESPONSE_JSON, SubResponse, response_media_type


def test_uvicorn_serves_the_test_world_over_http(server_database: str) -> None:
    with (
        running_server(server_database) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        health = http.get("/health")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})

        # POST, as GraphQL clients send queries.
        response = http.post("/graphql", json={"query": AZ_2024})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert response.json() == {"data": AZ_2024_DATA}

        # GET ?query=, with variables, as a cacheable link.
        query = "query ($key: String!) { election(key: $key) { winner { name share } } }"
        response = http.get(
            "/graphql",
            params={"query": query, "variables": '{"key": "az-president-2024"}'},
            headers={"Accept": "application/graphql-response+json"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        assert response.json() == {"data": WINNER_DATA}

        # Absence is null, by key and by global ID.
        query = (
            'query ($id: ID!) { election(key: "az-president-1900") { key } node(id: $id) { id } }'
        )
        response = http.post(
            "/graphql",
            json={"query": query, "variables": {"id": global_id("Election", "nope-1900")}},
        )
        assert response.json() == {"data": {"election": None, "node": None}}
        known = global_id("Election", "az-president-2024")
        response = http.post(
            "/graphql",
            json={"query": f'{{ node(id: "{known}") {{ id ... on Election {{ date }} }} }}'},
        )
        assert response.json() == {"data": {"node": {"id": known, "date": "2024-02-07"}}}

        # A malformed body is a 400 with a GraphQL-shaped error saying what is wrong.
        response = http.post(
            "/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json() == error(
            "The request is not valid JSON: Expecting value: line 1 column 11 (char 10)"
        )

        # Many requests at once, each in a task of its own, all see the database.
        with httpx.Client(base_url=server.url, timeout=10) as other:
            for client in (http, other) * 5:
                assert client.post("/graphql", json={"query": WINNER}).json() == {
                    "data": WINNER_DATA
                }


async def test_a_second_start_on_the_same_database_changes_nothing(server_database: str) -> None:
    with running_server(server_database) as server:
        response = httpx.post(f"{server.url}/graphql", json={"query": AZ_2024}, timeout=10)
        assert response.json() == {"data": AZ_2024_DATA}
        assert f"Fixtures loaded from {WORLD}: 414 rows changed" in server.output()
    first = await row_counts(server_database)
    assert (first["election"], first["tally"], first["api_token"]) == (9, 34, 0), first

    with running_server(server_database) as server:
        response = httpx.post(f"{server.url}/graphql", json={"query": AZ_2024}, timeout=10)
        assert response.json() == {"data": AZ_2024_DATA}
        assert f"Fixtures loaded from {WORLD}: nothing changed" in server.output()
    assert await row_counts(server_database) == first


def test_a_bad_database_url_stops_the_start_with_the_reason(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://nobody@localhost/elections"}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "server:create_app",
        "--factory",
        "--port",
        str(free_port()),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "DATABASE_URL must start with sqlite:// or postgres://" in done.stderr


# --- HTTP details, in-process -----------------------------------------------------------------


async def test_post_answers_json(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.post("/graphql", json={"query": WINNER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": WINNER_DATA}


async def test_get_answers_a_query_in_the_url(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.get(
            "/graphql", params={"query": WINNER}, headers={"Accept": "application/json"}
        )
    assert response.status_code == 200
    assert response.json() == {"data": WINNER_DATA}


async def test_the_graphql_media_type_when_the_client_asks_for_it(world: TortoiseContext) -> None:
    async with client() as http:
        for accept, expected in [
            ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
            ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
            ("application/json;q=0.9, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
            ("application/json", "application/json"),
            ("application/json, application/graphql-response+json;q=0.5", "application/json"),
            ("*/*", "application/json"),
            ("", "application/json"),
        ]:
            response = await http.post(
                "/graphql", json={"query": WINNER}, headers={"Accept": accept}
            )
            assert response.status_code == 200
            assert response.headers["content-type"] == f"{expected}; charset=utf-8", accept
            assert response.json() == {"data": WINNER_DATA}


def test_response_media_type() -> None:
    assert response_media_type("application/graphql-response+json") == GRAPHQL_RESPONSE_JSON
    assert response_media_type("application/graphql-response+json;q=0") == "application/json"
    assert response_media_type("Application/GraphQL-Response+JSON; q=0.8") == GRAPHQL_RESPONSE_JSON
    assert response_media_type("text/html, */*;q=0.8") == "application/json"
    assert response_media_type("application/graphql-response+json;q=x") == "application/json"


def test_a_sub_response_is_starlettes_empty_response_with_no_status_or_length() -> None:
    # SubResponse sets Response's attributes itself rather than through Response.__init__:
    # it must stay what that gives, once the status and the content-length are taken away.
    starlette = Response()
    starlette.status_code = None  # type: ignore[assignment]
    del starlette.headers["content-length"]
    ours = SubResponse(GRAPHQL_RESPONSE_JSON)
    assert vars(ours) == {
        **{name: value for name, value in vars(starlette).items() if name != "_headers"},
        "graphql_media_type": GRAPHQL_RESPONSE_JSON,
    }
    assert (ours.media_type, ours.charset) == (None, "utf-8")
    # A resolver's header reaches the raw headers the view copies into the answer.
    ours.headers["X-Seen"] = "yes"
    assert ours.raw_headers == [(b"x-seen", b"yes")] == ours.headers.raw


async def test_a_query_that_cannot_run_has_errors_and_no_data(world: TortoiseContext) -> None:
    syntax = "Syntax Error: Expected Name, found <EOF>."
    unknown = "Cannot query field 'nope' on type 'Query'. Did you mean 'node' or 'nodes'?"
    async with client() as http:
        for query, message, column in [("{ nope", syntax, 7), ("{ nope }", unknown, 3)]:
            # Plain JSON keeps 200 for older clients; the GraphQL media type makes it a 400.
            for accept, status in [("application/json", 200), (GRAPHQL_RESPONSE_JSON, 400)]:
                response = await http.post(
                    "/graphql", json={"query": query}, headers={"Accept": accept}
                )
                assert response.status_code == status, (query, accept)
                assert response.json() == {
                    "errors": [{"message": message, "locations": [{"line": 1, "column": column}]}]
                }


async def test_an_error_in_a_field_keeps_the_data(world: TortoiseContext) -> None:
    query = (
        '{ country(code: "AZ") { name } '
        'election(key: "az-president-2024") { candidacies(first: 0) { nodes { key } } } }'
    )
    async with client() as http:
        response = await http.post(
            "/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
        )
    assert response.status_code == 200
    # The failed field nulls the election (candidacies is non-null); the country stays.
    assert response.json() == {
        "data": {"country": {"name": "Azerbaijan"}, "election": None},
        "errors": [
            {
                "message": "`first` must be between 1 and 100, got 0.",
                "locations": [{"line": 1, "column": query.index("candidacies") + 1}],
                "path": ["election", "candidacies"],
            }
        ],
    }


async def test_malformed_requests_get_a_400_saying_what_is_wrong(world: TortoiseContext) -> None:
    json_type = {"Content-Type": "application/json"}
    async with client() as http:
        for content, headers, message in [
            (
                b"{not json",
                json_type,
                "The request is not valid JSON: Expecting property name "
                "enclosed in double quotes: line 1 column 2 (char 1)",
            ),
            (
                b"",
                json_type,
                "The request is not valid JSON: Expecting value: line 1 column 1 (char 0)",
            ),
            (b"{}", json_type, "No GraphQL query found in the request"),
            (b"null", json_type, "No GraphQL query found in the request"),
            (b'{"variables": {}}', json_type, "No GraphQL query found in the request"),
            (b"42", json_type, "Expected a JSON object, got int: 42"),
            (
                b'"{ countries { code } }"',
                json_type,
                "Expected a JSON object, got str: '{ countries { code } }'",
            ),
            (
                b'{"query": 1}',
                json_type,
                "The GraphQL operation's `query` must be a string or null, if provided.",
            ),
            (
                b'{"query": "{ countries { code } }", "variables": []}',
                json_type,
                "The GraphQL operation's `variables` must be an object or null, if provided.",
            ),
            (b"[]", json_type, "Batching is not enabled"),
            (b"{ countries { code } }", {"Content-Type": "text/plain"}, "Unsupported content type"),
        ]:
            for accept in ("application/json", GRAPHQL_RESPONSE_JSON):
                response = await http.post(
                    "/graphql", content=content, headers={**headers, "Accept": accept}
                )
                assert response.status_code == 400, content
                assert response.headers["content-type"] == f"{accept}; charset=utf-8"
                assert response.json() == error(message), content

        response = await http.get("/graphql", params={"query": WINNER, "variables": "{oops"})
        assert response.status_code == 400
        assert response.json() == error(
            "The request is not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)"
        )
        response = await http.get("/graphql", headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert response.json() == error("No GraphQL query found in the request")


async def test_a_mutation_by_get_is_405(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.get(
            "/graphql",
            params={"query": "mutation { load }"},
            headers={"Accept": "application/json"},
        )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == error("mutations are not allowed when using GET")


async def test_other_methods_are_405(world: TortoiseContext) -> None:
    async with client() as http:
        for method in ("PUT", "DELETE", "PATCH"):
            response = await http.request(method, "/graphql", json={"query": WINNER})
            assert response.status_code == 405, method


async def test_a_body_over_the_limit_is_413(world: TortoiseContext) -> None:
    settings = dataclasses.replace(IN_PROCESS, max_body_bytes=100)
    query = {"query": "{ countries { code } }", "variables": {"padding": "x" * 100}}
    message = "The request body is larger than the limit of 100 bytes."

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 20  # no Content-Length: the limit holds as the body arrives

    async with client(settings) as http:
        response = await http.post("/graphql", json=query)
        assert (response.status_code, response.json()) == (413, error(message))
        response = await http.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert (response.status_code, response.json()) == (413, error(message))
        response = await http.post("/graphql", json={"query": '{ country(code: "AZ") { code } }'})
        assert (response.status_code, response.json()) == (
            200,
            {"data": {"country": {"code": "AZ"}}},
        )


async def test_a_browser_gets_graphiql_and_an_api_client_gets_json(world: TortoiseContext) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    async with client() as http:
        for params in ({}, {"query": WINNER}):
            response = await http.get("/graphql", params=params, headers={"Accept": browser})
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert "<title>Elections API · GraphiQL</title>" in response.text

    async with client(dataclasses.replace(IN_PROCESS, graphiql=False)) as http:
        response = await http.get("/graphql", params={"query": WINNER}, headers={"Accept": browser})
        assert response.json() == {"data": WINNER_DATA}
        response = await http.get("/graphql", headers={"Accept": browser})
        assert response.status_code == 400
        assert response.json() == error("No GraphQL query found in the request")


async def test_health(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_cors_only_for_the_configured_origins(world: TortoiseContext) -> None:
    settings = dataclasses.replace(IN_PROCESS, cors_origins=("http://localhost:3000",))
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with client(settings) as http:
        response = await http.options(
            "/graphql", headers={**preflight, "Origin": "http://localhost:3000"}
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
        response = await http.options(
            "/graphql", headers={**preflight, "Origin": "http://elsewhere.example"}
        )
        assert response.status_code == 400
        response = await http.post(
            "/graphql", json={"query": WINNER}, headers={"Origin": "http://localhost:3000"}
        )
        assert response.headers["access-control-allow-origin"] == "http://localhost:3000"

    production = dataclasses.replace(IN_PROCESS, app_env="production")
    async with client(production) as http:  # production, no origins: no CORS headers at all
        response = await http.post(
            "/graphql", json={"query": WINNER}, headers={"Origin": "http://localhost:3000"}
        )
        assert "access-control-allow-origin" not in response.headers
        response = await http.options(
            "/graphql", headers={**preflight, "Origin": "http://localhost:3000"}
        )
        assert response.status_code == 405
        assert "access-control-allow-origin" not in response.headers


async def test_cors_any_origin_in_development(world: TortoiseContext) -> None:
    """With no CORS_ORIGINS, development lets a page on any origin read the API without
    credentials: a frontend on another localhost port works from the first start."""
    preflight = {
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
    }
    async with client() as http:
        response = await http.options("/graphql", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["access-control-allow-methods"] == "GET, POST"
        assert "access-control-allow-credentials" not in response.headers
        response = await http.post(
            "/graphql", json={"query": WINNER}, headers={"Origin": "http://localhost:5173"}
        )
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.json()["data"]["election"]["winner"]["name"] == "Ilham Aliyev"


def test_the_started_server_collects_young_garbage_less_often(tmp_path: Path) -> None:
    # In a process of its own: the thresholds and the frozen heap are the process's.
    script = (
        "import asyncio, gc\n"
        "from server import GC_THRESHOLDS, create_app\n"
        "async def main():\n"
        "    app = create_app()\n"
        "    before = gc.get_threshold()\n"
        "    async with app.router.lifespan_context(app):\n"
        "        print(before != GC_THRESHOLDS, gc.get_threshold(), gc.get_freeze_count() > 0)\n"
        "asyncio.run(main())\n"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'gc.sqlite3'}",
        "LOAD_FIXTURES": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # Python's own thresholds until the start is done, ours after.
    assert done.stdout.strip() == "True (50000, 20, 20) True"
