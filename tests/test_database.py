"""The database configuration: PostgreSQL's pool and timeouts, from the settings to asyncpg."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.context import TortoiseContext

from service.database import default_client, keep_session, tortoise_config
from service.settings import Pool, Settings
from tests.support.databases import BACKEND, create_database, database_url, drop_database
from tests.support.settings import settings_from


def test_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(monkeypatch)
    assert settings.pool == Pool(min_size=1, max_size=5, connect_timeout=5.0, statement_timeout=0.0)
    assert settings.shutdown_timeout == 15
    assert Settings().pool == settings.pool


def test_the_pool_and_timeouts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch,
        DB_POOL_MIN="0",
        DB_POOL_MAX="20",
        DB_CONNECT_TIMEOUT="2.5",
        DB_STATEMENT_TIMEOUT="30",
        SHUTDOWN_TIMEOUT="25",
    )
    assert settings.pool == Pool(
        min_size=0, max_size=20, connect_timeout=2.5, statement_timeout=30.0
    )
    assert settings.shutdown_timeout == 25


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DB_POOL_MIN": "-1"}, "DB_POOL_MIN must be a non-negative number, got -1"),
        ({"DB_POOL_MAX": "0"}, "DB_POOL_MAX must be a positive number, got 0"),
        ({"DB_POOL_MAX": "many"}, "Config 'DB_POOL_MAX' has value 'many'. Not a valid int."),
        ({"DB_POOL_MIN": "1.5"}, "Config 'DB_POOL_MIN' has value '1.5'. Not a valid int."),
        (
            {"DB_POOL_MIN": "10", "DB_POOL_MAX": "4"},
            "DB_POOL_MIN (10) must not be more than DB_POOL_MAX (4)",
        ),
        # The default minimum, 1, is over a maximum of 0 too, but that maximum is the error.
        ({"DB_POOL_MIN": "0", "DB_POOL_MAX": "0"}, "DB_POOL_MAX must be a positive number, got 0"),
        (
            {"DB_CONNECT_TIMEOUT": "0"},
            "DB_CONNECT_TIMEOUT must be a positive number of seconds, got 0.0",
        ),
        (
            {"DB_CONNECT_TIMEOUT": "soon"},
            "Config 'DB_CONNECT_TIMEOUT' has value 'soon'. Not a valid float.",
        ),
        (
            {"DB_CONNECT_TIMEOUT": "nan"},
            "DB_CONNECT_TIMEOUT must be a positive number of seconds, got nan",
        ),
        (
            {"DB_STATEMENT_TIMEOUT": "-1"},
            "DB_STATEMENT_TIMEOUT must be a non-negative number of seconds, got -1.0",
        ),
        (
            {"DB_STATEMENT_TIMEOUT": "inf"},
            "DB_STATEMENT_TIMEOUT must be a non-negative number of seconds, got inf",
        ),
        ({"SHUTDOWN_TIMEOUT": "0"}, "SHUTDOWN_TIMEOUT must be a positive number, got 0"),
        (
            {"SHUTDOWN_TIMEOUT": "2.5"},
            "Config 'SHUTDOWN_TIMEOUT' has value '2.5'. Not a valid int.",
        ),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        settings_from(monkeypatch, **env)
    assert str(refused.value) == message


def test_the_pool_and_timeouts_reach_asyncpg() -> None:
    pool = Pool(min_size=2, max_size=8, connect_timeout=3.0, statement_timeout=20.0)
    config = tortoise_config("postgres://reader:se%40cret@db.internal:5433/elections", pool)
    assert config["connections"] == {
        "default": {
            "engine": "tortoise.backends.asyncpg",
            "credentials": {
                "host": "db.internal",
                "port": 5433,
                "user": "reader",
                "password": "se@cret",
                "database": "elections",
                # Tortoise's names for the pool's size; asyncpg's for the timeouts.
                "minsize": 2,
                "maxsize": 8,
                "timeout": 3.0,
                "command_timeout": 20.0,
                # No reset round trip after each statement (see keep_session).
                "reset": keep_session,
                "server_settings": {"jit": "off", "DateStyle": "ISO"},
            },
        }
    }
    # No statement timeout: asyncpg is given none, rather than a zero.
    config = tortoise_config("postgres://postgres@localhost/elections")
    assert config["connections"]["default"]["credentials"] == {
        "host": "localhost",
        "port": 5432,
        "user": "postgres",
        "password": None,
        "database": "elections",
        "minsize": 1,
        "maxsize": 5,
        "timeout": 5.0,
        "reset": keep_session,
        "server_settings": {"jit": "off", "DateStyle": "ISO"},
    }


async def test_the_connections_run_without_jit() -> None:
    """PostgreSQL's JIT is off on the pool's connections (see tortoise_config); SQLite has
    no JIT and no server settings to give."""
    url = database_url("jit")
    config = tortoise_config(url)
    if BACKEND == "sqlite":
        assert config["connections"]["default"] == url
        return
    await create_database(url)
    try:
        async with TortoiseContext() as ctx:
            await ctx.init(config=config)
            _, rows = await ctx.connections.get("default").execute_query("SHOW jit")
            assert [dict(r) for r in rows] == [{"jit": "off"}]
    finally:
        await drop_database(url)


def test_sqlite_has_no_pool() -> None:
    pool = Pool(min_size=2, max_size=8, connect_timeout=3.0, statement_timeout=20.0)
    config = tortoise_config("sqlite://elections.sqlite3", pool)
    assert config["connections"] == {"default": "sqlite://elections.sqlite3"}


def test_the_pool_is_not_set_in_the_url_too() -> None:
    with pytest.raises(ValueError) as refused:
        tortoise_config("postgres://postgres@localhost/elections?max_size=20&timeout=1")
    assert str(refused.value) == (
        "DATABASE_URL must not set max_size, timeout: the pool and its timeouts are "
        "DB_POOL_MIN, DB_POOL_MAX, DB_CONNECT_TIMEOUT and DB_STATEMENT_TIMEOUT"
    )


@pytest.fixture
def silent_server() -> Iterator[int]:
    """The port of a server that accepts TCP connections and never answers, as a database
    host does whose PostgreSQL hangs, or a firewall's black hole."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel completes the handshakes; nothing reads or writes
        yield listener.getsockname()[1]


