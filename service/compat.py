"""Compatibility: every private name of Strawberry, graphql-core, Tortoise, aiosqlite, uvicorn
and asyncio that the fast path, fast requests, the limits, the metrics, the read timeout, the
SQLite reads and the subscriptions' WebSocket use, and the start-up check of them.

Private here means what a library does not promise to keep from one release to the next: a
name with a leading underscore, a name from a module its package does not export (such as
`strawberry.schema.schema_converter` or `graphql.execution.collect_fields`), or a method the
library marks as internal. Public names (graphql-core's `Executor` attributes, Strawberry's
`Schema.get_extensions`), and the public attributes of the classes imported here (a
`StrawberryField`'s `base_resolver`), are used where they are needed, as usual; so is
Tortoise's `Model._meta`, its models' metadata, read throughout models/, loader/ and schema/
and exercised by the whole suite.

Each name is imported or read here and nowhere else, so this file is the whole surface. At
import a missing name does not fail (a stand-in takes its place); `check()` runs when the
app is made (web/graphql_app.py) and refuses to start with a message naming each missing
name and what to do, unless the only missing names serve the fast path and FAST_PATH=false
turns it off. Another release of a package than the one tested is a warning, not an error:
a fresh clone installs the newest releases, and it must still serve. The fast path hands to
graphql-core whatever it does not recognise, and those fallbacks show in /metrics
(`elections_graphql_fast_path_total{outcome="fallback"}`); whether its answers are still
graphql-core's byte for byte is what tests/test_fast_path.py checks, so the warning asks for it.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import logging
import platform
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

if TYPE_CHECKING:
    import aiosqlite
    import strawberry
    from graphql import GraphQLObjectType, GraphQLSchema
    from graphql.execution import Executor

log = logging.getLogger("elections.compat")

STRAWBERRY = "strawberry-graphql"
GRAPHQL_CORE = "graphql-core"
TORTOISE = "tortoise-orm"
AIOSQLITE = "aiosqlite"
UVICORN = "uvicorn"
#: asyncio's names come with Python itself.
PYTHON = "python"

#: The releases the names below were read from, and tests/test_fast_path.py passed with: a
#: major and minor version each. After an upgrade that passes the tests, change them here.
TESTED: dict[str, str] = {
    STRAWBERRY: "0.341",
    GRAPHQL_CORE: "3.3",
    TORTOISE: "1.1",
    AIOSQLITE: "0.22",
    UVICORN: "0.55",
}

#: What a name is read on when it is an attribute of an instance, not of a module or class.
Probe = Callable[["strawberry.Schema"], object]


@dataclass(frozen=True)
class Private:
    """A private name: the package that has it, where (`module:Class.attribute`), and what
    uses it. `fast_path` names serve only the fast path and fast requests, so FAST_PATH=false
    leaves them unused; `on` reads an instance attribute on the object it gives."""

    package: str
    path: str
    used_by: str
    fast_path: bool = True
    on: Probe | None = None

    @property
    def dotted(self) -> str:
        return self.path.replace(":", ".")

    def find(self) -> Any:
        """The object the name stands for (for an instance attribute, its class or module);
        raises LookupError if it is gone."""
        module_name, _, qualname = self.path.partition(":")
        try:
            found: Any = importlib.import_module(module_name)
        except ImportError as error:
            raise LookupError(self.dotted) from error
        parts = qualname.split(".")
        for part in parts[:-1] if self.on is not None else parts:
            try:
                found = getattr(found, part)
            except AttributeError as error:
                raise LookupError(self.dotted) from error
        return found

    def present(self, schema: strawberry.Schema) -> bool:
        """Whether the name is still there, for the app's schema."""
        try:
            self.find()
        except LookupError:
            return False
        if self.on is None:
            return True
        try:
            instance = self.on(schema)
        except (AttributeError, IncompatibleError):  # what it is read on is gone too
            return False
        return hasattr(instance, self.path.rsplit(".", 1)[-1])


