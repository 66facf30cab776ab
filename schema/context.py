"""The per-request context: batching loaders, so each relation costs one query per level, the
identity of the request's token, and the outcome that the HTTP answer is made from."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import (
    Awaitable,
    Callable,
    Coroutine,
    Hashable,
    Iterable,
    Iterator,
    MutableMapping,
    Sequence,
)
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Generic, TypeVar, cast

from starlette.requests import Request
from starlette.responses import Response
from tortoise.models import Model

from curation import tokens
from curation.tokens import AuthError, Identity
from models.tally import TallyLine
from models.winner import Decision
from schema.conversion import FromRow
from schema.joins import NO_JOINS, Joins, merged
from schema.rows import joined_table, read_in, table
from service.database import default_client
from service.errors import ErrorKind

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=FromRow)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def once(cache: dict[K, asyncio.Future[V]], key: K, make: Callable[[], Awaitable[V]]) -> V:
    """`make()`'s value for `key`, made once per request: a caller that comes while it is
    being made waits for it. (Memoising only the value let every line of a 101-line count,
    resolved side by side, rank the count and decide the winner again.) A failure is
    every waiting caller's, and a later caller makes it again."""

    async def make_one(_keys: list[K]) -> list[V]:
        return [await make()]

    (value,) = await once_many(cache, [key], make_one)
    return value


async def once_many(
    cache: dict[K, asyncio.Future[V]],
    keys: Sequence[K],
    make: Callable[[list[K]], Awaitable[Sequence[V]]],
) -> list[V]:
    """`once` for several keys (a level's, schema/level.py): the values of those not yet
    made, or being made, are made by one call of `make` with them, in their order."""
    missing = [key for key in dict.fromkeys(keys) if key not in cache]
    made: list[asyncio.Future[V]] = []
    if missing:
        loop = asyncio.get_running_loop()
        for key in missing:
            pending = cache[key] = loop.create_future()
            # A failure no other caller waited for is not logged as never retrieved.
            pending.add_done_callback(lambda done: done.cancelled() or done.exception())
            made.append(pending)
    futures = [cache[key] for key in keys]
    if missing:
        try:
            values = await make(missing)
            if len(values) != len(missing):
                raise RuntimeError(f"{len(values)} values were made for {len(missing)} keys.")
        except BaseException as error:
            for key, pending in zip(missing, made, strict=True):
                del cache[key]
                if isinstance(error, asyncio.CancelledError):
                    pending.cancel()
                else:
                    pending.set_exception(error)
            raise
        for pending, value in zip(made, values, strict=True):
            pending.set_result(value)
    return [future.result() if future.done() else await future for future in futures]