async def test_a_database_that_does_not_answer_fails_after_the_connect_timeout(
    silent_server: int,
) -> None:
    url = f"postgres://postgres@127.0.0.1:{silent_server}/elections"
    connection = tortoise_config(url, Pool(connect_timeout=0.5))["connections"]["default"]
    # The client Tortoise makes from that config, without Tortoise.init: that would bind the
    # models to PostgreSQL for the rest of a run on SQLite.
    client = AsyncpgDBClient(connection_name="default", **connection["credentials"])
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await client.execute_query("SELECT 1")
    # asyncpg's own default would have waited 60 s.
    assert 0.4 < time.monotonic() - started < 3
    await client.close()


async def test_the_default_client_is_the_one_tortoise_gives(world: TortoiseContext) -> None:
    assert default_client() is connections.get("default") is world.connections.get("default")
    _, rows = await default_client().execute_query("SELECT 40 + 2")
    assert list(rows[0]) == [42]


def test_outside_a_context_the_default_client_is_what_tortoises_proxy_gives() -> None:
    def outcome(get: Callable[[], object]) -> object:
        try:
            return get()
        except RuntimeError as error:  # no context: Tortoise's own words
            return str(error)

    def outside() -> tuple[object, object]:
        # A thread starts without the fixtures' context; it may still find a global one
        # that an earlier test set up with Tortoise.init, and then both give its client.
        return outcome(default_client), outcome(lambda: connections.get("default"))

    with ThreadPoolExecutor(1) as pool:
        ours, proxy = pool.submit(outside).result()
    assert ours == proxy
    if isinstance(ours, str):
        assert ours.startswith("No TortoiseContext is currently active.")
