"""Production mode: no introspection, GraphiQL or suggestions unless asked, and masked faults.

APP_ENV=production changes the defaults of INTROSPECTION, GRAPHIQL and FIELD_SUGGESTIONS, and
masks unexpected errors: the client reads a generic message with the request ID, and the log
has the traceback under that ID. Expected errors (syntax, validation, limits, an argument out
of range, an ID that does not decode) read the same in both modes.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import sqlite3
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import models
from schema import limits
from schema.rows import table
from service.settings import ROOT, Limits, Settings
from tests.support.clients import client
from tests.support.logs import json_log
from tests.support.settings import NAMES, settings_from
from web import graphql_app
from web.graphql_app import GRAPHQL_RESPONSE_JSON

PRODUCTION = Settings(
    app_env="production", graphiql=False, introspection=False, field_suggestions=False
)
DEVELOPMENT = Settings()
#: Every setting with nothing in the environment, field by field, as docs/configuration.md
#: documents them: development, everything on, SQLite in the current folder.
DEFAULTS: dict[str, Any] = {
    "app_env": "development",
    "host": "127.0.0.1",
    "port": 8000,
    "database_url": "sqlite://elections.sqlite3",
    "pool": {"min_size": 1, "max_size": 5, "connect_timeout": 5.0, "statement_timeout": 0.0},
    "load_fixtures": (),
    "load_data_sets": False,
    "graphiql": True,
    "cors_origins": (),
    "max_body_bytes": 1_048_576,
    "introspection": True,
    "field_suggestions": True,
    "limits": {
        "max_depth": 10,
        "max_aliases": 15,
        "max_tokens": 1000,
        "max_directives": 50,
        "max_cost": 500_000,
        "cost_list_size": 10,
        "execution_timeout": 10.0,
        "max_batch_operations": 0,
        "max_list_items": 100,
        "max_answer_bytes": 16 * 1024 * 1024,
    },
    "fast_path": True,
    "metrics": True,
    "log_level": "info",
    "cache_max_age": 60,
    "persisted_queries": "automatic",
    "cache_bytes": {
        "parsed": 32 * 2**20,
        "validated": 8 * 2**20,
        "known": 32 * 2**20,
        "persisted": 8 * 2**20,
    },
    "registered_operations": {},
    "sqlite_busy_timeout": 5.0,
    "shutdown_timeout": 15,
    "read_timeout": 15.0,
    "live": {
        "max_per_connection": 20,
        "max_subscriptions": 1000,
        "messages_per_second": 5.0,
        "ping_interval": 15.0,
        "send_timeout": 10.0,
        "init_timeout": 10.0,
    },
}
SECRET = 'no such table: "country" while running SELECT * FROM country in /srv/elections/db.sqlite3'


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# --- Settings ---------------------------------------------------------------------------------


def test_the_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    assert dataclasses.asdict(settings_from(monkeypatch)) == DEFAULTS
    # `Settings()` is the same: what the app and the tests build without the environment.
    assert dataclasses.asdict(Settings()) == DEFAULTS
    assert Settings().production is False


def test_production_turns_introspection_graphiql_and_suggestions_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production = settings_from(monkeypatch, APP_ENV="production")
    assert dataclasses.asdict(production) == {
        **DEFAULTS,
        "app_env": "production",
        "graphiql": False,
        "introspection": False,
        "field_suggestions": False,
    }
    assert production.production is True
    assert production == PRODUCTION


def test_every_setting_is_cleared_by_settings_from() -> None:
    """tests/support/settings.py names every variable load_settings reads, so that no
    setting of the developer's environment reaches a test that reads the settings."""
    tree = ast.parse((ROOT / "service" / "settings.py").read_text(encoding="utf-8"))
    read = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("config", "positive", "seconds", "rate")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }
    assert len(read) == 44
    assert read == set(NAMES)


def test_production_turns_each_back_on_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch,
        APP_ENV="production",
        INTROSPECTION="true",
        GRAPHIQL="true",
        FIELD_SUGGESTIONS="true",
    )
    assert (settings.graphiql, settings.introspection, settings.field_suggestions) == (
        True,
        True,
        True,
    )
    settings = settings_from(monkeypatch, INTROSPECTION="false", FIELD_SUGGESTIONS="false")
    assert (settings.graphiql, settings.introspection, settings.field_suggestions) == (
        True,
        False,
        False,
    )


