"""The per-request context: values made once per request, however many callers ask at once."""

from __future__ import annotations

import asyncio

import pytest

from schema.context import once


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
