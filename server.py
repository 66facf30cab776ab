"""The Starlette app: /graphql (API and GraphiQL), /health, and GraphiQL's own files."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import InvalidOperationTypeError
from tortoise.contrib.starlette import RegisterTortoise

import graphiql
import loader
from database import tortoise_config
from schema import schema
from schema.context import Context
from settings import Settings, load_settings

# uvicorn's own logger, so that what the start did shows among uvicorn's messages.
log = logging.getLogger("uvicorn.error")

#: The media type of the GraphQL over HTTP spec, used when the client's Accept asks for it.
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def response_media_type(accept: str) -> str:
    """The media type to answer with: the GraphQL one if Accept ranks it at least as high as
    application/json, else application/json (also for a missing Accept or `*/*`, as the
    GraphQL over HTTP spec advises for clients that predate its media type)."""
    quality = {GRAPHQL_RESPONSE_JSON: 0.0, JSON: 0.0}
    for item in accept.split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media_type = media_type.lower()
        if media_type in quality:
            quality[media_type] = max(quality[media_type], q)
    wanted = quality[GRAPHQL_RESPONSE_JSON]
    return GRAPHQL_RESPONSE_JSON if wanted > 0 and wanted >= quality[JSON] else JSON


def is_request_error(response: GraphQLHTTPResponse) -> bool:
    """Tell whether a result failed before execution (syntax, validation, limits): it has
    errors and no data, and none of its errors points at a field."""
    errors = response.get("errors")
    return (
        response.get("data") is None
        and bool(errors)
        and all(isinstance(error, dict) and "path" not in error for error in errors or ())
    )


def error_response(
    message: str, status_code: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """A GraphQL-shaped error (`{"errors": [{"message": …}]}`) for a request that did not run."""
    body = json.dumps({"errors": [{"message": message}]}, separators=(",", ":"))
    return Response(body, status_code, headers=headers, media_type=f"{media_type}; charset=utf-8")


class SubResponse(Response):
    """Strawberry's sub-response (resolvers may set headers or a status on it), which also
    carries the media type chosen from the request's Accept header."""

    def __init__(self, graphql_media_type: str) -> None:
        super().__init__()
        self.status_code = None  # type: ignore[assignment]  # None: "not set by a resolver"
        del self.headers["content-length"]
        self.graphql_media_type = graphql_media_type


class BodyTooLarge(Exception):
    """The request body is longer than the configured limit."""


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context, our offline GraphiQL page, GraphQL-shaped
    errors for bad requests, and the media types of the GraphQL over HTTP spec."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        received = 0

        async def receive_within_limit() -> Message:
            # Counts the body as it arrives, so a chunked upload cannot slip past the limit.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        request = Request(scope, receive_within_limit)
        media_type = response_media_type(request.headers.get("accept", ""))
        declared = request.headers.get("content-length", "")
        try:
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge
            response = await self.run(request)
        except BodyTooLarge:
            response = error_response(
                f"The request body is larger than the limit of {limit} bytes.", 413, media_type
            )
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError) and request.method == "GET":
                # The GraphQL over HTTP spec: a mutation sent by GET is 405, and POST is allowed.
                response = error_response(error.reason, 405, media_type, {"Allow": "POST"})
            else:
                response = error_response(error.reason, error.status_code, media_type)
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        # Only an HTTP route serves this app, so neither is ever a WebSocket.
        if not isinstance(request, Request) or not isinstance(response, Response):
            raise TypeError("GraphQL over WebSocket is not served")
        return Context(request=request, response=response)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        return SubResponse(response_media_type(request.headers.get("accept", "")))

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = getattr(sub_response, "graphql_media_type", JSON)
        request_error = isinstance(response_data, dict) and is_request_error(response_data)
        if isinstance(response_data, dict) and request_error:
            # The request never ran, so its result has no "data" entry (GraphQL spec).
            response_data = {k: v for k, v in response_data.items() if k != "data"}  # type: ignore[assignment]
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        if request_error and media_type == GRAPHQL_RESPONSE_JSON and not sub_response.status_code:
            # With the GraphQL media type that is a 400 (GraphQL over HTTP spec); plain JSON
            # keeps 200 for clients written before that media type existed.
            response.status_code = 400
        return response

    def parse_json(self, data: str | bytes) -> Any:
        """A JSON request body or query parameter, or a clear 400 saying what is wrong."""
        try:
            value = self.decode_json(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise HTTPException(400, f"The request is not valid JSON: {error}") from error
        if value is None:
            return {}  # `null` means no parameters, so the error is "no query" if it is the body
        if not isinstance(value, dict | list):
            raise HTTPException(
                400, f"Expected a JSON object, got {type(value).__name__}: {value!r}"
            )
        return value

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.graphiql_page()

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A browser following a /graphql?query=… link gets GraphiQL on that query.
        if not self.graphql_ide:
            return False
        accept = request.headers.get("accept", "")
        return graphiql.wants_page(request.method, accept) or super().should_render_graphql_ide(
            request
        )


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
                paths = list(settings.load_fixtures)
                report = await loader.load(paths)
                log.info(
                    "Fixtures loaded from %s: %s",
                    ", ".join(str(path) for path in paths),
                    f"{report.changed} rows changed" if report.changed else "nothing changed",
                )
            yield

    graphql_app = GraphQLApp(settings)
    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        *graphiql.routes,
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Accept", "Authorization"],
            max_age=600,
        )
    ]
    return Starlette(
        routes=routes, middleware=middleware if settings.cors_origins else [], lifespan=lifespan
    )


app = create_app()