def _sqlite_client(_schema: strawberry.Schema) -> object:
    # A client that is never connected: Tortoise sets these attributes when it is made.
    return SqliteClient(file_path=":memory:", connection_name="compat-check")


def _aiosqlite_connection(_schema: strawberry.Schema) -> object:
    # A connection that is never opened: aiosqlite sets these attributes when it is made,
    # and starts its thread only when it connects.
    import aiosqlite

    return aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), 64)


def _asyncpg_client(_schema: strawberry.Schema) -> object:
    return AsyncpgDBClient(connection_name="compat-check")


def _uvicorn_protocol(protocol: type[Any]) -> object:
    # A protocol that is never connected: uvicorn sets up its connection state when it is
    # made. (Imported here: only this check needs uvicorn's configuration.)
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    async def app(_scope: object, _receive: object, _send: object) -> None:
        return None

    loop = asyncio.new_event_loop()
    try:
        # log_config=None: uvicorn's own logging configuration is not applied.
        config = Config(app=app, log_config=None)
        return protocol(config=config, server_state=ServerState(), app_state={}, _loop=loop)
    finally:
        loop.close()


def _websocket_protocol(_schema: strawberry.Schema) -> object:
    return _uvicorn_protocol(WebSocketsSansIOProtocol)


def _http_protocol(_schema: strawberry.Schema) -> object:
    return _uvicorn_protocol(HttpToolsProtocol)


def _response_cycle(_schema: strawberry.Schema) -> object:
    # One request's answer, as uvicorn's protocol makes it once a request's headers are in.
    # (Imported here: `find` has found the class before this is called.)
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle as cycle

    logger = logging.getLogger("compat-check")
    try:
        return cycle(
            scope=cast(Any, {}),
            transport=cast(Any, None),
            flow=cast(Any, None),
            logger=logger,
            access_logger=logger,
            access_log=False,
            default_headers=[],
            message_event=asyncio.Event(),
            expect_100_continue=False,
            keep_alive=True,
            on_response=lambda: None,
        )
    except TypeError as error:  # made otherwise now: what it holds may have changed too
        raise AttributeError("RequestResponseCycle") from error


def _transport_ws_handler(schema: strawberry.Schema) -> object:
    # A handler of no connection: Strawberry keeps what it is given and its operations.
    none: Any = None  # neither is used before `handle`
    return BaseGraphQLTransportWSHandler(
        view=none,
        websocket=none,
        context=None,
        root_value=None,
        schema=schema,
        connection_init_wait_timeout=datetime.timedelta(seconds=1),
    )


