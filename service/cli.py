"""The `elections` command: serve the API; migrate the database; load, validate or dump fixture
files; create, list and revoke API tokens; replay an election night."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import threading
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.exceptions import BaseORMException

import loader
import models
from curation import audit, changes, replay, tokens
from loader import datasets, medsl, parlgov
from loader.importing import Collected
from models import Scope
from service import notify
from service.database import MigrationError, connected, tortoise_config
from service.settings import BUNDLED_DATA, ROOT, Settings, load_settings

T = TypeVar("T")

OK = 0
# The fixtures have errors (nothing was written), the dump could not be written, or a token
# command was refused (a name taken, no such token).
FAILED = 1
USAGE = 2  # bad command line, bad setting, or a database that cannot be opened or migrated

# Sections with more records than this report their progress while they are written.
PROGRESS_OVER = 1000
MEMORY = "sqlite://:memory:"
PATHS_HELP = "fixture file, or folder of .yaml/.yml/.json files (searched recursively)"
DATABASE_HELP = (
    "database URL: sqlite://PATH (sqlite:///ABSOLUTE/PATH) or postgres://USER:PASSWORD@HOST:PORT/NAME"
    " (default: $DATABASE_URL, else sqlite://elections.sqlite3)"
)
DESCRIPTION = """\
A GraphQL API over election history: results by stage, candidacies, congratulations,
each fact with its source. Facts are kept in fixture files (YAML or JSON) and loaded
into a database (SQLite or PostgreSQL) that the API serves.

Settings (DATABASE_URL, HOST, PORT, ...) come from the environment, else from a .env
file in the current folder (see .env.example), else from their defaults."""
EPILOG = """\
exit status:
  0  success
  1  the fixture files have errors (nothing was written), the dump could not be written, or
     a token command was refused (a name already taken, no such token)
  2  usage error, bad setting, or a database that cannot be opened or migrated

examples:
  elections migrate                     create or update the database's tables
  elections load fixtures/              load the bundled fixtures into the database
  elections validate new-file.yaml      check a file against what the database holds
  elections import parlgov data/parlgov import ParlGov's tables as published
  elections dump backup/                write the database out as fixture files
  elections serve --reload              serve the API while you edit the code
  elections token create alice --scope write   a token for the API's mutations
  elections replay az-president-2024 --speed 60  an election night again, served live

Run `elections COMMAND --help` for a command's options."""


class Failure(Exception):
    """A problem that ends the command with a one-line message (and exit status 2)."""


def _redacted(url: str) -> str:
    """The URL with its password starred out, fit to print."""
    parts = urllib.parse.urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _sqlite_file(url: str) -> Path | None:
    """The file a database URL names: None for PostgreSQL and in-memory SQLite.

    Raises Failure if the URL is not one we can use.
    """
    try:
        tortoise_config(url)
        expanded = expand_db_url(url)
    except (ValueError, BaseORMException) as exc:
        raise Failure(f"bad database URL {_redacted(url)!r}: {exc}") from exc
    if expanded["engine"] != "tortoise.backends.sqlite":
        return None
    path = str(expanded["credentials"]["file_path"])
    return None if path == ":memory:" else Path(path)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:
        raise Failure(f"bad setting: {exc}") from exc


def _database_url(given: str | None) -> str:
    """--database-url if given, else DATABASE_URL from the settings; checked."""
    url = given if given is not None else _settings().database_url
    _sqlite_file(url)
    return url


# Errors that mean the database could not be opened at all (as opposed to a bug).
_CANNOT_OPEN = (BaseORMException, OSError, sqlite3.Error, asyncpg.PostgresError)


def _check_sqlite_file(url: str) -> None:
    """Failure, before connecting, if an SQLite database file could not be opened or created."""
    file = _sqlite_file(url)
    if file is None:
        return
    if file.exists() and not file.is_file():
        raise Failure(f"cannot open database {url}: {file} is not a file")
    if not file.exists() and not file.parent.is_dir():
        raise Failure(f"cannot create database {url}: folder {file.parent} does not exist")


