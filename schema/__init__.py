"""The GraphQL schema: one module per type, mirroring `models/`, assembled here."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema import budget
from schema import known as known_queries
from schema.access import Access
from schema.area import Area
from schema.audit import AuditLogQuery
from schema.budget import BudgetedExecutor
from schema.cabinet import Cabinet
from schema.candidacy import Candidacy
from schema.context import running
from schema.country import Country
from schema.date import Date
from schema.documents import ParseKey, Parsing, parsed_cache
from schema.election import Election
from schema.endorsement import Endorsement
from schema.exit_poll import ExitPoll
from schema.fast_path import FastExecutor
from schema.known import Known, KnownQueries
from schema.legal_case import LegalCase
from schema.limits import Requested, Validation, Verdict, requested_operation, verdict_cache
from schema.mutation import Mutation
from schema.office_term import OfficeTerm
from schema.operation_name import OperationName
from schema.organization import Organization
from schema.person import Person
from schema.polling_stations import PollingStations
from schema.query import Query
from schema.source import Source
from schema.statement import Statement
from schema.subscription import Subscription
from schema.tally import Tally
from service import lease as leases
from service.caches import Cache
from service.deadline import deadline
from service.errors import OperationTimeout, is_expected
from service.metrics import FastPathCounts
from service.settings import Limits, Settings

log = logging.getLogger("elections.graphql")

# Defaults of the limits; each refuses a query before it runs.
MAX_DEPTH = Limits.max_depth
MAX_ALIASES = Limits.max_aliases
MAX_TOKENS = Limits.max_tokens

# Node types reachable only through `node(id:)` must still be in the schema.
TYPES = [
    Area,
    Cabinet,
    Candidacy,
    Country,
    Election,
    Endorsement,
    ExitPoll,
    LegalCase,
    OfficeTerm,
    Organization,
    Person,
    PollingStations,
    Source,
    Statement,
    Tally,
]


class Schema(strawberry.Schema):
    """Strawberry's schema with an execution time limit, suggestions that can be turned
    off, unexpected errors logged (with the request ID) rather than every error, and queries
    executed on the fast path (schema/fast_path.py) unless the settings turn it off."""

    limits = Limits()
    field_suggestions = True
    #: Where the fast path counts its outcomes: the app's metrics (none outside an app).
    fast_path_counts: FastPathCounts | None = None
    #: Queries that ran without an error, run again without the extensions (schema/known.py);
    #: None without the fast path.
    known: KnownQueries | None = None
    #: The caches of this configuration (see build_schema), here to be measured.
    parsed: Cache[ParseKey, DocumentNode] = parsed_cache(0)
    verdicts: Cache[str, Verdict] = verdict_cache(0)

    def configured(
        self,
        extensions: Iterable[type[SchemaExtension] | Callable[[], SchemaExtension]],
        limits: Limits,
        field_suggestions: bool,
        fast_path: bool = True,
        fast_path_counts: FastPathCounts | None = None,
    ) -> Schema:
        """This schema with other extensions and limits, sharing its converted types.

        Strawberry converts the relay `node` fields of Query in place, so a second
        `strawberry.Schema` over the same Query fails (strawberry#3360): the types are
        converted once, and each configuration is a copy of that schema.
        """
        variant = copy.copy(self)
        variant.extensions = tuple(extensions)
        batching = limits.max_batch_operations
        variant.config = dataclasses.replace(
            self.config, batching_config={"max_operations": batching} if batching else None
        )
        variant.limits = limits
        variant.field_suggestions = field_suggestions
        variant.execution_context_class = FastExecutor if fast_path else BudgetedExecutor
        variant.fast_path_counts = fast_path_counts
        # None until build_schema gives it its own: only then are its extensions known to be
        # ones a known query may skip.
        variant.known = None
        return variant

    def without_fast_path(self) -> Schema:
        """This schema with graphql-core executing every field (FAST_PATH=false)."""
        return self.configured(self.extensions, self.limits, self.field_suggestions, False)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # A known query, run as a request runs (its context, no root value of the caller's).
        known = (
            self.known_query(query, variable_values, operation_name)
            if root_value is None and getattr(context_value, "loaders", None) is not None
            else None
        )
        if known is not None:
            ran = await self.execute_known(
                known, context_value, variable_values, operation_name, operation_extensions
            )
            if ran is not None:
                return ran
        limit = self.limits.execution_timeout
        requested = requested_operation.set(Requested(operation_name))
        answer = budget.Budget(self.limits.max_answer_bytes)
        try:
            with deadline(limit), budget.budgeted(answer), running(context_value):
                result = await super().execute(
                    query,
                    variable_values,
                    context_value,
                    root_value,
                    operation_name,
                    allowed_operation_types,
                    operation_extensions,
                )
        except TimeoutError:
            # Cancelling the operation's task stops its resolvers and database queries.
            return timed_out(limit, operation_name)
        finally:
            requested_operation.reset(requested)
        # What was made of an answer over the budget is thrown away.
        if answer.spent:
            return budget.too_large(answer.limit)
        if self.known is not None and query and not result.errors:
            self.known.remember(query, operation_name, self)
        return result

    def known_query(self, query: object, variables: object, operation_name: object) -> Known | None:
        """The query, if it ran here before without an error and these variables keep it
        within the limits that depend on them (schema/known.py)."""
        # A request's body may hold anything here: the ordinary way refuses what is amiss.
        if (
            self.known is None
            or not isinstance(query, str)
            or not isinstance(operation_name, str | None)
            or not isinstance(variables, dict | None)
        ):
            return None
        known = self.known.get(query, operation_name)
        if known is None or not known_queries.within_limits(self, known, variables):
            return None
        return known

    async def execute_known(
        self,
        known: Known,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """A known query run again without the extensions, within the time limit and the
        answer's budget, as `execute` runs any operation; None when it met an error, which
        the ordinary way gives in its own words (it makes the whole answer again)."""
        limit = self.limits.execution_timeout
        answer = budget.Budget(self.limits.max_answer_bytes)
        # Its reads share one connection on PostgreSQL (service/lease.py).
        lease = leases.Lease()
        leased = leases.current.set(lease)
        try:
            with deadline(limit), budget.budgeted(answer), running(context):
                result = await known_queries.run(
                    self, known, context, variables, operation_name, extensions
                )
        except TimeoutError:
            result = timed_out(limit, operation_name)
        finally:
            leases.current.reset(leased)
            await lease.end()
        if answer.spent:  # as the ordinary way would spend it, without running it again
            result = budget.too_large(answer.limit)
        if result is not None:
            # What the OperationName extension notes for the ordinary way.
            known_queries.note_name(known)
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> AsyncGenerator[Any, None]:
        # Subscriptions come this way, not through `execute`: over WebSocket (both
        # protocols; `subscribe` calls this) and HTTP streams. The Validation extension must
        # see the name they gave (or that they gave none), as it does for `execute`, or it
        # would take the first operation's and run the first of several. No time limit here:
        # a subscription lasts as long as its client.
        source = await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )
        return _requesting(Requested(operation_name), source)

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        # graphql-core's own switch for the suggestions it makes while executing (an enum
        # value in a variable); validation gets it from the Validation extension.
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        if self.execution_context_class is FastExecutor:
            kwargs["counts"] = self.fast_path_counts
        return {**kwargs, "hide_suggestions": not self.field_suggestions}

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are the client's to read, not ours to log; faults are logged with
        # their traceback, and the JSON log line carries the request ID.
        for error in errors:
            if not is_expected(error):
                original = error.original_error
                assert original is not None
                log.error(
                    "Unexpected error at %s: %s",
                    ".".join(str(key) for key in error.path or ()) or "(operation)",
                    error.message,
                    exc_info=(type(original), original, original.__traceback__),
                )


async def _requesting(
    requested: Requested, source: AsyncGenerator[Any, None]
) -> AsyncGenerator[Any, None]:
    """`source`'s results, each read with `requested` as the operation the request named.

    Strawberry parses and validates when a stream is first read, not when it is made, so the
    name is set around each read rather than around `stream`; set and reset within one read,
    it never outlives it, whichever task reads next.
    """
    async with aclosing(source):
        while True:
            token = requested_operation.set(requested)
            try:
                result = await anext(source)
            except StopAsyncIteration:
                return
            finally:
                requested_operation.reset(token)
            yield result


def timed_out(limit: float, operation_name: str | None) -> ExecutionResult:
    """The result of an operation stopped at the time limit, logged as a warning."""
    message = f"The operation took longer than the limit of {limit:g} s and was stopped."
    log.warning("Operation %s stopped after %g s", operation_name or "(unnamed)", limit)
    return ExecutionResult(
        data=None, errors=[GraphQLError(message, original_error=OperationTimeout(message))]
    )


def build_schema(
    settings: Settings | None = None, fast_path_counts: FastPathCounts | None = None
) -> Schema:
    """The schema as the settings ask: limits, introspection, suggestions, batching, the byte
    budgets of its caches of parsed documents, validation verdicts and known queries; the
    fast path's outcomes counted in `fast_path_counts` (an app's metrics) if given."""
    settings = settings or Settings()
    limits = settings.limits
    # One of each per configuration, shared by its requests.
    parsed = parsed_cache(settings.cache_bytes.parsed)
    verdicts = verdict_cache(settings.cache_bytes.validated)
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        # Parsed documents kept by query text and parse options (the token limit among them).
        lambda: Parsing(parsed),
        *([] if settings.introspection else [DisableIntrospection]),
        # After the extensions above, which add their rules when the operation starts. The
        # depth and aliases are counted here, by rules that measure each fragment once.
        lambda: Validation(limits, settings.field_suggestions, verdicts),
        OperationName,
        Access,
    ]
    configured = _TYPES_ONLY.configured(
        extensions, limits, settings.field_suggestions, settings.fast_path, fast_path_counts
    )
    configured.parsed, configured.verdicts = parsed, verdicts
    if settings.fast_path and not known_queries.unknown_extensions(configured):
        configured.known = KnownQueries(settings.cache_bytes.known)
    return configured


@strawberry.type(name="Query", description="The root of every query.")
class RootQuery(Query, AuditLogQuery):
    """The lookups of `schema.query`, and the audit log (kept apart: it needs a token)."""


_TYPES_ONLY = Schema(
    query=RootQuery,
    mutation=Mutation,
    subscription=Subscription,
    types=TYPES,
    config=StrawberryConfig(auto_camel_case=True),
    # Our Date: only YYYY-MM-DD, and an error that says so.
    scalar_overrides={dt.date: Date},
)

#: The schema with the development defaults: what the tests run in-process and what
#: `make schema` prints (settings change no type, so the SDL is the same for all).
schema = build_schema()

__all__ = ["Schema", "build_schema", "schema", "timed_out"]