#: Every private name used, grouped by package.
NAMES: tuple[Private, ...] = (
    # Strawberry
    Private(
        STRAWBERRY,
        "strawberry.schema.schema:StrawberryGraphQLCoreExecutionContext",
        "schema/__init__.py (the executor without the fast path), schema/fast_path.py (which "
        "extends it)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.schema.schema:Schema._get_custom_context_kwargs",
        "schema/__init__.py (overrides it to hide suggestions), web/fast_requests.py",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.schema.schema:Schema._schema",
        "schema/limits.py (validation and cost), web/fast_requests.py",
        fast_path=False,
        on=lambda schema: schema,
    ),
    Private(
        STRAWBERRY,
        "graphql:GraphQLSchema._strawberry_schema",
        "schema/fast_path.py, schema/compiled.py (the Strawberry schema of the executor's "
        "graphql-core schema)",
        on=lambda schema: graphql_schema(schema),
    ),
    Private(
        STRAWBERRY,
        "strawberry.schema.schema_converter:GraphQLCoreConverter.DEFINITION_BACKREF",
        "schema/fast_path.py, schema/compiled.py (a field's Strawberry definition)",
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.cast:TYPE_CAST_ATTRIBUTE",
        "schema/fast_path.py (objects of a type's own class, cast to no other, accepted at once)",
    ),
    Private(
        STRAWBERRY,
        "strawberry.schema.schema_converter:get_arguments",
        "schema/fast_path.py (a field's arguments, converted once per level)",
    ),
    Private(
        STRAWBERRY,
        "strawberry.relay:Node._id",
        "schema/fast_path.py, schema/compiled.py (the Node `id` field)",
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.base:StrawberryObjectDefinition",
        "schema/node.py and schema/fast_path.py (the type a global ID names)",
        fast_path=False,
    ),
    # The type system's own classes, from modules `strawberry.types` does not export: how
    # schema/conversion.py reads each field's type once, to build a type's `from_row`.
    Private(
        STRAWBERRY,
        "strawberry.types.base:StrawberryType",
        "schema/conversion.py (a field whose type is Strawberry's own)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.base:StrawberryList",
        "schema/conversion.py (a list field)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.base:StrawberryOptional",
        "schema/conversion.py (a nullable field)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.enum:StrawberryEnumDefinition",
        "schema/conversion.py (an enum field, converted from the model's enum)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.private:is_private",
        "schema/conversion.py (fields kept out of the schema)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.scalar:ScalarDefinition",
        "schema/date.py (the Date scalar that overrides Strawberry's date)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.types.field:StrawberryField",
        "schema/fast_path.py, schema/compiled.py (the resolvers)",
    ),
    Private(
        STRAWBERRY,
        "strawberry.schema.validation_rules.maybe_null:MaybeNullValidationRule",
        "schema/limits.py (Strawberry's validation rules, run by ours)",
        fast_path=False,
    ),
    Private(
        STRAWBERRY,
        "strawberry.schema.validation_rules.one_of:OneOfInputValidationRule",
        "schema/limits.py (Strawberry's validation rules, run by ours)",
        fast_path=False,
    ),
    # The view's own steps that web/fast_requests.py takes without the rest of the view.
    *(
        Private(STRAWBERRY, f"strawberry.asgi:GraphQL.{method}", "web/fast_requests.py")
        for method in (
            "request_adapter_class",
            "should_render_graphql_ide",
            "parse_json",
            "parse_query_params",
            "get_sub_response",
            "create_response",
        )
    ),
    # graphql-core
    Private(
        GRAPHQL_CORE,
        "graphql.execution.collect_fields:collect_fields",
        "schema/fast_path.py (the root fields)",
    ),
    Private(
        GRAPHQL_CORE,
        "graphql.execution.collect_fields:FieldDetails",
        "schema/fast_path.py, schema/compiled.py, web/fast_requests.py (collected fields)",
    ),
    Private(
        GRAPHQL_CORE,
        "graphql.execution:Executor.collect_subfields",
        "schema/fast_path.py (the fields of each level)",
    ),
    Private(
        GRAPHQL_CORE,
        "graphql.execution:Executor.execute_operation",
        "schema/fast_path.py (overrides it to try the fast path first)",
    ),
    Private(
        GRAPHQL_CORE,
        "graphql.execution:Executor.execute_field",
        "schema/budget.py (nothing more resolved once the answer's budget is spent)",
        fast_path=False,
    ),
    Private(
        GRAPHQL_CORE,
        "graphql.execution:Executor.complete_leaf_value",
        "schema/budget.py (each scalar of an answer counted against MAX_ANSWER_BYTES)",
        fast_path=False,
    ),
    # Tortoise
    Private(
        TORTOISE,
        "tortoise.backends.sqlite.client:SqliteClient",
        "schema/rows.py (reads), service/metrics.py (connections)",
        fast_path=False,
    ),
    Private(
        TORTOISE,
        "tortoise.backends.sqlite.client:SqliteTransactionWrapper",
        "schema/rows.py (reads in a transaction take the lock)",
        fast_path=False,
    ),
    Private(
        TORTOISE,
        "tortoise.backends.sqlite.client:SqliteClient._connection",
        "schema/rows.py (reads that find the lock free), service/metrics.py (connections)",
        fast_path=False,
        on=_sqlite_client,
    ),
    Private(
        TORTOISE,
        "tortoise.backends.sqlite.client:SqliteClient._lock",
        "schema/rows.py (reads that find the lock free), service/metrics.py (connections)",
        fast_path=False,
        on=_sqlite_client,
    ),
    # aiosqlite: a job of several reads queued on a connection's thread as its own
    # statements are (service/sqlite_reads.py).
    *(
        Private(
            AIOSQLITE,
            f"aiosqlite.core:Connection.{name}",
            "service/sqlite_reads.py (reads sent together: queued on the connection's thread)",
            fast_path=False,
            on=_aiosqlite_connection,
        )
        for name in ("_tx", "_running")
    ),
    Private(
        AIOSQLITE,
        "aiosqlite.core:Connection._conn",
        "service/sqlite_reads.py (reads sent together: the sqlite3 connection they run on)",
        fast_path=False,
    ),
    Private(
        TORTOISE,
        "tortoise.backends.asyncpg.client:AsyncpgDBClient",
        "service/metrics.py (connections), schema/rows.py (leased reads)",
        fast_path=False,
    ),
    Private(
        TORTOISE,
        "tortoise.backends.asyncpg.client:AsyncpgDBClient._pool",
        "service/metrics.py (connections), schema/rows.py (leased reads)",
        fast_path=False,
        on=_asyncpg_client,
    ),
    # uvicorn: its HTTP/1.1 protocol on httptools is public as a `--http` class, not as a base
    # class; httptools calls the parser's callbacks on it, which ours extends.
    Private(
        UVICORN,
        "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol",
        "web/read_timeout.py (the deadline for a request's headers, under `elections serve`)",
        fast_path=False,
    ),
    *(
        Private(
            UVICORN,
            f"uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.{name}",
            "web/read_timeout.py (HttpToolsProtocol: overridden, where a request's headers "
            "begin and end and its answer is complete)",
            fast_path=False,
        )
        for name in (
            "on_message_begin",
            "on_headers_complete",
            "on_message_complete",
            "on_response_complete",
        )
    ),
    Private(
        UVICORN,
        "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.cycle",
        "web/read_timeout.py (HttpToolsProtocol: each answer's transport, web/held_head.py)",
        fast_path=False,
        on=_http_protocol,
    ),
    Private(
        UVICORN,
        "uvicorn.protocols.http.httptools_impl:RequestResponseCycle.transport",
        "web/read_timeout.py (HttpToolsProtocol: each answer's transport, web/held_head.py)",
        fast_path=False,
        on=_response_cycle,
    ),
    # uvicorn: its WebSocket protocol (`--ws websockets-sansio`), as the base of ours.
    Private(
        UVICORN,
        "uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol",
        "web/subscriptions.py (a bounded send buffer; 1001 when the server stops)",
        fast_path=False,
    ),
    *(
        Private(
            UVICORN,
            f"uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol.{name}",
            "web/subscriptions.py (LiveProtocol: overridden or read on closing)",
            fast_path=False,
        )
        for name in ("run_asgi", "shutdown", "stop_keepalive")
    ),
    *(
        Private(
            UVICORN,
            f"uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol.{name}",
            "web/subscriptions.py (LiveProtocol: the connection's state on closing)",
            fast_path=False,
            on=_websocket_protocol,
        )
        for name in (
            "conn",
            "queue",
            "writable",
            "close_sent",
            "handshake_complete",
            "initial_response",
            "transport",
        )
    ),
    # Strawberry: its graphql-transport-ws handler, as the base of ours.
    Private(
        STRAWBERRY,
        "strawberry.subscriptions.protocols.graphql_transport_ws.handlers:"
        "BaseGraphQLTransportWSHandler",
        "web/subscriptions.py (LiveHandler: the LIVE_ bounds, pings, persisted queries)",
        fast_path=False,
    ),
    *(
        Private(
            STRAWBERRY,
            "strawberry.subscriptions.protocols.graphql_transport_ws.handlers:"
            f"BaseGraphQLTransportWSHandler.{name}",
            "web/subscriptions.py (LiveHandler: overridden or called)",
            fast_path=False,
        )
        for name in (
            "handle",
            "handle_subscribe",
            "handle_pong",
            "send_message",
            "cleanup_operation",
        )
    ),
    *(
        Private(
            STRAWBERRY,
            "strawberry.subscriptions.protocols.graphql_transport_ws.handlers:"
            f"BaseGraphQLTransportWSHandler.{name}",
            "web/subscriptions.py (LiveHandler: the connection's state)",
            fast_path=False,
            on=_transport_ws_handler,
        )
        for name in (
            "view",
            "websocket",
            "operations",
            "connection_acknowledged",
            "max_subscriptions_per_connection",
        )
    ),
    # asyncio
    Private(
        PYTHON,
        "asyncio:Future._asyncio_future_blocking",
        "schema/fast_path.py (coroutines driven without a task)",
    ),
)

