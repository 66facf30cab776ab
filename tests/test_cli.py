"""The `elections` command line: exit codes, output, and what each command leaves behind.

The tests call `cli.main([...])` in-process, except those that run the installed console
script. They are plain (sync) tests on purpose: `main` runs its own event loop with
`asyncio.run`, which cannot be nested in pytest-asyncio's running loop.

In-process runs use databases of the test run's backend (TEST_DATABASE): SQLite files, or
new PostgreSQL databases. Not SQLite files under PostgreSQL: Tortoise builds each model's
base query for the dialect of the database it was last set up for, so an SQLite run in this
process would break the PostgreSQL tests that follow. What only SQLite does (validate
creating no database file) is tested through the console script, in a process of its own.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from tortoise.context import TortoiseContext, get_current_context

from service import cli
from tests.support.databases import BACKEND, POSTGRES_URL, new_database_url
from tests.support.settings import NAMES, clean_environment
from tests.support.world import WORLD

COMMANDS = ("serve", "load", "validate", "dump")

# Three problems: a reference to a country nowhere to be found, a key and a kind out of format.
BAD_FIXTURE = """\
countries:
  - code: "XX"
    name: "Nowhere"
areas:
  - key: "somewhere"
    name: "Somewhere"
    kind: "city"
    country: "ZZ"
  - key: "Bad Key"
    name: "Elsewhere"
    kind: "town"
    country: "XX"
"""

NewDatabase = Callable[[], str]

#: Records per section of the test world.
WORLD_RECORDS = {
    "sources": 94,
    "countries": 13,
    "areas": 6,
    "people": 46,
    "organizations": 74,
    "elections": 9,
    "candidacies": 62,
    "tallies": 34,
    "polling_stations": 6,
    "statements": 34,
    "legal_cases": 7,
    "exit_polls": 9,
    "endorsements": 12,
    "office_terms": 8,
}
RECORDS_OK = "414 records OK\n"


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting from the developer's environment or .env file leaks into a test."""
    clean_environment(monkeypatch)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[NewDatabase]:
    """Makes URLs of new, empty databases: SQLite files not yet created, or PostgreSQL ones."""
    numbers = itertools.count()
    with ExitStack() as made:

        def new() -> str:
            return made.enter_context(new_database_url(tmp_path, f"cli{next(numbers)}"))

        yield new


