"""Compatibility: the private names of the libraries, checked when the app is made; the
validation rules Strawberry adds, compared with ours; the fast path's and fast requests'
counters in /metrics; and the refusal of an extension that fast requests would skip.

Each check is shown failing: a name is deleted, or a version changed, for one test only
(monkeypatch restores it)."""

from __future__ import annotations

import ast
import logging
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry.relay
import strawberry.schema.schema as strawberry_schema_module
from graphql import ValidationRule, parse
from strawberry.extensions import MaskErrors
from strawberry.schema import schema_converter
from strawberry.schema.validation_rules import maybe_null
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.context import TortoiseContext
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from schema import Schema, build_schema, limits, schema
from schema import known as known_queries
from schema.context import Context
from schema.known import UnknownExtensionError
from server import create_app
from service import compat
from service.compat import NAMES, TESTED, IncompatibleError
from service.metrics import FALLBACK_REASONS, FastPathCounts, Metrics
from service.settings import Settings
from tests.support.metrics import samples
from web import graphql_app

ROOT = Path(__file__).resolve().parent.parent
STRAWBERRY = f"strawberry-graphql {compat.installed('strawberry-graphql')} (tested: 0.341.x)"
TORTOISE = f"tortoise-orm {compat.installed('tortoise-orm')} (tested: 1.1.x)"
UVICORN = f"uvicorn {compat.installed('uvicorn')} (tested: 0.55.x)"
WHAT_TO_DO = (
    "What to do: read the package's changes, update service/compat.py and the code that uses "
    "the name, and run the differential test (.venv/bin/python -m pytest "
    "tests/test_fast_path.py tests/test_compat.py); or pin back: "
)


def app(**settings: Any) -> Any:
    return create_app(Settings(**settings), manage_database=False)


# --- The names and the versions --------------------------------------------------------------


def test_every_private_name_is_there_and_each_package_is_the_tested_release() -> None:
    assert [private.dotted for private in NAMES if not private.present(schema)] == []
    untested = [compat.untested_message(p, True) for p in TESTED if compat.untested(p)]
    assert untested == [], "\n".join(untested)
    assert compat.check(schema, fast_path=True) == []


def test_the_fenced_names_are_the_ones_the_code_uses() -> None:
    """A few whole facts about the table, so that a name dropped from it is noticed."""
    paths = {private.path for private in NAMES}
    assert {
        "strawberry.schema.schema:Schema._schema",
        "strawberry.schema.schema:Schema._get_custom_context_kwargs",
        "strawberry.schema.schema_converter:get_arguments",
        "graphql.execution:Executor.collect_subfields",
        "tortoise.backends.sqlite.client:SqliteClient._lock",
        "tortoise.backends.asyncpg.client:AsyncpgDBClient._pool",
        "asyncio:Future._asyncio_future_blocking",
    } <= paths
    assert len(paths) == len(NAMES)  # each once
    # Only the fast path's names may be missing with FAST_PATH=false. The WebSocket
    # protocol and handler that web/subscriptions.py builds on, with what it reads of them:
    handler = (
        "strawberry.subscriptions.protocols.graphql_transport_ws.handlers:"
        "BaseGraphQLTransportWSHandler"
    )
    protocol = "uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol"
    live = [
        handler,
        *(
            f"{handler}.{name}"
            for name in (
                "handle",
                "handle_subscribe",
                "handle_pong",
                "send_message",
                "cleanup_operation",
                "view",
                "websocket",
                "operations",
                "connection_acknowledged",
                "max_subscriptions_per_connection",
            )
        ),
        protocol,
        *(
            f"{protocol}.{name}"
            for name in (
                "run_asgi",
                "shutdown",
                "stop_keepalive",
                "conn",
                "queue",
                "writable",
                "close_sent",
                "handshake_complete",
                "initial_response",
                "transport",
            )
        ),
    ]
    assert sorted(p.path for p in NAMES if not p.fast_path) == sorted(
        [
            *live,
            "graphql.execution:Executor.complete_leaf_value",
            "graphql.execution:Executor.execute_field",
            "strawberry.schema.schema:Schema._get_custom_context_kwargs",
            "strawberry.schema.schema:Schema._schema",
            "strawberry.schema.schema:StrawberryGraphQLCoreExecutionContext",
            "strawberry.schema.validation_rules.maybe_null:MaybeNullValidationRule",
            "strawberry.schema.validation_rules.one_of:OneOfInputValidationRule",
            # The type system's classes that every type's conversion and the Date scalar use.
            "strawberry.types.base:StrawberryList",
            "strawberry.types.base:StrawberryObjectDefinition",
            "strawberry.types.base:StrawberryOptional",
            "strawberry.types.base:StrawberryType",
            "strawberry.types.enum:StrawberryEnumDefinition",
            "strawberry.types.private:is_private",
            "strawberry.types.scalar:ScalarDefinition",
            "tortoise.backends.asyncpg.client:AsyncpgDBClient",
            "tortoise.backends.asyncpg.client:AsyncpgDBClient._pool",
            # What service/sqlite_reads.py queues its jobs with, as aiosqlite queues its own.
            "aiosqlite.core:Connection._conn",
            "aiosqlite.core:Connection._running",
            "aiosqlite.core:Connection._tx",
            "tortoise.backends.sqlite.client:SqliteClient",
            "tortoise.backends.sqlite.client:SqliteClient._connection",
            "tortoise.backends.sqlite.client:SqliteClient._lock",
            "tortoise.backends.sqlite.client:SqliteTransactionWrapper",
            # The HTTP/1.1 protocol that web/read_timeout.py builds on, with the parser's
            # callbacks and the answer's end that it extends, and the transport it gives
            # each answer (web/held_head.py).
            "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol",
            "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.cycle",
            "uvicorn.protocols.http.httptools_impl:RequestResponseCycle.transport",
            "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.on_message_begin",
            "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.on_headers_complete",
            "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.on_message_complete",
            "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.on_response_complete",
        ]
    )


