"""The fast lane (web/fast_lane.py): a known query's POST answered in front of the router with
the route's status, headers and bytes; everything else goes on to the route as it came."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
from starlette.types import Receive, Scope, Send
from tortoise.context import TortoiseContext

from bench.operations import ELECTION_PAGE, SMALL
from schema import Schema
from server import create_app
from service.settings import DEFAULT_MAX_BODY_BYTES, Settings
from tests.support.clients import IN_PROCESS, client
from tests.support.logs import json_log
from tests.support.metrics import sample, samples
from web.fast_lane import FastLane
from web.graphql_app import GraphQLApp

WINNER = 'query Winner { election(key: "az-president-2024") { key winner { name share } } }'
SMALL_AZ_2024 = {"query": SMALL, "variables": {"id": "RWxlY3Rpb246YXotcHJlc2lkZW50LTIwMjQ="}}
APQ_QUERY = '{ election(key: "ge-parliament-2024") { key seats turnout } }'
APQ = {
    "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(APQ_QUERY.encode()).hexdigest()}
}
#: POSTs of known queries (once they have run): the lane answers them.
KNOWN: list[dict[str, Any]] = [
    {"json": {"query": WINNER}},
    {"json": SMALL_AZ_2024},
    {"json": {"query": ELECTION_PAGE, "variables": {"key": "az-president-2024"}}},
    {"json": {"query": WINNER}, "headers": {"accept": "application/graphql-response+json"}},
    {"json": {"query": APQ_QUERY, "extensions": APQ}},
    {"json": {"extensions": APQ}},  # by its hash alone, once it is known
    {"json": {"query": WINNER}, "headers": {"origin": "http://localhost:5173"}},  # CORS's too
]
#: POSTs the lane leaves to the route, each for a reason of its own.
GOING_ON: list[dict[str, Any]] = [
    {"json": {"query": WINNER}, "headers": {"authorization": "Bearer not-a-token"}},
    {"content": json.dumps({"query": WINNER}), "headers": {"content-type": "text/plain"}},
    {"json": {"query": WINNER}, "headers": {"accept": "multipart/mixed"}},
    {"content": b"{not json", "headers": {"content-type": "application/json"}},
    {"json": ["a", "batch"]},
    {"json": {"query": WINNER, "variables": "not an object"}},
    {"json": {"query": "{ election(key: 1) { key } }"}},  # never known: it has an error
    {"json": {"query": 'mutation { deleteElection(key: "x") { deletedKey } }'}},
    {"json": {"query": "{ auditLog { nodes { action } } }"}},
    {"json": {"query": WINNER, "padding": "x" * DEFAULT_MAX_BODY_BYTES}},  # over the limit
]


def without_lane(settings: Settings = IN_PROCESS) -> httpx.AsyncClient:
    """A client of the app as `client(settings)` makes it, less the fast lane."""
    app = create_app(settings, manage_database=False)
    app.user_middleware = [m for m in app.user_middleware if cast(object, m.cls) is not FastLane]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def head(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    """The response's headers as sent, in order, less its request ID (new for each)."""
    return [(name, value) for name, value in response.headers.raw if name != b"x-request-id"]


def same(answer: httpx.Response, expected: httpx.Response) -> bool:
    """Whether two answers have the same status, headers (in order) and bytes."""
    return (answer.status_code, head(answer), answer.content) == (
        expected.status_code,
        head(expected),
        expected.content,
    )


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch) -> list[GraphQLApp]:
    """Each call of the /graphql view, by the view called."""
    called: list[GraphQLApp] = []
    call = GraphQLApp.__call__

    async def counted(self: GraphQLApp, scope: Scope, receive: Receive, send: Send) -> None:
        called.append(self)
        await call(self, scope, receive, send)

    monkeypatch.setattr(GraphQLApp, "__call__", counted)
    return called


@pytest.fixture
async def both() -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with client() as lane, without_lane() as route:
        yield lane, route


async def test_a_known_query_gets_the_routes_status_headers_and_bytes_from_the_lane(
    world: TortoiseContext,
    both: tuple[httpx.AsyncClient, httpx.AsyncClient],
    views: list[GraphQLApp],
) -> None:
    lane, route = both
    for request in KNOWN:
        expected = await route.post("/graphql", **request)
        assert expected.status_code == 200 and "errors" not in expected.json(), request
        first = await lane.post("/graphql", **request)  # the route's: not known yet
        called = len(views)
        again = [await lane.post("/graphql", **request) for _ in range(2)]
        assert len(views) == called, request  # the lane answered, not the view
        for answer in (first, *again):
            assert same(answer, expected), request
            assert answer.headers["x-request-id"] != expected.headers["x-request-id"]
    # Development allows any origin: CORS's headers come with the lane's answer.
    assert again[0].headers["access-control-allow-origin"] == "*"
    by_hash = await lane.post("/graphql", json={"extensions": APQ})
    assert by_hash.json() == {
        "data": {
            "election": {
                "key": "ge-parliament-2024",
                "seats": 150,
                "turnout": None,  # the preferred final count stores no electorate or ballots
            }
        }
    }
    assert head(by_hash) == [
        (b"content-length", str(len(by_hash.content)).encode()),
        (b"content-type", b"application/json; charset=utf-8"),
        (b"vary", b"Accept, Origin"),
        (b"cache-control", b"no-store"),
    ]


