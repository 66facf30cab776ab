"""The per-request context: batching loaders, so each relation costs one query per level, and
the identity of the request's token."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader
from tortoise import connections
from tortoise.models import Model

from curation import tokens
from curation.tokens import AuthError, Identity
from schema.keyset import Dialect, Sql
from schema.rows import select, table

M = TypeVar("M", bound=Model)


class _Loader(DataLoader[Any, Any]):
    """A DataLoader that notes each future it hands out in its request's `futures`."""

    def __init__(self, load_fn: Any, futures: set[Awaitable[Any]]) -> None:
        super().__init__(load_fn=load_fn)
        self.futures = futures

    def load(self, key: Any) -> Awaitable[Any]:
        future = super().load(key)
        self.futures.add(future)
        return future

    def load_many(self, keys: Iterable[Any]) -> Awaitable[list[Any]]:
        future = super().load_many(keys)
        self.futures.add(future)
        return future


class Loaders:
    """DataLoaders made on first use and kept for one request.

    Each loader turns the lookups of one resolver level into one SQL statement, whatever the
    number of parent objects: `by_id` for foreign keys, `children` for reverse relations,
    `links` for many-to-many relations such as sources.
    """

    def __init__(self) -> None:
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        #: Every future the loaders handed out: a batch's own, so the fast path may wait
        #: for all of them before resuming any (schema/fast_path.py).
        self.futures: set[Awaitable[Any]] = set()
        #: An election's preferred tally lines, ranked (schema.candidacy.preferred_lines).
        self.preferred_lines: dict[int, list[Any]] = {}
        #: Who won each election, and who led its popular vote (schema.candidacy.decision).
        self.decisions: dict[int, Any] = {}

    def _get(self, key: Hashable, load: Any) -> DataLoader[Any, Any]:
        if key not in self._loaders:
            self._loaders[key] = _Loader(load, self.futures)
        return self._loaders[key]

    def batched(self, name: str, load: Any) -> DataLoader[Any, Any]:
        """A loader of its own, such as the per-country statistics (schema/statistics.py)."""
        return self._get(("batched", name), load)

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        async def load(ids: Sequence[int]) -> list[M | None]:
            rows = {row.pk: row for row in await table(model).where_in("id", ids)}
            return [rows.get(id_) for id_ in ids]

        return self._get(("by_id", model), load)

    def by_key(self, model: type[M], natural_key: str = "key") -> DataLoader[str, M | None]:
        # A key longer than the column cannot match a row, and Tortoise refuses it in a
        # filter ("Length of ... > 2"); nor can one with a NUL character, which PostgreSQL
        # refuses in any text. Such a key is unknown, so it gives None, not an error.
        max_length = getattr(model._meta.fields_map[natural_key], "max_length", None)

        async def load(keys: Sequence[str]) -> list[M | None]:
            wanted = [
                k for k in keys if (max_length is None or len(k) <= max_length) and "\0" not in k
            ]
            column = model._meta.fields_db_projection[natural_key]
            rows = {
                getattr(row, natural_key): row
                for row in await table(model).where_in(column, wanted)
            }
            return [rows.get(key) for key in keys]

        return self._get(("by_key", model, natural_key), load)

    def children(self, model: type[M], parent: str) -> DataLoader[int, list[M]]:
        """Rows of `model` whose foreign key `parent` points at each id, in id order."""

        async def load(ids: Sequence[int]) -> list[list[M]]:
            grouped: dict[int, list[M]] = defaultdict(list)
            column = model._meta.fields_db_projection[f"{parent}_id"]
            for row in await table(model).where_in(column, ids, order_by_id=True):
                grouped[getattr(row, f"{parent}_id")].append(row)
            return [grouped[id_] for id_ in ids]

        return self._get(("children", model, parent), load)

    def links(self, model: type[Model], relation: str) -> DataLoader[int, list[Any]]:
        """The rows linked to each id through the many-to-many `relation`, in key order.

        The link table is read directly, through its unique (owner, target) index: asked
        through the target model, SQLite scanned the target table and built an index over
        the whole link table for every batch (1.5 s an election page at 1M candidacies).
        """
        field_: Any = model._meta.fields_map[relation]
        target: type[Model] = field_.related_model
        owner_column, target_column = field_.backward_key, field_.forward_key

        async def load(ids: Sequence[int]) -> list[list[Any]]:
            connection = connections.get("default")
            marks = ", ".join("?" for _ in ids)
            text, params = Dialect(connection).statement(
                Sql(
                    f"SELECT {owner_column} AS owner, {target_column} AS target "
                    f"FROM {field_.through} WHERE {owner_column} IN ({marks})",
                    tuple(ids),
                )
            )
            wanted: dict[int, set[int]] = defaultdict(set)
            for owner, target_id in await select(connection, text, list(params)):
                wanted[owner].add(target_id)
            all_ids = sorted({i for group in wanted.values() for i in group})
            objects = {obj.pk: obj for obj in await table(target).where_in("id", all_ids)}
            return [
                sorted(
                    (objects[i] for i in wanted[id_]), key=lambda o: str(getattr(o, "key", o.pk))
                )
                for id_ in ids
            ]

        return self._get(("links", model, relation), load)


@dataclass
class Context:
    """What every resolver gets as `info.context`."""

    request: Request | None = None
    response: Response | None = None
    loaders: Loaders = field(default_factory=Loaders)
    #: The request's Authorization header, if it sent one.
    authorization: str | None = None
    _identity: Identity | AuthError | None = field(default=None, init=False, repr=False)
    _checked: bool = field(default=False, init=False, repr=False)

    async def identity(self) -> Identity | None:
        """Who the request's token says it is (None without a token), looked up once; raises
        tokens.Unauthenticated for a token that is malformed, unknown or revoked."""
        if not self._checked:
            try:
                self._identity = await tokens.authenticate(self.authorization)
            except AuthError as error:
                self._identity = error
            self._checked = True
        if isinstance(self._identity, AuthError):
            raise self._identity
        return self._identity
