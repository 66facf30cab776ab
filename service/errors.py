"""Errors: those a client may read, and the masking of every other one.

    Exception
     └── ValueError
          └── ClientError       a request the client can correct; its message is shown as is
               └── OperationTimeout   the operation ran past EXECUTION_TIMEOUT

A GraphQL error is *expected* when graphql-core made it itself (syntax, validation, limits,
variable coercion: it has no original error, or a GraphQL one), or when a resolver raised a
ClientError or Strawberry's GlobalIDValueError (an ID that does not decode). Any other
exception is a fault of ours: it is logged with its traceback and, in production, replaced by
a message that says only that, with the request ID to find it in the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from graphql import GraphQLError
from strawberry.relay import GlobalIDValueError

#: What went wrong, for the logs and metrics: a request refused before it ran, an
#: expected error in a field, an operation stopped by the time limit, or a fault of ours.
ErrorKind = Literal["request", "field", "timeout", "internal"]


class ClientError(ValueError):
    """A request the client can correct, such as an argument out of range."""


class OperationTimeout(ClientError):
    """The operation ran longer than the execution time limit and was stopped."""


def is_expected(error: GraphQLError) -> bool:
    """Whether the client may read the error as it is."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | ClientError | GlobalIDValueError)


def kind(error: GraphQLError) -> ErrorKind:
    if isinstance(error.original_error, OperationTimeout):
        return "timeout"
    if not is_expected(error):
        return "internal"
    return "field" if error.path is not None else "request"


def internal_error_message(request_id: str) -> str:
    return f"Internal server error (request ID {request_id})."


def masked(errors: Iterable[GraphQLError], request_id: str) -> list[GraphQLError]:
    """The errors with every unexpected one replaced by a generic message naming the request
    ID; where it happened (locations, path) is kept, what happened is not."""
    return [
        error
        if is_expected(error)
        else GraphQLError(
            internal_error_message(request_id),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
        )
        for error in errors
    ]