#: The project's own code: every package the install finds, and the app's module.
APP_CODE = ("curation", "loader", "models", "schema", "service", "web", "server.py")


def imports_of_fenced_names(root: Path) -> list[str]:
    """`file: module:Name` for each `from module import Name` outside service/compat.py that
    takes a class or function compat fences, and each `import module` of a module that is
    only private (one compat reads names from, e.g. strawberry.types.base)."""
    fenced = {p.path for p in NAMES if "." not in p.path.partition(":")[2]}
    private_modules = {path.partition(":")[0] for path in fenced}
    found = []
    for top in APP_CODE:
        path = root / top
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            if source == root / "service" / "compat.py":
                continue
            for node in ast.walk(ast.parse(source.read_text(), str(source))):
                where = source.relative_to(root).as_posix()
                if isinstance(node, ast.ImportFrom) and node.module:
                    found += [
                        f"{where}: {node.module}:{alias.name}"
                        for alias in node.names
                        if f"{node.module}:{alias.name}" in fenced
                    ]
                elif isinstance(node, ast.Import):
                    found += [
                        f"{where}: {alias.name}"
                        for alias in node.names
                        if alias.name in private_modules
                    ]
    return found


def test_a_fenced_name_is_imported_from_compat_alone() -> None:
    """Each private class or function comes through service/compat.py, so that the start-up
    check covers every use: the code imports none of them from its library directly."""
    assert imports_of_fenced_names(ROOT) == []


def test_an_import_around_compat_is_found(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "date.py").write_text(
        "from strawberry.types.scalar import ScalarDefinition\n"
        "import strawberry.types.base\n"
        "from strawberry.types import get_object_definition\n"
    )
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "compat.py").write_text(
        "from strawberry.types.scalar import ScalarDefinition\n"
    )
    assert imports_of_fenced_names(tmp_path) == [
        "schema/date.py: strawberry.types.scalar:ScalarDefinition",
        "schema/date.py: strawberry.types.base",
    ]


def test_a_missing_fast_path_name_refuses_the_app_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(schema_converter, "get_arguments")
    with pytest.raises(IncompatibleError) as raised:
        app()
    assert str(raised.value) == (
        "An installed package no longer has a private name that this app uses:\n"
        f"  {STRAWBERRY} has no strawberry.schema.schema_converter.get_arguments, used by "
        "schema/fast_path.py (a field's arguments, converted once per level)\n"
        f"{WHAT_TO_DO}pip install 'strawberry-graphql==0.341.*'.\n"
        "Or set FAST_PATH=false to serve without the fast path, which needs none."
    )