def _reason(exc: BaseException) -> str:
    """One line on why: the error's message, and its cause's if that says more."""
    reason = str(exc).strip() or type(exc).__name__
    cause = str(exc.__cause__).strip() if exc.__cause__ is not None else ""
    if cause and cause not in reason:
        reason = f"{reason}: {cause}"
    return " ".join(reason.split())


@asynccontextmanager
async def _opened(url: str, report: Callable[[str], object] | None = None) -> AsyncIterator[None]:
    """The database, migrated (what was done told to `report`); Failure if it cannot be
    opened or migrated."""
    _check_sqlite_file(url)
    threads = set(threading.enumerate())
    async with AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(connected(url, report))
        except MigrationError as exc:
            raise Failure(f"cannot migrate database {_redacted(url)}: {exc}") from exc
        except _CANNOT_OPEN as exc:
            # aiosqlite stops the worker thread of a connection that failed to open without
            # waiting for it: let it finish while this event loop can still take its answer.
            for thread in set(threading.enumerate()) - threads:
                if "_connection_worker_thread" in thread.name:
                    await asyncio.to_thread(thread.join, 5)
            raise Failure(f"cannot open database {_redacted(url)}: {_reason(exc)}") from exc
        yield


def _with_database(
    url: str, action: Callable[[], Awaitable[T]], report: Callable[[str], object] | None = None
) -> T:
    """Run `action` on the database, migrated first, in an event loop of its own, connections
    closed after."""

    async def run() -> T:
        # A Tortoise context of our own, so a caller's (a test's) is neither used nor closed.
        with TortoiseContext():
            async with _opened(url, report):
                return await action()

    return asyncio.run(run())


def _progress(section: str, done: int, total: int) -> None:
    if total > PROGRESS_OVER:
        print(f"{section}: {done}/{total}", file=sys.stderr, flush=True)


def _refused(error: loader.LoadError, what: str) -> int:
    for problem in error.errors:
        print(problem, file=sys.stderr)
    count = len(error.errors)
    print(f"{count} error{'s' if count != 1 else ''}; {what}", file=sys.stderr)
    return FAILED


def _records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


