"""The /graphql endpoint: Strawberry's ASGI view with our context, the GraphQL over HTTP
media types and status codes, persisted queries and fast requests. The body limit
(web/body_limit.py) and HTTP caching (web/caching.py) are middleware around it."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from schema import build_schema
from schema import known as known_queries
from schema.context import Context, RequestOutcome
from service import compat, errors, logs
from service.metrics import Metrics
from service.settings import Settings
from web import fast_requests, graphiql, subscriptions
from web.persisted_queries import PersistedQueries, PersistedQueryError

#: The media type of the GraphQL over HTTP spec, used when the client's Accept asks for it.
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
#: A JSON escape of a UTF-16 surrogate (`\ud800`): a lone one decodes to no character.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
#: The deepest a request's JSON may nest arrays and objects: a filter of the largest size
#: (schema/filters.py) fits, and the parser, which recurses, stays far from Python's limit.
MAX_JSON_DEPTH = 100
#: The most characters a number in a request's JSON may have: GraphQL's Int has at most 11
#: (with its sign), and converting a long one costs time quadratic in its length.
MAX_NUMBER_LENGTH = 100


class JSONTooLarge(ValueError):
    """A request's JSON nests deeper, or writes a longer number, than its limits."""


def _number(convert: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_LENGTH:
            raise JSONTooLarge(
                f"a number of {len(text):,} characters ({text[:20]}…), over the limit of "
                f"{MAX_NUMBER_LENGTH}"
            )
        return convert(text)

    return parse


#: The hooks that bound the numbers' length, made once rather than for every request.
PARSE_INT, PARSE_FLOAT = _number(int), _number(float)
#: A decoder with those hooks, made once: `json.loads` given hooks makes one for each call.
DECODER = json.JSONDecoder(parse_int=PARSE_INT, parse_float=PARSE_FLOAT)


def loads(data: str | bytes) -> Any:
    """`json.loads(data, parse_int=PARSE_INT, parse_float=PARSE_FLOAT)`, as it reads text
    (a byte order mark refused) and bytes (UTF-8, -16 or -32), by DECODER."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
        return DECODER.decode(data)
    return DECODER.decode(data.decode(json.detect_encoding(data), "surrogatepass"))


def json_depth(value: object, limit: int) -> int:
    """How deep `value` nests lists and dicts, counted up to `limit` + 1 at most."""
    deepest = 0
    stack = [(value, 1)]
    while stack:  # not recursive: the depth is what is being checked
        item, depth = stack.pop()
        if isinstance(item, list | dict):
            deepest = max(deepest, depth)
            if depth > limit:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


#: Every digit made a zero (`bytes.translate`), so that a run of digits too long for orjson
#: to read as `json.loads` does is found as LONG_DIGITS: an integer past 64 bits (orjson
#: makes it a float), a long fraction or exponent. A number over MAX_NUMBER_LENGTH has one
#: too, as it holds at most four characters that are not digits. (A regular expression
#: took 1.2-1.5 µs over a small query's body, four times orjson's reading; this, 0.2.)
DIGITS_AS_ZEROS = bytes.maketrans(b"0123456789", b"0" * 10)
LONG_DIGITS = b"0" * 16


def fast_loads(data: bytes) -> Any:
    """`loads(data)` by orjson, where orjson reads it to the same value (0.7 µs against 1.8
    for a small query's body, the check included); NotImplemented where it might not.
    orjson refuses what `json.loads` reads otherwise or refuses in other words (a byte order
    mark, UTF-16 and -32, NaN and Infinity, a lone surrogate, an exponent past a float's
    range, nesting past 1,024 levels), and the long digits it would read otherwise are
    looked for first (LONG_DIGITS)."""
    if LONG_DIGITS in data.translate(DIGITS_AS_ZEROS):
        return NotImplemented
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return NotImplemented


def bounded_json(data: str | bytes) -> Any:
    """JSON as `json.loads` reads it, refused with JSONTooLarge past MAX_JSON_DEPTH levels or
    MAX_NUMBER_LENGTH characters in a number, before either costs much."""
    try:
        value = fast_loads(data) if isinstance(data, bytes) else NotImplemented
        if value is NotImplemented:
            value = loads(data)
    except RecursionError:
        # The parser recurses once per level and stops at the interpreter's limit.
        value = None
        depth = MAX_JSON_DEPTH + 1
    else:
        # Each level opens with a bracket of the text: with no more brackets than levels
        # allowed (those in strings counted too), the value is not walked.
        opening = (
            data.count("[") + data.count("{")
            if isinstance(data, str)
            else (data.count(b"[") + data.count(b"{"))
        )
        depth = json_depth(value, MAX_JSON_DEPTH) if opening > MAX_JSON_DEPTH else 0
    if depth > MAX_JSON_DEPTH:
        raise JSONTooLarge(f"arrays and objects nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def response_json(value: object) -> bytes:
    """A response's JSON, compact, as UTF-8: encoded by orjson, about ten times faster than
    `json.dumps` on a large answer (BENCHMARKS.md). What orjson refuses (an integer beyond 64
    bits, a key that is not a string, a lone surrogate) is encoded by `json.dumps` instead, as
    every response was before, with non-ASCII characters escaped: the same JSON values."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value, separators=(",", ":")).encode()


@lru_cache(maxsize=64)
def response_media_type(accept: str) -> str:
    """The media type to answer with: the GraphQL one if Accept ranks it at least as high as
    application/json, else application/json (also for a missing Accept or `*/*`, as the
    GraphQL over HTTP spec advises for clients that predate its media type). Kept for the
    last Accept headers seen, as a request asks for it two or three times and a client
    sends the same header each time."""
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


def failure(result: ExecutionResult) -> errors.ErrorKind | None:
    """Why a result has no data, if it did not run: "request" for a query refused before
    execution (syntax, validation, limits, variables), "internal" for a fault of ours there.
    None for a result that ran, even if its data is null (a field error, the time limit)."""
    found = result.errors or []
    if result.data is not None or not found:
        return None
    kinds = [errors.kind(error) for error in found]
    if "timeout" in kinds or any(error.path is not None for error in found):
        return None  # it ran: an error in a field, null all the way up to the data
    return "internal" if "internal" in kinds else "request"


def error_response(
    message: str,
    status_code: int,
    media_type: str,
    headers: dict[str, str] | None = None,
    code: str | None = None,
) -> Response:
    """A GraphQL-shaped error (`{"errors": [{"message": …}]}`, with `extensions.code` if
    given) for a request that did not run."""
    error: dict[str, Any] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code}
    body = response_json({"errors": [error]})
    return Response(body, status_code, headers=headers, media_type=f"{media_type}; charset=utf-8")


def with_outcome(scope: Scope, response: Response, media_type: str) -> None:
    """Gives an answer of /graphql the status its request's RequestOutcome calls for (the
    GraphQL over HTTP spec's, for the answer's media type) and a refused token's challenge."""
    outcome = RequestOutcome.of(scope)
    status = outcome.status(media_type == GRAPHQL_RESPONSE_JSON)
    if status is not None:
        response.status_code = status
    if outcome.refusal is not None:
        response.headers["WWW-Authenticate"] = outcome.refusal.challenge


class SubResponse(Response):
    """Strawberry's sub-response (resolvers may set headers or a status on it), which also
    carries the media type chosen from the request's Accept header."""

    def __init__(self, graphql_media_type: str) -> None:
        # What `Response()` sets, less its `content-length: 0`, without making the headers
        # twice over for every request (2 µs of a small query's 100 in process): the
        # headers' MutableHeaders is made when a resolver or the view first reads it.
        self.status_code = None  # type: ignore[assignment]  # None: "not set by a resolver"
        self.background = None
        self.body = b""
        self.raw_headers = []
        self.graphql_media_type = graphql_media_type


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context, our offline GraphiQL page, GraphQL-shaped
    errors for bad requests, the media types and status codes of the GraphQL over HTTP spec
    (from the request's RequestOutcome), and persisted queries.

    Made, it checks the private names of the libraries the schema uses (service/compat.py)
    and, with the fast path, that fast requests may skip each of the schema's extensions;
    the fast path and fast requests count their outcomes in `metrics`."""

    #: Subscriptions over WebSocket, bounded (web/subscriptions.py).
    graphql_transport_ws_handler_class = subscriptions.LiveHandler

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        schema = build_schema(settings, metrics.fast_path_counts)
        compat.check(schema, settings.fast_path)
        if settings.fast_path:
            known_queries.refuse_unknown_extensions(schema)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
            subscription_protocols=subscriptions.PROTOCOLS,
            connection_init_wait_timeout=dt.timedelta(seconds=settings.live.init_timeout),
        )
        self.settings = settings
        self.metrics = metrics
        self.persisted_queries = PersistedQueries(
            settings.persisted_queries,
            settings.cache_bytes.persisted,
            settings.registered_operations,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = response_media_type(request.headers.get("accept", ""))
        try:
            response = None
            # A request the fast lane tried already (web/fast_lane.py) goes the ordinary way
            # at once, as it would after this view's own try.
            if self.settings.fast_path and fast_requests.TRIED not in scope:
                response = await fast_requests.answer(self, request)
                if response is None:
                    self.metrics.fast_request_ordinary()
                else:
                    self.metrics.fast_request_answered()
            if response is None:
                response = await self.run(request)
            with_outcome(scope, response, media_type)
        except PersistedQueryError as error:
            response = error_response(error.message, error.status_code, media_type, code=error.code)
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
        if not isinstance(request, Request) or not isinstance(response, Response):
            # Subscriptions over WebSocket read public data: no token is looked at.
            return Context()
        return Context(
            request=request,
            response=response,
            authorization=request.headers.get("authorization"),
            outcome=RequestOutcome.of(request.scope),
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        return SubResponse(response_media_type(request.headers.get("accept", "")))

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        """Runs the operation, or each of a batch, with the query its persisted-query hash
        names; a query sent with its hash is kept once it has run without a request error.
        (Each query that ran without any error is known to the schema, by its own result:
        in a batch, one operation's success vouches for no other.)"""
        batch = request_data if isinstance(request_data, list) else [request_data]
        to_keep: list[tuple[str, str] | None] = []
        for data in batch:
            data.query, digest = self.persisted_queries.resolve(data.query, data.extensions)
            to_keep.append((digest, data.query) if digest and data.query else None)
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        results = result if isinstance(result, list) else [result]
        for keep, ran in zip(to_keep, results, strict=True):
            # Only queries that parse and validate are kept: the store is for operations.
            if keep is not None and isinstance(ran, ExecutionResult) and failure(ran) is None:
                self.persisted_queries.keep(*keep)
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The result as JSON: errors counted for the logs and metrics, unexpected ones
        masked in production, and no "data" entry if the operation never ran."""
        found = result.errors or []
        info = logs.current_request.get()
        if info is not None:
            info.errors.update(errors.kind(error) for error in found)
        failed = failure(result)
        RequestOutcome.of(request.scope).add_result(failed, errors=bool(found))
        if self.settings.production and found:
            request_id = info.request_id if info else "unknown"
            masked = errors.masked(found, request_id)
            result = ExecutionResult(result.data, masked, result.extensions)
        response = await super().process_result(request, result)
        if failed:
            # The request never ran, so its result has no "data" entry (GraphQL spec).
            del response["data"]
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """The answer as Strawberry's view makes it, its body encoded by `response_json`, with
        the media type chosen from Accept and what resolvers set on the sub-response."""
        media_type = getattr(sub_response, "graphql_media_type", JSON)
        response = Response(response_json(response_data), media_type=f"{media_type}; charset=utf-8")
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    def encode_json(self, data: object) -> str:
        """JSON as text, for the messages of subscriptions (WebSocket text frames, and the
        event streams of HTTP): `response_json`'s, decoded."""
        return response_json(data).decode()

    def parse_json(self, data: str | bytes) -> Any:
        """A JSON request body or query parameter, or a clear 400 saying what is wrong."""
        try:
            value = self.decode_json(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise HTTPException(400, f"The request is not valid JSON: {error}") from error
        except JSONTooLarge as error:
            raise HTTPException(400, f"The request's JSON has {error}.") from error
        if isinstance(data, str) or SURROGATE_ESCAPE.search(data):
            # json.loads joins a pair into one character but keeps a lone surrogate, which no
            # text encoding can write: it would fail wherever a value reaches the database.
            try:
                json.dumps(value, ensure_ascii=False).encode()
            except UnicodeEncodeError as error:
                code = ord(error.object[error.start])
                raise HTTPException(
                    400,
                    f"The request is not valid JSON: \\u{code:04x} is half of a surrogate pair, "
                    "not a character.",
                ) from error
        if value is None:
            return {}  # `null` means no parameters, so the error is "no query" if it is the body
        if not isinstance(value, dict | list):
            raise HTTPException(
                400, f"Expected a JSON object, got {type(value).__name__}: {value!r}"
            )
        return value

    def decode_json(self, data: str | bytes) -> object:
        return bounded_json(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        RequestOutcome.of(request.scope).graphql_ide = True
        return graphiql.graphiql_page()

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A browser following a /graphql?query=… link gets GraphiQL on that query.
        if not self.graphql_ide:
            return False
        accept = request.headers.get("accept", "")
        if graphiql.wants_page(request.method, accept):
            return True
        # A GET by persisted-query hash has no `query`, yet it is an API call, also with
        # Apollo Client 3's `Accept: */*`, which Strawberry's own test takes for a browser.
        if "extensions" in request.query_params:
            return False
        return super().should_render_graphql_ide(request)
