"""Level resolvers: a field's resolver given a second form, for all the objects of a level at
once, which the fast path calls in place of the resolver itself (schema/fast_path.py).

The fast path calls a field's resolver once per object, and each call of an asynchronous
resolver is a coroutine the fast path drives until it waits on a loader, then drives again:
for a page of 100 elections, some thousands of them. A level form is one coroutine for the
whole level, which asks the loaders for every object's value and waits once. graphql-core
still calls the resolver itself, one object at a time; tests/test_level.py checks that the
two forms give the same values over rows of the data sets, and tests/test_fast_path.py that
the answers are the same bytes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from strawberry import Info

if TYPE_CHECKING:
    from schema.context import Loader, Loaders

#: A level form: from the level's objects (and the resolver's other arguments, `info`
#: first) to their values, in the same order.
LevelForm = Callable[..., Awaitable[list[Any]]]

R = TypeVar("R", bound=Callable[..., Any])
S = TypeVar("S")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

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


async def loaded(loader: Loader[K, V], keys: Iterable[K]) -> list[V]:
    """The loader's values for these keys, asked for together: one wait for the batch."""
    futures = loader.load_all(keys)
    for future in futures:
        if not future.done():
            await future  # those asked for in this turn are one batch: done together
    return [future.result() for future in futures]


def in_places(keys: Sequence[Any], made: list[T]) -> list[T | None]:
    """What was made for the keys that are not None, in their places, None in the others:
    `made` itself when no key is None, as mostly."""
    if len(made) == len(keys):
        return cast("list[T | None]", made)  # the same list: nothing to put in place
    found = iter(made)
    return [None if key is None else next(found) for key in keys]


class Loaded(Generic[S, K, V, T]):
    """A field made, without waiting, from one value a loader gives for a key of its object:
    its resolver (`one`) and its level form (`level`) from one description. `make` takes
    the object, the loaded value and the field's arguments."""

    def __init__(
        self,
        loader: Callable[[Loaders], Loader[K, V]],
        key: Callable[[S], K],
        make: Callable[..., T],
    ) -> None:
        self.loader = loader
        self.key = key
        self.make = make

    async def one(self, obj: S, info: Info, *args: Any, **kwargs: Any) -> T:
        value = await self.loader(info.context.loaders).load(self.key(obj))
        return self.make(obj, value, *args, **kwargs)

    async def level(self, objects: Sequence[S], info: Info, *args: Any, **kwargs: Any) -> list[T]:
        values = await loaded(self.loader(info.context.loaders), map(self.key, objects))
        make = self.make
        return [make(o, value, *args, **kwargs) for o, value in zip(objects, values, strict=True)]
