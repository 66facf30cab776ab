"""The Starlette app: /graphql (API and GraphiQL), /health, and GraphiQL's own files."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http.typevars import RootValue
from tortoise.contrib.starlette import RegisterTortoise

import graphiql
import loader
from database import tortoise_config
from schema import schema
from schema.context import Context
from settings import Settings, load_settings

log = logging.getLogger("elections")


class GraphQLApp(GraphQL[Context, RootValue]):
    """Strawberry's ASGI app with our context and our offline GraphiQL page."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
        )
        self.settings = settings

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return Context(request=request, response=response)

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return graphiql.graphiql_page()

    def should_render_graphql_ide(self, request):  # type: ignore[no-untyped-def]
        # A browser following a /graphql?query=… link gets GraphiQL on that query.
        if not self.graphql_ide:
            return False
        accept = request.headers.get("accept", "")
        return graphiql.wants_page(request.method, accept) or super().should_render_graphql_ide(request)


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, manage_database: bool = True) -> Starlette:
    """The app. With `manage_database` off, the caller has already set up Tortoise (tests)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        # RegisterTortoise turns on Tortoise's global fallback, without which request tasks
        # would not see the connection opened in this lifespan task.
        async with RegisterTortoise(
            app, config=tortoise_config(settings.database_url), generate_schemas=True
        ):
            if settings.load_fixtures:
                report = await loader.load(list(settings.load_fixtures))
                log.info("fixtures loaded: %d rows changed", report.changed)
            yield

    graphql_app = GraphQLApp(settings)
    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        *graphiql.routes,
    ]
    return Starlette(routes=routes, lifespan=lifespan)


app = create_app()
