"""The API over HTTP under uvicorn, loaded from loopback; and the bare endpoint beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from bench import loadgen
from bench.operations import Operation
from bench.servers import HOST, Server


@dataclass
class OverHttp:
    """One operation under load over HTTP at one size."""

    name: str
    server: str
    same_data: bool
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    concurrency: int


def body(op: Operation, variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"query": op.query, "variables": variables})


async def load(
    server: Server,
    op: Operation,
    variables: dict[str, Any],
    expected: dict[str, Any],
    concurrency: int,
    seconds: float,
    warmup: float,
) -> OverHttp:
    """Keep `concurrency` requests in flight; check the answer's `data` equals the floor's."""
    result = await loadgen.run(
        HOST, server.port, "/graphql", body(op, variables), concurrency, seconds, warmup
    )
    answer = orjson.loads(result.first_body) if result.first_body else {}
    return OverHttp(
        name=op.name,
        server=server.app,
        # Parsed equality: the API answers over HTTP, the floor gives Python values.
        same_data=answer.get("data") == expected and "errors" not in answer,
        rps=result.rps,
        p50_ms=result.percentile(50) * 1000,
        p99_ms=result.percentile(99) * 1000,
        requests=result.requests,
        errors=result.errors,
        concurrency=concurrency,
    )
