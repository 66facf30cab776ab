"""Fast requests: a known query (schema/known.py), one that has already run here without an
error, is answered again without Strawberry's HTTP view, with the same bytes.

For a small query most of a request's time went to the machinery around the execution:
Strawberry's request adapter and parsing, and the schema extensions. A known query runs
without the extensions wherever the schema runs it; over HTTP, this module also takes it
past the view: its next requests run straight on the fast path's executor, then go out
through the view's own result and response methods. A result with an error, or a request
this module does not recognise, goes the ordinary way from the start; a timeout is answered
as the schema answers it.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from schema import Schema
from web.persisted_queries import PersistedQueries, PersistedQueryError


class View(Protocol):
    """What this module uses of the /graphql view (web.graphql_app.GraphQLApp), named here
    so that the view may import this module and not the other way round."""

    schema: Any
    persisted_queries: PersistedQueries

    def request_adapter_class(self, request: Request) -> Any: ...

    def should_render_graphql_ide(self, request: Any) -> bool: ...

    def parse_json(self, data: str | bytes) -> Any: ...

    def parse_query_params(self, params: Any) -> dict[str, Any]: ...

    async def get_sub_response(self, request: Request) -> Response: ...

    async def get_context(self, request: Request, response: Response) -> Any: ...

    async def process_result(self, request: Request, result: ExecutionResult) -> Any: ...

    def create_response(self, response_data: Any, sub_response: Response) -> Response: ...


#: Where the ASGI scope notes that the fast lane (web/fast_lane.py) tried the request as a
#: known query and it must go the ordinary way (not known, refused, or an error met): the
#: view then takes that way at once.
TRIED = "elections.fast_request_tried"

#: A request's query, variables, operation name and extensions, as a GraphQL request holds them.
Params = tuple[str | None, dict[str, Any] | None, str | None, dict[str, Any] | None]


async def answer(app: View, request: Request) -> Response | None:
    """The response to a request for a known query, as the ordinary way would give it; None
    when the request must go the ordinary way."""
    params = await _params(app, request)
    if params is None:
        return None
    ran = await run(app, request, params)
    if ran is None:
        return None
    result, sub_response = ran
    data = await app.process_result(request, result)
    return app.create_response(data, sub_response)


async def run(
    app: View, request: Request, params: Params
) -> tuple[ExecutionResult, Response] | None:
    """A known query's result, and the sub-response its resolvers were given; None when the
    request must go the ordinary way (not known, refused, or an error met)."""
    query, variables, operation_name, extensions = params
    try:
        query, digest = app.persisted_queries.resolve(query, extensions)
    except PersistedQueryError:
        return None  # refused the ordinary way, in its words
    schema = cast(Schema, app.schema)
    known = schema.known_query(query, variables, operation_name)
    if known is None:
        return None  # refused the ordinary way, in its words, if it is over a limit
    sub_response = await app.get_sub_response(request)
    context = await app.get_context(request, sub_response)
    result = await schema.execute_known(known, context, variables, operation_name, extensions)
    if result is None:
        return None  # errors are logged, and masked in production, the ordinary way
    if not result.errors and digest is not None and query is not None:
        app.persisted_queries.keep(digest, query)  # as the ordinary way does after a run
    return result, sub_response


def streaming(accept: str) -> bool:
    """Whether an Accept header asks for a streaming transport (`multipart/mixed`), which
    only Strawberry's view answers."""
    return "multipart/mixed" in accept


def json_body(content_type: str) -> bool:
    """Whether a Content-Type header is JSON's, the one body read fast."""
    return content_type.split(";")[0].strip().lower() == "application/json"


async def _params(app: View, request: Request) -> Params | None:
    """The request's query, variables, operation name and extensions, if it is a single
    GraphQL request the ordinary way would read the same way; None otherwise."""
    if streaming(request.headers.get("accept", "")):
        return None
    try:
        if request.method == "POST":
            if not json_body(request.headers.get("content-type", "")):
                return None
            data = app.parse_json(await request.body())
        elif request.method == "GET":
            if app.should_render_graphql_ide(app.request_adapter_class(request)):
                return None
            data = app.parse_query_params(request.query_params)
        else:
            return None
    except HTTPException:
        return None  # refused the ordinary way, in its words
    return params_of(data)


def params_of(data: object) -> Params | None:
    """The query, variables, operation name and extensions of a request's parsed JSON, if
    each has the type the ordinary way reads; None otherwise."""
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    operation_name, extensions = data.get("operationName"), data.get("extensions")
    if not (
        isinstance(query, str | None)
        and isinstance(variables, dict | None)
        and isinstance(operation_name, str | None)
        and isinstance(extensions, dict | None)
    ):
        return None
    return query, variables, operation_name, extensions