_BY_PATH = {private.path: private for private in NAMES}


class IncompatibleError(RuntimeError):
    """An installed package no longer has a private name the app uses."""


def _load(path: str) -> Any:
    """The object at `path` (which must be in NAMES), or a stand-in if it is gone: a class,
    so that modules subclassing it or testing against it still import, which raises
    IncompatibleError when it is called."""
    private = _BY_PATH[path]
    try:
        return private.find()
    except LookupError:

        def gone(*_args: object, **_kwargs: object) -> NoReturn:
            raise IncompatibleError(missing_message([private], fast_path=private.fast_path))

        return type(path.rsplit(".", 1)[-1], (), {"__init__": gone, "__func__": gone})


if TYPE_CHECKING:  # mypy reads the names as the tested releases define them
    from graphql.execution.collect_fields import FieldDetails, collect_fields
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
    from strawberry.schema.schema_converter import get_arguments
    from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
    from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
    from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
        BaseGraphQLTransportWSHandler,
    )
    from strawberry.types.base import (
        StrawberryList,
        StrawberryObjectDefinition,
        StrawberryOptional,
        StrawberryType,
    )
    from strawberry.types.enum import StrawberryEnumDefinition
    from strawberry.types.field import StrawberryField
    from strawberry.types.private import is_private
    from strawberry.types.scalar import ScalarDefinition
    from tortoise.backends.asyncpg.client import AsyncpgDBClient
    from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    DEFINITION_BACKREF: str
    NODE_ID: Callable[..., Any]
    TYPE_CAST_ATTRIBUTE: str
