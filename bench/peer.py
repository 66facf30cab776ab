"""The API and PostGraphile side by side on one PostgreSQL database: the same load generator,
alternating rounds, medians of requests per second, CPU per request and SQL per request; for
the small query, the bare endpoint (bench/bare.py) in the same rounds, as what a Python
server on the same stack does with no GraphQL at all."""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import orjson

from bench import loadgen, postgres, servers, wire
from bench.generate import Plan
from bench.operations import OPERATIONS, SMALL_OPERATION, Operation
from bench.servers import HOST, Server

#: The peer's operations, one file each, with what differs from ours written in each file.
FILES = Path(__file__).resolve().parent / "postgraphile" / "operations"
PEER = "PostGraphile"


def peer_query(name: str) -> str:
    return (FILES / f"{name}.graphql").read_text()


@dataclass
class Round:
    """One side's measured window in one round."""

    rps: float
    requests: int
    errors: int
    server_ms: float  # CPU per request of the server process
    database_ms: float | None  # of the database's backends; None when not on this machine


@dataclass
class Side:
    """One side of one operation: its rounds, and what one request sends to the database."""

    rounds: list[Round] = field(default_factory=list)
    statements: float = 0.0
    round_trips: float = 0.0
    response_bytes: int = 0
    answers: bool = False  # data without errors (ours: equal to the floor's)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    @property
    def server_ms(self) -> float:
        return statistics.median(r.server_ms for r in self.rounds)

    @property
    def database_ms(self) -> float | None:
        if any(r.database_ms is None for r in self.rounds):
            return None
        return statistics.median(r.database_ms or 0.0 for r in self.rounds)

    @property
    def spread(self) -> float:
        """(max - min) / median of the rounds' req/s: how much the machine's noise moved it."""
        values = [r.rps for r in self.rounds]
        return (max(values) - min(values)) / statistics.median(values) if values else 0.0


@dataclass
class Pair:
    name: str
    ours: Side = field(default_factory=Side)
    peer: Side = field(default_factory=Side)
    #: The bare endpoint's side: the small query only.
    bare: Side | None = None

    @property
    def ratio(self) -> float:
        return self.ours.rps / self.peer.rps


def _body(query: str, variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"query": query, "variables": variables})


async def _post(server: Server, body: bytes) -> dict[str, Any]:
    status, answer = await loadgen.once(HOST, server.port, "/graphql", body)
    data: dict[str, Any] = orjson.loads(answer)
    if status != 200 or data.get("errors"):
        raise RuntimeError(f"{server.app} answered {status}: {answer[:300]!r}")
    return data


async def _bodies(ours: Server, peer: Server, plan: Plan) -> dict[str, tuple[bytes, bytes]]:
    """Each operation's request body for each side. The peer's small query asks for the same
    election by PostGraphile's own global ID, read once here."""
    bodies: dict[str, tuple[bytes, bytes]] = {}
    for op in [*OPERATIONS, SMALL_OPERATION]:
        variables = op.variables(plan)
        if op.name == "small":
            key = plan.reference_election()
            found = await _post(
                peer, _body("query($k:String!){electionByKey(key:$k){nodeId}}", {"k": key})
            )
            peer_variables: dict[str, Any] = {"id": found["data"]["electionByKey"]["nodeId"]}
        else:
            peer_variables = variables
        bodies[op.name] = (
            _body(op.query, variables),
            _body(peer_query(op.name), peer_variables),
        )
    return bodies


def _proxied(url: str, port: int) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{port}").geturl()


