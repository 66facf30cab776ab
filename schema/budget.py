"""The answer's budget: about the memory one operation's answer takes while it is made,
counted as it is made, which stops the operation once spent.

The cost (schema/limits.py) bounds the fields a query asks for before it runs, but not what
they come to: a plain list counts as `COST_LIST_SIZE` items whatever it holds, and a text
holds what was stored. So an answer is also counted while it is made, on both executors:
each field resolved for each object as `FIELD` bytes (what a resolved value, its row and its
place in the answer take, roughly, measured with bench/heaviest.py), and each text by its
length. Once the budget is spent the fast path stops before it resolves the next level;
graphql-core's path resolves nothing more (each field left is null, with no error, and no
resolver runs), so that the work under way ends soon. What was made is thrown away and the
operation answered with the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, OperationType
from strawberry.types import ExecutionResult

from service.compat import StrawberryGraphQLCoreExecutionContext
from service.errors import ClientError

#: What each field of each object counts for, beyond its text.
FIELD = 100


class AnswerTooLarge(ClientError):
    """The answer would take more than MAX_ANSWER_BYTES to make."""


@dataclass
class Budget:
    """What is left of one operation's answer budget."""

    limit: int
    left: int = field(init=False)
    spent: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.left = self.limit

    def refill(self) -> None:
        """The whole budget again: the operation is made again from the start."""
        self.left, self.spent = self.limit, False

    def take(self, size: int) -> bool:
        """Counts `size` bytes; whether the budget is spent."""
        self.left -= size
        if self.left < 0:
            self.spent = True
        return self.spent


#: The budget of the operation running in this context, if it has one (not subscriptions).
current: ContextVar[Budget | None] = ContextVar("answer_budget", default=None)


@contextmanager
def budgeted(budget: Budget) -> Iterator[Budget]:
    """`budget` for the operation run within."""
    token = current.set(budget)
    try:
        yield budget
    finally:
        current.reset(token)


def weight(value: Any) -> int:
    """The text a serialized scalar (or list of them) holds."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(weight(item) for item in value)
    return 0


def weight_of(values: list[Any]) -> int:
    """The text a column of serialized scalars holds."""
    # A plain loop: this runs over every column the fast path makes, and a generator under
    # `sum` cost as much again.
    total = 0
    for value in values:
        if type(value) is str:
            total += len(value)
        elif type(value) is list:
            total += weight(value)
    return total


def too_large_message(limit: int) -> str:
    return (
        f"The answer would take more than the limit of {limit:,} bytes (MAX_ANSWER_BYTES) to make: "
        "ask for fewer items (`first`), fewer fields, or fewer IDs at a time."
    )


def too_large_error(limit: int) -> GraphQLError:
    message = too_large_message(limit)
    return GraphQLError(message, original_error=AnswerTooLarge(message))


def too_large(limit: int) -> ExecutionResult:
    """The result of an operation stopped for the size of its answer."""
    return ExecutionResult(data=None, errors=[too_large_error(limit)])


class BudgetedExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, counting each field it executes and each text it completes
    against the budget, and resolving nothing more once it is spent."""

    def budget(self) -> Budget | None:
        # A mutation's answer is not counted: stopping it would leave the client unsure of
        # what it wrote, and its answer is small (counts, a record).
        if self.operation.operation is not OperationType.QUERY:
            return None
        return current.get()

    def execute_field(self, *args: Any) -> Any:
        budget = self.budget()
        if budget is not None and budget.take(FIELD):
            # Null without an error or a resolver: the answer is thrown away (Schema.execute).
            return None
        return super().execute_field(*args)

    def complete_leaf_value(self, return_type: Any, result: Any) -> Any:  # type: ignore[override]
        completed = super().complete_leaf_value(return_type, result)
        budget = self.budget()
        if budget is not None:
            budget.take(weight(completed))
        return completed