def test_without_the_fast_path_a_missing_fast_path_name_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delattr(strawberry.relay.Node, "_id")
    caplog.set_level(logging.WARNING, logger="elections.compat")
    app(fast_path=False)  # made: the fast path is off
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "elections.compat",
            "WARNING",
            "The fast path is off (FAST_PATH=false), and it could not be turned on:\n"
            "An installed package no longer has a private name that this app uses:\n"
            f"  {STRAWBERRY} has no strawberry.relay.Node._id, used by schema/fast_path.py, "
            "schema/compiled.py (the Node `id` field)\n"
            f"{WHAT_TO_DO}pip install 'strawberry-graphql==0.341.*'.",
        )
    ]
    with pytest.raises(IncompatibleError, match=r"has no strawberry\.relay\.Node\._id"):
        app(fast_path=True)


def test_a_missing_name_used_without_the_fast_path_refuses_the_app_either_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(maybe_null, "MaybeNullValidationRule")
    expected = (
        "An installed package no longer has a private name that this app uses:\n"
        f"  {STRAWBERRY} has no strawberry.schema.validation_rules.maybe_null."
        "MaybeNullValidationRule, used by schema/limits.py (Strawberry's validation rules, "
        "run by ours)\n"
        f"{WHAT_TO_DO}pip install 'strawberry-graphql==0.341.*'."
    )
    with pytest.raises(IncompatibleError) as raised:
        app(fast_path=True)
    assert str(raised.value) == (
        f"{expected}\nFAST_PATH=false does not help: the name is used without the fast path too."
    )
    with pytest.raises(IncompatibleError) as raised:
        app(fast_path=False)
    assert str(raised.value) == expected


def test_a_missing_instance_attribute_is_found_on_an_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tortoise sets a SQLite client's lock when it makes one: a release that names it
    otherwise is seen on a client made for the check."""
    made = SqliteClient.__init__

    def without_lock(self: SqliteClient, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        del self._lock

    monkeypatch.setattr(SqliteClient, "__init__", without_lock)
    with pytest.raises(IncompatibleError) as raised:
        app(fast_path=False)
    assert str(raised.value) == (
        "An installed package no longer has a private name that this app uses:\n"
        f"  {TORTOISE} has no tortoise.backends.sqlite.client.SqliteClient._lock, used by "
        "schema/rows.py (reads that find the lock free), service/metrics.py (connections)\n"
        f"{WHAT_TO_DO}pip install 'tortoise-orm==1.1.*'."
    )


def test_a_missing_callback_of_uvicorn_s_http_protocol_refuses_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """web/read_timeout.py learns where a request's headers end from the callback httptools
    calls on uvicorn's protocol: one that uvicorn no longer has would never be called, and the
    deadline would run on into the answer."""
    monkeypatch.delattr(HttpToolsProtocol, "on_headers_complete")
    with pytest.raises(IncompatibleError) as raised:
        app(fast_path=False)
    assert str(raised.value) == (
        "An installed package no longer has a private name that this app uses:\n"
        f"  {UVICORN} has no uvicorn.protocols.http.httptools_impl.HttpToolsProtocol."
        "on_headers_complete, used by web/read_timeout.py (HttpToolsProtocol: overridden, "
        "where a request's headers begin and end and its answer is complete)\n"
        f"{WHAT_TO_DO}pip install 'uvicorn==0.55.*'."
    )


def test_a_name_gone_at_import_stands_in_and_fails_when_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an upgrade the modules still import (so that the check can speak); the name's
    stand-in refuses to run, with the same message."""
    monkeypatch.delattr(schema_converter, "get_arguments")
    stand_in = compat._load("strawberry.schema.schema_converter:get_arguments")
    with pytest.raises(IncompatibleError) as raised:
        stand_in(field=None)
    assert str(raised.value).splitlines()[1] == (
        f"  {STRAWBERRY} has no strawberry.schema.schema_converter.get_arguments, used by "
        "schema/fast_path.py (a field's arguments, converted once per level)"
    )


