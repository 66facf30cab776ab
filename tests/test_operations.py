"""Operations: /ready, Prometheus metrics at /metrics, request IDs and JSON log lines.

The in-process tests read each piece exactly; the last test boots real uvicorn, where the
request tasks must see the database the lifespan opened (/ready, the pool metrics) and where
every log line is JSON.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import sqlite3
import time
from random import Random
from typing import Any

import httpx
import pytest
from starlette.datastructures import Headers, MutableHeaders
from tortoise import connections
from tortoise.context import TortoiseContext

from service import compat, logs, metrics
from service.logs import JsonFormatter, RequestInfo, current_request
from service.metrics import Metrics
from service.settings import Settings
from tests.support.clients import client
from tests.support.databases import BACKEND
from tests.support.logs import json_log
from tests.support.metrics import sample, samples
from tests.support.servers import running_server
from web import graphiql, health
from web.graphql_app import GRAPHQL_RESPONSE_JSON
from web.observability import (
    REQUEST_ID_HEADER,
    VALID_REQUEST_ID,
    incoming_id,
    with_request_id,
)

WINNER = 'query Winner { election(key: "az-president-2024") { winner { name } } }'
HEX_ID = re.compile(r"[0-9a-f]{32}")


# --- /ready -------------------------------------------------------------------------------------


async def test_ready_when_the_database_answers(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.get("/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_not_ready_when_the_database_fails(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(query: str, values: list[Any] | None = None) -> Any:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(connections.get("default"), "execute_query", fail)
    async with client() as http:
        response = await http.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "The database did not answer: OperationalError.",
    }


async def test_not_ready_when_the_database_is_slow(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def hang(query: str, values: list[Any] | None = None) -> Any:
        await asyncio.sleep(30)

    monkeypatch.setattr(connections.get("default"), "execute_query", hang)
    monkeypatch.setattr(health, "READY_TIMEOUT", 0.1)
    async with client() as http:
        response = await http.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "The database did not answer within 0.1 s.",
    }


# --- Request IDs ---------------------------------------------------------------------------------


async def test_a_request_id_is_made_for_every_response(world: TortoiseContext) -> None:
    async with client() as http:
        seen = set()
        for path in ("/health", "/ready", "/metrics", "/nope"):
            response = await http.get(path)
            assert HEX_ID.fullmatch(response.headers["x-request-id"]), path
            seen.add(response.headers["x-request-id"])
    assert len(seen) == 4


async def test_an_incoming_request_id_is_kept_if_it_is_sane(world: TortoiseContext) -> None:
    async with client() as http:
        for incoming, kept in [
            ("3f2a-client-7", True),
            ("x" * 128, True),
            ("x" * 129, False),
            ("two words", False),
            ("", False),
        ]:
            response = await http.post(
                "/graphql", json={"query": WINNER}, headers={"X-Request-ID": incoming}
            )
            echoed = response.headers["x-request-id"]
            assert (echoed == incoming) is kept, incoming
            assert kept or HEX_ID.fullmatch(echoed)


def test_the_request_id_is_read_and_set_as_starlettes_headers_read_and_set_it() -> None:
    other = (b"content-type", b"application/json")
    header_lists: list[list[tuple[bytes, bytes]]] = [
        [],
        [other],
        [other, (b"x-request-id", b"from-the-app")],
        [(b"x-request-id", b"first"), other, (b"x-request-id", b"second")],
        [(b"x-request-id", b"two words"), (b"x-request-id", b"sane")],
        [(b"x-request-id", b"")],
        [(b"x-request-id", "caf\u00e9".encode("latin-1"))],
    ]
    for headers in header_lists:
        scope = {"type": "http", "headers": headers}
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        expected = incoming if VALID_REQUEST_ID.fullmatch(incoming) else None
        assert incoming_id(scope) == expected, headers
        message: dict[str, Any] = {"headers": list(headers)}
        MutableHeaders(scope=message)[REQUEST_ID_HEADER] = "r-1"
        assert with_request_id(headers, "r-1") == message["headers"], headers
    assert incoming_id({"headers": header_lists[3]}) == "first"
    assert with_request_id(header_lists[3], "r-1") == [(b"x-request-id", b"r-1"), other]


async def test_browsers_may_read_and_send_the_request_id(world: TortoiseContext) -> None:
    settings = Settings(cors_origins=("http://localhost:3000",))
    async with client(settings) as http:
        response = await http.options(
            "/graphql",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-request-id",
            },
        )
        assert response.status_code == 200
        assert "X-Request-ID" in response.headers["access-control-allow-headers"]
        response = await http.post(
            "/graphql", json={"query": WINNER}, headers={"Origin": "http://localhost:3000"}
        )
    assert response.headers["access-control-expose-headers"] == "X-Request-ID"


# --- JSON logs -----------------------------------------------------------------------------------


def test_a_log_record_is_one_json_line() -> None:
    record = logging.LogRecord("elections.test", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    record.created = 0.25
    assert JsonFormatter().format(record) == json.dumps(
        {
            "time": "1970-01-01T00:00:00.250+00:00",
            "level": "WARNING",
            "logger": "elections.test",
            "message": "a b",
        }
    )
    token = current_request.set(RequestInfo(request_id="r-1"))
    try:
        line = JsonFormatter().format(record)
    finally:
        current_request.reset(token)
    assert json.loads(line)["request_id"] == "r-1"

    try:
        raise ValueError("ü\nnext line")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["exception"].endswith("ValueError: ü\nnext line")


def test_a_line_writes_its_time_as_datetime_does() -> None:
    # The second's text is kept from one line to the next; the fraction is rounded to
    # microseconds half to even, then cut to milliseconds, as datetime does it.
    second = 1_764_879_853
    edges = [0.0, 0.0005, 0.9994999, 0.9999994, 0.9999995, 1.0, second + 0.1234565]
    edges += [second + k / 1e6 + d for k in (500, 999_500, 999_999) for d in (-1e-7, 0, 4e-7)]
    random = Random(16)
    # Ordered by the remainder of a division, so that the second changes from line to line
    # and comes back.
    times = sorted(edges + [random.uniform(0, 4e9) for _ in range(20_000)], key=lambda t: t % 7)
    written = {t: dt.datetime.fromtimestamp(t, dt.UTC) for t in times}
    expected = {t: when.isoformat(timespec="milliseconds") for t, when in written.items()}
    assert {t: logs.timestamp(t) for t in times} == expected
    assert logs.timestamp(second + 0.9999996) == "2025-12-04T20:24:14.000+00:00"
    assert logs.timestamp(second + 0.9994996) == "2025-12-04T20:24:13.999+00:00"
    assert logs.timestamp(-1.5) == "1969-12-31T23:59:58.500+00:00"


async def test_each_request_logs_one_line_with_its_id_operation_duration_and_status(
    world: TortoiseContext,
) -> None:
    with json_log("elections.requests") as log:
        async with client() as http:
            await http.post("/graphql", json={"query": WINNER}, headers={"X-Request-ID": "r-2"})
            await http.get("/health", headers={"X-Request-ID": "r-3"})
    first, second = (json.loads(line) for line in log.getvalue().splitlines())
    assert isinstance(first.pop("time"), str)
    duration = first.pop("duration_ms")
    assert isinstance(duration, float) and duration > 0
    assert first == {
        "level": "INFO",
        "logger": "elections.requests",
        "message": "POST /graphql 200",
        "request_id": "r-2",
        "operation": "Winner",
        "status": 200,
        "method": "POST",
        "path": "/graphql",
    }
    assert (second["request_id"], second["operation"], second["status"]) == ("r-3", None, 200)


def test_configure_sends_everything_to_one_json_handler() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved_loggers = [(lg, lg.handlers[:], lg.propagate, lg.disabled) for lg in loggers]
    try:
        logs.configure("warning")
        [handler] = root.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert root.level == logging.WARNING
        assert [(lg.handlers, lg.propagate) for lg in loggers[:2]] == [([], True), ([], True)]
        # The app logs each request itself. uvicorn's protocols log each answer if the access
        # logger has a handler: it has none, so they do not even make a record.
        access = loggers[2]
        assert (access.handlers, access.propagate, access.disabled) == ([], False, True)
        protocol = compat._uvicorn_protocol(compat.HttpToolsProtocol)  # as compat checks it
        assert protocol.access_log is False  # type: ignore[attr-defined]
    finally:
        root.handlers, level = saved
        root.setLevel(level)
        for logger, handlers, propagate, disabled in saved_loggers:
            logger.handlers, logger.propagate, logger.disabled = handlers, propagate, disabled


# --- Metrics -------------------------------------------------------------------------------------


async def test_metrics_count_requests_errors_and_latency_by_operation(
    world: TortoiseContext,
) -> None:
    async with client() as http:
        await http.post("/graphql", json={"query": WINNER})
        await http.post("/graphql", json={"query": "{ nope }"})
        await http.post("/graphql", json={"query": "{ people(first: 0) { nodes { name } } }"})

        await http.post(
            "/graphql", json={"query": "{ nope }"}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
        )
        await http.post("/graphql", content=b"{", headers={"Content-Type": "application/json"})
        await http.get("/health")
        await http.get(f"/graphiql/static/{graphiql.build().stylesheet}")
        await http.get("/nope")
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
    found = samples(response.text)
    http_total = "elections_http_requests_total"
    expected = {
        sample(http_total, route="/graphql", method="POST", status="200"): 3,
        sample(http_total, route="/graphql", method="POST", status="400"): 2,
        sample(http_total, route="/health", method="GET", status="200"): 1,
        sample(http_total, route="/graphiql/static/{name:path}", method="GET", status="200"): 1,
        sample(http_total, route="(unmatched)", method="GET", status="404"): 1,
        sample("elections_graphql_requests_total", operation="Winner", status="200"): 1,
        sample("elections_graphql_requests_total", operation="(anonymous)", status="200"): 2,
        sample("elections_graphql_requests_total", operation="(anonymous)", status="400"): 1,
        sample("elections_graphql_errors_total", operation="(anonymous)", kind="request"): 2,
        sample("elections_graphql_errors_total", operation="(anonymous)", kind="field"): 1,
        sample("elections_graphql_request_duration_seconds_count", operation="Winner"): 1,
        sample("elections_graphql_request_duration_seconds_count", operation="(anonymous)"): 3,
    }
    assert {key: found.get(key) for key in expected} == expected
    # The malformed request never reached GraphQL: it is an HTTP request only.
    assert not [key for key in found if ("operation", "(none)") in key[1]]
    # Each request is in one histogram bucket at most as long as the time limit.
    assert (
        found[
            sample(
                "elections_graphql_request_duration_seconds_bucket", operation="Winner", le="10.0"
            )
        ]
        == 1
    )


async def test_metrics_report_the_database_connections(world: TortoiseContext) -> None:
    async with client() as http:
        found = samples((await http.get("/metrics")).text)
    connections_ = {
        state: found[sample("elections_database_connections", state=state)]
        for state in ("in_use", "idle")
    }
    maximum = found[sample("elections_database_connections_max")]
    if BACKEND == "sqlite":
        assert (connections_, maximum) == ({"in_use": 0, "idle": 1}, 1)
    else:
        # asyncpg's pool, as Tortoise sizes it by default: up to 5 connections.
        assert maximum == 5
        assert connections_["in_use"] == 0 and 1 <= connections_["idle"] <= 5


async def test_metrics_can_be_turned_off(world: TortoiseContext) -> None:
    async with client(Settings(metrics=False)) as http:
        assert (await http.get("/metrics")).status_code == 404


def test_operation_names_get_a_bounded_number_of_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "MAX_OPERATION_LABELS", 2)
    counted = Metrics()
    assert [counted.operation_label([name]) for name in ("A", "B", "C", "A", "D")] == [
        "A",
        "B",
        "(other)",
        "A",
        "(other)",
    ]
    assert counted.operation_label([]) == "(none)"
    assert counted.operation_label(["A", "B"]) == "(batch)"


# --- A real server -------------------------------------------------------------------------------


def test_uvicorn_serves_ready_metrics_and_json_logs(
    server_database: str,
) -> None:
    with (
        running_server(server_database) as served,
        httpx.Client(base_url=served.url, timeout=10) as http,
    ):
        ready = http.get("/ready")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        response = http.post("/graphql", json={"query": WINNER}, headers={"X-Request-ID": "op-1"})
        assert response.headers["x-request-id"] == "op-1"
        assert response.json() == {"data": {"election": {"winner": {"name": "Ilham Aliyev"}}}}
        found = samples(http.get("/metrics").text)
        assert (
            found[sample("elections_graphql_requests_total", operation="Winner", status="200")] == 1
        )
        # The lifespan's database, seen from the request's task: one SQLite connection, or
        # asyncpg's pool of up to 5.
        assert found[sample("elections_database_connections_max")] == (
            1 if BACKEND == "sqlite" else 5
        )
        # Request lines are written together, within LINES_SECONDS of the request.
        deadline = time.monotonic() + 5
        while '"op-1"' not in (output := served.output()) and time.monotonic() < deadline:
            time.sleep(logs.LINES_SECONDS / 5)

    lines = output.splitlines()
    # uvicorn logs two lines before the app starts; from then on, JSON only.
    assert [line.split()[0] for line in lines[:2]] == ["INFO:", "INFO:"]
    entries = [json.loads(line) for line in lines[2:]]
    assert all(isinstance(entry, dict) for entry in entries)
    [request] = [entry for entry in entries if entry.get("request_id") == "op-1"]
    assert {key: request[key] for key in ("message", "operation", "status")} == {
        "message": "POST /graphql 200",
        "operation": "Winner",
        "status": 200,
    }
    assert "Application startup complete." in [entry["message"] for entry in entries]
