"""Errors as the tests expect them: the body of a request that did not run, and the messages
of an operation that failed in-process."""

from __future__ import annotations

from typing import Any

from schema import schema
from schema.context import Context


def error(
    message: str, line: int | None = None, column: int | None = None, code: str | None = None
) -> dict[str, Any]:
    """The body of a request refused before it ran: one error (with its location and its
    `extensions.code` when given), no data."""
    entry: dict[str, Any] = {"message": message}
    if line is not None:
        entry["locations"] = [{"line": line, "column": column}]
    if code is not None:
        entry["extensions"] = {"code": code}
    return {"errors": [entry]}


async def errors_of(query: str, variables: dict[str, Any] | None = None) -> list[str]:
    """The error messages of an operation run in-process; fails if it had none."""
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    assert result.errors, f"expected an error, got {result.data}"
    return [error.message for error in result.errors]


async def error_of(query: str, variables: dict[str, Any] | None = None) -> str:
    """The first error message of an operation run in-process; fails if it had none."""
    return (await errors_of(query, variables))[0]
