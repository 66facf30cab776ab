"""Subscriptions over WebSocket (graphql-transport-ws): Strawberry's handler with our bounds
(subscriptions per connection, the server's pings, a client that does not read cut off), the
counts of /metrics, and uvicorn's WebSocket protocol closing with 1001 when the server stops.

Close codes of our own, beside the protocol's 44xx:
- 4429 too many subscriptions on this connection is not a close: that subscription gets an
  `error` message and the connection stays;
- 4408 no pong to the server's ping within LIVE_PING_INTERVAL;
- 1008 a message waited longer than LIVE_SEND_TIMEOUT to be sent: the client does not read;
- 1001 the server is stopping (`elections serve`): connect again, to it or another.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from starlette.routing import WebSocketRoute
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)

from schema.context import Context
from service import notify
from service.compat import BaseGraphQLTransportWSHandler, WebSocketsSansIOProtocol
from service.metrics import Metrics
from service.settings import Live, Settings
from web.persisted_queries import PersistedQueries, PersistedQueryError

if TYPE_CHECKING:
    # The protocol's message types, for mypy alone.
    from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
        Message,
        PongMessage,
        SubscribeMessage,
    )

    from web.graphql_app import GraphQLApp

#: graphql-transport-ws over WebSocket (not the older graphql-ws, which has no pings of the
#: server's), and over HTTP the streams a client asks for with its Accept header: multipart
#: (`multipart/mixed;subscriptionSpec=1.0`, Apollo Client's) and server-sent events
#: (`text/event-stream`).
PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL, GRAPHQL_SSE_PROTOCOL)
#: The kernel's send buffer of each WebSocket connection, in bytes (Linux doubles it).
SEND_BUFFER_BYTES = 64 * 1024
GOING_AWAY = 1001
POLICY = 1008
NO_PONG = 4408
#: What a client is told when the server stops, in its close frame.
STOPPING = "The server is stopping: connect again"


class LiveHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the bounds of LIVE_* settings, counted in the metrics."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The limit is ours (handle_subscribe), with a message that names its setting.
        self.max_subscriptions_per_connection = None
        app: GraphQLApp = self.view  # type: ignore[assignment]
        self.live: Live = app.settings.live
        self.metrics: Metrics = app.metrics
        self.persisted_queries: PersistedQueries = app.persisted_queries
        self.last_pong = time.monotonic()
        self.closing = False
        #: Set once the server closed the connection.
        self.ended = asyncio.Event()

    async def handle(self) -> None:
        """Strawberry's handling, until the client goes or `close` ends the connection: a
        client cut off for not reading sends nothing more, so its reading would never end."""
        self.metrics.live_connections.inc()
        tasks = [
            asyncio.create_task(super().handle()),
            asyncio.create_task(self.ended.wait()),
            asyncio.create_task(self.ping()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with suppress(asyncio.CancelledError):
                    await task
            self.metrics.live_connections.dec()

    async def ping(self) -> None:
        """A ping every LIVE_PING_INTERVAL; a client whose pong to one has not come by the
        next is closed (graphql-ws answers pings by itself)."""
        interval = self.live.ping_interval
        sent: float | None = None
        while True:
            await asyncio.sleep(interval)
            if sent is not None and self.last_pong < sent:
                await self.close(
                    NO_PONG, f"No pong within {interval:g} s (LIVE_PING_INTERVAL)", "no_pong"
                )
                return
            sent = time.monotonic()
            try:
                await self.send_message({"type": "ping"})
            except Exception:  # the connection is gone: the handler ends with it
                return

    async def handle_pong(self, message: PongMessage) -> None:
        self.last_pong = time.monotonic()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.live.max_per_connection
        if self.connection_acknowledged and len(self.operations) >= limit:
            self.metrics.live_refusals.labels("per_connection").inc()
            error = GraphQLError(
                f"This connection holds {len(self.operations)} subscriptions, its limit "
                f"(LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION={limit}): complete one first, or "
                "open another connection.",
                extensions={"code": "LIVE_LIMIT"},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        if self.connection_acknowledged:
            # Persisted queries as over HTTP: with PERSISTED_QUERIES=allow-list only the
            # manifest's operations run here too.
            payload = message["payload"]
            try:
                query, _ = self.persisted_queries.resolve(
                    payload.get("query"), payload.get("extensions")
                )
            except PersistedQueryError as refusal:
                code = {"code": refusal.code} if refusal.code else None
                error = GraphQLError(refusal.message, extensions=code)
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [error.formatted]}
                )
                return
            if query is not None:  # without one, Strawberry closes with 4400 as the protocol asks
                message = {**message, "payload": {**payload, "query": query}}
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        """Sends within LIVE_SEND_TIMEOUT, or closes the connection: uvicorn waits while the
        socket's buffer is full, so a client that does not read holds a send here, and the
        notices meanwhile wait as one flag per subscription (service/notify.py)."""
        if self.closing:
            return
        timeout = self.live.send_timeout
        try:
            async with asyncio.timeout(timeout):
                await super().send_message(message)
        except TimeoutError:
            await self.close(
                POLICY,
                f"Too slow: a message waited {timeout:g} s to be sent (LIVE_SEND_TIMEOUT)",
                "slow",
            )
            return

    async def close(self, code: int, reason: str, why: str) -> None:
        """Closes the connection once, counted by `why`; its operations end with it."""
        if self.closing:
            return
        self.closing = True
        self.metrics.live_closed.labels(why).inc()
        # The close frame may itself wait behind what the client did not read: it is given
        # the same time, then the connection is dropped by uvicorn when the handler ends.
        with suppress(Exception):
            async with asyncio.timeout(self.live.send_timeout):
                await self.websocket.close(code=code, reason=reason)
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        self.ended.set()


class LiveProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol (`elections serve` uses it) with a bounded send buffer,
    closing with 1001 (going away) rather than 1012 when the server stops, so that a client
    knows to connect again."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The kernel's buffer is fixed, not grown by autotuning up to megabytes: what a client
        # does not read waits there and in uvicorn's own buffer (64 KiB), and then a send
        # waits, for LIVE_SEND_TIMEOUT at most.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        super().connection_made(transport)

    async def run_asgi(self) -> None:
        await super().run_asgi()
        if not self.writable.is_set():
            # The app has ended (a client cut off for not reading, or the server stopping)
            # with the buffer full: what is in it would wait for that client for ever.
            self.transport.abort()

    def shutdown(self) -> None:
        if self.close_sent or not self.handshake_complete or self.initial_response is not None:
            super().shutdown()
            return
        self.stop_keepalive()
        self.queue.put_nowait({"type": "websocket.disconnect", "code": GOING_AWAY})
        self.conn.send_close(GOING_AWAY, STOPPING)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.transport.close()


def configure(settings: Settings, metrics: Metrics) -> None:
    """The process's hub with the settings' bounds, counted in the app's metrics."""
    notify.hub.max_subscriptions = settings.live.max_subscriptions
    notify.hub.per_second = settings.live.messages_per_second
    notify.hub.on_count = metrics.live_subscriptions.set
    notify.hub.on_message = metrics.live_messages.inc
    notify.hub.on_refused = metrics.live_refusals.labels("per_process").inc


@asynccontextmanager
async def listening(database_url: str) -> AsyncIterator[None]:
    """For the app's lifespan: on PostgreSQL, the process's LISTEN connection, which hands
    every process's notices to the hub; on SQLite the writes of this process hand them over."""
    if not database_url.startswith(("postgres://", "asyncpg://")):
        yield
        return
    listener = notify.Listener(database_url, notify.hub)
    await listener.start()
    try:
        yield
    finally:
        await listener.stop()


def route(app: GraphQLApp) -> WebSocketRoute:
    """/graphql for WebSocket connections, served by the same app as GET and POST."""
    return WebSocketRoute("/graphql", app)