class Loader(Generic[K, V]):
    """Loads of one kind batched, as a DataLoader batches them: the keys asked for while the
    event loop goes round once become one call of `load_fn`, and each key is loaded once
    per request. Each future it hands out is noted in `batches`, so that the fast path may
    wait for all of them before resuming any (schema/fast_path.py).

    Strawberry's DataLoader, used before, put a done callback on every future, to cancel a
    batch once no one waited for it, and each callback took a turn of the event loop: a
    page of 100 elections makes 4,131 loads in 11 batches. Here the batches of a request
    still running when its operations are done are cancelled together (`Batches.cancel`,
    from `running`), and their SQL with them. Measured in one process, alternating the
    two: 4-18 % less CPU per operation (BENCHMARKS.md).
    """

    def __init__(
        self, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]], batches: Batches
    ) -> None:
        self.load_fn = load_fn
        self.batches = batches
        self.cache: dict[K, asyncio.Future[V]] = {}
        #: The keys of the batch not yet sent, with their futures; None when there is none.
        self.keys: list[tuple[K, asyncio.Future[V]]] | None = None

    def load(self, key: K) -> asyncio.Future[V]:
        """The value for `key`, batched with the other keys asked for in this turn."""
        future = self.cache.get(key)
        if future is not None and not future.cancelled():
            return future
        loop = asyncio.get_running_loop()
        future = self.cache[key] = loop.create_future()
        keys = self.keys
        if keys is None:
            keys = self.keys = []
            loop.call_soon(self._dispatch)
        keys.append((key, future))
        self.batches.futures.add(future)
        return future

    def load_all(self, keys: Iterable[K]) -> list[asyncio.Future[V]]:
        """`load` for each key, in one call: what a level asks of a loader (schema/level.py),
        for hundreds of keys at a time in a large query."""
        cache, found = self.cache, []
        batch: list[tuple[K, asyncio.Future[V]]] | None = None
        for key in keys:
            future = cache.get(key)
            if future is None or future.cancelled():
                if batch is None:  # the first key not asked for before
                    loop = asyncio.get_running_loop()
                    batch = self.keys
                    if batch is None:
                        batch = self.keys = []
                        loop.call_soon(self._dispatch)
                future = cache[key] = loop.create_future()
                batch.append((key, future))
                self.batches.futures.add(future)
            found.append(future)
        return found

    async def load_alone(self, key: K) -> V:
        """The value for `key`, read now by the load function for this key alone: for a
        lookup that is alone in its operation (schema/compiled.py), whose batch would hold
        only its key. Batching it would cost a future, a turn of the event loop and a task,
        and save nothing."""
        future = self.cache.get(key)
        if future is not None and not future.cancelled():
            return await future
        values = list(await self.load_fn([key]))
        if len(values) != 1:
            raise RuntimeError(f"A loader returned {len(values)} values for 1 keys.")
        (value,) = values
        done = self.cache[key] = asyncio.get_running_loop().create_future()
        done.set_result(value)  # for a later `load` of the same key in this request
        return value

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        future = asyncio.gather(*map(self.load, keys))
        self.batches.futures.add(future)
        return future

    def _dispatch(self) -> None:
        batch, self.keys = self.keys or [], None
        self.batches.start(self._run(batch))

    async def _run(self, batch: list[tuple[K, asyncio.Future[V]]]) -> None:
        futures = [future for _, future in batch]
        if all(future.cancelled() for future in futures):
            return  # no one waits: no query
        try:
            values = list(await self.load_fn([key for key, _ in batch]))
            if len(values) != len(batch):
                raise RuntimeError(f"A loader returned {len(values)} values for {len(batch)} keys.")
        except Exception as error:
            for future in futures:
                if not future.done():
                    future.set_exception(error)
            return
        except BaseException:  # cancelled: so are the loads that waited on it
            for future in futures:
                future.cancel()
            raise
        for future, value in zip(futures, values, strict=True):
            if not future.done():
                future.set_result(value)


