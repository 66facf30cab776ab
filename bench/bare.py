"""A bare Starlette endpoint answering the small query with the API's SQL and JSON, no GraphQL:
on SQLite (BENCH_DATABASE) through one aiosqlite connection, on PostgreSQL (DATABASE_URL
postgres://) through an asyncpg pool of the API's size that, like the API's, sends nothing
when a connection goes back to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import bulk, floor
from service.database import keep_session
from service.settings import Pool


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    url = os.environ.get("DATABASE_URL", "")
    close: Callable[[], Awaitable[None]]
    if url.startswith("postgres://"):
        size = Pool()
        pool = await asyncpg.create_pool(
            url, min_size=size.min_size, max_size=size.max_size, reset=keep_session
        )
        app.state.conn, close = floor.PostgresConnection(pool), pool.close
    else:
        conn = await bulk.connect(Path(os.environ["BENCH_DATABASE"]))
        app.state.conn, close = conn, conn.close
    try:
        yield
    finally:
        await close()


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