async def test_what_the_lane_does_not_answer_goes_on_to_the_route_alike(
    world: TortoiseContext,
    both: tuple[httpx.AsyncClient, httpx.AsyncClient],
    views: list[GraphQLApp],
) -> None:
    lane, route = both
    statuses = []
    for request in GOING_ON:
        for _ in range(2):  # the second time, a query that ran without an error is known
            expected = await route.post("/graphql", **request)
            called = len(views)
            answer = await lane.post("/graphql", **request)
            # The view answered, but for a body over the limit, which never reaches it.
            assert len(views) == called + (answer.status_code != 413), request
            assert same(answer, expected), request
        statuses.append(answer.status_code)
    # A read with a token that is no token still runs; text/plain, bad JSON, a batch and
    # variables that are no object are refused; a wrong argument is a 200 with its error;
    # a mutation and the audit log want a token; the body over the limit is a 413.
    assert statuses == [200, 400, 200, 400, 400, 400, 200, 401, 401, 413]


async def test_a_body_sent_in_parts_is_answered_by_the_lane_once_whole(
    world: TortoiseContext,
    both: tuple[httpx.AsyncClient, httpx.AsyncClient],
    views: list[GraphQLApp],
) -> None:
    lane, route = both
    body = json.dumps({"query": WINNER}).encode()

    async def parts() -> AsyncIterator[bytes]:
        yield body[:10]
        yield body[10:]

    await lane.post("/graphql", content=body, headers={"content-type": "application/json"})
    called = len(views)
    answer = await lane.post(
        "/graphql", content=parts(), headers={"content-type": "application/json"}
    )
    assert len(views) == called
    expected = await route.post("/graphql", json={"query": WINNER})
    assert (answer.status_code, answer.content) == (200, expected.content)
    assert answer.json()["data"]["election"]["winner"]["name"] == "Ilham Aliyev"


async def test_a_known_query_that_meets_an_error_in_the_lane_is_not_run_fast_again(
    world: TortoiseContext,
    both: tuple[httpx.AsyncClient, httpx.AsyncClient],
    monkeypatch: pytest.MonkeyPatch,
    views: list[GraphQLApp],
) -> None:
    lane, route = both
    for http in both:
        await http.post("/graphql", json={"query": WINNER})  # now known to each
    runs: list[str] = []

    async def failing(self: Schema, *args: Any) -> None:
        runs.append("known")
        return None  # what execute_known gives when the query met an error

    monkeypatch.setattr(Schema, "execute_known", failing)
    before = samples((await lane.get("/metrics")).text)
    called = len(views)
    answer = await lane.post("/graphql", json={"query": WINNER})
    lane_views = views[called:]
    after = samples((await lane.get("/metrics")).text)
    by_lane = len(runs)
    expected = await route.post("/graphql", json={"query": WINNER})
    route_views = views[called + len(lane_views) :]
    # Tried by the lane, then by the schema as it runs any known query; not by the view in
    # between, which the route alone does in the lane's place.
    assert (by_lane, len(runs) - by_lane) == (2, 2)
    # Each app's own view answered once: the lane's went the ordinary way at once.
    assert len(lane_views) == len(route_views) == 1 and lane_views[0] is not route_views[0]
    assert answer.status_code == 200 and same(answer, expected)
    assert answer.json()["data"]["election"]["winner"]["name"] == "Ilham Aliyev"
    ordinary = sample("elections_graphql_fast_requests_total", outcome="ordinary")
    answered = sample("elections_graphql_fast_requests_total", outcome="answered")
    assert after[ordinary] - before[ordinary] == 1
    assert after[answered] == before[answered]


async def test_the_lanes_answers_are_logged_and_counted_under_the_graphql_route(
    world: TortoiseContext, views: list[GraphQLApp]
) -> None:
    async with client() as lane:
        await lane.post("/graphql", json={"query": WINNER})
        before = samples((await lane.get("/metrics")).text)
        called = len(views)
        with json_log("elections.requests") as log:
            for n in range(3):
                await lane.post(
                    "/graphql", json={"query": WINNER}, headers={"x-request-id": f"w{n}"}
                )
        after = samples((await lane.get("/metrics")).text)
    assert len(views) == called
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [(x["request_id"], x["operation"], x["status"], x["path"]) for x in lines] == [
        (f"w{n}", "Winner", 200, "/graphql") for n in range(3)
    ]
    http = sample("elections_http_requests_total", route="/graphql", method="POST", status="200")
    graphql = sample("elections_graphql_requests_total", operation="Winner", status="200")
    answered = sample("elections_graphql_fast_requests_total", outcome="answered")
    assert after[http] - before[http] == 3
    assert after[graphql] - before[graphql] == 3
    assert after[answered] - before[answered] == 3


async def test_in_production_the_lane_answers_as_the_route_without_cors(
    world: TortoiseContext, views: list[GraphQLApp]
) -> None:
    # No CORS_ORIGINS: no CORS middleware, and the answers vary on Accept alone.
    production = Settings(database_url="sqlite://:memory:", app_env="production")
    async with client(production) as lane, without_lane(production) as route:
        for request in KNOWN[:3]:
            expected = await route.post("/graphql", **request)
            await lane.post("/graphql", **request)  # now known
            called = len(views)
            answer = await lane.post("/graphql", **request)
            assert len(views) == called, request
            assert answer.status_code == 200 and same(answer, expected), request
    assert "access-control-allow-origin" not in answer.headers
    assert head(answer) == [
        (b"content-length", str(len(answer.content)).encode()),
        (b"content-type", b"application/json; charset=utf-8"),
        (b"vary", b"Accept"),
        (b"cache-control", b"no-store"),
    ]
    assert answer.json()["data"]["election"]["key"] == "az-president-2024"
