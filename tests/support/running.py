"""Operations run in-process against the schema, as the tests' current database holds it."""

from __future__ import annotations

from typing import Any

from schema import schema
from schema.context import Context


async def run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute a GraphQL operation in-process and return its data; fail on any error."""
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The items of a connection's page, as `nodes { … }` selected them."""
    return connection["nodes"]  # type: ignore[no-any-return]


async def execute(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """Execute an operation in-process with the token (if any); its whole result as JSON
    would have it: `data`, and `errors` as messages when there are any."""
    context = Context(authorization=None if token is None else f"Bearer {token}")
    result = await schema.execute(query, variable_values=variables, context_value=context)
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.message for error in result.errors]
    return answer


async def run_as(token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data of an operation run with `token`; fails on any GraphQL error."""
    answer = await execute(query, variables, token)
    assert "errors" not in answer, answer["errors"]
    data: dict[str, Any] = answer["data"]
    return data
