"""Metrics: Prometheus counts of requests, operations and errors, latencies, database pool,
and how often the fast path and fast requests answered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, get_args

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import Metric
from starlette.requests import Request
from starlette.responses import Response

from service import compat
from service.database import default_client
from service.errors import ErrorKind
from service.series import CounterSeries, HistogramSeries

#: Operation names are chosen by clients, so only this many distinct ones get a label of
#: their own; later ones are counted as "(other)", and the series stay bounded.
MAX_OPERATION_LABELS = 100
OTHER_OPERATIONS = "(other)"

#: Why the fast path handed an operation to graphql-core (schema/fast_path.py): not a query,
#: field middleware, introspection, `@defer`, a null in a non-null position, a field or value
#: it does not know how to answer, or an error raised while it ran.
FallbackReason = Literal[
    "mutation",
    "subscription",
    "middleware",
    "introspection",
    "defer",
    "null",
    "unsupported",
    "error",
]
FALLBACK_REASONS: tuple[FallbackReason, ...] = get_args(FallbackReason)


class FastPathCounts:
    """The fast path's outcome for each operation, counted by its executor: every series'
    child is made here at once, so that counting is one increment (and every reason shows
    in /metrics from the start, at 0)."""

    def __init__(self, counter: Counter) -> None:
        self.fast: Callable[[], None] = counter.labels("fast", "").inc
        #: A known query answered compiled (schema/compiled.py), past the fast path's levels.
        self.compiled: Callable[[], None] = counter.labels("compiled", "").inc
        self._fallbacks: dict[FallbackReason, Callable[[], None]] = {
            reason: counter.labels("fallback", reason).inc for reason in FALLBACK_REASONS
        }

    def fallback(self, reason: FallbackReason) -> None:
        self._fallbacks[reason]()


class DatabasePool:
    """Reads the connections of Tortoise's default database at each scrape: the asyncpg
    pool's for PostgreSQL, the single connection's for SQLite."""

    def collect(self) -> Iterator[Metric]:
        try:
            client = default_client()
        except Exception:  # no database set up (yet): nothing to report
            return
        if isinstance(client, compat.AsyncpgDBClient):
            pool = compat.asyncpg_pool(client)
            if pool is None:  # not connected yet
                return
            size, idle, maximum = pool.get_size(), pool.get_idle_size(), pool.get_max_size()
            in_use = size - idle
        elif isinstance(client, compat.SqliteClient):  # one connection, guarded by a lock
            size = 1 if compat.sqlite_connection(client) is not None else 0
            in_use = 1 if compat.sqlite_lock(client).locked() else 0
            idle, maximum = size - in_use, 1
        else:
            return
        connections_ = GaugeMetricFamily(
            "elections_database_connections",
            "Database connections open, by state.",
            labels=["state"],
        )
        connections_.add_metric(["in_use"], in_use)
        connections_.add_metric(["idle"], idle)
        yield connections_
        yield GaugeMetricFamily(
            "elections_database_connections_max",
            "The most database connections the app opens.",
            value=maximum,
        )


class Metrics:
    """The app's metrics, in a registry of its own (so that each app made, e.g. in tests,
    counts alone). With several uvicorn workers each process has its own: scrape each."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # Every request is counted in these four, as plain numbers (service/series.py).
        self.http_requests = CounterSeries(
            "elections_http_requests",
            "HTTP requests, by route, method and status code.",
            ["route", "method", "status"],
        )
        self.http_duration = HistogramSeries(
            "elections_http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
        )
        self.graphql_requests = CounterSeries(
            "elections_graphql_requests",
            "GraphQL requests, by operation name and HTTP status code.",
            ["operation", "status"],
        )
        self.graphql_duration = HistogramSeries(
            "elections_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name.",
            ["operation"],
        )
        for series in (
            self.http_requests,
            self.http_duration,
            self.graphql_requests,
            self.graphql_duration,
        ):
            self.registry.register(series)
        self.graphql_errors = Counter(
            "elections_graphql_errors",
            "GraphQL errors returned, by operation name and kind: request (refused before "
            "running), field, timeout, internal.",
            ["operation", "kind"],
            registry=self.registry,
        )
        self.fast_path = Counter(
            "elections_graphql_fast_path",
            "GraphQL operations answered on the fast path (outcome=fast), compiled "
            "(outcome=compiled), or handed to graphql-core (outcome=fallback), by the reason "
            "it gave up.",
            ["outcome", "reason"],
            registry=self.registry,
        )
        self.fast_path_counts = FastPathCounts(self.fast_path)
        self.fast_requests = Counter(
            "elections_graphql_fast_requests",
            "Requests to /graphql for a known query, answered without Strawberry's view and "
            "extensions (outcome=answered), and the others (outcome=ordinary).",
            ["outcome"],
            registry=self.registry,
        )
        #: Counts a request fast requests answered, or passed on.
        self.fast_request_answered: Callable[[], None] = self.fast_requests.labels("answered").inc
        self.fast_request_ordinary: Callable[[], None] = self.fast_requests.labels("ordinary").inc
        self.live_connections = Gauge(
            "elections_live_connections",
            "WebSocket connections open for subscriptions.",
            registry=self.registry,
        )
        self.live_subscriptions = Gauge(
            "elections_live_subscriptions",
            "Subscriptions held by this process, over WebSocket and HTTP streams.",
            registry=self.registry,
        )
        self.live_messages = Counter(
            "elections_live_messages",
            "Messages sent to subscriptions, over WebSocket and HTTP streams.",
            registry=self.registry,
        )
        self.live_refusals = Counter(
            "elections_live_refusals",
            "Subscriptions refused, by the limit: per_connection "
            "(LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION), per_process (LIVE_MAX_SUBSCRIPTIONS).",
            ["limit"],
            registry=self.registry,
        )
        self.live_closed = Counter(
            "elections_live_closed",
            "WebSocket connections closed by the server, by why: slow (LIVE_SEND_TIMEOUT), "
            "no_pong (LIVE_PING_INTERVAL).",
            ["why"],
            registry=self.registry,
        )
        for limit in ("per_connection", "per_process"):
            self.live_refusals.labels(limit)
        for why in ("slow", "no_pong"):
            self.live_closed.labels(why)
        self.registry.register(DatabasePool())
        self._operations: set[str] = set()
        # Each error series' child, kept: `labels()` checks and locks on every call. The
        # labels are bounded (operation names, kinds of error).
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def operation_label(self, operations: Iterable[str]) -> str:
        """One label for the operations of a request: the name, "(batch)" for several."""
        names = list(operations)
        if len(names) != 1:
            return "(batch)" if names else "(none)"
        name = names[0]
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATION_LABELS:
                return OTHER_OPERATIONS
            self._operations.add(name)
        return name

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.inc((route, method, str(status)))
        self.http_duration.observe((route,), seconds)

    def observe_graphql(
        self,
        operations: Iterable[str],
        status: int,
        seconds: float,
        errors: dict[ErrorKind, int],
    ) -> None:
        operation = self.operation_label(operations)
        self.graphql_requests.inc((operation, str(status)))
        self.graphql_duration.observe((operation,), seconds)
        for kind, count in errors.items():
            self._child(self.graphql_errors, operation, kind).inc(count)

    async def endpoint(self, request: Request) -> Response:
        """GET /metrics: the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