else:  # at run time each is looked up, and a missing one stands in until check() says so
    FieldDetails = _load("graphql.execution.collect_fields:FieldDetails")
    collect_fields = _load("graphql.execution.collect_fields:collect_fields")
    StrawberryGraphQLCoreExecutionContext = _load(
        "strawberry.schema.schema:StrawberryGraphQLCoreExecutionContext"
    )
    get_arguments = _load("strawberry.schema.schema_converter:get_arguments")
    MaybeNullValidationRule = _load(
        "strawberry.schema.validation_rules.maybe_null:MaybeNullValidationRule"
    )
    OneOfInputValidationRule = _load(
        "strawberry.schema.validation_rules.one_of:OneOfInputValidationRule"
    )
    StrawberryObjectDefinition = _load("strawberry.types.base:StrawberryObjectDefinition")
    StrawberryType = _load("strawberry.types.base:StrawberryType")
    StrawberryList = _load("strawberry.types.base:StrawberryList")
    StrawberryOptional = _load("strawberry.types.base:StrawberryOptional")
    StrawberryEnumDefinition = _load("strawberry.types.enum:StrawberryEnumDefinition")
    is_private = _load("strawberry.types.private:is_private")
    ScalarDefinition = _load("strawberry.types.scalar:ScalarDefinition")
    StrawberryField = _load("strawberry.types.field:StrawberryField")
    AsyncpgDBClient = _load("tortoise.backends.asyncpg.client:AsyncpgDBClient")
    SqliteClient = _load("tortoise.backends.sqlite.client:SqliteClient")
    SqliteTransactionWrapper = _load("tortoise.backends.sqlite.client:SqliteTransactionWrapper")
    HttpToolsProtocol = _load("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol")
    WebSocketsSansIOProtocol = _load(
        "uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol"
    )
    BaseGraphQLTransportWSHandler = _load(
        "strawberry.subscriptions.protocols.graphql_transport_ws.handlers:"
        "BaseGraphQLTransportWSHandler"
    )
    #: The key under which a graphql-core field keeps its Strawberry field.
    DEFINITION_BACKREF = _load(
        "strawberry.schema.schema_converter:GraphQLCoreConverter.DEFINITION_BACKREF"
    )
    #: The function of the relay `id` resolver that every Node type shares.
    NODE_ID = _load("strawberry.relay:Node._id").__func__
    #: The attribute `strawberry.cast` sets on an object to give it a type.
    TYPE_CAST_ATTRIBUTE = _load("strawberry.types.cast:TYPE_CAST_ATTRIBUTE")


