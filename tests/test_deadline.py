"""Deadline (service/deadline.py) keeps asyncio.timeout_at's rule: each case is run with both
and must end the same way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

import pytest

from service.deadline import Deadline, deadline

TimeoutAt = Callable[[float | None], AbstractAsyncContextManager[Any]]


@asynccontextmanager
async def ours(when: float | None) -> AsyncIterator[Deadline]:
    with Deadline(when) as kept:
        yield kept


def theirs(when: float | None) -> AbstractAsyncContextManager[Any]:
    return asyncio.timeout_at(when)


def now() -> float:
    return asyncio.get_running_loop().time()


async def in_time(timeout_at: TimeoutAt) -> object:
    async with timeout_at(now() + 5) as kept:
        await asyncio.sleep(0)
    return ("done", kept.expired(), asyncio.current_task().cancelling())  # type: ignore[union-attr]


async def too_late(timeout_at: TimeoutAt) -> object:
    async with timeout_at(now() + 0.01) as kept:
        await asyncio.sleep(5)
    return ("done", kept.expired())


async def already_past(timeout_at: TimeoutAt) -> object:
    async with timeout_at(now() - 1):
        await asyncio.sleep(0)
    return "done"


async def never(timeout_at: TimeoutAt) -> object:
    async with timeout_at(None) as kept:
        await asyncio.sleep(0.02)
    return ("done", kept.expired())


async def block_ends_before_the_cancellation_arrives(timeout_at: TimeoutAt) -> object:
    # The time comes, but the block swallows the cancellation and ends: no TimeoutError.
    async with timeout_at(now() + 0.01) as kept:
        with suppress(asyncio.CancelledError):
            await asyncio.sleep(5)
    return ("done", kept.expired(), asyncio.current_task().cancelling())  # type: ignore[union-attr]


async def inner_of_two(timeout_at: TimeoutAt) -> object:
    async with timeout_at(now() + 5) as outer:
        try:
            async with timeout_at(now() + 0.01):
                await asyncio.sleep(5)
        except TimeoutError:
            pass
        await asyncio.sleep(0)
    return ("outer done", outer.expired())


async def moved_to_now(timeout_at: TimeoutAt) -> object:
    async with timeout_at(now() + 5) as kept:
        kept.reschedule(now())
        await asyncio.sleep(5)
    return "done"


Case = Callable[[TimeoutAt], Coroutine[Any, Any, object]]

CASES: list[Case] = [
    in_time,
    too_late,
    already_past,
    never,
    block_ends_before_the_cancellation_arrives,
    inner_of_two,
    moved_to_now,
]


async def outcome(case: Case, timeout_at: TimeoutAt) -> object:
    task = asyncio.create_task(case(timeout_at))  # a task of its own, as a request has
    try:
        return await task
    except BaseException as error:
        return type(error)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_deadline_ends_a_block_as_asyncio_timeout_at_does(
    case: Case,
) -> None:
    assert await outcome(case, ours) == await outcome(case, theirs)


async def test_the_outcomes_compared_are_the_ones_meant() -> None:
    found = {case.__name__: await outcome(case, ours) for case in CASES}
    assert found == {
        "in_time": ("done", False, 0),
        "too_late": TimeoutError,
        "already_past": TimeoutError,
        "never": ("done", False),
        "block_ends_before_the_cancellation_arrives": ("done", True, 0),
        "inner_of_two": ("outer done", False),
        "moved_to_now": TimeoutError,
    }


async def test_a_cancellation_from_elsewhere_goes_on_as_it_is() -> None:
    for timeout_at in (ours, theirs):
        started = asyncio.Event()

        async def waiting(
            timeout_at: TimeoutAt = timeout_at, started: asyncio.Event = started
        ) -> None:
            async with timeout_at(now() + 5):
                started.set()
                await asyncio.sleep(5)

        task = asyncio.create_task(waiting())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        # Cancelled from elsewhere as the time comes: still a cancellation, not a timeout.
        async def both(timeout_at: TimeoutAt = timeout_at) -> None:
            when = now() + 0.01
            async with timeout_at(when):
                current = asyncio.current_task()
                assert current is not None
                asyncio.get_running_loop().call_at(when, current.cancel)
                await asyncio.sleep(5)

        with pytest.raises(asyncio.CancelledError):
            await asyncio.create_task(both())


async def test_a_deadline_is_entered_once_in_a_task_and_moved_only_while_it_runs() -> None:
    kept = deadline(5)
    with kept:
        pass
    with pytest.raises(RuntimeError, match="entered once"), kept:
        pass
    with pytest.raises(RuntimeError, match="running block"):
        kept.reschedule(now())
    assert deadline(None).when is None
    assert 4 < deadline(5).when - now() <= 5  # type: ignore[operator]


async def test_a_deadline_is_kept_in_a_task() -> None:
    refused: list[str] = []

    def outside_a_task() -> None:
        try:
            with Deadline(None):
                pass
        except RuntimeError as error:
            refused.append(str(error))

    asyncio.get_running_loop().call_soon(outside_a_task)
    await asyncio.sleep(0.01)
    assert refused == ["a deadline is kept in a task"]
