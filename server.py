"""The app: `create_app()` assembles the routes, the middleware and one lifespan that opens
the database, migrates it and loads the fixtures asked for. `uvicorn server:create_app
--factory` serves it; `elections serve` does the same with the settings' host and port."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise

from curation import audit, changes
from service import logs
from service.database import migrate, tortoise_config
from service.metrics import Metrics
from service.settings import BUNDLED_DATA, BUNDLED_FIXTURES, Settings, load_settings
from web import export, graphiql, pages, subscriptions
from web.body_limit import BodyLimit
from web.caching import HTTPCaching
from web.fast_lane import FastLane
from web.graphql_app import GraphQLApp
from web.health import health, ready
from web.observability import REQUEST_ID_HEADER, RequestObserver
from web.read_timeout import ReadTimeout

# uvicorn's own logger, so that what the start did shows among uvicorn's messages.
log = logging.getLogger("uvicorn.error")


#: The cyclic garbage collector's thresholds once the server has started (Python's are 700,
#: 10 and 10): how many objects the youngest generation takes before it is collected, and
#: how many collections of each generation before the next one is. An answer is tens of
#: thousands of dicts and lists that live until it is sent, and each young collection walked
#: those made so far: a sixth of the time of the page of 100 elections (BENCHMARKS.md). What
#: is garbage only in a cycle waits longer to be freed, a few MiB at most.
GC_THRESHOLDS = (50_000, 20, 20)


def prepare_garbage_collector() -> None:
    """Moves what the start made (modules, the schema, Tortoise) out of the cyclic garbage
    collector's reach: it lives as long as the process, and each full collection walked it
    again, which cost a large query about a quarter of its time (BENCHMARKS.md). From then
    on, young objects are collected less often (GC_THRESHOLDS)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def cors_origins(settings: Settings) -> tuple[str, ...]:
    """The origins whose pages may call the API: CORS_ORIGINS when set; otherwise any origin
    in development, so that a frontend on another localhost port can read the bundled data
    from the start, and none in production."""
    if settings.cors_origins:
        return settings.cors_origins
    return () if settings.production else ("*",)


def create_app(settings: Settings | None = None, manage_database: bool = True) -> Starlette:
    """The app. With `manage_database` off, the caller has already set up Tortoise (tests)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        # A real server: from here on every log line, uvicorn's too, is JSON.
        logs.configure(settings.log_level)
        # RegisterTortoise turns on Tortoise's global fallback, without which request tasks
        # would not see the connection opened in this lifespan task.
        config = tortoise_config(
            settings.database_url, settings.pool, sqlite_busy_timeout=settings.sqlite_busy_timeout
        )
        async with RegisterTortoise(app, config=config):
            # Tables come from the committed migrations, so every database has a history
            # that `elections migrate` can continue.
            await migrate(report=log.info)
            if settings.load_data_sets:
                # The curated fixtures and the data sets, unless loaded before as they are.
                others = [p for p in settings.load_fixtures if p != BUNDLED_FIXTURES]
                loaded = await changes.load_bundled(BUNDLED_FIXTURES, BUNDLED_DATA, audit.AT_START)
                log.info(
                    "Bundled fixtures and data sets: %s",
                    "unchanged since they were loaded"
                    if loaded is None
                    else f"{loaded.changed} rows changed"
                    if loaded.changed
                    else "nothing changed",
                )
            else:
                others = list(settings.load_fixtures)
            if others:
                report = await changes.load_paths(others, audit.AT_START)
                log.info(
                    "Fixtures loaded from %s: %s",
                    ", ".join(str(path) for path in others),
                    f"{report.changed} rows changed" if report.changed else "nothing changed",
                )
            prepare_garbage_collector()
            async with subscriptions.listening(settings.database_url):
                yield

    metrics = Metrics()
    graphql_app = GraphQLApp(settings, metrics)
    subscriptions.configure(settings, metrics)
    # /graphql first: the router tries each route's pattern in turn, and no other path can
    # match it, so the requests that matter most are matched at the first try.
    graphql = Route(
        "/graphql",
        graphql_app,
        methods=["GET", "POST"],
        # Caching outside the limit, so that a 413 is `no-store` like any refusal.
        middleware=[
            Middleware(HTTPCaching, max_age=settings.cache_max_age),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
    )
    routes = [
        graphql,
        subscriptions.route(graphql_app),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        *([Route("/metrics", metrics.endpoint, methods=["GET"])] if settings.metrics else []),
        Route("/export/{filename}", export.endpoint, methods=["GET"]),
        *graphiql.routes,
        *pages.routes,
    ]
    # The observer first, so that every response (CORS preflights too) has a request ID; the
    # read timeout inside it, so that a 408 is logged and counted like any answer.
    middleware = [
        Middleware(RequestObserver, metrics=metrics),
        Middleware(ReadTimeout, timeout=settings.read_timeout),
    ]
    origins = cors_origins(settings)
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(origins),
                # No cookies or HTTP authentication: a token travels in the Authorization
                # header, which a page sends only when its code sets it.
                allow_credentials=False,
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Accept", "Authorization", REQUEST_ID_HEADER],
                expose_headers=[REQUEST_ID_HEADER],
                max_age=600,
            )
        )
    if settings.fast_path:
        # The fast lane last, so that what it answers is timed, logged, counted and given
        # CORS headers as any answer is. It answers known queries: none without the fast path.
        middleware.append(
            Middleware(
                FastLane, route=graphql, metrics=metrics, max_body_bytes=settings.max_body_bytes
            )
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