class Batches:
    """A request's loads: every future its loaders handed out (what the fast path waits
    on), and the batches still running, cancelled when its operations are done."""

    def __init__(self) -> None:
        self.futures: set[Awaitable[Any]] = set()
        self._running: set[asyncio.Task[None]] = set()

    def start(self, batch: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(batch)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def cancel(self) -> None:
        """Cancels the batches still running, and their SQL with them. Each stays held here
        until it has ended (the event loop keeps only a weak reference to a task), so that
        its clean-up, such as giving its connection back to the pool, runs to the end."""
        for task in self._running:
            task.cancel()


class Rows:
    """Every row the loaders have read in one request, by model and id. A row asked for by id
    that an earlier statement read (a candidacy a tally line points at, read with its
    election's candidacies; a source linked to several facts) is taken from here rather than
    read again; and the object each row was shown as, made once (`nodes`).

    The loaders' load functions hold this, not the Loaders that hold them: with a cycle
    between the two, a request's loaders, their futures and every row they read stayed in
    memory after the request until the cyclic garbage collector came round to them.
    """

    def __init__(self) -> None:
        self._rows: defaultdict[type[Model], dict[int, Any]] = defaultdict(dict)
        #: The rows read with each model's rows, in the same statement (schema/joins.py).
        self.joins: Joins = NO_JOINS
        #: The objects made from the rows, by GraphQL type and the row's identity (`nodes`).
        self._made: defaultdict[type[FromRow], dict[int, Any]] = defaultdict(dict)

    def seen(self, model: type[Model], rows: list[M]) -> list[M]:
        """The rows, noted as read: each as it was first read in the request."""
        known = self._rows[model]
        return [known.setdefault(row.pk, row) for row in rows]

    def known(self, model: type[M], ids: Iterable[int]) -> list[M] | None:
        """The rows with these ids, if every one was read before in the request (a party or
        a country read joined to the rows that point at it): then nothing is read, nor
        waited for. None if any was not."""
        known = self._rows.get(model)
        if known is None:
            return None
        try:
            return [known[id_] for id_ in ids]
        except KeyError:
            return None

    def nodes(self, node: type[F], rows: Iterable[Any]) -> list[F | None]:
        """Each row (or None) shown as the GraphQL type `node`, each row made into one object
        once in the request: a page of 100 elections shows 31 countries 400 times and 101
        sources 1,059 times. The objects are read, never changed, so one serves every place
        its row is shown; a write starts the request's rows afresh (`Loaders.clear`)."""
        one = self.made(node)
        return [None if row is None else one(row) for row in rows]

    def made(self, node: type[F]) -> Callable[[Any], F]:
        """`node.from_model`, each row made into one object once in the request (`nodes`)."""
        made, make = self._made[node], node.from_model

        def one(row: Any) -> F:
            # By identity: `seen` keeps one row per id, and the object made holds its row.
            found: F | None = made.get(id(row))
            if found is None:
                found = made[id(row)] = make(row)
            return found

        return one

    async def where_in(
        self, model: type[M], column: str, values: Sequence[Any], order_by_id: bool = False
    ) -> list[M]:
        """The rows of `model` whose `column` is one of `values`, in one statement that also
        reads the rows of its joins, and noted as read (`seen`), those joined in too."""
        joins = self.joins.get(model)
        if not joins:
            return self.seen(model, await table(model).where_in(column, values, order_by_id))
        rows, joined = await joined_table(model, joins).where_in(column, values, order_by_id)
        for join, found in zip(joins, joined, strict=True):
            known = self._rows[join.target]
            fresh = [raw for id_, raw in found.items() if id_ not in known]
            self.seen(join.target, table(join.target).records(fresh))
        return self.seen(model, rows)

    async def read(self, model: type[M], ids: Iterable[int]) -> dict[int, M]:
        """The rows with these ids: those read before, and the others in one statement
        (none when every row was read before)."""
        known = self._rows[model]
        missing = [id_ for id_ in dict.fromkeys(ids) if id_ not in known]
        if missing:
            await self.where_in(model, "id", missing)
        return known


class Loaders:
    """Loaders made on first use and kept for one request.

    Each loader turns the lookups of one resolver level into one SQL statement, whatever the
    number of parent objects: `by_id` for foreign keys, `children` for reverse relations,
    `links` for many-to-many relations such as sources.
    """

    def __init__(self) -> None:
        self._loaders: dict[Hashable, Loader[Any, Any]] = {}
        #: The futures the loaders handed out, and their batches still running.
        self.batches = Batches()
        #: An election's preferred tally lines, ranked (schema.candidacy.preferred_lines).
        self.preferred_lines: dict[int, asyncio.Future[list[TallyLine]]] = {}
        #: Who won each election, and who led its popular vote (schema.candidacy.decisions_of).
        self.decisions: dict[int, asyncio.Future[Decision[int]]] = {}
        #: Every row the loaders have read in this request (`Rows`).
        self.rows = Rows()
        #: How many operations are running on them (`running`).
        self.running = 0

    def clear(self) -> None:
        """Forgets what the loaders read: after a write (schema/mutation.py), and once the
        operations running on them are done (`running`). graphql-core's executor holds its
        context in a reference cycle, and through it every loader, future and row of the
        request, which lived on until the cyclic garbage collector came round (later, the
        less often it runs: server.GC_THRESHOLDS)."""
        self._loaders.clear()
        self.batches.futures.clear()
        self.preferred_lines.clear()
        self.decisions.clear()
        self.rows = Rows()

    def _get(self, key: Hashable, make: Callable[[], Any]) -> Loader[Any, Any]:
        # Asked for once per object of a level: the loader is looked up first, and its load
        # function made (`make`) only the first time.
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = Loader(make(), self.batches)
        return loader

    def join(self, joins: Joins) -> None:
        """Reads the rows of these joins with the rows that point at them, from now on in
        this request (schema/joins.py)."""
        self.rows.joins = merged(self.rows.joins, joins)

    def batched(self, name: str, load: Any) -> Loader[Any, Any]:
        """A loader of its own, such as the per-country statistics (schema/statistics.py)."""
        return self._get(("batched", name), lambda: load)

    def by_id(self, model: type[M]) -> Loader[int, M | None]:
        return self._get(("by_id", model), lambda: self._by_id(model))

    def by_key(self, model: type[M], natural_key: str = "key") -> Loader[str, M | None]:
        return self._get(("by_key", model, natural_key), lambda: self._by_key(model, natural_key))

    def children(self, model: type[M], parent: str) -> Loader[int, list[M]]:
        """Rows of `model` whose foreign key `parent` points at each id, in id order."""
        return self._get(("children", model, parent), lambda: self._children(model, parent))

    def links(self, model: type[Model], relation: str) -> Loader[int, list[Any]]:
        """The rows linked to each id through the many-to-many `relation`, in key order."""
        return self._get(("links", model, relation), lambda: self._links(model, relation))

    def linked(self, model: type[Model], relation: str, node: type[F]) -> Loader[int, list[F]]:
        """`links`, each row shown as the GraphQL type `node` (`Rows.nodes`)."""
        return self._get(
            ("linked", model, relation, node), lambda: self._linked(model, relation, node)
        )

    def _by_id(self, model: type[M]) -> Callable[[Sequence[int]], Awaitable[list[M | None]]]:
        read = self.rows.read  # not `self`: see Rows

        async def load(ids: Sequence[int]) -> list[M | None]:
            rows = await read(model, ids)
            return [rows.get(id_) for id_ in ids]

        return load

    def _by_key(
        self, model: type[M], natural_key: str
    ) -> Callable[[Sequence[str]], Awaitable[list[M | None]]]:
        # A key longer than the column cannot match a row, and Tortoise refuses it in a
        # filter ("Length of ... > 2"); nor can one with a NUL character, which PostgreSQL
        # refuses in any text. Such a key is unknown, so it gives None, not an error.
        max_length = getattr(model._meta.fields_map[natural_key], "max_length", None)
        where_in = self.rows.where_in

        async def load(keys: Sequence[str]) -> list[M | None]:
            wanted = [
                k for k in keys if (max_length is None or len(k) <= max_length) and "\0" not in k
            ]
            column = model._meta.fields_db_projection[natural_key]
            found = await where_in(model, column, wanted)
            rows = {getattr(row, natural_key): row for row in found}
            return [rows.get(key) for key in keys]

        return load

    def _children(
        self, model: type[M], parent: str
    ) -> Callable[[Sequence[int]], Awaitable[list[list[M]]]]:
        where_in = self.rows.where_in
        attribute = f"{parent}_id"
        column = model._meta.fields_db_projection[attribute]
        parent_of = attrgetter(attribute)

        async def load(ids: Sequence[int]) -> list[list[M]]:
            grouped: dict[int, list[M]] = defaultdict(list)
            for row in await where_in(model, column, ids, order_by_id=True):
                grouped[parent_of(row)].append(row)
            return [grouped[id_] for id_ in ids]

        return load

    def _linked(
        self, model: type[Model], relation: str, node: type[F]
    ) -> Callable[[Sequence[int]], Awaitable[list[list[F]]]]:
        links, nodes = self._links(model, relation), self.rows.nodes

        async def load(ids: Sequence[int]) -> list[list[F]]:
            return [cast("list[F]", nodes(node, rows)) for rows in await links(ids)]

        return load

    def _links(
        self, model: type[Model], relation: str
    ) -> Callable[[Sequence[int]], Awaitable[list[list[Any]]]]:
        # The link table is read first, through its unique (owner, target) index, and its
        # targets joined to it by their primary key: asked through the target model, SQLite
        # scanned the target table and built an index over the whole link table for every
        # batch (1.5 s an election page at 1M candidacies). One statement, not two: on this
        # machine a statement's round trip costs this process more than its rows
        # (BENCHMARKS.md).
        field_: Any = model._meta.fields_map[relation]
        target: type[Model] = field_.related_model
        read = table(target)
        owner_column, target_column = field_.backward_key, field_.forward_key
        # The statement on SQLite and on PostgreSQL, which reads timestamps as text.
        heads = tuple(
            f"SELECT l.{owner_column}, {read.qualified('t', postgres)} FROM {field_.through} l "
            f'CROSS JOIN "{read.name}" t WHERE t."id" = l.{target_column} AND l.{owner_column}'
            for postgres in (False, True)
        )
        seen = self.rows.seen

        async def load(ids: Sequence[int]) -> list[list[Any]]:
            connection = default_client()
            head = heads[connection.capabilities.dialect == "postgres"]
            raw = await read_in(connection, head, ids, "")
            targets = seen(target, read.records(raw, start=1))
            wanted: dict[int, list[Any]] = defaultdict(list)
            for row, found in zip(raw, targets, strict=True):
                wanted[row[0]].append(found)
            return [sorted(wanted[id_], key=lambda o: str(getattr(o, "key", o.pk))) for id_ in ids]

        return load


#: Where a request's RequestOutcome travels in its ASGI scope, between the /graphql endpoint
#: and the middleware around it (web/caching.py), as Starlette's AuthenticationMiddleware
#: passes "user".
OUTCOME_KEY = "elections.outcome"


@dataclass
class RequestOutcome:
    """What the handling of one /graphql request learns that its HTTP answer depends on: the
    token's refusal (schema/access.py), why an operation did not run, whether the result may
    be cached, and whether the answer is GraphiQL's page (web/graphql_app.py)."""

    #: The token did not allow the operation: nothing ran, and the answer is 401 or 403.
    refusal: AuthError | None = None
    #: For each operation's result, why it did not run ("request", "internal"), or None.
    failures: list[ErrorKind | None] = field(default_factory=list)
    #: One operation that ran without any error: its answer may be cached (a GET's).
    errorless: bool = False
    #: The answer is GraphiQL's page, which keeps its own caching.
    graphql_ide: bool = False

    @staticmethod
    def of(scope: MutableMapping[str, Any]) -> RequestOutcome:
        """The request's outcome, made on first use and kept in its ASGI scope."""
        outcome = scope.get(OUTCOME_KEY)
        if outcome is None:
            outcome = scope[OUTCOME_KEY] = RequestOutcome()
        return cast(RequestOutcome, outcome)

    def add_result(self, failure: ErrorKind | None, errors: bool) -> None:
        """Notes an operation's result: `failure`, why it did not run (None: it ran), and
        whether it has errors. Only a single result without errors may be cached: an error
        may not outlive its cause, and a batch is not worth the bookkeeping."""
        self.failures.append(failure)
        self.errorless = not errors and len(self.failures) == 1

    def status(self, graphql_response: bool) -> int | None:
        """The HTTP status the outcome calls for, None for the usual 200. `graphql_response`:
        the answer has the GraphQL over HTTP media type, with which a request error is a 400
        (plain JSON keeps 200 for clients written before that media type)."""
        if self.refusal is not None:
            # Refused for its token before it ran: 401 or 403 whatever the media type, as
            # HTTP clients and proxies expect.
            return self.refusal.status
        if self.failures == ["internal"]:
            return 500
        if self.failures == ["request"] and graphql_response:
            return 400
        return None


@dataclass
class Context:
    """What every resolver gets as `info.context`."""

    request: Request | None = None
    response: Response | None = None
    loaders: Loaders = field(default_factory=Loaders)
    #: The request's Authorization header, if it sent one.
    authorization: str | None = None
    #: What the handling learns for the HTTP answer.
    outcome: RequestOutcome = field(default_factory=RequestOutcome)
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


@contextmanager
def running(context: Any) -> Iterator[None]:
    """An operation running on `context`. When the last one running on it is done, what its
    loaders read is let go (`Loaders.clear`): the operations of a batch share one context
    and run side by side, and share the loaders' batches until the last is done."""
    loaders = getattr(context, "loaders", None)
    if not isinstance(loaders, Loaders):
        yield
        return
    loaders.running += 1
    try:
        yield
    finally:
        loaders.running -= 1
        if not loaders.running:
            loaders.batches.cancel()
            loaders.clear()
