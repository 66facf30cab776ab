"""The API in-process (schema.execute, fresh Context) against its floor: time, SQL, memory."""

from __future__ import annotations

import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from bench import floor
from bench.operations import Operation
from bench.statements import Statement, captured
from schema import Schema, schema
from schema.context import Context
from web.graphql_app import response_json


@dataclass
class InProcess:
    """One operation measured in-process at one size."""

    name: str
    identical: bool
    response_bytes: int
    api_ms: float
    floor_ms: float
    api_statements: int
    floor_statements: int
    api_peak_mib: float
    floor_peak_mib: float
    runs: int
    api_sql: list[Statement]
    floor_sql: list[Statement]
    #: The API with FAST_PATH=false: graphql-core executing every field.
    ordinary_ms: float
    #: CPU time per run (mean): this process's, and the database backends' on PostgreSQL.
    api_cpu_ms: float
    floor_cpu_ms: float

    @property
    def ratio(self) -> float:
        """API / floor CPU time: the work each does, which other work on the machine does
        not change (it delays both, and wall-clock medians with it)."""
        return self.api_cpu_ms / self.floor_cpu_ms

    @property
    def wall_ratio(self) -> float:
        return self.api_ms / self.floor_ms


#: The schema with the fast path turned off (FAST_PATH=false).
ORDINARY = schema.without_fast_path()


async def api_data(
    op: Operation, variables: dict[str, Any], engine: Schema = schema
) -> dict[str, Any]:
    """The API's `data` for one run, with a fresh Context; fails on any GraphQL error."""
    result = await engine.execute(op.query, variable_values=variables, context_value=Context())
    if result.errors:
        raise RuntimeError(f"{op.name}: {result.errors}")
    assert result.data is not None
    return result.data


async def api_bytes(op: Operation, variables: dict[str, Any], engine: Schema = schema) -> bytes:
    """One API run as the HTTP layer would answer: executed, then encoded as the view does."""
    data = await api_data(op, variables, engine)
    return response_json({"data": data})


async def floor_bytes(op: Operation, conn: floor.Connection, variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"data": await op.floor(conn, variables)})


async def _median_ms(run: Callable[[], Awaitable[object]], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


#: Each turn of the alternation lasts at least this long (the run repeated as often as
#: needed): /proc counts the database backends' CPU in ticks of 10 ms.
TURN_SECONDS = 0.05


async def _alternating_ms(
    first: Callable[[], Awaitable[object]],
    second: Callable[[], Awaitable[object]],
    runs: int,
    cpu: Callable[[], float],
) -> tuple[float, float, float, float]:
    """`runs` turns of each, in turn, a turn repeating its run to last TURN_SECONDS: the
    median over turns of each one's wall-clock time per run, and its CPU time per run as
    `cpu` counts it (the mean over all turns), all in ms."""
    repeats = []
    for run in (first, second):
        start = time.perf_counter()
        await run()
        once = max(time.perf_counter() - start, 1e-6)
        repeats.append(max(1, min(500, math.ceil(TURN_SECONDS / once))))
    times: tuple[list[float], list[float]] = ([], [])
    spent = [0.0, 0.0]
    for _ in range(runs):
        for i, run in enumerate((first, second)):
            start, used = time.perf_counter(), cpu()
            for _ in range(repeats[i]):
                await run()
            times[i].append((time.perf_counter() - start) / repeats[i])
            spent[i] += cpu() - used
    return (
        statistics.median(times[0]) * 1000,
        statistics.median(times[1]) * 1000,
        spent[0] / (runs * repeats[0]) * 1000,
        spent[1] / (runs * repeats[1]) * 1000,
    )


async def _peak_mib(run: Callable[[], Awaitable[object]]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        await run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def measure(
    op: Operation,
    conn: floor.Connection,
    variables: dict[str, Any],
    runs: int,
    cpu: Callable[[], float] = time.process_time,
    ordinary_runs: int | None = None,
) -> InProcess:
    """Check the API and the floor agree byte for byte, then time both over `runs` runs each:
    wall-clock medians, and CPU time per run as `cpu` counts it (this process's by default,
    which includes aiosqlite's thread). FAST_PATH=false is timed over `ordinary_runs` runs
    (default `runs`)."""
    # Byte equality of the two `data` values, both encoded with orjson.
    api = orjson.dumps({"data": await api_data(op, variables)})
    floor.COUNTER.clear()
    expected = await floor_bytes(op, conn, variables)
    floor_sql = list(floor.COUNTER)
    with captured() as api_sql:
        await api_data(op, variables)
    # Warm both once more, then alternate: a run of the API, a run of the floor, and so on,
    # so that the machine's other work weighs on both sides alike.
    await api_bytes(op, variables)
    api_ms, floor_ms, api_cpu_ms, floor_cpu_ms = await _alternating_ms(
        lambda: api_bytes(op, variables), lambda: floor_bytes(op, conn, variables), runs, cpu
    )
    ordinary = await api_bytes(op, variables, ORDINARY)
    if ordinary != await api_bytes(op, variables):
        raise RuntimeError(f"{op.name}: FAST_PATH=false gave other bytes")
    ordinary_ms = await _median_ms(
        lambda: api_bytes(op, variables, ORDINARY), ordinary_runs or runs
    )
    return InProcess(
        name=op.name,
        identical=api == expected,
        response_bytes=len(expected),
        api_ms=api_ms,
        floor_ms=floor_ms,
        api_statements=len(api_sql),
        floor_statements=len(floor_sql),
        api_peak_mib=await _peak_mib(lambda: api_bytes(op, variables)),
        floor_peak_mib=await _peak_mib(lambda: floor_bytes(op, conn, variables)),
        runs=runs,
        api_sql=list(api_sql),
        floor_sql=floor_sql,
        ordinary_ms=ordinary_ms,
        api_cpu_ms=api_cpu_ms,
        floor_cpu_ms=floor_cpu_ms,
    )


async def statements_for(op: Operation, variables: dict[str, Any]) -> int:
    """How many statements one API run takes with these variables (e.g. another page size)."""
    with captured() as sql:
        await api_data(op, variables)
    return len(sql)