# --- Typed accessors: each private attribute read (or written) here alone -----------------


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (`Schema._schema`)."""
    return schema._schema


def strawberry_schema(schema: GraphQLSchema) -> strawberry.Schema:
    """The Strawberry schema that built a graphql-core schema (`_strawberry_schema`)."""
    found: strawberry.Schema = schema._strawberry_schema  # type: ignore[attr-defined]
    return found


def context_kwargs(
    schema: strawberry.Schema, operation_extensions: dict[str, Any] | None
) -> dict[str, Any]:
    """The executor's arguments that Strawberry's schema adds to graphql-core's."""
    return schema._get_custom_context_kwargs(operation_extensions)


def subfields(
    executor: Executor[Any], object_type: GraphQLObjectType, details: list[FieldDetails]
) -> dict[str, list[FieldDetails]]:
    """The fields selected on `object_type` by these field nodes (graphql-core memoizes)."""
    return executor.collect_subfields(object_type, details).grouped_field_set


def unblock(future: Any) -> None:
    """What a task does with the future its coroutine waits on: left set, the next coroutine
    to await the same future would fail."""
    future._asyncio_future_blocking = False


def sqlite_connection(client: SqliteClient) -> aiosqlite.Connection | None:
    """The single connection of a SQLite client (None until it is opened)."""
    return client._connection


def sqlite_lock(client: SqliteClient) -> asyncio.Lock:
    """The lock a SQLite client holds around each statement and each transaction."""
    return client._lock


T = TypeVar("T")


def sqlite_job(
    connection: aiosqlite.Connection, job: Callable[[sqlite3.Connection], T]
) -> asyncio.Future[T] | None:
    """`job` run with the connection's sqlite3 connection on its thread, after what is queued
    there, as aiosqlite runs its own statements (`Connection._execute`), but queued now, in
    the caller's step, rather than by a coroutine; None once the connection is closing."""
    if not connection._running:
        return None
    future = asyncio.get_running_loop().create_future()
    connection._tx.put_nowait((future, lambda: job(connection._conn)))
    return future


def asyncpg_pool(client: AsyncpgDBClient) -> Any:
    """The asyncpg pool of a PostgreSQL client (None until it is opened)."""
    return client._pool


# --- The start-up check --------------------------------------------------------------------


def installed(package: str) -> str:
    """The installed version of a package ("python": the interpreter's)."""
    if package == PYTHON:
        return platform.python_version()
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "(not installed)"


def untested(package: str) -> bool:
    """Whether the installed release of a package is not the tested major and minor one."""
    tested = TESTED.get(package)
    if tested is None:
        return False
    found = re.match(r"\d+\.\d+", installed(package))
    return found is None or found.group() != tested


