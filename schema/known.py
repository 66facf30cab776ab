"""Known queries: a query that has already run here without an error runs again on the fast
path's executor without the schema's extensions, with the same answer.

For a small query most of an operation's time went to the machinery around its execution:
parsing, and the schema extensions, each entered and left at every step. Once a query text
has parsed, passed every validation rule and the access check, and run without an error,
those steps can only give the same verdict again, except what depends on the variables: the
lists they hold and the cost, checked each time. So such a query is remembered by the schema
(`Schema.execute`), and its next runs go straight to the executor, or past it where the query
compiles (schema/compiled.py: one object per root field). A run with an error, or
over a limit, goes the ordinary way, which gives the error in its own words. A schema with an
extension not listed in SKIPPED remembers nothing, and an app refuses to start with one
(`refuse_unknown_extensions`): skipping it might change an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, SchemaExtension
from strawberry.types import ExecutionResult

from schema import budget, limits
from schema.access import PROTECTED, Access, root_fields
from schema.compiled import Compiled, compile_known
from schema.documents import Parsing, document_bytes
from schema.fast_path import Calls, Collected, FastExecutor, Plans
from schema.joins import Joins, joins_of
from schema.operation_name import OperationName
from service import compat, logs
from service.caches import Cache, text_bytes
from service.settings import CacheBytes

if TYPE_CHECKING:
    from schema import Schema

#: The schema extensions a known query skips, and why each may be skipped when a query that
#: ran here without an error comes again. Any other turns known queries off.
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
        # which depend on the variables, are checked again for each run by `run`.
        limits.Validation,
        # `run` notes the operation's name for the log line and the metrics itself.
        OperationName,
        # A query with a field that needs a token is never remembered (`remember`).
        Access,
    }
)


class UnknownExtensionError(RuntimeError):
    """The schema has an extension that known queries do not know they may skip."""


def unknown_extensions(schema: Schema) -> list[type[SchemaExtension]]:
    """The schema's extensions that are not in SKIPPED."""
    return [type(ext) for ext in schema.get_extensions() if type(ext) not in SKIPPED]


def refuse_unknown_extensions(schema: Schema) -> None:
    """Refuses a schema with an extension not in SKIPPED: known queries would skip it."""
    unknown = unknown_extensions(schema)
    if unknown:
        names = ", ".join(f"{kind.__module__}.{kind.__qualname__}" for kind in unknown)
        raise UnknownExtensionError(
            f"The schema has an extension that known queries would skip: {names}. A query "
            "that ran without an error runs again without the schema's extensions, which "
            "may skip only those listed in SKIPPED (schema/known.py). If the extension gives "
            "the same verdict on a repeat of a query that ran without an error, add it there "
            "with the reason; if not, make `run` do its work too. Or set FAST_PATH=false "
            "to serve without known queries (and without the fast path)."
        )


@dataclass
class Known:
    """A query that ran without an error: its document, operation and name for the logs,
    and its cost when no variable can change it (None: counted with each run's)."""

    document: DocumentNode
    operation: OperationDefinitionNode
    name: str
    cost: int | None
    #: The fields the fast path collects for each selection, kept unless `@skip` or
    #: `@include` can change them from one run to the next.
    collected: Collected | None
    #: The fields' arguments as the fast path converts them, where no variable can change
    #: them (schema/fast_path.py).
    calls: Calls
    #: The rows its fields reach through a foreign key, read with the rows that hold the key.
    joins: Joins
    #: How each field of the selections in `collected` is resolved (schema/fast_path.py).
    plans: Plans = field(default_factory=dict)
    #: The query compiled (schema/compiled.py), once a run on the fast path has collected its
    #: fields, if it is one that compiles; and how many selections were collected then, so
    #: that it is compiled again when a run reaches a type no run had reached.
    compiled: Compiled | None = None
    compiled_from: int = 0


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
        joins = joins_of(compat.graphql_schema(schema), document)
        known = Known(document, operation, name, cost, collected, calls={}, joins=joins)
        self._known.put((query, operation_name), known)


def _weigh(key: tuple[str, str | None], known: Known) -> int:
    # Twice the document: what the fast path keeps for its selections and its fields'
    # arguments as it runs it again grows with the document too, and is held by the same
    # entry.
    return 2 * document_bytes(known.document) + text_bytes(key[1])


def _conditional(document: DocumentNode) -> bool:
    """Whether the document has a directive: `@skip` and `@include` can change the fields
    collected from one run to the next (any other is refused by validation)."""
    found = False

    class Visitor(GraphQLVisitor):
        def enter_directive(self, _node: DirectiveNode, *_args: object) -> None:
            nonlocal found
            found = True

    visit(document, Visitor())
    return found


def within_limits(schema: Schema, known: Known, variables: dict[str, Any] | None) -> bool:
    """Whether this run's variables keep the query within the limits that depend on them:
    the lists they hold, and the cost."""
    limit = schema.limits
    if limits.variable_list_error(variables or {}, limit.max_list_items) is not None:
        return False
    count = known.cost
    if count is None:
        count = limits.cost(
            compat.graphql_schema(schema),
            known.document,
            known.operation,
            variables,
            limit.cost_list_size,
        )
    return count <= limit.max_cost


async def run(
    schema: Schema,
    known: Known,
    context: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    extensions: dict[str, Any] | None,
) -> ExecutionResult | None:
    """The known query run compiled where it compiles, else on the fast path's executor
    (which compiles it once it has collected its fields), as the schema would run it; None
    when it must go the ordinary way (an error). Its caller, `Schema.execute_known`, has
    checked `within_limits`, and keeps the time limit and the answer's budget and notes the
    operation's name (`note_name`)."""
    loaders = getattr(context, "loaders", None)
    if loaders is not None:
        loaders.join(known.joins)
    graphql_schema = compat.graphql_schema(schema)
    compiled = known.compiled
    if compiled is not None:
        try:
            data = await compiled.run(graphql_schema, context, variables)
        except Exception:  # whatever it was, the fast path answers (schema/compiled.py)
            answer = budget.current.get()
            if answer is not None:
                if answer.spent:
                    return None  # too large: the caller answers so, as for any other run
                answer.refill()  # the fast path makes the whole answer again
        else:
            if schema.fast_path_counts is not None:
                schema.fast_path_counts.compiled()
            return ExecutionResult(data=data, errors=None)
    outcome = graphql_execute(
        graphql_schema,
        known.document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        executor_class=FastExecutor,
        collected=known.collected,
        calls=known.calls,
        plans=None if known.collected is None else known.plans,
        **compat.context_kwargs(schema, extensions),
    )
    ran = outcome if isinstance(outcome, GraphQLExecutionResult) else await outcome
    if ran.errors:
        return None  # errors are logged, and masked in production, the ordinary way
    collected = known.collected
    if collected is not None and len(collected) != known.compiled_from:
        # The fast path collected fields for a selection not seen before: compile again.
        known.compiled = compile_known(graphql_schema, known.operation, collected)
        known.compiled_from = len(collected)
    return ExecutionResult(data=ran.data, errors=None)  # Strawberry's, as the view has it


def note_name(known: Known) -> None:
    """What the OperationName extension notes for the log line and the metrics."""
    info = logs.current_request.get()
    if info is not None:
        info.operations.append(known.name)
