"""Settings: read once from the environment (and a `.env` file), with safe defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from starlette.config import Config
from starlette.datastructures import CommaSeparatedStrings

from service.manifest import read_manifest

#: The repository: where the bundled fixtures are.
ROOT = Path(__file__).resolve().parent.parent
BUNDLED_FIXTURES = ROOT / "fixtures"
#: The bundled data sets (ParlGov, the MIT Election Lab) and our files curated beside them.
BUNDLED_DATA = ROOT / "data"

#: The largest request body the API reads (1 MiB); a larger one is refused with 413.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: How long browsers and shared caches may keep a query result fetched by GET, in seconds.
DEFAULT_CACHE_MAX_AGE = 60
#: Seconds a client may take to send a request's headers, and then its body: a slower one
#: is answered 408 and its connection closed, so that it cannot hold a connection open.
DEFAULT_READ_TIMEOUT = 15.0
MIB = 1024 * 1024
#: Seconds a write waits for SQLite's write lock (Python's sqlite3 waits 5 s too).
DEFAULT_SQLITE_BUSY_TIMEOUT = 5.0
#: Seconds a stopping server waits for the requests in flight: longer than an operation may
#: run (EXECUTION_TIMEOUT, 10 s), shorter than a supervisor's wait before it kills (30 s in
#: Kubernetes, 90 s in systemd).
DEFAULT_SHUTDOWN_TIMEOUT = 15


#: The levels LOG_LEVEL may name.
LEVELS = ("debug", "info", "warning", "error", "critical")

Mode = Literal["off", "automatic", "allow-list"]
#: The modes of persisted queries (PERSISTED_QUERIES): see web/persisted_queries.py.
MODES: tuple[Mode, ...] = ("off", "automatic", "allow-list")


@dataclass(frozen=True)
class Limits:
    """The limits of one request; the defaults are the documented ones."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 1000
    max_directives: int = 50
    #: The largest worst-case number of fields an operation may return (see `cost`).
    max_cost: int = 500_000
    #: What a list without a `first` counts for in the cost.
    cost_list_size: int = 10
    #: Seconds an operation may run before it is stopped.
    execution_timeout: float = 10.0
    #: Operations one request may carry as a JSON array; 0 turns batching off.
    max_batch_operations: int = 0
    #: The most items a list may hold in an argument or a variable (`nodes(ids:)`, `or`).
    max_list_items: int = 100
    #: About the most memory an operation's answer may take while it is made (schema/budget).
    max_answer_bytes: int = 16 * MIB


@dataclass(frozen=True)
class CacheBytes:
    """How many bytes each cache of a process may hold (0: none kept); the least recently
    used entries go first. Each entry is weighed by what it holds, so a megabyte query
    counts as one."""

    #: Parsed documents by query text.
    parsed: int = 32 * MIB
    #: The validation rules' verdict on each query text.
    validated: int = 8 * MIB
    #: Queries that ran without an error, answered again on the fast path.
    known: int = 32 * MIB
    #: Automatic persisted queries by hash.
    persisted: int = 8 * MIB


@dataclass(frozen=True)
class Pool:
    """The PostgreSQL connections: how many the pool keeps and may open, and how long
    connecting and each statement may take. SQLite has one connection and no use for them."""

    #: Connections opened at start and kept open.
    min_size: int = 1
    #: The most connections open at once; a request finding them all busy waits for one.
    max_size: int = 5
    #: Seconds to open a connection (asyncpg's default, 60, is longer than a request may
    #: run): with the database unreachable, a request fails after this long.
    connect_timeout: float = 5.0
    #: Seconds one SQL statement may run before it is cancelled; 0 for no limit but the
    #: operation's own (EXECUTION_TIMEOUT).
    statement_timeout: float = 0.0


@dataclass(frozen=True)
class Live:
    """The bounds of subscriptions (docs/live.md); a subscription or connection past one is
    refused, or closed, with a message naming the setting."""

    #: Subscriptions one WebSocket connection may hold at once
    #: (LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION).
    max_per_connection: int = 20
    #: Subscriptions one server process may hold at once, over every connection and HTTP
    #: stream (LIVE_MAX_SUBSCRIPTIONS).
    max_subscriptions: int = 1000
    #: Messages a second one subscription may send (LIVE_MESSAGES_PER_SECOND); changes that
    #: come faster are sent together, as one message with the data as it is then.
    messages_per_second: float = 5.0
    #: Seconds between the server's pings on a WebSocket; a client that has not answered
    #: the last one with a pong by the next is closed (LIVE_PING_INTERVAL).
    ping_interval: float = 15.0
    #: Seconds one message may wait to be sent to a client that does not read: a slower
    #: client is disconnected rather than buffered for (LIVE_SEND_TIMEOUT).
    send_timeout: float = 10.0
    #: Seconds a new WebSocket has to send connection_init (LIVE_INIT_TIMEOUT).
    init_timeout: float = 10.0


