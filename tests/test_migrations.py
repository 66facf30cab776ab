"""Migrations: the committed ones build the schema the models describe, and `migrate` applies
each of them once.

Databases are of the run's backend (TEST_DATABASE): SQLite in memory or in files, or new
PostgreSQL databases, dropped after. A schema is compared as `database.describe` reads it
back from the database: tables, columns (type, nullability, default; comments on
PostgreSQL), indexes, and unique, primary and foreign keys with their actions.
"""

from __future__ import annotations

import ast
import asyncio
import re
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

import loader
from models.search import search_name
from service import cli, database
from service.database import APP, HISTORY_TABLE, MigrationError, describe, migrate, tortoise_config
from service.settings import ROOT
from tests.support.databases import (
    BACKEND,
    Snapshot,
    create_database,
    database_url,
    drop_database,
    new_database_url,
    snapshot,
)
from tests.support.world import WORLD

MIGRATIONS_FOLDER = ROOT / "migrations"
INITIAL = f"{APP}.0001_initial"
SEARCH_NAMES = f"{APP}.0002_search_names"
#: The last migration whose changes a database made before migrations can be rebuilt with by
#: dropping tables and columns (later ones add foreign keys, which SQLite cannot drop).
CURATION = "0003_curation"
#: What migrating a new database reports: every committed migration, in order.
APPLIED_ALL = [f"applied {APP}.{path.stem}" for path in sorted(MIGRATIONS_FOLDER.glob("[0-9]*.py"))]
#: The tables to which SEARCH_NAMES adds a `search_name` column: databases made before lack it.
SEARCH_NAME_TABLES = ("area", "organization", "person")
#: Tables that migrations after the initial one create: a database made before migrations
#: existed has none of them.
LATER_TABLES = ("api_token", "audit_entry")
HOW_TO_MIGRATE = (
    "make a migration for it: `.venv/bin/tortoise -c service.database.TORTOISE_ORM"
    " makemigrations --name WHAT_CHANGED`, then `.venv/bin/ruff check --fix migrations`,"
    " `.venv/bin/ruff format migrations`; review it and commit it with the model change"
    " (docs/migrations.md)"
)


@asynccontextmanager
async def empty_database(purpose: str) -> AsyncIterator[TortoiseContext]:
    """A TortoiseContext, current within, on a new database without any table, dropped after."""
    url = database_url(purpose)
    try:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url), _create_db=True)
            yield ctx
    finally:
        await drop_database(url)


#: Foreign key columns that migrations after CURATION add.
LATER_FOREIGN_KEYS = {"candidacy": ("alliance_id",), "tally": ("area_id",)}


async def drop_sqlite_columns(
    connection: BaseDBAsyncClient, table: str, columns: tuple[str, ...]
) -> None:
    """Drop foreign key columns from an SQLite table, which ALTER TABLE cannot do."""
    _, rows = await connection.execute_query(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ?", [table]
    )
    create = next(row["sql"] for row in rows if row["type"] == "table")
    indexes = [row["sql"] for row in rows if row["type"] == "index" and row["sql"]]
    present = [
        row["name"] for row in (await connection.execute_query(f'PRAGMA table_info("{table}")'))[1]
    ]
    if not set(columns) & set(present):
        return
    kept = [name for name in present if name not in columns]
    # The definitions between the outer parentheses, split at the commas between them.
    head, body = create[: create.index("(")], create[create.index("(") + 1 : create.rindex(")")]
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    kept_parts = [part for part in parts if not any(f'"{c}"' in part for c in columns)]
    names = ", ".join(f'"{name}"' for name in kept)
    script = re.sub(r'^CREATE TABLE\s+("[^"]+"|\S+)', 'CREATE TABLE "rebuilt"', head)
    script += "(" + ",".join(kept_parts) + ")"
    await connection.execute_script(
        f"{script};"
        f'INSERT INTO "rebuilt" ({names}) SELECT {names} FROM "{table}";'
        f'DROP TABLE "{table}";'
        f'ALTER TABLE "rebuilt" RENAME TO "{table}";'
        + "".join(f"{sql};" for sql in indexes if not any(f'"{c}"' in sql for c in columns))
    )


