"""A bare Starlette endpoint answering the small query with the API's SQL and JSON, no GraphQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import bulk, floor


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.conn = await bulk.connect(Path(os.environ["BENCH_DATABASE"]))
    try:
        yield
    finally:
        await app.state.conn.close()


async def graphql(request: Request) -> Response:
    """POST {"variables": {"id": …}}: the election as the API's `node(id:)` query gives it."""
    payload = orjson.loads(await request.body())
    key = floor.decode_election_id(payload["variables"]["id"])
    conn = request.app.state.conn
    rows = [] if key is None else list(await conn.execute_fetchall(floor.SMALL_SQL, [key]))
    data = floor.small_data(rows[0] if rows else None)
    return Response(orjson.dumps({"data": data}), media_type="application/json")


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)],
    lifespan=lifespan,
)
