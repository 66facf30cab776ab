"""Database: Tortoise configuration for SQLite (the default) or PostgreSQL (asyncpg), and the
migrations (Tortoise's own, in the `migrations` package) that create and update its tables."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.context import require_context
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.migration import Migration
from tortoise.migrations.schema_editor import (
    AsyncpgSchemaEditor,
    BaseSchemaEditor,
    SqliteSchemaEditor,
)
from tortoise.migrations.schema_generator.state import State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.transactions import in_transaction

from service.settings import Pool, load_settings

# Typed as Tortoise's generate_config takes it.
MODULES: dict[str, Iterable[str | ModuleType]] = {"models": ["models"]}
#: The app of our models, and the package of its migrations.
APP = "models"
MIGRATIONS = "migrations"
#: The table where Tortoise records the migrations applied to a database.
HISTORY_TABLE = "tortoise_migrations"
# A PostgreSQL advisory lock, held while migrating, so that servers starting together on one
# database migrate it one after the other: the later ones find nothing left to do.
_LOCK_KEY = 0x656C_6563_7469_6F6E  # "election"

#: A database's tables as the database describes them: see `describe`. (Not a GraphQL schema,
#: which is schema.Schema.)
Layout = dict[str, dict[str, Any]]


def _apps() -> dict[str, dict[str, Any]]:
    return {
        APP: {"models": MODULES[APP], "default_connection": "default", "migrations": MIGRATIONS}
    }


# What Tortoise and asyncpg would read from DATABASE_URL's query string for the pool: the
# Pool settings say it instead, in one place.
_POOL_PARAMETERS = frozenset(
    {"minsize", "maxsize", "min_size", "max_size", "timeout", "command_timeout"}
)


def default_client() -> BaseDBAsyncClient:
    """The default database's client, in the current Tortoise context: looked up as
    Tortoise's own docs advise (`ctx.connections.get`), for every statement a request reads.
    Its `connections` proxy imports the context's module and delegates on each call: 2.2 µs,
    against 0.5 here. It fails as the proxy does: without a context, or without a database."""
    return require_context().connections.get("default")


async def keep_session(connection: object) -> None:
    """asyncpg's pool `reset`, run as a connection goes back to the pool: nothing.

    asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL;` after every statement Tortoise runs, a second round trip each time. Nothing
    here leaves such state on a connection: no session advisory lock (migrating takes a
    transaction's), no cursor, LISTEN or SET. asyncpg still rolls back a transaction left open
    before calling this. Whatever comes to need session state must undo it here.
    """


def tortoise_config(
    database_url: str, pool: Pool | None = None, sqlite_busy_timeout: float | None = None
) -> dict[str, Any]:
    """The Tortoise config for a URL: sqlite://path.sqlite3 or postgres://user@host:port/db,
    with `pool` (default: Pool()) for PostgreSQL's connections.

    With `sqlite_busy_timeout` (seconds), an SQLite write waits that long for a lock another
    process holds (Tortoise runs each URL parameter as a PRAGMA); the default is sqlite3's 5 s.
    """
    if not database_url.startswith(("sqlite://", "postgres://", "asyncpg://")):
        raise ValueError(
            f"DATABASE_URL must start with sqlite:// or postgres://, got {database_url!r}"
        )
    if sqlite_busy_timeout is not None and database_url.startswith("sqlite://"):
        joiner = "&" if "?" in database_url else "?"
        database_url += f"{joiner}busy_timeout={round(sqlite_busy_timeout * 1000)}"
    connection: str | dict[str, Any] = database_url
    if not database_url.startswith("sqlite://"):
        pool = pool or Pool()
        connection = expand_db_url(database_url)
        credentials: dict[str, Any] = connection["credentials"]
        given = sorted(_POOL_PARAMETERS & credentials.keys())
        if given:
            raise ValueError(
                f"DATABASE_URL must not set {', '.join(given)}: the pool and its timeouts are "
                "DB_POOL_MIN, DB_POOL_MAX, DB_CONNECT_TIMEOUT and DB_STATEMENT_TIMEOUT"
            )
        # Tortoise's names for the pool's size; the rest go to asyncpg as they are.
        credentials.update(
            minsize=pool.min_size,
            maxsize=pool.max_size,
            timeout=pool.connect_timeout,
            reset=keep_session,
            # PostgreSQL's JIT compiles a plan's expressions when its cost estimate is high,
            # which the computed fields' expressions (who won, by which rule) reach over a few
            # thousand rows: `elections(filter: {popularVoteLeaderWon: false})` over the
            # bundled data took 5-7.5 s with JIT and 0.45 s without. Our queries are short and
            # many, the kind JIT does not pay for. Timestamps are read as text (schema/rows.py)
            # and parsed as ISO 8601, which DateStyle "ISO" writes whatever the server's own.
            server_settings={"jit": "off", "DateStyle": "ISO"},
        )
        if pool.statement_timeout:
            # asyncpg's: on expiry it cancels the statement on the server and raises
            # TimeoutError; it also ends the wait on a server that stopped answering.
            credentials["command_timeout"] = pool.statement_timeout
    return {
        "connections": {"default": connection},
        "apps": _apps(),
        "use_tz": True,
        "timezone": "UTC",
    }


# TORTOISE_ORM is the config for Tortoise's own command, with DATABASE_URL from the settings:
# `tortoise -c database.TORTOISE_ORM makemigrations` (or history, sqlmigrate, downgrade).
# Built when asked for, so that importing this module never reads the settings.
if TYPE_CHECKING:
    TORTOISE_ORM: dict[str, Any]
else:

    def __getattr__(name: str) -> Any:
        if name == "TORTOISE_ORM":
            settings = load_settings()
            return tortoise_config(settings.database_url, settings.pool)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class MigrationError(Exception):
    """The database cannot be brought up to date with the migrations."""


@asynccontextmanager
async def connected(
    database_url: str, report: Callable[[str], object] | None = None
) -> AsyncIterator[list[str]]:
    """Tortoise set up for one command-line run, the database migrated, closed after.

    Yields what migrating did (see `migrate`), each line also given to `report`.
    """
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        yield await migrate(report)
    finally:
        await Tortoise.close_connections()


async def migrate(
    report: Callable[[str], object] | None = None, connection_name: str = "default"
) -> list[str]:
    """Apply the migrations the database lacks, on Tortoise's open connection.

    Returns a line per migration applied (empty when the database is up to date), each also
    given to `report`. On PostgreSQL they all run in one transaction, under a lock that makes
    servers starting together on one database take turns: if one fails, none is applied. On
    SQLite each runs in a transaction of its own, with foreign keys checked after rather than
    during. A failure raises MigrationError, saying which migration failed and why.

    A database whose tables were created before migrations existed (by generate_schemas,
    so with no migration history) is adopted: if it holds every table and column of the
    initial migration, that migration is recorded as applied without being run; if it holds
    only some of them, MigrationError says what is missing.
    """
    connection = get_connection(connection_name)
    if connection.capabilities.dialect == "postgres":
        async with in_transaction(connection_name) as transaction:
            await transaction.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK_KEY])
            lines = await _migrate(transaction, AsyncpgSchemaEditor, atomic=True)
    else:
        # Not in one transaction: Tortoise creates its history table on SQLite with
        # executescript, which commits any open transaction. And with foreign keys off, as
        # SQLite advises for schema changes: to alter a column Tortoise copies the table and
        # drops the old one, which with foreign keys on would delete the rows referring to
        # it (ON DELETE CASCADE) or fail (RESTRICT). They are checked after.
        _, rows = await connection.execute_query("PRAGMA foreign_keys")
        enforced = bool(rows and rows[0][0])
        await connection.execute_script("PRAGMA foreign_keys = OFF")
        try:
            lines = await _migrate(connection, SqliteSchemaEditor, atomic=False)
            broken = await connection.execute_query_dict("PRAGMA foreign_key_check")
        finally:
            await connection.execute_script(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
        if broken:
            where = ", ".join(sorted({f"{row['table']} -> {row['parent']}" for row in broken}))
            raise MigrationError(f"migrating left rows referring to rows that are gone: {where}")
    for line in lines:
        if report is not None:
            report(line)
    return lines


async def _migrate(
    connection: BaseDBAsyncClient, editor: type[BaseSchemaEditor], *, atomic: bool
) -> list[str]:
    lines: list[str] = []
    executor = MigrationExecutor(connection, _apps())
    # The history table first: reading it while it is missing (as planning does) fails,
    # which on PostgreSQL would abort the transaction.
    await executor.recorder.ensure_schema(editor(connection, atomic=False))
    plan = await executor.plan()
    if plan and plan[0].migration.initial and not plan[0].backward:
        initial = plan[0].migration
        if await _made_before_migrations(connection, initial):
            await executor.recorder.record_applied(initial.app_label, initial.name)
            lines.append(
                f"adopted {initial.app_label}.{initial.name}: its tables were already there "
                "(created before migrations), so it was recorded as applied, not run"
            )
    started: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_start":
            started.append(f"{app_label}.{name}")

    try:
        await executor.migrate(progress=progress)
    except Exception as exc:
        failed = started.pop() if started else "planning"
        if atomic or not started:
            outcome = "nothing was applied"
        else:
            outcome = f"applied before it: {', '.join(started)}"
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise MigrationError(f"{failed} failed ({outcome}): {reason}") from exc
    return lines + [f"applied {name}" for name in started]


async def _made_before_migrations(connection: BaseDBAsyncClient, initial: Migration) -> bool:
    """Whether the database holds the tables `initial` creates, made without it.

    True if it holds all of them with all their columns; False if it holds none of them;
    MigrationError, saying what is missing, if it holds some.
    """
    state = State(models={}, apps=StateApps(default_connections={APP: "default"}))
    await initial.apply(state, dry_run=True)
    wanted: dict[str, set[str]] = {}
    for model in state.apps[APP].values():
        meta = model._meta
        wanted.setdefault(meta.db_table, set()).update(meta.fields_db_projection.values())
        for name in meta.m2m_fields:
            field = meta.fields_map[name]
            if isinstance(field, ManyToManyFieldInstance):
                keys = {field.forward_key, field.backward_key}
                wanted.setdefault(field.through, set()).update(keys)
    schema = await describe(connection)
    present = sorted(table for table in wanted if table in schema)
    if not present:
        return False
    missing = [f"table {table}" for table in sorted(wanted) if table not in schema]
    for table in present:
        missing += [
            f"{table}.{column}"
            for column in sorted(wanted[table] - schema[table]["columns"].keys())
        ]
    if missing:
        raise MigrationError(
            f"the database has tables made before migrations that differ from "
            f"{initial.app_label}.{initial.name}: it lacks {', '.join(missing)}. Load the data "
            "into a new database instead"
        )
    return True


# --- What a database holds ------------------------------------------------------------------


async def describe(connection: BaseDBAsyncClient) -> Layout:
    """The tables of the database, normalised for comparing two databases: per table, its
    columns (type, nullability, default), its indexes and its constraints (unique, primary
    and foreign keys, with their actions), in an order of their own. Index and constraint
    names are left out: Tortoise names them differently when it creates them with their
    table and when it adds them later.

    SQLite: from PRAGMA table_xinfo, index_list, index_info and foreign_key_list.
    PostgreSQL (the current schema): from information_schema, pg_indexes and pg_constraint,
    with column comments.
    """
    if connection.capabilities.dialect == "postgres":
        return await _describe_postgres(connection)
    return await _describe_sqlite(connection)


async def _rows(connection: BaseDBAsyncClient, sql: str) -> list[dict[str, Any]]:
    _, rows = await connection.execute_query(sql)
    return [dict(row) for row in rows]


async def _describe_sqlite(connection: BaseDBAsyncClient) -> Layout:
    schema: Layout = {}
    tables = await _rows(
        connection,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    for table in sorted(row["name"] for row in tables):
        quoted = '"' + table.replace('"', '""') + '"'
        columns = {
            row["name"]: {
                "type": row["type"].upper(),
                "null": not row["notnull"],
                "default": row["dflt_value"],
                "primary_key": row["pk"],
            }
            for row in await _rows(connection, f"PRAGMA table_xinfo({quoted})")
        }
        indexes = []
        for index in await _rows(connection, f"PRAGMA index_list({quoted})"):
            name = '"' + index["name"].replace('"', '""') + '"'
            info = sorted(await _rows(connection, f"PRAGMA index_info({name})"), key=_seqno)
            kind = "primary key" if index["origin"] == "pk" else "index"
            indexes.append(
                (
                    f"{'unique ' if index['unique'] and kind == 'index' else ''}{kind}",
                    tuple(row["name"] for row in info),
                    "partial" if index["partial"] else "",
                )
            )
        keys: dict[int, list[dict[str, Any]]] = {}
        for row in await _rows(connection, f"PRAGMA foreign_key_list({quoted})"):
            keys.setdefault(row["id"], []).append(row)
        foreign_keys = []
        for parts in keys.values():
            parts.sort(key=_seqno)
            foreign_keys.append(
                (
                    tuple(part["from"] for part in parts),
                    parts[0]["table"],
                    tuple(part["to"] for part in parts),
                    f"ON DELETE {parts[0]['on_delete']}",
                    f"ON UPDATE {parts[0]['on_update']}",
                )
            )
        schema[table] = {
            "columns": columns,
            "indexes": sorted(indexes),
            "foreign_keys": sorted(foreign_keys),
        }
    return schema


def _seqno(row: dict[str, Any]) -> int:
    return int(row["seqno"] if "seqno" in row else row["seq"])


async def _describe_postgres(connection: BaseDBAsyncClient) -> Layout:
    schema: Layout = {}
    for row in await _rows(
        connection,
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    ):
        schema[row["table_name"]] = {"columns": {}, "indexes": [], "constraints": []}
    for row in await _rows(
        connection,
        "SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length,"
        " c.numeric_precision, c.numeric_scale, c.is_nullable, c.column_default,"
        " col_description(format('%I.%I', c.table_schema, c.table_name)::regclass,"
        " c.ordinal_position) AS comment"
        " FROM information_schema.columns c WHERE c.table_schema = current_schema()",
    ):
        if row["table_name"] not in schema:
            continue  # a view's
        size = row["character_maximum_length"]
        if row["data_type"] == "numeric" and row["numeric_precision"] is not None:
            size = f"{row['numeric_precision']},{row['numeric_scale']}"
        schema[row["table_name"]]["columns"][row["column_name"]] = {
            "type": f"{row['data_type']}({size})" if size is not None else row["data_type"],
            "null": row["is_nullable"] == "YES",
            "default": row["column_default"],
            "comment": row["comment"],
        }
    for row in await _rows(
        connection,
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
    ):
        # "CREATE UNIQUE INDEX name ON schema.table USING btree (col)", without the names.
        definition = re.sub(r" INDEX \S+ ON \S+ ", " INDEX ON ", row["indexdef"])
        schema[row["tablename"]]["indexes"].append(definition)
    for row in await _rows(
        connection,
        "SELECT t.relname AS table_name, c.contype::text, pg_get_constraintdef(c.oid) AS definition"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " WHERE t.relnamespace = current_schema()::regnamespace",
    ):
        kind = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check"}
        schema[row["table_name"]]["constraints"].append(
            (kind.get(row["contype"], row["contype"]), row["definition"])
        )
    for table in schema.values():
        table["indexes"].sort()
        table["constraints"].sort()
    return schema