#: Tables that migrations after CURATION create: undoing them loses their rows.
TABLES_AFTER_CURATION = {
    "cabinet",
    "cabinet_party",
    "cabinet_source",
    "dataset",
    "organization_link",
    "organization_link_source",
    "organization_name",
    "organization_name_source",
    "organization_source",
}


def without_later_tables(rows: Snapshot) -> Snapshot:
    """The rows as undoing the migrations after CURATION leaves them: the tables they create
    empty, and organizations without the other names they add (so searched by name and
    short name alone, as 0002_search_names folds them)."""
    undone: Snapshot = {}
    for table, found in rows.items():
        if table in TABLES_AFTER_CURATION:
            undone[table] = []
        elif table == "organization":
            undone[table] = [
                {
                    **row,
                    "also_known_as": None,
                    "search_name": search_name([row["name"], row["short_name"]]),
                }
                for row in found
            ]
        else:
            undone[table] = found
    return undone


async def without_timestamps(rows: Snapshot) -> Snapshot:
    return {
        table: [
            {k: v for k, v in row.items() if k not in ("created_at", "updated_at")} for row in found
        ]
        for table, found in rows.items()
    }


async def undo_after(connection: BaseDBAsyncClient, name: str, forget: bool = True) -> None:
    """Undo the migrations after `name` on a database migrated to the last one, and forget
    every migration applied (the history table goes), as in a database made before them."""
    executor = MigrationExecutor(connection, database._apps())
    sqlite = connection.capabilities.dialect == "sqlite"
    indexes: list[tuple[str, str]] = []
    if sqlite:  # as `migrate` does: SQLite's tables are rebuilt with foreign keys off
        await connection.execute_script("PRAGMA foreign_keys = OFF")
        _, rows = await connection.execute_query(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        indexes = [(row["tbl_name"], row["sql"]) for row in rows]
    await executor.migrate(targets=[MigrationTarget(APP, name)])
    if sqlite:
        # Tortoise (1.1.9) leaves the foreign key columns it should remove on SQLite: those
        # go here, the way SQLite documents (a new table, the rows copied, renamed).
        for table, columns in LATER_FOREIGN_KEYS.items():
            await drop_sqlite_columns(connection, table, columns)
        # Tortoise's rebuilt tables lack their indexes (docs/migrations.md): put back those of
        # the tables and columns still there.
        _, rows = await connection.execute_query("SELECT name FROM sqlite_master")
        present = {row["name"] for row in rows}
        dropped = {c for columns in LATER_FOREIGN_KEYS.values() for c in columns}
        for table, sql in indexes:
            if table in present and not any(f'"{c}"' in sql for c in dropped):
                await connection.execute_script(sql.replace("INDEX", "INDEX IF NOT EXISTS", 1))
        await connection.execute_script("PRAGMA foreign_keys = ON")
    if forget:
        await connection.execute_script(f'DROP TABLE "{HISTORY_TABLE}"')


def model_tables(ctx: TortoiseContext) -> set[str]:
    """The tables the models ask for: one per model, one per many-to-many relation."""
    assert ctx.apps is not None
    tables: set[str] = set()
    for model in ctx.apps[APP].values():
        tables.add(model._meta.db_table)
        for name in model._meta.m2m_fields:
            field = model._meta.fields_map[name]
            assert isinstance(field, ManyToManyFieldInstance)
            tables.add(field.through)
    return tables


# --- The migrations against the models ------------------------------------------------------


async def test_migrating_an_empty_database_gives_the_schema_generate_schemas_does() -> None:
    async with empty_database("generated") as ctx:
        await ctx.generate_schemas(safe=False)
        generated = await describe(get_connection("default"))
        tables = model_tables(ctx)
    async with empty_database("migrated"):
        assert await migrate() == APPLIED_ALL
        migrated = await describe(get_connection("default"))

    # The comparison means something: every table is there, with what it holds.
    assert set(generated) == tables
    assert all(table["columns"] and table["indexes"] for table in generated.values())
    keys = "foreign_keys" if BACKEND == "sqlite" else "constraints"
    assert sum(len(table[keys]) for table in generated.values()) > 30
    # Migrating adds the history of migrations, and nothing else differs.
    history = migrated.pop(HISTORY_TABLE)
    assert set(history["columns"]) == {"id", "app", "name", "applied_at"}
    assert migrated == generated


async def test_the_migrations_match_the_models() -> None:
    async with empty_database("models") as ctx:
        assert ctx.apps is not None
        # What `tortoise makemigrations` would write, without writing it.
        writers = await MigrationAutodetector(ctx.apps, database._apps()).changes()
    changes = [operation.describe() for writer in writers for operation in writer.operations]
    assert not changes, (
        f"The models differ from the migrations in {MIGRATIONS_FOLDER}: {'; '.join(changes)}."
        f" To {HOW_TO_MIGRATE}."
    )


def test_the_migrations_load_with_the_packages_the_app_needs() -> None:
    # makemigrations writes a JSONField's encoder and decoder, which Tortoise picks by whether
    # orjson is installed: a migration naming them would not load where it is not. They are
    # no part of the schema, so migrations leave them out.
    for path in sorted(MIGRATIONS_FOLDER.glob("[0-9]*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword):
                assert node.arg not in ("encoder", "decoder"), (
                    f"{path.name}:{node.value.lineno}: remove the JSONField's {node.arg} (and"
                    " its import): it is no part of the schema, and depends on what is installed"
                )
            if isinstance(node, ast.Import | ast.ImportFrom):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    names = [node.module or ""]
                for name in names:
                    top = name.split(".")[0]
                    # `search`: the app's own folding, which fills the derived search names.
                    allowed = ("tortoise", "models", "search")
                    assert top in allowed or top in sys.stdlib_module_names, (
                        f"{path.name}:{node.lineno}: imports {name}, which the app does not need"
                    )


# --- Applying them ----------------------------------------------------------------------------


async def test_migrate_twice_applies_once_and_the_fixtures_load() -> None:
    async with empty_database("twice"):
        connection = get_connection("default")
        reported: list[str] = []
        assert await migrate(report=reported.append) == APPLIED_ALL
        assert reported == APPLIED_ALL
        schema = await describe(connection)

        assert await migrate(report=reported.append) == []
        assert reported == APPLIED_ALL
        assert await describe(connection) == schema
        _, rows = await connection.execute_query(f'SELECT app, name FROM "{HISTORY_TABLE}"')
        assert [f"applied {row['app']}.{row['name']}" for row in rows] == APPLIED_ALL

        assert (await loader.load([WORLD])).changed == 414
        assert (await loader.load([WORLD])).changed == 0
        assert await migrate() == []


async def test_a_database_made_before_migrations_is_adopted() -> None:
    async with empty_database("adopted"):
        assert await migrate() == APPLIED_ALL
        await loader.load([WORLD])
        connection = get_connection("default")
        schema = await describe(connection)
        rows = await snapshot(timestamps=True)
        # As such a database was made: without what the migrations after 0003_curation add
        # (undone by Tortoise, as `tortoise downgrade` would), before the search names, so
        # without their columns, and before the tables that later migrations create.
        await undo_after(connection, CURATION)
        for table in SEARCH_NAME_TABLES:
            await connection.execute_script(f'ALTER TABLE "{table}" DROP COLUMN "search_name"')
        await connection.execute_script("".join(f'DROP TABLE "{table}";' for table in LATER_TABLES))

        adopted_line, *later = await migrate()
        assert adopted_line.startswith(f"adopted {INITIAL}: its tables were already there")
        # The later migrations run: the names are folded as the loader folds them.
        assert later == APPLIED_ALL[1:]
        assert later[0] == f"applied {SEARCH_NAMES}"
        assert await migrate() == []
        adopted = await describe(connection)
        assert adopted.pop(HISTORY_TABLE)
        schema.pop(HISTORY_TABLE, None)
        assert adopted == schema
        # Every row is kept but those of the tables undone (organizations' sources, other
        # names), which a load puts back as they were.
        assert await snapshot(timestamps=True) == without_later_tables(rows)
        await loader.load([WORLD])
        assert await snapshot(timestamps=False) == await without_timestamps(rows)


async def test_search_names_are_filled_in_for_the_rows_already_there() -> None:
    # A database at 0001_initial with data in it, as every one was before 0002_search_names.
    async with empty_database("upgrade"):
        connection = get_connection("default")
        assert await migrate() == APPLIED_ALL
        await loader.load([WORLD])
        schema = await describe(connection)
        rows = await snapshot(timestamps=True)
        assert {row["search_name"] for row in rows["person"]} >= {"ilham aliav", "zahid oruc"}
        # Back to 0001_initial: the later migrations' columns and tables, and their history.
        await undo_after(connection, CURATION, forget=False)
        for table in SEARCH_NAME_TABLES:
            await connection.execute_script(f'ALTER TABLE "{table}" DROP COLUMN "search_name"')
        await connection.execute_script(
            "".join(f'DROP TABLE "{table}";' for table in LATER_TABLES)
            + f"DELETE FROM \"{HISTORY_TABLE}\" WHERE name <> '0001_initial'"
        )

        assert await migrate() == APPLIED_ALL[1:]
        assert await describe(connection) == schema
        assert await snapshot(timestamps=True) == without_later_tables(rows)


async def test_search_names_are_folded_anew_for_the_rows_already_there() -> None:
    # A database at 0004_data_sets whose names were folded the old way (ş as sh, ç as ch, ə
    # as a but e kept), as every one was before 0005_search_folds_both_ways.
    async with empty_database("refold"):
        connection = get_connection("default")
        assert await migrate() == APPLIED_ALL
        await loader.load([WORLD])
        rows = await snapshot(timestamps=True)
        assert "lala sovkat haciava" in {row["search_name"] for row in rows["person"]}
        await connection.execute_script(
            "UPDATE person SET search_name = 'lala shovket hajieva' "
            "WHERE key = 'lala-shovket-hajiyeva';"
            "UPDATE area SET search_name = '';"
            f"DELETE FROM \"{HISTORY_TABLE}\" WHERE name = '0005_search_folds_both_ways'"
        )
        assert await migrate() == [f"applied {APP}.0005_search_folds_both_ways"]
        assert await snapshot(timestamps=True) == rows


async def test_a_database_made_before_migrations_that_differs_is_refused() -> None:

    async with empty_database("differs") as ctx:
        await ctx.generate_schemas(safe=False)
        connection = get_connection("default")
        await connection.execute_script(
            'ALTER TABLE "statement" DROP COLUMN "actor_description"; DROP TABLE "legal_case_judge"'
        )
        with pytest.raises(MigrationError) as caught:
            await migrate()
        assert str(caught.value) == (
            f"the database has tables made before migrations that differ from {INITIAL}: it"
            " lacks table legal_case_judge, statement.actor_description. Load the data into a"
            " new database instead"
        )
        # Nothing recorded (on PostgreSQL, not even the history table).
        if HISTORY_TABLE in await describe(connection):
            assert await connection.execute_query_dict(f'SELECT * FROM "{HISTORY_TABLE}"') == []


SECOND_MIGRATION = """\
from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]
    operations = [{operation}]
"""


@pytest.fixture
def second_migration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[str], None]:
    """Makes the app's migrations 0001_initial and 0002_second, whose one operation is given,
    in a package of their own."""

    def make(operation: str) -> None:
        package = f"migrations_{uuid.uuid4().hex[:8]}"
        folder = tmp_path / package
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        shutil.copy(MIGRATIONS_FOLDER / "0001_initial.py", folder)
        (folder / "0002_second.py").write_text(SECOND_MIGRATION.format(operation=operation))
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.setattr(database, "MIGRATIONS", package)

    return make


async def test_a_failing_migration_is_named(second_migration: Callable[[str], None]) -> None:
    second_migration("ops.RunSQL('SELECT * FROM no_such_table')")
    async with empty_database("broken"):
        with pytest.raises(MigrationError) as caught:
            await migrate()
        message = str(caught.value)
        tables = await describe(get_connection("default"))
    assert "no_such_table" in message
    if BACKEND == "postgres":
        # One transaction: the initial migration, and the history, went with the failed one.
        assert message.startswith(f"{APP}.0002_second failed (nothing was applied): ")
        assert tables == {}
    else:
        assert message.startswith(f"{APP}.0002_second failed (applied before it: {INITIAL}): ")
        assert {HISTORY_TABLE, "statement"} <= set(tables)


async def test_altering_a_column_keeps_the_rows_referring_to_its_table(
    second_migration: Callable[[str], None],
) -> None:
    # On SQLite Tortoise alters a column by copying its table and dropping the old one, which
    # with foreign keys enforced would delete every tally line (ON DELETE CASCADE).
    async with empty_database("alter"):
        connection = get_connection("default")
        assert await migrate() == APPLIED_ALL
        await loader.load([WORLD])
        count = "SELECT COUNT(*) AS n FROM tally_line"
        lines = await connection.execute_query_dict(count)
        second_migration(
            "ops.AlterField(model_name='Tally', name='summary',"
            " field=fields.CharField(max_length=2000, null=True))"
        )
        assert await migrate() == [f"applied {APP}.0002_second"]
        assert await connection.execute_query_dict(count) == lines != [{"n": 0}]
        assert (await describe(connection))["tally"]["columns"]["summary"]["type"] in (
            "VARCHAR(2000)",
            "character varying(2000)",
        )
        if BACKEND == "sqlite":
            assert await connection.execute_query_dict("PRAGMA foreign_keys") == [
                {"foreign_keys": 1}
            ]


@pytest.mark.skipif(BACKEND != "postgres", reason="the migration lock is PostgreSQL's")
async def test_servers_starting_together_migrate_once() -> None:
    url = database_url("together")
    await create_database(url)
    try:

        async def start() -> list[str]:
            with TortoiseContext() as ctx:
                await ctx.init(config=tortoise_config(url))
                try:
                    return await migrate()
                finally:
                    await ctx.close_connections()

        results = await asyncio.gather(start(), start(), start())
        assert sorted(results) == [[], [], APPLIED_ALL]
    finally:
        await drop_database(url)


# --- elections migrate --------------------------------------------------------------------------
# Plain (sync) tests: cli.main runs its own event loop.


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[str]:
    """A URL for a database that is not there yet: an SQLite file, or a PostgreSQL database
    created empty."""
    with new_database_url(tmp_path, "cli") as url:
        yield url


def test_migrate_command(capsys: pytest.CaptureFixture[str], new_database: str) -> None:
    url = new_database
    assert cli.main(["migrate", "--database-url", url]) == 0
    assert capsys.readouterr() == ("".join(f"{line}\n" for line in APPLIED_ALL), "")

    assert cli.main(["migrate", "--database-url", url]) == 0
    assert capsys.readouterr() == ("up to date\n", "")

    assert cli.main(["load", str(WORLD), "--database-url", url]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("\n414 rows changed\n")
    assert err == ""
    assert cli.main(["migrate", "--database-url", url]) == 0
    assert capsys.readouterr() == ("up to date\n", "")


def test_migrate_command_help_and_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "\n    migrate " in capsys.readouterr().out
    assert cli.main(["migrate", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: elections migrate [-h] [--database-url URL]")

    assert cli.main(["migrate", "--database-url", "bogus"]) == 2
    assert capsys.readouterr() == (
        "",
        "elections: bad database URL 'bogus': DATABASE_URL must start with sqlite:// or"
        " postgres://, got 'bogus'\n",
    )


def test_migrate_command_refuses_a_database_it_cannot_adopt(
    capsys: pytest.CaptureFixture[str], new_database: str
) -> None:
    async def made_before_migrations() -> None:
        with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(new_database))
            try:
                await ctx.generate_schemas(safe=False)
                await get_connection("default").execute_script('DROP TABLE "legal_case_judge"')
            finally:
                await ctx.close_connections()

    asyncio.run(made_before_migrations())
    assert cli.main(["migrate", "--database-url", new_database]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("elections: cannot migrate database ")
    assert err.endswith(
        f": the database has tables made before migrations that differ from {INITIAL}: it lacks"
        " table legal_case_judge. Load the data into a new database instead\n"
    )