def test_another_release_is_a_warning_that_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    version = metadata.version

    def newer(package: str) -> str:
        return "0.342.0" if package == "strawberry-graphql" else version(package)

    monkeypatch.setattr(metadata, "version", newer)
    caplog.set_level(logging.WARNING, logger="elections.compat")
    warning = (
        "strawberry-graphql 0.342.0 (tested: 0.341.x): every private name this app uses is "
        "still there, but it was tested with another release, and their behaviour may have "
        "changed. Run .venv/bin/python -m pytest tests/test_fast_path.py tests/test_compat.py, "
        "then set TESTED in service/compat.py to the release that passes; or pin back: "
        "pip install 'strawberry-graphql==0.341.*'. Meanwhile operations the fast path gives "
        "up on are answered by graphql-core and counted in /metrics as "
        'elections_graphql_fast_path_total{outcome="fallback"}; FAST_PATH=false turns the '
        "fast path off."
    )
    assert compat.check(schema, fast_path=True) == [warning]
    app()  # made: another release alone does not stop the app
    assert [r.getMessage() for r in caplog.records] == [warning, warning]


# --- Strawberry's validation rules -----------------------------------------------------------


def test_our_validation_adds_the_rules_strawberry_adds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation (schema/limits.py) runs instead of Strawberry's own validation, so it must
    add the rules Strawberry adds to the extensions' rules: read here from Strawberry's
    validation itself, as it calls graphql-core."""
    given: list[tuple[type[ValidationRule], ...]] = []

    def record(_schema: Any, _document: Any, rules: Any, *args: Any, **kwargs: Any) -> list[Any]:
        given.append(tuple(rules))
        return []

    monkeypatch.setattr(strawberry_schema_module, "validate", record)
    strawberry_schema_module.validate_document(
        compat.graphql_schema(schema), parse("{ __typename }"), ()
    )
    (theirs,) = given
    ours = limits.STRAWBERRY_RULES
    added = [rule.__name__ for rule in theirs if rule not in ours]
    dropped = [rule.__name__ for rule in ours if rule not in theirs]
    assert theirs == ours, (
        f"Strawberry's own validation rules changed: it now adds {added or 'none'} that "
        f"STRAWBERRY_RULES lacks, and no longer adds {dropped or 'none'} that it has; make "
        "STRAWBERRY_RULES in schema/limits.py the same list, in the same order"
    )


async def test_strawberry_skips_its_own_validation_when_ours_ran(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Otherwise every document would be validated twice: ours sets the errors, even none."""
    calls: list[str] = []
    validate_document = strawberry_schema_module.validate_document

    def counted(*args: Any) -> Any:
        calls.append("validate")
        return validate_document(*args)

    monkeypatch.setattr(strawberry_schema_module, "validate_document", counted)
    query = '{ country(code: "GE") { name } }'
    result = await schema.execute(query, context_value=Context())
    assert (result.data, result.errors, calls) == ({"country": {"name": "Georgia"}}, None, [])
    # Without our extension, Strawberry validates: the counting above is on its path.
    bare = schema.configured([], schema.limits, schema.field_suggestions)
    result = await bare.execute(query, context_value=Context())
    assert (result.data, calls) == ({"country": {"name": "Georgia"}}, ["validate"])


# --- Counters in /metrics ----------------------------------------------------------------------


def counters(text: str) -> dict[str, float]:
    """The fast path's and fast requests' series of a /metrics page, by their labels."""
    found = samples(text)
    return {
        ",".join(f"{k}={v}" for k, v in sorted(labels)): value
        for (name, labels), value in found.items()
        if name in ("elections_graphql_fast_path_total", "elections_graphql_fast_requests_total")
    }


def fallbacks(**counts: int) -> dict[str, float]:
    return {
        f"outcome=fallback,reason={reason}": counts.get(reason, 0) for reason in FALLBACK_REASONS
    }


