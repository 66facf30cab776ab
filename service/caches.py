"""Caches bounded by bytes: each entry is weighed when it is kept, and the least recently used
go once the cache's budget is spent."""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def text_bytes(text: str | None) -> int:
    """What a string takes in memory (its characters and the object around them)."""
    return 0 if text is None else sys.getsizeof(text)


class Cache(Generic[K, V]):
    """At most `budget` bytes of entries, as `weigh(key, value)` counts them; the least
    recently used go first. An entry heavier than the whole budget is not kept.

    A count of entries bounds nothing when one entry can be a megabyte (a query text is
    limited by the request body only), so every cache of the server is bounded this way.
    """

    def __init__(self, budget: int, weigh: Callable[[K, V], int]) -> None:
        if budget < 0:
            raise ValueError(f"a cache's budget is a number of bytes, got {budget}")
        self.budget = budget
        self._weigh = weigh
        # Each value is kept with its weight, which is what cachetools adds up.
        self._entries: LRUCache[K, tuple[int, V]] = LRUCache(budget, getsizeof=_weight)

    def get(self, key: K) -> V | None:
        """The value kept for `key` (now the most recently used), or None."""
        entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def put(self, key: K, value: V) -> None:
        """Keeps `value` under `key`, making room by dropping the least recently used."""
        weight = self._weigh(key, value)
        if weight > self.budget:
            self._entries.pop(key, None)  # a new value too large for the cache replaces none
            return
        self._entries[key] = (weight, value)

    @property
    def bytes(self) -> int:
        """The weight of what is kept, never more than the budget."""
        return int(self._entries.currsize)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


def _weight(entry: tuple[int, object]) -> int:
    return entry[0]
