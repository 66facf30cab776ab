"""The per-request context: values made, and rows read, once per request, however many callers
ask at once."""

from __future__ import annotations

import asyncio
import gc
import weakref
from types import SimpleNamespace
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import models
from bench.statements import captured
from schema import build_schema
from schema.candidacy import Candidacy
from schema.context import Context, Loaders, once, once_many, running
from schema.election import Election
from schema.person import Person
from schema.source import linked_sources
from tests.support.batches import started_batches
from tests.support.clients import client
from tests.support.statements import table
from tests.support.world import AZ_2024_SOURCES


async def test_callers_that_come_while_a_value_is_made_wait_for_it() -> None:
    cache: dict[str, asyncio.Future[int]] = {}
    made: list[str] = []
    release = asyncio.Event()

    async def make() -> int:
        made.append("made")
        await release.wait()
        return 42

    callers = [asyncio.create_task(once(cache, "key", make)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*callers) == [42] * 5
    assert made == ["made"]
    assert await once(cache, "key", make) == 42 and made == ["made"]


async def test_a_failure_is_each_waiting_callers_and_a_later_caller_makes_it_again() -> None:
    cache: dict[str, asyncio.Future[int]] = {}
    attempts: list[int] = []
    release = asyncio.Event()

    async def make() -> int:
        attempts.append(len(attempts))
        await release.wait()
        if len(attempts) == 1:
            raise ValueError("no count yet")
        return 7

    callers = [asyncio.create_task(once(cache, "key", make)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert [str(r) for r in results] == ["no count yet"] * 3
    assert all(isinstance(r, ValueError) for r in results)
    assert cache == {}
    assert await once(cache, "key", make) == 7
    assert attempts == [0, 1]


async def test_many_keys_are_made_once_each_by_one_call_for_those_not_made_yet() -> None:
    cache: dict[int, asyncio.Future[str]] = {}
    calls: list[list[int]] = []
    release = asyncio.Event()

    async def make(keys: list[int]) -> list[str]:
        calls.append(keys)
        await release.wait()
        return [f"made {key}" for key in keys]

    first = asyncio.create_task(once_many(cache, [3, 1, 3], make))
    await asyncio.sleep(0)
    # Asked while 3 and 1 are being made: only 2 is made by this call, and it waits for 3.
    second = asyncio.create_task(once_many(cache, [2, 3], make))
    await asyncio.sleep(0)
    release.set()
    assert await first == ["made 3", "made 1", "made 3"]
    assert await second == ["made 2", "made 3"]
    assert calls == [[3, 1], [2]]
    assert await once_many(cache, [1, 2], make) == ["made 1", "made 2"] and len(calls) == 2


async def test_many_keys_made_wrong_are_each_callers_failure_and_made_again_later() -> None:
    cache: dict[int, asyncio.Future[str]] = {}

    async def too_few(keys: list[int]) -> list[str]:
        return ["one"]

    with pytest.raises(RuntimeError, match=r"^1 values were made for 2 keys\.$"):
        await once_many(cache, [5, 6], too_few)
    assert cache == {}

    async def make(keys: list[int]) -> list[str]:
        return [str(key) for key in keys]

    assert await once_many(cache, [6, 5], make) == ["6", "5"]


async def test_a_cancelled_maker_cancels_its_waiters() -> None:
    cache: dict[str, asyncio.Future[int]] = {}

    async def make() -> int:
        await asyncio.Event().wait()
        return 1

    maker = asyncio.create_task(once(cache, "key", make))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(once(cache, "key", make))
    await asyncio.sleep(0)
    maker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert cache == {}


async def test_the_keys_asked_for_in_one_turn_are_loaded_in_one_batch_once_each() -> None:
    loaders = Loaders()
    batches: list[list[int]] = []

    async def squares(keys: list[int]) -> list[int]:
        batches.append(keys)
        return [key * key for key in keys]

    loader = loaders.batched("squares", squares)
    assert list(await asyncio.gather(loader.load(3), loader.load(4), loader.load(3))) == [9, 16, 9]
    assert await loader.load_many([4, 5]) == [16, 25]
    assert batches == [[3, 4], [5]]
    # Every load was noted for the fast path, which waits on them together.
    assert len(loaders.batches.futures) == 4


async def test_a_lookup_alone_is_read_at_once_with_no_batch_and_kept_for_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaders = Loaders()
    batches: list[list[int]] = []
    started = started_batches(monkeypatch)

    async def squares(keys: list[int]) -> list[int]:
        batches.append(keys)
        return [key * key for key in keys]

    loader = loaders.batched("squares", squares)
    assert await loader.load_alone(3) == 9
    # Read in the caller's own task: no batch was started, no future handed out.
    assert (batches, len(started), len(loaders.batches.futures)) == ([[3]], 0, 0)
    # Kept, as a batched load keeps it: asked again, alone or batched, it is not read again.
    assert await loader.load_alone(3) == 9
    assert list(await asyncio.gather(loader.load(3), loader.load(4))) == [9, 16]
    assert (batches, len(started)) == ([[3], [4]], 1)

    async def short(keys: list[int]) -> list[int]:
        return []

    shorter = loaders.batched("short", short)
    with pytest.raises(RuntimeError, match="A loader returned 0 values for 1 keys"):
        await shorter.load_alone(1)


async def test_a_failed_batch_fails_each_of_its_loads_with_its_error() -> None:
    loaders = Loaders()

    async def broken(keys: list[int]) -> list[int]:
        raise LookupError(f"no rows for {keys}")

    async def short(keys: list[int]) -> list[int]:
        return keys[:1]

    loader = loaders.batched("broken", broken)
    results = await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)
    assert [str(result) for result in results] == ["no rows for [1, 2]"] * 2
    shorter = loaders.batched("short", short)
    with pytest.raises(RuntimeError, match="A loader returned 1 values for 2 keys"):
        await asyncio.gather(shorter.load(1), shorter.load(2))


async def test_a_batch_still_running_when_the_operation_is_done_is_cancelled() -> None:
    # A time limit stops the operation while a batch waits on the database: the batch, and
    # with it its SQL, is cancelled as the operation ends, not left running.
    context = Context()
    started, ended = asyncio.Event(), []

    async def endless(keys: list[int]) -> list[int]:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        return keys

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            with running(context):
                await context.loaders.batched("endless", endless).load(1)
    assert started.is_set()
    await asyncio.sleep(0)  # the cancellation reaches the batch in its next step
    assert ended == ["cancelled"]


async def test_a_row_read_once_in_a_request_is_not_read_again_by_id(
    world: TortoiseContext,
) -> None:
    loaders = Loaders()
    election = await loaders.by_key(models.Election).load("az-president-2024")
    assert election is not None
    candidacies = await loaders.children(models.Candidacy, "election").load(election.pk)
    assert "az-president-2024/ilham-aliyev" in [c.key for c in candidacies]
    with captured() as sql:
        again = await loaders.by_id(models.Election).load(election.pk)
        found = await loaders.by_id(models.Candidacy).load_many([c.pk for c in candidacies])
        sources = await loaders.links(models.Election, "sources").load(election.pk)
    # The election and its candidacies come from what was read; the links are read, with
    # the sources they name joined to them, in one statement.
    assert again is election
    assert found == candidacies
    assert [table(text) for text, _ in sql] == ["election_source"]
    assert len(sources) >= 2
    with captured() as sql:
        assert await loaders.links(models.Election, "sources").load(election.pk) == sources
        assert await loaders.by_id(models.Source).load(sources[0].pk) is sources[0]
    assert sql == []
    # A source read before, through another fact's links, is the row read first.
    (candidacy,) = [c for c in candidacies if c.key == "az-president-2024/ilham-aliyev"]
    named = await loaders.links(models.Candidacy, "sources").load(candidacy.pk)
    shared = [s for s in named if s.pk in {t.pk for t in sources}]
    assert shared and all(s is next(t for t in sources if t.pk == s.pk) for s in shared)


async def test_a_level_of_rows_read_before_is_made_at_once_and_each_row_into_one_object(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaders = Loaders()
    info: Any = SimpleNamespace(context=SimpleNamespace(loaders=loaders))
    started = started_batches(monkeypatch)
    election = await models.Election.get(key="az-president-2024")
    rows = await loaders.children(models.Candidacy, "election").load(election.pk)
    assert len(started) == 1
    aliyev, second = rows[0], rows[1]
    assert aliyev.key == "az-president-2024/ilham-aliyev"
    # Rows read before: nothing is read, no batch started, no future handed out.
    futures = len(loaders.batches.futures)
    with captured() as sql:
        found = await Candidacy.load_level(info, [aliyev.pk, None, second.pk, aliyev.pk])
    assert (sql, len(started), len(loaders.batches.futures)) == ([], 1, futures)
    assert [None if c is None else c.key for c in found] == [
        "az-president-2024/ilham-aliyev",
        None,
        second.key,
        "az-president-2024/ilham-aliyev",
    ]
    assert found[0] is found[3] and found[0] is not found[2]
    assert found[0] is not None and found[0].row is aliyev
    # An election's page of candidacies makes its objects the same way: the same ones.
    assert loaders.rows.made(Candidacy)(aliyev) is found[0]
    # One not read yet: the loader reads them all in one batch, and the objects made
    # before are the ones given again.
    people = [row.person_id for row in rows[:2]]
    assert None not in people
    with captured() as sql:
        again = await Candidacy.load_level(info, [second.pk, aliyev.pk])
        persons = await Person.load_level(info, [*people, people[0]])
    assert again == [found[2], found[0]] and again[1] is found[0]
    assert [table(text) for text, _ in sql] == ["person"] and len(started) == 2
    other = await models.Person.get(id=people[1])
    assert [None if p is None else p.key for p in persons] == [
        "ilham-aliyev",
        other.key,
        "ilham-aliyev",
    ]
    assert persons[0] is persons[2] and other.key != "ilham-aliyev"
    # A missing row is None, as before; a write starts the rows afresh, and new objects.
    assert await Person.load_level(info, [10**9]) == [None]
    loaders.clear()
    with captured() as sql:
        (fresh,) = await Candidacy.load_level(info, [aliyev.pk])
    assert [table(text) for text, _ in sql] == ["candidacy"]
    assert fresh is not None and fresh is not found[0] and fresh.key == aliyev.key


async def test_sources_shared_by_facts_are_one_object_in_a_list_of_each_facts_own(
    world: TortoiseContext,
) -> None:
    loaders = Loaders()
    info: Any = SimpleNamespace(context=SimpleNamespace(loaders=loaders))
    election = await Election.load(info, (await models.Election.get(key="az-president-2024")).pk)
    candidacy = await Candidacy.load(
        info, (await models.Candidacy.get(key="az-president-2024/ilham-aliyev")).pk
    )
    assert election is not None and candidacy is not None
    of_election = linked_sources(models.Election)
    lists = await of_election.level([election, election], info)
    assert [s.key for s in lists[0]] == AZ_2024_SOURCES
    assert lists[0] == lists[1] and lists[0] is not lists[1]  # each fact's own list
    assert all(a is b for a, b in zip(lists[0], lists[1], strict=True))
    # A source of the candidacy's that the election names too is the object made for it.
    (named,) = await linked_sources(models.Candidacy).level([candidacy], info)
    assert [s.key for s in named] == [
        "cec-az-news-1285",
        "menafn-1107844554",
        "wikipedia-az-2024",
    ]
    assert named[0] is lists[0][0] and named[1] is lists[0][7] and named[2] is lists[0][11]


async def test_what_an_operation_read_is_freed_when_it_is_done_without_the_cyclic_collector(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # graphql-core's executor holds the context in a reference cycle: what the loaders read
    # must not wait for the cyclic collector to be freed.
    made: list[weakref.ref[Any]] = []
    make_loader = Loaders._get

    def noted(self: Loaders, key: Any, make: Any) -> Any:
        loader = make_loader(self, key, make)
        made.append(weakref.ref(loader))
        return loader

    monkeypatch.setattr(Loaders, "_get", noted)
    query = '{ election(key: "az-president-2024") { winner { name } sources { key } } }'
    schema = build_schema()
    gc.collect()
    gc.disable()
    try:
        # The ordinary way, then as a known query, then graphql-core's alone.
        for engine in (schema, schema, schema.without_fast_path()):
            made.clear()
            result = await engine.execute(query, context_value=Context())
            assert result.errors is None
            assert result.data is not None
            election = result.data["election"]
            assert election["winner"] == {"name": "Ilham Aliyev"}
            assert election["sources"][0] == {"key": "cec-az-news-1285"}
            assert len(made) >= 3
            assert [ref() for ref in made] == [None] * len(made)
        # Over HTTP: the view's way, then a fast request's.
        async with client() as http:
            for _ in range(2):
                made.clear()
                response = await http.post("/graphql", json={"query": query})
                assert response.json()["data"]["election"]["winner"] == {"name": "Ilham Aliyev"}
                assert len(made) >= 3
                assert [ref() for ref in made] == [None] * len(made)
    finally:
        gc.enable()


async def test_the_loaders_are_let_go_when_the_last_operation_on_them_is_done(
    world: TortoiseContext,
) -> None:
    # A batch's operations share one context and run side by side.
    context = Context()
    loaders = context.loaders
    with running(context):
        with running(context):
            election = await loaders.by_key(models.Election).load("az-president-2024")
            assert election is not None
        with captured() as sql:
            assert await loaders.by_id(models.Election).load(election.pk) is election
        assert sql == []  # the other operation still runs: what was read is kept
    with captured() as sql:
        again = await loaders.by_id(models.Election).load(election.pk)
    assert again is not None and again.key == "az-president-2024"
    assert [table(text) for text, _ in sql] == ["election"]  # read again