@dataclass(frozen=True)
class Settings:
    """The settings; `Settings()` is development with every default, as `load_settings`
    gives with an empty environment."""

    app_env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite://elections.sqlite3"
    #: PostgreSQL's connection pool and timeouts.
    pool: Pool = field(default_factory=Pool)
    load_fixtures: tuple[Path, ...] = ()
    #: With the curated fixtures (LOAD_FIXTURES=bundled), also the data sets of data/.
    load_data_sets: bool = False
    graphiql: bool = True
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Whether `__schema` and `__type` may be queried (off in production unless asked).
    introspection: bool = True
    #: Whether errors suggest names ("Did you mean 'node'?"); off in production unless asked.
    field_suggestions: bool = True
    limits: Limits = field(default_factory=Limits)
    #: Answer queries on the fast path (schema/fast_path.py); off: graphql-core alone.
    fast_path: bool = True
    #: Serve Prometheus metrics at /metrics.
    metrics: bool = True
    log_level: str = "info"
    #: Seconds a GET's result may be cached (`Cache-Control: public, max-age=N`).
    cache_max_age: int = DEFAULT_CACHE_MAX_AGE
    #: `automatic` (APQ), `allow-list` (registered operations only) or `off`.
    persisted_queries: Mode = "automatic"
    #: The byte budget of each cache.
    cache_bytes: CacheBytes = field(default_factory=CacheBytes)
    #: The registered operations by the SHA-256 of their text (from PERSISTED_QUERIES_FILE).
    registered_operations: Mapping[str, str] = field(default_factory=dict)
    #: Seconds a write waits for SQLite's lock held by another process before it fails.
    sqlite_busy_timeout: float = DEFAULT_SQLITE_BUSY_TIMEOUT
    #: Seconds `elections serve` waits, once told to stop, for the requests in flight.
    shutdown_timeout: int = DEFAULT_SHUTDOWN_TIMEOUT
    #: Seconds a client may take to send a request's headers, and then its body.
    read_timeout: float = DEFAULT_READ_TIMEOUT
    #: The bounds of subscriptions.
    live: Live = field(default_factory=Live)

    @property
    def production(self) -> bool:
        return self.app_env == "production"


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Settings from the process environment, falling back to `env_file`, then to defaults."""
    config = Config(env_file if env_file and Path(env_file).is_file() else None)
    app_env = config("APP_ENV", default="development")
    if app_env not in ("development", "production"):
        raise ValueError(f"APP_ENV must be development or production, got {app_env!r}")
    development = app_env != "production"
    fixtures = config("LOAD_FIXTURES", cast=CommaSeparatedStrings, default="")

    def positive(name: str, default: int, minimum: int = 1) -> int:
        value: int = config(name, cast=int, default=default)
        if value < minimum:
            raise ValueError(
                f"{name} must be a {'positive' if minimum else 'non-negative'} number, got {value}"
            )
        return value

    def seconds(name: str, default: float, zero: bool = False) -> float:
        value: float = config(name, cast=float, default=default)
        if not (value >= 0 if zero else value > 0) or value == float("inf"):
            kind = "non-negative" if zero else "positive"
            raise ValueError(f"{name} must be a {kind} number of seconds, got {value}")
        return value

    def rate(name: str, default: float) -> float:
        value: float = config(name, cast=float, default=default)
        if not value > 0 or value == float("inf"):
            raise ValueError(f"{name} must be a positive number of messages a second, got {value}")
        return value

    defaults = Limits()
    execution_timeout: float = config(
        "EXECUTION_TIMEOUT", cast=float, default=defaults.execution_timeout
    )
    if not execution_timeout > 0:
        raise ValueError(f"EXECUTION_TIMEOUT must be a positive number, got {execution_timeout}")
    busy_timeout: float = config(
        "SQLITE_BUSY_TIMEOUT", cast=float, default=DEFAULT_SQLITE_BUSY_TIMEOUT
    )
    if not busy_timeout >= 0:
        raise ValueError(f"SQLITE_BUSY_TIMEOUT must be a number of seconds, got {busy_timeout}")
    pool = Pool(
        min_size=positive("DB_POOL_MIN", Pool.min_size, minimum=0),
        max_size=positive("DB_POOL_MAX", Pool.max_size),
        connect_timeout=seconds("DB_CONNECT_TIMEOUT", Pool.connect_timeout),
        statement_timeout=seconds("DB_STATEMENT_TIMEOUT", Pool.statement_timeout, zero=True),
    )
    if pool.min_size > pool.max_size:
        raise ValueError(
            f"DB_POOL_MIN ({pool.min_size}) must not be more than DB_POOL_MAX ({pool.max_size})"
        )
    log_level: str = config("LOG_LEVEL", default="info").lower()
    if log_level not in LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, got {log_level!r}")
    persisted_queries: str = config("PERSISTED_QUERIES", default="automatic").lower()
    if persisted_queries not in MODES:
        raise ValueError(
            f"PERSISTED_QUERIES must be one of {', '.join(MODES)}, got {persisted_queries!r}"
        )
    if config("PERSISTED_QUERIES_CACHE_SIZE", default=None) is not None:
        # A count of entries bounded nothing when each could be a megabyte.
        raise ValueError(
            "PERSISTED_QUERIES_CACHE_SIZE is no longer read: the store of automatic persisted "
            "queries is bounded by bytes, PERSISTED_QUERIES_CACHE_BYTES"
        )
    manifest: str = config("PERSISTED_QUERIES_FILE", default="")
    if persisted_queries == "allow-list" and not manifest:
        raise ValueError(
            "PERSISTED_QUERIES=allow-list needs PERSISTED_QUERIES_FILE, the manifest of the "
            "registered operations"
        )
    if manifest and persisted_queries != "allow-list":
        raise ValueError(
            "PERSISTED_QUERIES_FILE is read only with PERSISTED_QUERIES=allow-list, "
            f"and PERSISTED_QUERIES is {persisted_queries!r}"
        )
    try:
        registered = read_manifest(Path(manifest)) if manifest else {}
    except ValueError as error:
        raise ValueError(f"PERSISTED_QUERIES_FILE: {error}") from error
    return Settings(
        app_env=app_env,
        host=config("HOST", default="127.0.0.1"),
        port=config("PORT", cast=int, default=8000),
        database_url=config("DATABASE_URL", default="sqlite://elections.sqlite3"),
        pool=pool,
        load_fixtures=tuple(
            BUNDLED_FIXTURES if p in ("bundled", "curated") else Path(p) for p in fixtures
        ),
        load_data_sets="bundled" in fixtures,
        graphiql=config("GRAPHIQL", cast=bool, default=development),
        cors_origins=tuple(config("CORS_ORIGINS", cast=CommaSeparatedStrings, default="")),
        max_body_bytes=positive("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        introspection=config("INTROSPECTION", cast=bool, default=development),
        field_suggestions=config("FIELD_SUGGESTIONS", cast=bool, default=development),
        limits=Limits(
            max_depth=positive("MAX_DEPTH", defaults.max_depth),
            max_aliases=positive("MAX_ALIASES", defaults.max_aliases, minimum=0),
            max_tokens=positive("MAX_TOKENS", defaults.max_tokens),
            max_directives=positive("MAX_DIRECTIVES", defaults.max_directives, minimum=0),
            max_cost=positive("MAX_COST", defaults.max_cost),
            cost_list_size=positive("COST_LIST_SIZE", defaults.cost_list_size),
            execution_timeout=execution_timeout,
            max_batch_operations=positive(
                "MAX_BATCH_OPERATIONS", defaults.max_batch_operations, minimum=0
            ),
            max_list_items=positive("MAX_LIST_ITEMS", defaults.max_list_items),
            max_answer_bytes=positive("MAX_ANSWER_BYTES", defaults.max_answer_bytes),
        ),
        fast_path=config("FAST_PATH", cast=bool, default=True),
        metrics=config("METRICS", cast=bool, default=True),
        log_level=log_level,
        cache_max_age=positive("CACHE_MAX_AGE", DEFAULT_CACHE_MAX_AGE, minimum=0),
        persisted_queries=persisted_queries,
        cache_bytes=CacheBytes(
            parsed=positive("PARSER_CACHE_BYTES", CacheBytes.parsed, minimum=0),
            validated=positive("VALIDATION_CACHE_BYTES", CacheBytes.validated, minimum=0),
            known=positive("KNOWN_QUERIES_CACHE_BYTES", CacheBytes.known, minimum=0),
            persisted=positive("PERSISTED_QUERIES_CACHE_BYTES", CacheBytes.persisted, minimum=0),
        ),
        registered_operations=registered,
        sqlite_busy_timeout=busy_timeout,
        # Whole seconds, as uvicorn takes them.
        shutdown_timeout=positive("SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT),
        read_timeout=seconds("READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
        live=Live(
            max_per_connection=positive(
                "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION", Live.max_per_connection
            ),
            max_subscriptions=positive("LIVE_MAX_SUBSCRIPTIONS", Live.max_subscriptions),
            messages_per_second=rate("LIVE_MESSAGES_PER_SECOND", Live.messages_per_second),
            ping_interval=seconds("LIVE_PING_INTERVAL", Live.ping_interval),
            send_timeout=seconds("LIVE_SEND_TIMEOUT", Live.send_timeout),
            init_timeout=seconds("LIVE_INIT_TIMEOUT", Live.init_timeout),
        ),
    )