def test_limits_and_observability_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_from(
        monkeypatch,
        MAX_DEPTH="5",
        MAX_ALIASES="3",
        MAX_TOKENS="200",
        MAX_DIRECTIVES="4",
        MAX_COST="1000",
        COST_LIST_SIZE="25",
        EXECUTION_TIMEOUT="2.5",
        MAX_BATCH_OPERATIONS="4",
        MAX_BODY_BYTES="2048",
        METRICS="false",
        LOG_LEVEL="WARNING",
    )
    assert settings == Settings(
        max_body_bytes=2048,
        limits=Limits(
            max_depth=5,
            max_aliases=3,
            max_tokens=200,
            max_directives=4,
            max_cost=1000,
            cost_list_size=25,
            execution_timeout=2.5,
            max_batch_operations=4,
        ),
        metrics=False,
        log_level="warning",
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAX_COST", "0", "MAX_COST must be a positive number, got 0"),
        ("MAX_DEPTH", "-1", "MAX_DEPTH must be a positive number, got -1"),
        (
            "MAX_BATCH_OPERATIONS",
            "-1",
            "MAX_BATCH_OPERATIONS must be a non-negative number, got -1",
        ),
        ("EXECUTION_TIMEOUT", "0", "EXECUTION_TIMEOUT must be a positive number, got 0.0"),
        (
            "LOG_LEVEL",
            "loud",
            "LOG_LEVEL must be one of debug, info, warning, error, critical, got 'loud'",
        ),
        ("APP_ENV", "staging", "APP_ENV must be development or production, got 'staging'"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        settings_from(monkeypatch, **{name: value})
    assert str(refused.value) == message


# --- Introspection, GraphiQL, suggestions -----------------------------------------------------


async def test_introspection_is_refused_in_production(world: TortoiseContext) -> None:
    async with client(PRODUCTION) as http:
        response = await http.post(
            "/graphql",
            json={"query": '{ __type(name: "Election") { name } }'},
            headers={"Accept": GRAPHQL_RESPONSE_JSON},
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [
                {
                    "message": "GraphQL introspection has been disabled, but the requested "
                    "query contained the field '__type'.",
                    "locations": [{"line": 1, "column": 3}],
                }
            ]
        }
        # __typename is not introspection: clients such as Apollo add it everywhere.
        response = await http.post("/graphql", json={"query": "{ __typename }"})
        assert response.json() == {"data": {"__typename": "Query"}}

    async with client(Settings(app_env="production", introspection=True)) as http:
        response = await http.post(
            "/graphql", json={"query": '{ __type(name: "Election") { name } }'}
        )
        assert response.json() == {"data": {"__type": {"name": "Election"}}}


async def test_graphiql_is_not_served_in_production(world: TortoiseContext) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    async with client(PRODUCTION) as http:
        response = await http.get("/graphql", headers={"Accept": browser})
        assert response.status_code == 400
        assert response.json() == {"errors": [{"message": "No GraphQL query found in the request"}]}
    async with client(Settings(app_env="production", graphiql=True)) as http:
        response = await http.get("/graphql", headers={"Accept": browser})
        assert response.status_code == 200
        assert "<title>Elections API · GraphiQL</title>" in response.text


SUGGESTIONS = [
    (
        "{ nope }",
        None,
        "Cannot query field 'nope' on type 'Query'.",
        " Did you mean 'node' or 'nodes'?",
    ),
    (
        "{ elections(frist: 1) { nodes { key } } }",
        None,
        "Unknown argument 'frist' on field 'Query.elections'.",
        " Did you mean 'first' or 'last'?",
    ),
    (
        "{ elections(filter: {kind: PRESIDENTAL}) { nodes { key } } }",
        None,
        "elections(filter.kind): Value 'PRESIDENTAL' does not exist in 'ElectionKind' enum.",
        " Did you mean the enum value 'PRESIDENTIAL'?",
    ),
    (
        "query ($k: ElectionKind) { elections(filter: {kind: $k}) { nodes { key } } }",
        {"k": "PRESIDENTAL"},
        "Variable '$k' has invalid value: Value 'PRESIDENTAL' does not exist in "
        "'ElectionKind' enum.",
        " Did you mean the enum value 'PRESIDENTIAL'?",
    ),
    (
        "query ($k: ElectionKnd) { elections(filter: {kind: $k}) { nodes { key } } }",
        None,
        "Unknown type 'ElectionKnd'.",
        " Did you mean 'ElectionKind', 'Election', 'ElectionEdge', or 'ElectionOrder'?",
    ),
]


@pytest.mark.parametrize(("query", "variables", "message", "suggestion"), SUGGESTIONS)
async def test_no_suggestions_in_production(
    world: TortoiseContext,
    query: str,
    variables: dict[str, Any] | None,
    message: str,
    suggestion: str,
) -> None:
    for settings, expected in [(PRODUCTION, message), (DEVELOPMENT, message + suggestion)]:
        async with client(settings) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Accept": GRAPHQL_RESPONSE_JSON},
            )
        assert response.status_code == 400
        assert [error["message"] for error in response.json()["errors"]] == [expected]


# --- Errors: expected ones stay, unexpected ones are masked -----------------------------------


EXPECTED = [
    (
        "{ people(first: 0) { nodes { name } } }",
        "`first` must be between 1 and 100, got 0.",
        ["people"],
    ),
    ('{ node(id: "garbage") { id } }', 'Value cannot represent a GlobalID: "garbage".', ["node"]),
    ("{ nope", "Syntax Error: Expected Name, found <EOF>.", None),
]


@pytest.mark.parametrize(("query", "message", "path"), EXPECTED)
async def test_expected_errors_read_the_same_in_production(
    world: TortoiseContext, query: str, message: str, path: list[str] | None
) -> None:
    async with client(PRODUCTION) as http:
        response = await http.post("/graphql", json={"query": query})
    errors = response.json()["errors"]
    assert [(error["message"], error.get("path")) for error in errors] == [(message, path)]


def break_countries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `countries` fail as a broken database would, with SQL and a path in the message:
    reading the page's rows fails."""

    async def fail(*args: object, **kwargs: object) -> Any:
        raise sqlite3.OperationalError(SECRET)

    monkeypatch.setattr(table(models.Country), "where_in", fail)


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_countries(monkeypatch)
    with json_log("elections.graphql") as log:
        async with client(PRODUCTION) as http:
            response = await http.post(
                "/graphql",
                json={"query": "query Countries { countries { nodes { code } } }"},
                headers={"X-Request-ID": "req-42"},
            )
    assert response.status_code == 200  # it ran; one field failed
    assert response.headers["x-request-id"] == "req-42"
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Internal server error (request ID req-42).",
                "locations": [{"line": 1, "column": 19}],
                "path": ["countries"],
            }
        ],
    }
    assert "sqlite" not in response.text and "SELECT" not in response.text
    [entry] = lines(log)
    assert {k: entry[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "ERROR",
        "logger": "elections.graphql",
        "message": f"Unexpected error at countries: {SECRET}",
        "request_id": "req-42",
    }
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith(f"sqlite3.OperationalError: {SECRET}")


async def test_in_development_an_unexpected_error_is_shown_and_logged(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_countries(monkeypatch)
    with json_log("elections.graphql") as log:
        async with client(DEVELOPMENT) as http:
            response = await http.post(
                "/graphql", json={"query": "{ countries { nodes { code } } }"}
            )

    assert response.json()["errors"][0]["message"] == SECRET
    assert [entry["level"] for entry in lines(log)] == ["ERROR"]


async def test_expected_errors_are_not_logged(world: TortoiseContext) -> None:
    with json_log("elections.graphql", "strawberry.execution") as log:
        async with client(PRODUCTION) as http:
            for query, _, _ in EXPECTED:
                await http.post("/graphql", json={"query": query})
    assert lines(log) == []


async def test_a_fault_before_execution_is_a_masked_500(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_cost(*args: object) -> int:
        raise RuntimeError("cost failed at /srv/elections/limits.py")

    monkeypatch.setattr(limits, "cost", broken_cost)
    with json_log("elections.graphql") as log:
        async with client(PRODUCTION) as http:
            for accept in ("application/json", GRAPHQL_RESPONSE_JSON):
                response = await http.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"Accept": accept, "X-Request-ID": "req-7"},
                )
                assert response.status_code == 500
                assert response.json() == {
                    "errors": [{"message": "Internal server error (request ID req-7)."}]
                }
    assert [entry["message"] for entry in lines(log)] == [
        "Unexpected error at (operation): cost failed at /srv/elections/limits.py"
    ] * 2


async def test_an_error_outside_graphql_is_a_masked_500(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("view failed at /srv/elections/server.py")

    monkeypatch.setattr(graphql_app.GraphQLApp, "process_result", broken)
    with json_log("elections.requests") as log:
        async with client(PRODUCTION) as http:
            response = await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "req-9"}
            )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-9"
    assert response.json() == {"errors": [{"message": "Internal server error (request ID req-9)."}]}
    failure, access = lines(log)
    assert failure["message"] == "Unhandled error in POST /graphql"
    assert failure["exception"].endswith("RuntimeError: view failed at /srv/elections/server.py")
    assert (access["message"], access["status"], access["request_id"]) == (
        "POST /graphql 500",
        500,
        "req-9",
    )
