"""Deadlines: `asyncio.timeout_at`'s rule, kept by a plain context manager, for the two
limits every request meets (the body's read timeout and the execution time limit).

At its time the task is cancelled, and the CancelledError that leaves the block becomes a
TimeoutError, unless the task was also cancelled from elsewhere, whose cancellation goes on
as it is: what `async with asyncio.timeout_at(when)` does. asyncio's Timeout is entered and
left by coroutines and keeps its state in an enum: about 30,000 instructions each time,
against about 18,000 here, most of them the event loop's timer (BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Deadline:
    """`with Deadline(when):` in a task: the block must end by `when`, on the event loop's
    clock (never, for None; at the loop's next turn, for a time already past). Entered once."""

    __slots__ = ("_cancelling", "_ended", "_expired", "_handle", "_task", "when")

    def __init__(self, when: float | None) -> None:
        self.when = when
        self._task: asyncio.Task[object] | None = None
        self._handle: asyncio.Handle | None = None
        #: The task's cancellation requests when the block began: more at its end than
        #: these and the deadline's own, and the task is being cancelled from elsewhere too.
        self._cancelling = 0
        self._expired = False
        self._ended = False

    def __enter__(self) -> Deadline:
        if self._task is not None:
            raise RuntimeError("a deadline is entered once")
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline is kept in a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._arm()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._ended = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if (
            self._expired
            and self._task is not None
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc

    def reschedule(self, when: float | None) -> None:
        """Moves the deadline of a block still running to `when` (None: none)."""
        if self._task is None or self._ended or self._expired:
            raise RuntimeError("only the deadline of a running block is moved")
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.when = when
        self._arm()

    def _arm(self) -> None:
        assert self._task is not None  # entered
        if self.when is None:
            return
        loop = self._task.get_loop()
        if self.when <= loop.time():
            self._handle = loop.call_soon(self._expire)
        else:
            self._handle = loop.call_at(self.when, self._expire)

    def expired(self) -> bool:
        """Whether the time came before the block ended."""
        return self._expired

    def _expire(self) -> None:
        assert self._task is not None  # only armed once entered
        self._task.cancel()
        self._expired = True
        self._handle = None


def deadline(seconds: float | None) -> Deadline:
    """A deadline `seconds` from now (None: none), as `asyncio.timeout(seconds)`."""
    if seconds is None:
        return Deadline(None)
    return Deadline(asyncio.get_running_loop().time() + seconds)
