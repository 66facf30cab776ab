"""Fast requests: a query that has already run here without an error is answered again
without Strawberry's HTTP view and schema extensions, with the same bytes.

For a small query most of a request's time went to the machinery around the execution:
Strawberry's request adapter and parsing, and the schema extensions, each entered and
left at every step of every operation. Once a query text has parsed, passed every
validation rule and the access check, and run without an error, those steps can only give
the same verdict again, except what depends on the variables: the lists they hold and the
cost, checked each time. So such a query is remembered, and its next requests run straight
on the executor of the fast path (schema/fast_path.py), then go out through the view's own
result and response methods. A result with an error, or a request this module does not
recognise, goes the ordinary way from the start; a timeout is answered as the schema answers
it. An app whose schema has an extension not listed in SKIPPED refuses to start
(`refuse_unknown_extensions`): skipping it might change an answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol, cast

from cross_web import HTTPException
from graphql import (
    DirectiveNode,
    DocumentNode,
    OperationDefinitionNode,
    OperationType,
    parse,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import Visitor as GraphQLVisitor
from graphql import execute as graphql_execute
from graphql.utilities import get_operation_ast
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, SchemaExtension
from strawberry.types import ExecutionResult

from schema import Schema, budget, limits, timed_out
from schema.access import PROTECTED, Access, root_fields
from schema.documents import Parsing, document_bytes
from schema.fast_path import Collected, FastExecutor
from schema.operation_name import OperationName
from service import compat, logs
from service.caches import Cache, text_bytes
from service.settings import CacheBytes
from web.persisted_queries import PersistedQueries, PersistedQueryError

#: The schema extensions a fast request skips, and why each may be skipped when a query
#: that ran here without an error comes again. Any other refuses the app at start.
SKIPPED: frozenset[type[SchemaExtension]] = frozenset(
    {
        # Limits on the document alone (tokens, no introspection), with the app's settings:
        # the same text passes them again.
        MaxTokensLimiter,
        DisableIntrospection,
        # The parsed document is kept with the known query.
        Parsing,
        # The rules' verdict (depth and aliases among them) depends on the document alone,
        # and so does the choice of its operation; the lists in the variables and the cost,
        # which depend on the variables, are checked again for each request by `answer`.
        limits.Validation,
        # `answer` notes the operation's name for the log line and the metrics itself.
        OperationName,
        # A query with a field that needs a token is never remembered (`remember`).
        Access,
    }
)


class UnknownExtensionError(RuntimeError):
    """The schema has an extension that fast requests do not know they may skip."""


def refuse_unknown_extensions(schema: Schema) -> None:
    """Refuses a schema with an extension not in SKIPPED: fast requests would skip it."""
    unknown = [type(ext) for ext in schema.get_extensions() if type(ext) not in SKIPPED]
    if unknown:
        names = ", ".join(f"{kind.__module__}.{kind.__qualname__}" for kind in unknown)
        raise UnknownExtensionError(
            f"The schema has an extension that fast requests would skip: {names}. Fast "
            "requests answer a known query again without the schema's extensions, and may "
            "skip only those listed in SKIPPED (web/fast_requests.py). If the extension gives "
            "the same verdict on a repeat of a query that ran without an error, add it there "
            "with the reason; if not, make `answer` do its work too. Or set FAST_PATH=false "
            "to serve without fast requests (and without the fast path)."
        )


@dataclass(frozen=True)
class Known:
    """A query that ran without an error: its document, operation and name for the logs,
    and its cost when no variable can change it (None: counted with each request's)."""

    document: DocumentNode
    operation: OperationDefinitionNode
    name: str
    cost: int | None
    #: The fields the fast path collects for each selection, kept unless `@skip` or
    #: `@include` can change them from one request to the next.
    collected: Collected | None


class KnownQueries:
    """The queries (text and operation name) that ran here without an error, up to `budget`
    bytes of them: the least recently used go first."""

    def __init__(self, budget: int = CacheBytes.known) -> None:
        self._known: Cache[tuple[str, str | None], Known] = Cache(budget, _weigh)

    def get(self, query: str, operation_name: str | None) -> Known | None:
        return self._known.get((query, operation_name))

    @property
    def bytes(self) -> int:
        return self._known.bytes

    def __len__(self) -> int:
        return len(self._known)

    def remember(self, query: str, operation_name: str | None, schema: Schema) -> None:
        """Remembers a query that has just run without an error, if it is a query that needs
        no token (mutations and the audit log go the ordinary way, with their checks)."""
        if (query, operation_name) in self._known:
            return
        document = parse(query)
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return
        if root_fields(operation, document) & PROTECTED.keys():
            return
        name = operation.name.value if operation.name else "(anonymous)"
        cost = (
            None
            if limits.cost_takes_variables(document)
            else limits.cost(
                compat.graphql_schema(schema),
                document,
                operation,
                None,
                schema.limits.cost_list_size,
            )
        )
        collected: Collected | None = None if _conditional(document) else {}
        self._known.put((query, operation_name), Known(document, operation, name, cost, collected))


def _weigh(key: tuple[str, str | None], known: Known) -> int:
    # Twice the document: what the fast path collects for its selections as it runs it again
    # grows with the document too, and is held by the same entry.
    return 2 * document_bytes(known.document) + text_bytes(key[1])


class View(Protocol):
    """What this module uses of the /graphql view (web.graphql_app.GraphQLApp), named here
    so that the view may import this module and not the other way round."""

    schema: Any
    persisted_queries: PersistedQueries
    known: KnownQueries

    def request_adapter_class(self, request: Request) -> Any: ...

    def should_render_graphql_ide(self, request: Any) -> bool: ...

    def parse_json(self, data: str | bytes) -> Any: ...

    def parse_query_params(self, params: Any) -> dict[str, Any]: ...

    async def get_sub_response(self, request: Request) -> Response: ...

    async def get_context(self, request: Request, response: Response) -> Any: ...

    async def process_result(self, request: Request, result: ExecutionResult) -> Any: ...

    def create_response(self, response_data: Any, sub_response: Response) -> Response: ...


async def answer(app: View, request: Request) -> Response | None:
    """The response to a request for a known query, as the ordinary way would give it; None
    when the request must go the ordinary way."""
    params = await _params(app, request)
    if params is None:
        return None
    query, variables, operation_name, extensions = params
    try:
        query, digest = app.persisted_queries.resolve(query, extensions)
    except PersistedQueryError:
        return None  # refused the ordinary way, in its words
    known = app.known.get(query, operation_name) if query is not None else None
    if known is None:
        return None
    schema = cast(Schema, app.schema)
    limit = schema.limits
    if limits.variable_list_error(variables or {}, limit.max_list_items) is not None:
        return None  # refused the ordinary way, in its words
    count = known.cost
    if count is None:
        count = limits.cost(
            compat.graphql_schema(schema),
            known.document,
            known.operation,
            variables,
            limit.cost_list_size,
        )
    if count > limit.max_cost:
        return None
    sub_response = await app.get_sub_response(request)
    context = await app.get_context(request, sub_response)
    answer = budget.Budget(limit.max_answer_bytes)
    try:
        async with asyncio.timeout(limit.execution_timeout):
            with budget.budgeted(answer):
                ran = await _execute(schema, known, context, variables, operation_name, extensions)
    except TimeoutError:
        result = timed_out(limit.execution_timeout, operation_name)  # as the schema says it
    else:
        if answer.spent:  # as the schema says it, without running it again the ordinary way
            result = budget.too_large(answer.limit)
        elif ran.errors:
            return None  # errors are logged, and masked in production, the ordinary way
        else:
            result = ExecutionResult(data=ran.data, errors=None)  # Strawberry's, as the view has it
            if digest is not None and query is not None:
                app.persisted_queries.keep(digest, query)  # as the ordinary way does after a run
    # What the OperationName extension notes for the log line and the metrics.
    info = logs.current_request.get()
    if info is not None:
        info.operations.append(known.name)
    data = await app.process_result(request, result)
    return app.create_response(data, sub_response)


async def _execute(
    schema: Schema,
    known: Known,
    context: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    extensions: dict[str, Any] | None,
) -> GraphQLExecutionResult:
    """The operation run on the fast path's executor, as the schema would run it."""
    outcome = graphql_execute(
        compat.graphql_schema(schema),
        known.document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        executor_class=FastExecutor,
        collected=known.collected,
        **compat.context_kwargs(schema, extensions),
    )
    if isinstance(outcome, GraphQLExecutionResult):
        return outcome
    return await outcome


def _conditional(document: DocumentNode) -> bool:
    """Whether the document has a directive: `@skip` and `@include` can change the fields
    collected from one request to the next (any other is refused by validation)."""
    found = False

    class Visitor(GraphQLVisitor):
        def enter_directive(self, _node: DirectiveNode, *_args: object) -> None:
            nonlocal found
            found = True

    visit(document, Visitor())
    return found


async def _params(
    app: View, request: Request
) -> tuple[str | None, dict[str, Any] | None, str | None, dict[str, Any] | None] | None:
    """The request's query, variables, operation name and extensions, if it is a single
    GraphQL request the ordinary way would read the same way; None otherwise."""
    if "multipart/mixed" in request.headers.get("accept", ""):
        return None  # a streaming transport: Strawberry's
    try:
        if request.method == "POST":
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
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