async def test_the_fast_path_and_fast_requests_are_counted_in_metrics(
    world: TortoiseContext,
) -> None:
    known = '{ country(code: "GE") { name } }'
    introspection = "{ __schema { queryType { name } } }"
    failing = '{ country(code: "AZ") { name } elections(first: 0) { nodes { key } } }'
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app()), base_url="http://testserver"
    ) as http:
        before = counters((await http.get("/metrics")).text)
        steps = [known, known, known, introspection, introspection, failing]
        answers = [(await http.post("/graphql", json={"query": q})).json() for q in steps]
        after = counters((await http.get("/metrics")).text)
    # Every series is there from the start, at 0.
    assert before == {
        "outcome=fast,reason=": 0,
        "outcome=compiled,reason=": 0,
        **fallbacks(),
        "outcome=answered": 0,
        "outcome=ordinary": 0,
    }
    assert after == {
        # The known query on the fast path twice, the second time as a fast request, which
        # compiled it (schema/compiled.py); then compiled, as a fast request.
        "outcome=fast,reason=": 2,
        "outcome=compiled,reason=": 1,
        # Introspection is graphql-core's, also when a fast request runs it again; the
        # failing query ran on the fast path, which gave up on its error.
        **fallbacks(introspection=2, error=1),
        # The later requests of each query that ran without an error.
        "outcome=answered": 3,
        "outcome=ordinary": 3,
    }
    assert answers[1] == answers[2] == {"data": {"country": {"name": "Georgia"}}}
    assert answers[4] == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert answers[5]["errors"][0]["message"] == "`first` must be between 1 and 100, got 0."


async def test_a_mutation_is_counted_as_a_fallback(world: TortoiseContext) -> None:
    metrics = Metrics()
    # No extensions: Access would refuse the mutation (no token) before it runs.
    counted = schema.configured(
        [], schema.limits, schema.field_suggestions, fast_path_counts=metrics.fast_path_counts
    )
    mutation = 'mutation { deleteElection(key: "no-such-election") { deletedKey } }'
    result = await counted.execute(mutation, context_value=Context())
    # It ran: the resolver itself refuses it without a token.
    assert [(error.message, error.path) for error in result.errors or []] == [
        (
            "A mutation needs a token with write scope: send `Authorization: Bearer <token>`.",
            ["deleteElection"],
        )
    ]
    registry = metrics.registry
    total = "elections_graphql_fast_path_total"
    assert registry.get_sample_value(total, {"outcome": "fallback", "reason": "mutation"}) == 1
    assert registry.get_sample_value(total, {"outcome": "fast", "reason": ""}) == 0


def test_fast_path_counts_make_each_series_once() -> None:
    metrics = Metrics()
    counts = metrics.fast_path_counts
    assert isinstance(counts, FastPathCounts)
    counts.fast()
    counts.fallback("null")
    counts.fallback("null")
    total = "elections_graphql_fast_path_total"
    get = metrics.registry.get_sample_value
    assert (
        get(total, {"outcome": "fast", "reason": ""}),
        get(total, {"outcome": "fallback", "reason": "null"}),
        get(total, {"outcome": "fallback", "reason": "error"}),
    ) == (1, 2, 0)


# --- Extensions that known queries skip ----------------------------------------------------


def test_an_extension_known_queries_do_not_know_refuses_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def with_mask_errors(settings: Settings, counts: FastPathCounts | None = None) -> Schema:
        built = build_schema(settings, counts)
        return built.configured(
            [*built.extensions, MaskErrors],
            built.limits,
            built.field_suggestions,
            settings.fast_path,
            counts,
        )

    monkeypatch.setattr(graphql_app, "build_schema", with_mask_errors)
    with pytest.raises(UnknownExtensionError) as raised:
        app()
    assert str(raised.value) == (
        "The schema has an extension that known queries would skip: "
        "strawberry.extensions.mask_errors.MaskErrors. A query that ran without an error runs "
        "again without the schema's extensions, which may skip only those listed in SKIPPED "
        "(schema/known.py). If the extension gives the same verdict on a repeat of a query "
        "that ran without an error, add it there with the reason; if not, make `run` do its "
        "work too. Or set FAST_PATH=false to serve without known queries (and without the "
        "fast path)."
    )
    app(fast_path=False)  # without known queries, nothing is skipped


def test_every_extension_of_the_schema_is_one_known_queries_may_skip() -> None:
    production = build_schema(Settings(app_env="production", introspection=False))
    kinds = {type(ext).__name__ for ext in production.get_extensions()}
    assert kinds == {
        "MaxTokensLimiter",
        "Parsing",
        "DisableIntrospection",
        "Validation",
        "OperationName",
        "Access",
    }
    assert {kind.__name__ for kind in known_queries.SKIPPED} == kinds