async def count_statements(
    database_url: str, plan: Plan, log: Path, app_env: str, pairs: dict[str, Pair]
) -> None:
    """SQL statements and round trips per request for each side (the bare endpoint's too,
    where it has one), counted by a proxy between each server and PostgreSQL (servers
    started for this alone): one request to warm up, then the mean of three."""
    parts = urlsplit(database_url)
    with wire.counting_proxy(parts.hostname or "127.0.0.1", parts.port or 5432) as (port, counts):
        via = _proxied(database_url, port)
        with (
            servers.serve_api(via, log, app_env) as ours,
            servers.serve_postgraphile(via, log) as peer,
            servers.serve("bench.bare:app", via, log, app_env) as bare,
        ):
            bodies = await _bodies(ours, peer, plan)
            for name, pair in pairs.items():
                sides = [(pair.ours, ours, bodies[name][0]), (pair.peer, peer, bodies[name][1])]
                if pair.bare is not None:
                    sides.append((pair.bare, bare, bodies[name][0]))
                for side, server, body in sides:
                    await _post(server, body)
                    # Let the pool finish what follows a request (asyncpg's reset) first.
                    await asyncio.sleep(0.05)
                    counts.clear()
                    for _ in range(3):
                        await _post(server, body)
                    await asyncio.sleep(0.05)
                    side.statements = counts.statements / 3
                    side.round_trips = counts.round_trips / 3


async def _window(
    server: Server,
    body: bytes,
    backends: postgres.Backends,
    concurrency: int,
    seconds: float,
    warmup: float,
) -> Round:
    # A warm-up of its own first, so that both pools have opened their connections.
    await loadgen.run(HOST, server.port, "/graphql", body, concurrency, warmup, 0.0)
    pids = await backends.pids()
    before: dict[str, Any] = {}

    def start() -> None:
        before["server"] = server.cpu_seconds()
        before["database"] = backends.cpu(pids)

    result = await loadgen.run(
        HOST, server.port, "/graphql", body, concurrency, seconds, 0.0, on_start=start
    )
    server_s = server.cpu_seconds() - before["server"]
    after = backends.cpu(await backends.pids() + pids)
    requests = result.requests + result.errors
    database_ms = (
        1000 * postgres.spent(before["database"], after) / requests if backends.local else None
    )
    return Round(
        rps=result.rps,
        requests=result.requests,
        errors=result.errors,
        server_ms=1000 * server_s / requests,
        database_ms=database_ms,
    )


async def side_by_side(
    database_url: str,
    plan: Plan,
    expected: dict[str, dict[str, Any]],
    log: Path,
    app_env: str,
    rounds: int,
    concurrency: int,
    seconds: float,
    warmup: float,
) -> dict[str, Pair]:
    """The servers up at once on the database; per operation, `rounds` rounds, each a window
    for each side, the side going first changing from round to round (the bare endpoint is
    a third side of the small query)."""
    operations: list[Operation] = [*OPERATIONS, SMALL_OPERATION]
    pairs = {op.name: Pair(op.name) for op in operations}
    monitor = await asyncpg.connect(database_url)
    backends = postgres.Backends(monitor, urlsplit(database_url).path.lstrip("/"))
    try:
        with (
            servers.serve_api(database_url, log, app_env) as ours,
            servers.serve_postgraphile(database_url, log) as peer,
            servers.serve("bench.bare:app", database_url, log, app_env) as bare,
        ):
            bodies = await _bodies(ours, peer, plan)
            for op in operations:
                pair = pairs[op.name]
                ours_body, peer_body = bodies[op.name]
                mine = await _post(ours, ours_body)
                theirs = await _post(peer, peer_body)
                # Parsed equality: the floor's dates are date objects, encoded by orjson.
                wanted = orjson.loads(orjson.dumps(expected[op.name]))
                pair.ours.answers = mine.get("data") == wanted
                pair.ours.response_bytes = len(orjson.dumps(mine))
                pair.peer.answers = bool(theirs.get("data")) and all(
                    v is not None for v in theirs["data"].values()
                )
                pair.peer.response_bytes = len(orjson.dumps(theirs))
                order = [(pair.ours, ours, ours_body), (pair.peer, peer, peer_body)]
                if op is SMALL_OPERATION:
                    pair.bare = Side()
                    plain = await _post(bare, ours_body)
                    pair.bare.answers = plain.get("data") == wanted
                    pair.bare.response_bytes = len(orjson.dumps(plain))
                    order.append((pair.bare, bare, ours_body))
                for n in range(rounds):
                    turn = n % len(order)
                    for side, server, body in order[turn:] + order[:turn]:
                        side.rounds.append(
                            await _window(server, body, backends, concurrency, seconds, warmup)
                        )
    finally:
        await monitor.close()
    await count_statements(database_url, plan, log, app_env, pairs)
    return pairs
