"""Level resolvers: a field's resolver given a second form, for all the objects of a level at
once, which the fast path calls in place of the resolver itself (schema/fast_path.py).

The fast path calls a field's resolver once per object, and each call of an asynchronous
resolver is a coroutine the fast path drives until it waits on a loader, then drives again:
for a page of 100 elections, some thousands of them. A level form is one coroutine for the
whole level, which asks the loaders for every object's value and waits once. graphql-core
still calls the resolver itself, one object at a time; tests/test_level.py checks that the
two forms give the same values over every row of the fixtures, and tests/test_fast_path.py
that the answers are the same bytes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

#: A level form: from the level's objects (and the resolver's other arguments, `info`
#: first) to their values, in the same order.
LevelForm = Callable[..., Awaitable[list[Any]]]

R = TypeVar("R", bound=Callable[..., Any])

_ATTRIBUTE = "__level__"


def level(form: LevelForm) -> Callable[[R], R]:
    """Gives a resolver its level form: `@level(form)` under `@strawberry.field`. The form
    takes the list of objects in place of `self`, and the resolver's other arguments."""

    def give(resolver: R) -> R:
        setattr(resolver, _ATTRIBUTE, form)
        return resolver

    return give


def level_form(resolver: Callable[..., Any]) -> LevelForm | None:
    """The level form given to a resolver, if any."""
    form: LevelForm | None = getattr(resolver, _ATTRIBUTE, None)
    return form