# --- The commands -------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    host: str = args.host if args.host is not None else settings.host
    port: int = args.port if args.port is not None else settings.port
    # The app reads DATABASE_URL when it starts: check it now rather than in a traceback.
    _sqlite_file(settings.database_url)
    shown = "localhost" if host in ("", "0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/graphql"
    if settings.graphiql:
        print(f"GraphiQL: {url}", flush=True)
    else:
        print(f"GraphQL API: {url} (GraphiQL is off: GRAPHIQL=false)", flush=True)
    options: dict[str, Any] = {"reload": True, "reload_dirs": [str(ROOT)]} if args.reload else {}
    # On SIGTERM uvicorn stops accepting connections, lets the requests in flight finish (for
    # up to SHUTDOWN_TIMEOUT seconds, then cancels them), runs the lifespan's exit (which
    # closes the database), and then raises the signal again for the handler that was there
    # before it. With the default handler the process would then die of the signal (status
    # 143) after a clean stop; with this one a stop asked for and done exits 0. A SIGTERM
    # before uvicorn has set up its own handler stops at once, as there is nothing to finish.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        uvicorn.run(
            "server:create_app",
            factory=True,
            host=host,
            port=port,
            timeout_graceful_shutdown=settings.shutdown_timeout,
            # uvicorn's HTTP/1.1 on httptools with a deadline for the headers (READ_TIMEOUT) and
            # a bound on their size, named by its import path: service/ imports nothing of web/.
            http="web.read_timeout:HttpToolsProtocol",
            # uvicorn's WebSocket protocol with a bounded send buffer, closing subscriptions
            # with 1001 (going away) when the server stops (web/subscriptions.py).
            ws="web.subscriptions:LiveProtocol",
            **options,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    return OK


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(OK)


async def _nothing() -> None:
    return None


def cmd_migrate(args: argparse.Namespace) -> int:
    url = _database_url(args.database_url)
    done: list[str] = []
    _with_database(url, _nothing, report=done.append)
    for line in done:
        print(line)
    if not done:
        print("up to date")
    return OK


def cmd_load(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths
    prune: bool = args.prune
    url = _database_url(args.database_url)
    try:
        report = _with_database(
            url,
            lambda: changes.load_paths(paths, audit.COMMAND_LINE, prune=prune, progress=_progress),
        )
    except loader.LoadError as error:
        return _refused(error, "nothing was written")
    if str(report):
        print(report)
    changed = report.changed
    print(f"{changed} row{'s' if changed != 1 else ''} changed" if changed else "nothing changed")
    return OK


def cmd_validate(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths
    prune: bool = args.prune
    strict: bool = args.strict
    url = _database_url(args.database_url)
    file = _sqlite_file(url)
    if file is not None and not file.exists():
        # Nothing stored to refer to: an empty database in memory, so that checking never
        # creates a database file.
        url = MEMORY
    try:
        batch = _with_database(url, lambda: loader.check(paths, prune=prune))
        if strict:
            datasets.refuse_unexplained(batch)
    except loader.LoadError as error:
        return _refused(error, "the files would not load" if not strict else "not strict")
    print(f"{_records(len(batch))} OK")
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    url = _database_url(args.database_url)
    strict: bool = args.strict
    given: Path = args.path
    curated = medsl.Curated.beside(args.curated)
    if args.dataset == "parlgov" and not given.is_dir():
        raise Failure(f"{given} is not a folder of ParlGov's CSV files")
    if args.dataset == "medsl" and not given.is_file():
        raise Failure(f"{given} is not MEDSL's CSV file")
    explanations: Path = args.explanations
    if not explanations.is_file():
        raise Failure(f"{explanations} is not a file of explanations")

    def read() -> Collected:
        found = parlgov.read(given) if args.dataset == "parlgov" else medsl.read(given, curated)
        if not found.errors:
            # One file explains the tallies of both data sets: this import takes the entries
            # for its own tallies and skips the others'.
            datasets.explain(found, explanations, others=True)
        return found

    async def run() -> loader.Report:
        batch = await datasets.import_batch(read())
        if strict:
            datasets.refuse_unexplained(batch)
        return await changes.load_batch(batch, audit.COMMAND_LINE, progress=_progress)

    try:
        report = _with_database(url, run)
    except loader.LoadError as error:
        return _refused(error, "nothing was written")
    if str(report):
        print(report)
    changed = report.changed
    print(f"{changed} row{'s' if changed != 1 else ''} changed" if changed else "nothing changed")
    return OK


def cmd_dump(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    url = _database_url(args.database_url)
    file = _sqlite_file(url)
    if file is not None and not file.exists():
        raise Failure(f"no database to dump: {file} does not exist")
    if folder.exists() and not folder.is_dir():
        raise Failure(f"cannot dump into {folder}: not a folder")
    try:
        files = _with_database(url, lambda: loader.dump(folder))
    except OSError as exc:
        print(f"elections: cannot write the dump: {exc}", file=sys.stderr)
        return FAILED
    for path in files:
        print(path)
    return OK


def cmd_replay(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    source = _database_url(args.database_url)
    file = _sqlite_file(source)
    if file is not None and not file.exists():
        raise Failure(
            f"no database to replay from: {file} does not exist (`make serve` makes one with the "
            "bundled fixtures)"
        )
    if args.speed <= 0 or args.max_wait < 0:
        raise Failure("--speed must be more than 0, and --max-wait not less than 0")
    host: str = args.host if args.host is not None else settings.host
    port: int = args.port if args.port is not None else settings.port
    with tempfile.TemporaryDirectory(prefix="elections-replay-") as scratch:
        folder = Path(scratch) / "fixtures"
        try:
            taken = _with_database(source, lambda: replay.take_out(args.election, folder))
        except replay.NothingToReplay as exc:
            print(f"elections: {exc}", file=sys.stderr)
            return FAILED
        planned = replay.stages(taken, args.speed, args.max_wait)
        target = args.into or f"sqlite://{Path(scratch) / 'replay.sqlite3'}"
        if args.into:
            _sqlite_file(target)
            held = _with_database(target, lambda: models.Election.all().count())
            if held:
                raise Failure(
                    f"--into {_redacted(target)} holds {held} elections: replay writes only "
                    "into an empty database"
                )
        print(
            f"Replaying {len(planned)} tallies of {args.election} into {_redacted(target)}, "
            f"served at http://{host}:{port}/graphql (subscribe to resultUpdated there)",
            flush=True,
        )

        def report(stage: replay.PlannedTally) -> None:
            record = stage.record
            counted = record.get("counted_share")
            shown = f", {counted} % counted" if counted is not None else ""
            print(f"{stage.key}: {record['stage']} of {record.get('as_of')}{shown}", flush=True)

        async def run() -> None:
            server = uvicorn.Server(
                uvicorn.Config(
                    "server:create_app",
                    factory=True,
                    host=host,
                    port=port,
                    http="web.read_timeout:HttpToolsProtocol",
                    ws="web.subscriptions:LiveProtocol",
                    timeout_graceful_shutdown=settings.shutdown_timeout,
                )
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:
                if serving.done():
                    raise Failure(f"the server did not start on {host}:{port}")
                await asyncio.sleep(0.05)
            # The app's lifespan opened the scratch database with Tortoise's global
            # fallback on, so this task writes through it too, in the same process as the
            # subscriptions (on SQLite the notices stay in the process).
            await replay.publish(planned, report)
            print("Replay done; still serving (Ctrl-C stops)" if not args.exit else "Replay done")
            if args.exit:
                # Stopping closes every WebSocket: first let each subscriber be sent the
                # last tally, which its subscription still reads when the write returns.
                await notify.hub.settled(settings.shutdown_timeout)
                server.should_exit = True
            await serving

        # The app reads its settings from the environment: the scratch database, and the
        # copy of the source without the election's tallies loaded at its start.
        environment = {"DATABASE_URL": target, "LOAD_FIXTURES": str(folder)}
        before = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            asyncio.run(run())
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return OK


def cmd_token(args: argparse.Namespace) -> int:
    url = _database_url(args.database_url)
    try:
        if args.action == "create":
            scope = Scope(args.scope)
            token = _with_database(url, lambda: tokens.create(args.name, scope))
            print(token)
            print(
                f"Token {args.name!r} ({scope.value} scope) created. It is shown only this once,"
                " and only its SHA-256 digest is stored: keep it now.",
                file=sys.stderr,
            )
        elif args.action == "revoke":
            row = _with_database(url, lambda: tokens.revoke(args.name))
            print(f"Token {row.name!r} revoked ({row.revoked_at:%Y-%m-%d %H:%M:%S} UTC).")
        else:
            rows = _with_database(url, tokens.tokens)
            if not rows:
                print("no tokens")
            table = [("NAME", "SCOPE", "STARTS WITH", "CREATED (UTC)", "REVOKED (UTC)")]
            for row in rows:
                revoked = "-" if row.revoked_at is None else f"{row.revoked_at:%Y-%m-%d %H:%M}"
                created = f"{row.created_at:%Y-%m-%d %H:%M}"
                table.append((row.name, row.scope.value, row.prefix, created, revoked))
            widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
            for line in table if rows else []:
                print(
                    "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
                )
    except ValueError as exc:
        print(f"elections: {exc}", file=sys.stderr)
        return FAILED
    return OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "load": cmd_load,
    "validate": cmd_validate,
    "import": cmd_import,
    "dump": cmd_dump,
    "token": cmd_token,
    "replay": cmd_replay,
}


# --- The command line ---------------------------------------------------------------------


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text}")
    return port


def _token_name(text: str) -> str:
    try:
        return tokens.check_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="elections", description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the GraphQL API and GraphiQL over HTTP",
        description=(
            "Serve the GraphQL API (and GraphiQL, unless GRAPHIQL=false) at /graphql, with\n"
            "uvicorn. The database is DATABASE_URL; fixtures named in LOAD_FIXTURES (a comma-\n"
            "separated list of paths, or `bundled`) are loaded at start-up. Stop with Ctrl-C."
        ),
        formatter_class=formatter,
    )
    serve.add_argument(
        "--host", metavar="HOST", help="address to listen on (default: $HOST, else 127.0.0.1)"
    )
    serve.add_argument(
        "--port", metavar="PORT", type=_port, help="port to listen on (default: $PORT, else 8000)"
    )
    serve.add_argument(
        "--reload", action="store_true", help="restart when a Python file of the project changes"
    )

    migrate = commands.add_parser(
        "migrate",
        help="create or update the database's tables",
        description=(
            "Apply the migrations (migrations/*.py) the database lacks, creating it if it is an\n"
            "SQLite file that does not exist, and list them; `up to date` if there are none.\n"
            "A database made before migrations existed, whose tables match the first one, has\n"
            "it recorded as applied. `serve`, `load`, `validate` and `dump` migrate first too.\n"
            "On PostgreSQL the migrations run in one transaction: all of them or none."
        ),
        formatter_class=formatter,
    )
    migrate.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)

    load = commands.add_parser(
        "load",
        help="load fixture files into the database",
        description=(
            "Load fixture files into the database: rows are matched by their key, created or\n"
            "updated, and left alone when unchanged, so loading the same files twice changes\n"
            "nothing. Every file is checked first; if any has errors, all of them are listed\n"
            "(file:line: path: message) and nothing is written. The database is created if\n"
            "missing, and migrated. Progress of long sections is shown on stderr."
        ),
        formatter_class=formatter,
    )
    load.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=PATHS_HELP)
    load.add_argument(
        "--prune",
        action="store_true",
        help="also delete stored rows the files do not contain (the files must then stand alone)",
    )
    load.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)

    validate = commands.add_parser(
        "validate",
        help="check fixture files without writing to the database",
        description=(
            "Check fixture files as `load` would, without writing any row, and list every\n"
            "error (file:line: path: message). References to rows the files do not contain are\n"
            "looked up in the database. If the database is an SQLite file that does not exist,\n"
            "the files are checked against an empty database and no file is created."
        ),
        formatter_class=formatter,
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=PATHS_HELP)
    validate.add_argument(
        "--prune",
        action="store_true",
        help="check as `load --prune` would: the files must stand alone, a reference to a stored"
        " row they do not contain is an error",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="also fail on a tally whose figures disagree (a warning) unless its fixture"
        " explains it in explained_warnings",
    )
    validate.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)

    importing = commands.add_parser(
        "import",
        help="import a data set as its publisher released it",
        description=(
            "Import ParlGov's tables (a folder of its CSV files) or the MIT Election Lab's\n"
            "presidential results by state (its CSV file, with our curated electoral votes)\n"
            "into the database, through the fixture loader: every row is checked first, a bad\n"
            "one is reported as file:line, and then nothing is written; rows are matched by\n"
            "key, so importing the same files twice changes nothing. A file whose columns are\n"
            "not the published ones is refused, naming them. Countries missing from the\n"
            "database come from ISO 3166. Our explanations of the tallies' warnings (figures\n"
            "that disagree, kept as published) are stored with the tallies they name: those\n"
            "of data/explanations.yaml, or of --explanations FILE; --strict refuses a warning\n"
            "they do not explain. The repository's data/ folder holds both data sets."
        ),
        formatter_class=formatter,
    )
    importing.add_argument("dataset", choices=("parlgov", "medsl"), help="which data set")
    importing.add_argument(
        "path", type=Path, metavar="PATH", help="ParlGov: its folder; medsl: its CSV file"
    )
    importing.add_argument(
        "--curated",
        type=Path,
        default=BUNDLED_DATA / "us-president",
        metavar="FOLDER",
        help="medsl: the folder of our electoral votes, national totals and names"
        " (default: data/us-president)",
    )
    importing.add_argument(
        "--explanations",
        type=Path,
        default=BUNDLED_DATA / "explanations.yaml",
        metavar="FILE",
        help="our explanations of the tallies' warnings (tally key -> {warning: reason}),"
        " stored with the tallies they name; entries for tallies the import lacks are skipped"
        " (default: data/explanations.yaml, written for the bundled data sets)",
    )
    importing.add_argument(
        "--strict",
        action="store_true",
        help="refuse a tally's warning that the explanations file does not explain, and an"
        " explanation of a warning the tally does not have",
    )
    importing.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)

    dump = commands.add_parser(
        "dump",
        help="write the database out as fixture files",
        description=(
            "Write every row of the database to FOLDER as fixture files, one YAML file per\n"
            "section (01-sources.yaml, 02-countries.yaml, ...), that load back to the same\n"
            "database. FOLDER is created if missing; files of the same names in it are\n"
            "overwritten. Prints the files written."
        ),
        formatter_class=formatter,
    )
    dump.add_argument("folder", type=Path, metavar="FOLDER", help="folder to write the files into")
    dump.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)

    replaying = commands.add_parser(
        "replay",
        help="an election's tallies again, one by one as they were published, served live",
        description=(
            "Copy the database (DATABASE_URL, or --database-url) into a scratch database\n"
            "without the tallies of ELECTION, serve that copy as `serve` does, and create the\n"
            "tallies again one by one in publication order, so that subscriptions\n"
            "(resultUpdated) and pages see the night as it went. The source is only read.\n"
            "The scratch database is a temporary SQLite file, deleted when the command ends,\n"
            "unless --into names an empty database to write into (on PostgreSQL, servers of\n"
            "that database hear the tallies too). Each tally comes after the time since the\n"
            "one before (by their dates; an hour when they share one) divided by --speed,\n"
            "and at most --max-wait seconds. See docs/live.md."
        ),
        formatter_class=formatter,
    )
    replaying.add_argument("election", metavar="ELECTION", help='key, e.g. "az-president-2024"')
    replaying.add_argument(
        "--speed",
        type=_speed,
        default=60.0,
        help="how many times faster than the night went (default: 60)",
    )
    replaying.add_argument(
        "--max-wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="the longest wait between two tallies, in seconds (default: 30)",
    )
    replaying.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)
    replaying.add_argument(
        "--into",
        metavar="URL",
        help="an empty database to replay into (default: a temporary SQLite file)",
    )
    replaying.add_argument(
        "--host", metavar="HOST", help="address to listen on (default: $HOST, else 127.0.0.1)"
    )
    replaying.add_argument(
        "--port", metavar="PORT", type=_port, help="port to listen on (default: $PORT, else 8000)"
    )
    replaying.add_argument(
        "--exit", action="store_true", help="stop serving once the last tally is created"
    )

    token = commands.add_parser(
        "token",
        help="create, list or revoke tokens for the API",
        description=(
            "Bearer tokens for the API (`Authorization: Bearer <token>`). Queries need none;\n"
            "reading the audit log needs one of read or write scope, mutations one of write\n"
            "scope. A token is printed once, when created: only its SHA-256 digest is stored.\n"
            "A revoked token is refused from then on; its name is never reused, so the audit\n"
            "log's names stay unambiguous."
        ),
        formatter_class=formatter,
    )
    actions = token.add_subparsers(dest="action", title="actions", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="make a token and print it (once)",
        description="Make a token named NAME and print it on stdout; it is not shown again.",
    )
    create.add_argument("name", type=_token_name, metavar="NAME", help="a name for whom it is for")
    create.add_argument(
        "--scope",
        choices=[scope.value for scope in Scope],
        required=True,
        help="read: the audit log; write: mutations too",
    )
    create.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)
    listing = actions.add_parser(
        "list",
        help="list the tokens, revoked ones too",
        description="List every token: name, scope, first characters, created, revoked.",
    )
    listing.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)
    revoke = actions.add_parser(
        "revoke",
        help="revoke a token",
        description="Revoke the token named NAME: requests with it are refused from now on.",
    )
    revoke.add_argument("name", metavar="NAME", help="the token's name")
    revoke.add_argument("--database-url", metavar="URL", help=DATABASE_HELP)
    return parser


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported by argparse
        return exc.code if isinstance(exc.code, int) else USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE
    try:
        return COMMANDS[args.command](args)
    except Failure as exc:
        print(f"elections: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("elections: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