def bad_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FIXTURE, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """main() on the arguments: its exit status, stdout and stderr."""
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def console_script(cwd: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs the installed `elections` (or `python -m service.cli`) in `cwd`, without our
    settings."""
    script = Path(sys.executable).with_name("elections")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]
    env = {k: v for k, v in os.environ.items() if k not in NAMES}

    def elections(*argv: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *map(str, argv)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return elections


# --- Help and usage errors ----------------------------------------------------------------


def test_help_describes_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: elections ")
    for command in COMMANDS:
        assert f"\n    {command} " in out
    assert "exit status:" in out
    assert err == ""


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("serve", ["--host", "--port", "--reload"]),
        ("load", ["PATH", "--prune", "--database-url"]),
        ("validate", ["PATH", "--prune", "--database-url", "does not exist"]),
        ("dump", ["FOLDER", "--database-url"]),
    ],
)
def test_each_command_describes_its_options(
    capsys: pytest.CaptureFixture[str], command: str, options: list[str]
) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: elections {command} ")
    for option in options:
        assert option in " ".join(out.split())


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("usage: elections ")
    assert all(command in err for command in COMMANDS)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bogus"], "invalid choice: 'bogus'"),
        (["load"], "the following arguments are required: PATH"),
        (["validate"], "the following arguments are required: PATH"),
        (["dump"], "the following arguments are required: FOLDER"),
        (["load", "x.yaml", "--bogus"], "unrecognized arguments: --bogus"),
        (["serve", "--port", "http"], "not a port number: 'http'"),
        (["serve", "--port", "70000"], "not a port number (0-65535): 70000"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("usage: elections")
    assert "error: " in err
    assert message in err


# --- load ---------------------------------------------------------------------------------


def test_load_the_world_then_again_changes_nothing(
    capsys: pytest.CaptureFixture[str], new_database: NewDatabase
) -> None:
    url = new_database()
    counts = WORLD_RECORDS
    assert sum(counts.values()) == 414

    code, out, err = run(capsys, "load", WORLD, "--database-url", url)
    assert (code, err) == (0, "")
    *sections, last = out.splitlines()
    assert last == f"{sum(counts.values())} rows changed"
    for name, count in counts.items():
        assert f"{name}: {count} created, 0 updated, 0 unchanged, 0 deleted" in sections

    code, out, err = run(capsys, "load", WORLD, "--database-url", url)
    assert (code, err) == (0, "")
    *sections, last = out.splitlines()
    assert last == "nothing changed"
    for name, count in counts.items():
        assert f"{name}: 0 created, 0 updated, {count} unchanged, 0 deleted" in sections


def test_load_refuses_bad_files_and_lists_every_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_database: NewDatabase
) -> None:
    bad = bad_fixture(tmp_path)
    url = new_database()
    code, out, err = run(capsys, "load", bad, "--database-url", url)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"{bad}:8: areas[0].country: unknown country 'ZZ'",
        f"{bad}:9: areas[1].key: String should match pattern '^[a-z0-9][a-z0-9./_-]*$'",
        f"{bad}:11: areas[1].kind: Input should be 'region', 'district', 'municipality', "
        "'city' or 'disputed_territory'",
        "3 errors; nothing was written",
    ]
    # Nothing was written: the database dumps to empty sections.
    assert run(capsys, "dump", tmp_path / "dump", "--database-url", url)[0] == 0
    assert (tmp_path / "dump" / "02-countries.yaml").read_text() == "countries: []\n"


def test_load_reports_progress_of_long_sections(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_database: NewDatabase
) -> None:
    many = tmp_path / "people.yaml"
    many.write_text(
        "people:\n" + "".join(f'  - key: "p{i}"\n    name: "P {i}"\n' for i in range(1001)),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "load", many, "--database-url", new_database())
    assert code == 0
    assert out.splitlines() == [
        "people: 1001 created, 0 updated, 0 unchanged, 0 deleted",
        "1001 rows changed",
    ]
    assert err.splitlines() == ["people: 1000/1001", "people: 1001/1001"]


def test_load_prune_deletes_what_the_files_lack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_database: NewDatabase
) -> None:
    url = new_database()
    both = tmp_path / "both.yaml"
    both.write_text('countries:\n  - code: "XX"\n    name: "X"\n  - code: "YY"\n    name: "Y"\n')
    one = tmp_path / "one.yaml"
    one.write_text('countries:\n  - code: "XX"\n    name: "X"\n')
    assert run(capsys, "load", both, "--database-url", url)[:2] == (
        0,
        "countries: 2 created, 0 updated, 0 unchanged, 0 deleted\n2 rows changed\n",
    )
    code, out, err = run(capsys, "load", "--prune", one, "--database-url", url)
    assert (code, err) == (0, "")
    assert "countries: 0 created, 0 updated, 1 unchanged, 1 deleted" in out.splitlines()
    assert out.endswith("\n1 row changed\n")


# --- validate -----------------------------------------------------------------------------


def test_validate_the_world_counts_the_records(
    capsys: pytest.CaptureFixture[str], new_database: NewDatabase
) -> None:
    code, out, err = run(capsys, "validate", WORLD, "--database-url", new_database())
    assert (code, out, err) == (0, RECORDS_OK, "")


def test_validate_bad_file_lists_every_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_database: NewDatabase
) -> None:
    bad = bad_fixture(tmp_path)
    code, out, err = run(capsys, "validate", bad, "--database-url", new_database())
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert f"{bad}:8: areas[0].country: unknown country 'ZZ'" in lines
    assert len(lines) == 4
    assert lines[-1] == "3 errors; the files would not load"


def test_validate_looks_up_references_in_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_database: NewDatabase
) -> None:
    url = new_database()
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        'areas:\n  - key: "tbilisi"\n    name: "Tbilisi"\n    kind: "city"\n    country: "GE"\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "validate", extra, "--database-url", url)
    assert code == 1
    assert err.splitlines()[0] == f"{extra}:5: areas[0].country: unknown country 'GE'"

    assert run(capsys, "load", WORLD, "--database-url", url)[0] == 0
    assert run(capsys, "validate", extra, "--database-url", url)[:2] == (0, "1 record OK\n")
    # With --prune the files must stand alone, whatever the database holds.
    assert run(capsys, "validate", "--prune", extra, "--database-url", url)[0] == 1


# --- dump ---------------------------------------------------------------------------------


def test_dump_writes_files_that_validate_and_load_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_database: NewDatabase
) -> None:
    url = new_database()
    assert run(capsys, "load", WORLD, "--database-url", url)[0] == 0

    folder = tmp_path / "dump"
    code, out, err = run(capsys, "dump", folder, "--database-url", url)
    assert (code, err) == (0, "")
    files = [Path(line) for line in out.splitlines()]
    assert files == sorted(folder.iterdir())
    assert folder / "01-sources.yaml" in files

    # The dump stands alone, with every record.
    code, out, _ = run(capsys, "validate", "--prune", folder, "--database-url", url)
    assert (code, out) == (0, RECORDS_OK)

    # And loads into a fresh database that dumps back to the same files.
    copy = new_database()
    assert run(capsys, "load", folder, "--database-url", copy)[0] == 0
    assert run(capsys, "dump", tmp_path / "again", "--database-url", copy)[0] == 0
    for path in files:
        assert (tmp_path / "again" / path.name).read_text() == path.read_text()


def test_dump_needs_an_existing_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "absent.sqlite3"
    code, out, err = run(
        capsys, "dump", tmp_path / "dump", "--database-url", f"sqlite://{database}"
    )
    assert (code, out) == (2, "")
    assert err == f"elections: no database to dump: {database} does not exist\n"
    assert not database.exists()
    assert not (tmp_path / "dump").exists()


# --- Settings and database URLs -----------------------------------------------------------
# These fail before any database is set up, so the SQLite URLs are safe under PostgreSQL too.


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db", "bad database URL 'mysql://db': DATABASE_URL must start with"),
        ("sqlite://", "bad database URL 'sqlite://': No path specified"),
        ("postgres://me:secret@localhost:port/db", "bad database URL 'postgres://me:***@"),
    ],
)
def test_bad_database_url_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, message: str
) -> None:
    bad = bad_fixture(tmp_path)
    commands: list[list[str | Path]] = [["load", bad], ["validate", bad], ["dump", tmp_path]]
    for argv in commands:
        code, out, err = run(capsys, *argv, "--database-url", url)
        assert (code, out) == (2, "")
        assert err.startswith(f"elections: {message}")
        assert err.count("\n") == 1
        assert "secret" not in err


def test_bad_database_url_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "elections.sqlite3")
    code, _, err = run(capsys, "validate", WORLD)
    assert code == 2
    assert err == (
        "elections: bad database URL 'elections.sqlite3': DATABASE_URL must start with "
        "sqlite:// or postgres://, got 'elections.sqlite3'\n"
    )


def test_sqlite_file_that_cannot_be_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite://{tmp_path / 'missing' / 'db.sqlite3'}"
    code, _, err = run(capsys, "load", WORLD, "--database-url", url)
    assert code == 2
    assert err == (
        f"elections: cannot create database {url}: folder {tmp_path / 'missing'} does not exist\n"
    )


def test_database_that_cannot_be_opened(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if BACKEND == "sqlite":
        garbage = tmp_path / "garbage.sqlite3"
        garbage.write_bytes(b"not a database, " * 100)
        url, reason = f"sqlite://{garbage}", "file is not a database"
    else:
        url = POSTGRES_URL.rsplit("/", 1)[0].replace("@", ":secret@", 1) + "/elections_absent"
        reason = 'database "elections_absent" does not exist'
    code, out, err = run(capsys, "validate", WORLD, "--database-url", url)
    assert (code, out) == (2, "")
    assert err.startswith("elections: cannot open database ")
    assert err.endswith(f": {reason}\n")
    assert err.count("\n") == 1
    assert "secret" not in err


def test_leaves_the_callers_tortoise_context_alone(
    capsys: pytest.CaptureFixture[str], new_database: NewDatabase, world: TortoiseContext
) -> None:
    # pytest-asyncio hands the session's context (with `world` current) to sync tests too.
    before = dict(world.connections.db_config)
    assert get_current_context() is world
    assert run(capsys, "load", WORLD, "--database-url", new_database())[0] == 0
    assert get_current_context() is world
    assert world.inited
    assert world.connections.db_config == before


# --- serve --------------------------------------------------------------------------------


@pytest.fixture
def uvicorn_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """uvicorn.run replaced by a recorder of its calls."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_serve_defaults(
    capsys: pytest.CaptureFixture[str], uvicorn_runs: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    handler = signal.getsignal(signal.SIGTERM)
    code, out, _ = run(capsys, "serve")
    assert (code, out) == (0, "GraphiQL: http://127.0.0.1:8000/graphql\n")
    assert uvicorn_runs == [
        (
            ("server:create_app",),
            {
                "factory": True,
                "host": "127.0.0.1",
                "port": 8000,
                "timeout_graceful_shutdown": 15,
                "http": "web.read_timeout:HttpToolsProtocol",
                "ws": "web.subscriptions:LiveProtocol",
            },
        )
    ]
    # Its SIGTERM handler (a stop exits 0) is only for while it serves.
    assert signal.getsignal(signal.SIGTERM) is handler


def test_serve_options_and_settings(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    uvicorn_runs: list[tuple[tuple[Any, ...], dict[str, Any]]],
) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("GRAPHIQL", "false")
    monkeypatch.setenv("SHUTDOWN_TIMEOUT", "40")
    off = "(GraphiQL is off: GRAPHIQL=false)"
    code, out, _ = run(capsys, "serve")
    assert (code, out) == (0, f"GraphQL API: http://localhost:9000/graphql {off}\n")
    code, out, _ = run(capsys, "serve", "--host", "::1", "--port", "8080", "--reload")
    assert (code, out) == (0, f"GraphQL API: http://[::1]:8080/graphql {off}\n")
    assert uvicorn_runs[0] == (
        ("server:create_app",),
        {
            "factory": True,
            "host": "0.0.0.0",
            "port": 9000,
            "timeout_graceful_shutdown": 40,
            "http": "web.read_timeout:HttpToolsProtocol",
            "ws": "web.subscriptions:LiveProtocol",
        },
    )
    args, kwargs = uvicorn_runs[1]
    assert args == ("server:create_app",)
    assert (kwargs["host"], kwargs["port"], kwargs["reload"]) == ("::1", 8080, True)


def test_serve_checks_settings_first(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    uvicorn_runs: list[tuple[tuple[Any, ...], dict[str, Any]]],
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    assert run(capsys, "serve")[0] == 2
    monkeypatch.setenv("PORT", "80")
    monkeypatch.setenv("DATABASE_URL", "sqlite:/")
    code, _, err = run(capsys, "serve")
    assert code == 2
    assert err.startswith("elections: bad database URL 'sqlite:/'")
    assert uvicorn_runs == []


# --- The installed command ----------------------------------------------------------------


def test_console_script_exit_codes(tmp_path: Path) -> None:
    elections = console_script(tmp_path)
    done = elections("validate", WORLD)
    assert (done.returncode, done.stdout, done.stderr) == (0, RECORDS_OK, "")
    done = elections("validate", bad_fixture(tmp_path))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "3 errors; the files would not load"
    assert elections("bogus").returncode == 2
    assert elections().returncode == 2
    assert elections("--help").returncode == 0


def test_validate_creates_no_database_file(tmp_path: Path) -> None:
    # SQLite in a process of its own (see the module docstring). The URL is the default,
    # DATABASE_URL unset: sqlite://elections.sqlite3 in the current folder.
    elections = console_script(tmp_path)
    done = elections("validate", WORLD / "world.yaml")
    assert (done.returncode, done.stdout) == (0, "52 records OK\n")
    file = tmp_path / "other.sqlite3"
    done = elections("validate", WORLD, "--database-url", f"sqlite://{file}")
    assert (done.returncode, done.stdout) == (0, RECORDS_OK)
    assert list(tmp_path.iterdir()) == []