def _package(package: str) -> str:
    tested = TESTED.get(package)
    return f"{package} {installed(package)}" + (f" (tested: {tested}.x)" if tested else "")


def _install(packages: Sequence[str]) -> str:
    pins = " ".join(f"'{p}=={TESTED[p]}.*'" for p in sorted(set(packages)) if p in TESTED)
    return f"pip install {pins}" if pins else "the tested releases"


def missing_message(gone: Sequence[Private], fast_path: bool) -> str:
    """What is missing, from which installed package, who uses it, and what to do."""
    lines = ["An installed package no longer has a private name that this app uses:"]
    lines += [
        f"  {_package(private.package)} has no {private.dotted}, used by {private.used_by}"
        for private in gone
    ]
    lines.append(
        "What to do: read the package's changes, update service/compat.py and the code that "
        "uses the name, and run the differential test (.venv/bin/python -m pytest "
        f"tests/test_fast_path.py tests/test_compat.py); or pin back: "
        f"{_install([private.package for private in gone])}."
    )
    if fast_path and all(private.fast_path for private in gone):
        lines.append("Or set FAST_PATH=false to serve without the fast path, which needs none.")
    elif fast_path:
        lines.append("FAST_PATH=false does not help: the name is used without the fast path too.")
    return "\n".join(lines)


def untested_message(package: str, fast_path: bool) -> str:
    """The warning for a package whose installed release is not the tested one."""
    return (
        f"{_package(package)}: every private name this app uses is still there, but it was "
        "tested with another release, and their behaviour may have changed. Run "
        ".venv/bin/python -m pytest tests/test_fast_path.py tests/test_compat.py, then set "
        f"TESTED in service/compat.py to the release that passes; or pin back: "
        f"{_install([package])}."
        + (
            " Meanwhile operations the fast path gives up on are answered by graphql-core and "
            'counted in /metrics as elections_graphql_fast_path_total{outcome="fallback"}; '
            "FAST_PATH=false turns the fast path off."
            if fast_path
            else ""
        )
    )


def check(schema: strawberry.Schema, fast_path: bool) -> list[str]:
    """Checks at start that every private name the settings need is there, and that each
    package is the tested release: raises IncompatibleError for a missing name that is used;
    returns the warnings (another release, or a missing name that FAST_PATH=false leaves
    unused), which it also logs."""
    gone = [private for private in NAMES if not private.present(schema)]
    used = [private for private in gone if fast_path or not private.fast_path]
    if used:
        raise IncompatibleError(missing_message(used, fast_path))
    warnings = [untested_message(package, fast_path) for package in TESTED if untested(package)]
    if gone:
        warnings.append(
            "The fast path is off (FAST_PATH=false), and it could not be turned on:\n"
            + missing_message(gone, fast_path)
        )
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


__all__ = [
    "DEFINITION_BACKREF",
    "NAMES",
    "NODE_ID",
    "TESTED",
    "TYPE_CAST_ATTRIBUTE",
    "AsyncpgDBClient",
    "BaseGraphQLTransportWSHandler",
    "FieldDetails",
    "HttpToolsProtocol",
    "IncompatibleError",
    "MaybeNullValidationRule",
    "OneOfInputValidationRule",
    "Private",
    "ScalarDefinition",
    "SqliteClient",
    "SqliteTransactionWrapper",
    "StrawberryEnumDefinition",
    "StrawberryField",
    "StrawberryGraphQLCoreExecutionContext",
    "StrawberryList",
    "StrawberryObjectDefinition",
    "StrawberryOptional",
    "StrawberryType",
    "WebSocketsSansIOProtocol",
    "asyncpg_pool",
    "check",
    "collect_fields",
    "context_kwargs",
    "get_arguments",
    "graphql_schema",
    "is_private",
    "sqlite_connection",
    "sqlite_job",
    "sqlite_lock",
    "strawberry_schema",
    "subfields",
    "unblock",
]
