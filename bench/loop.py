"""The event loop the benchmark runs on: the one the server runs on, unless asked otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from importlib.metadata import version
from typing import Any, Literal, TypeVar

T = TypeVar("T")

#: "auto": uvloop where it is installed, as uvicorn's `--loop auto` (its default, which
#: `elections serve` keeps) gives the server; "asyncio": the standard library's loop.
Loop = Literal["auto", "asyncio"]
LOOPS: tuple[Loop, ...] = ("auto", "asyncio")


def factory(loop: Loop) -> tuple[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The loop's name, as the benchmark prints it, and a function that makes one."""
    if loop == "auto":
        try:
            import uvloop
        except ImportError:  # uvicorn then runs the server on asyncio's loop too
            pass
        else:
            return f"uvloop {version('uvloop')}", uvloop.new_event_loop
    return "asyncio", asyncio.new_event_loop


def run(main: Coroutine[Any, Any, T], loop: Loop = "auto") -> T:
    """Runs `main` to its end on a new loop of that kind, as `asyncio.run` does."""
    _, make = factory(loop)
    with asyncio.Runner(loop_factory=make) as runner:
        return runner.run(main)
