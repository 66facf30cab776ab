"""One benchmark run: each size prepared, then measured in-process, over HTTP, and planned."""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiosqlite
import asyncpg

from bench import bulk, http, inprocess, peer, plans, postgres, servers
from bench.floor import PostgresConnection
from bench.generate import Plan, count
from bench.http import OverHttp
from bench.inprocess import InProcess
from bench.operations import OPERATIONS, SMALL_OPERATION, Operation
from bench.peer import PEER, Pair
from bench.prepare import DATA, Prepared, peak_rss_mib, prepare
from server import prepare_garbage_collector
from service.database import connected

PARTS = ("load", "inprocess", "http", "small", "plans", "postgres")


@dataclass(frozen=True)
class Options:
    sizes: list[tuple[str, int]]
    parts: tuple[str, ...]
    seed: int
    runs: int
    seconds: float
    warmup: float
    concurrency: int
    small_concurrency: int
    loader: str  # auto, real or bulk
    reuse: bool
    app_env: str
    #: The PostgreSQL server to measure on (a scratch database is made on it), or None.
    postgres_url: str | None = None
    #: Rounds of the side-by-side with PostGraphile (alternating which side goes first).
    rounds: int = 5
    #: Each side's measured window in a round against PostGraphile, seconds.
    peer_seconds: float = 5.0
    #: Runs of FAST_PATH=false in-process (it only shows how much the fast path saves).
    ordinary_runs: int | None = None


@dataclass
class SizeResult:
    """Everything measured at one size."""

    label: str
    plan: Plan
    prepared: Prepared | None = None
    inprocess: dict[str, InProcess] = field(default_factory=dict)
    statements_first_10: int | None = None
    http: dict[str, OverHttp] = field(default_factory=dict)
    small_api: OverHttp | None = None
    small_bare: OverHttp | None = None
    server_rss_mib: dict[str, float] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)
    #: On PostgreSQL: the loader's seconds, in-process API against floor, and the peer.
    postgres_load_seconds: float | None = None
    postgres_inprocess: dict[str, InProcess] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)


def machine() -> list[str]:
    """nproc, memory, CPU model and Python version, as BENCHMARKS.md records them."""
    import os

    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return [
        f"machine: {os.cpu_count()} CPUs ({model}), {mem} memory, Linux {platform.release()}",
        f"python {platform.python_version()}, SQLite {aiosqlite.sqlite_version}",
        load_average(),
        source_state(),
    ]


def source_state() -> str:
    """The commit measured, and the files changed since it outside bench/ (uncommitted work)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "?"
    changed = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith("bench/")
    ]
    if not changed:
        return f"code: commit {commit}, no uncommitted changes outside bench/"
    return f"code: commit {commit} plus uncommitted changes to {', '.join(changed)}"


def load_average() -> str:
    """The load average now: other work on the machine shares its CPUs with the benchmark."""
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return f"load average: {one} {five} {fifteen} (1, 5, 15 min)"


def _ms(value: float) -> str:
    if value < 10:
        return f"{value:.2f} ms"
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def _yes(ok: bool | None) -> str:
    return "yes" if ok else "NO"


def _objects(op: Operation, data: dict[str, Any]) -> str:
    """A short account of what one answer holds, to compare pages across sizes."""
    if op.name == "elections":
        elections = data["elections"]["nodes"]
    elif op.name == "country":
        elections = data["country"]["elections"]["nodes"]
    elif op.name == "election":
        elections = [data["election"]]
    else:
        return "1 election"
    candidacies = sum(len(e["candidacies"]["nodes"]) for e in elections)
    tallies = sum(len(e["tallies"]["nodes"]) for e in elections)
    lines = sum(len(t["lines"]) for e in elections for t in e["tallies"]["nodes"])
    endorsements = sum(
        len(c["endorsements"]["nodes"]) if "endorsements" in c else 0
        for e in elections
        for c in e["candidacies"]["nodes"]
    )
    text = (
        f"{len(elections)} elections, {candidacies} candidacies, {tallies} tallies, {lines} lines"
    )
    return text + (f", {endorsements} endorsements" if endorsements else "")


async def run_size(label: str, candidacies: int, options: Options, largest: bool) -> SizeResult:
    plan = Plan(candidacies, options.seed)
    result = SizeResult(label, plan)
    print(f"\n== {label}: {candidacies:,} candidacies, seed {options.seed} ==")
    counts = count(plan)
    print("  data: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))

    how = options.loader
    if how == "auto":
        how = "loader" if candidacies <= 100_000 else "bulk"
    reuse = options.reuse or "load" not in options.parts
    prepared = await prepare(plan, label, how, reuse)
    result.prepared = prepared
    _print_load(prepared)

    if {"inprocess", "plans"} & set(options.parts):
        await _in_process(result, options, largest)
    if {"http", "small"} & set(options.parts):
        await _over_http(result, options)
    if "postgres" in options.parts:
        if options.postgres_url:
            await _on_postgres(result, options.postgres_url, options)
        else:
            print(f"  PostgreSQL: not measured ({postgres.ENVIRONMENT} is not set)")
    return result


def _print_inprocess_header(runs: int) -> None:
    print(
        f"  in-process ({runs} turns each, API and floor in turn, each turn repeating its run "
        "for at least 50 ms, fresh Context each run; wall: median per run; CPU: mean per run, "
        "with the database backends' on PostgreSQL):"
    )
    print(
        "    operation   answer    wall API     floor   API/floor  CPU API     floor"
        "   API/floor  SQL API/floor  peak MiB API/floor  same bytes"
    )


def _print_inprocess(m: InProcess) -> None:
    print(
        f"    {m.name:<10} {m.response_bytes / 1024:>7.1f} KiB {_ms(m.api_ms):>10}"
        f" {_ms(m.floor_ms):>10} {m.wall_ratio:>8.1f}x {_ms(m.api_cpu_ms):>10}"
        f" {_ms(m.floor_cpu_ms):>10} {m.ratio:>8.1f}x {m.api_statements:>6} / "
        f"{m.floor_statements:<6} {m.api_peak_mib:>8.1f} / {m.floor_peak_mib:<7.1f}"
        f"  {'yes' if m.identical else 'NO'}"
    )


async def _on_postgres(result: SizeResult, url: str, options: Options) -> None:
    """The same operations on a scratch PostgreSQL database: in-process against the floor,
    then over HTTP beside PostGraphile."""
    async with postgres.scratch(url) as database_url:
        name = urlsplit(database_url).path.lstrip("/")
        print(f"  PostgreSQL: scratch database {name} (dropped after)")
        result.postgres_load_seconds = await postgres.load(result.plan, database_url)
        print(f"    loaded by the loader in {result.postgres_load_seconds:.1f} s")
        expected: dict[str, dict[str, Any]] = {}
        async with connected(database_url):
            raw = await asyncpg.connect(database_url)
            monitor = await asyncpg.connect(database_url)
            backends = postgres.Backends(monitor, name)
            conn = PostgresConnection(raw)
            prepare_garbage_collector()
            try:
                _print_inprocess_header(options.runs)
                for op in [*OPERATIONS, SMALL_OPERATION]:
                    variables = op.variables(result.plan)
                    expected[op.name] = await op.floor(conn, variables)
                    # The API's pool and the floor's connection, after a first run of each.
                    pids = await backends.pids()

                    def cpu(pids: list[int] = pids) -> float:
                        return time.process_time() + sum(backends.cpu(pids).values())

                    try:
                        m = await inprocess.measure(
                            op, conn, variables, options.runs, cpu, options.ordinary_runs
                        )
                    except RuntimeError as error:
                        print(f"    {op.name:<10} the API failed: {error}")
                        continue
                    result.postgres_inprocess[op.name] = m
                    _print_inprocess(m)
            finally:
                await raw.close()
                await monitor.close()
        log = DATA / "servers-postgres.log"
        print(
            f"  over HTTP beside {PEER} {peer_version()} on the same database (server output: "
            f"{log}): 1 process each, {options.concurrency} connections, {options.rounds} "
            f"rounds of {options.peer_seconds:g} s after {options.warmup:g} s warm-up, alternating "
            "which side goes first; medians"
        )
        result.pairs = await peer.side_by_side(
            database_url,
            result.plan,
            expected,
            log,
            options.app_env,
            options.rounds,
            options.concurrency,
            options.peer_seconds,
            options.warmup,
        )
        _print_pairs(result.pairs)


def peer_version() -> str:
    import json

    package = servers.POSTGRAPHILE / "node_modules" / "postgraphile" / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.exists() else "?"


def _print_pairs(pairs: dict[str, Pair]) -> None:
    def cpu(side: peer.Side) -> str:
        db = side.database_ms
        total = side.server_ms + (db or 0.0)
        return f"{total:.2f} ({side.server_ms:.2f} + {'?' if db is None else f'{db:.2f}'})"

    print(
        "    operation   ours req/s  peer req/s  ratio   CPU ms/req ours (server + db)"
        "     peer                 SQL/req (round trips) ours / peer   answers ours / peer"
        "  spread ours / peer"
    )
    for name, p in pairs.items():
        o, q = p.ours, p.peer
        print(
            f"    {name:<10} {o.rps:>10.1f} {q.rps:>11.1f} {p.ratio:>6.2f}   {cpu(o):<26}"
            f"  {cpu(q):<20} {o.statements:>5.1f} ({o.round_trips:.1f}) / "
            f"{q.statements:.1f} ({q.round_trips:.1f}){'':<12} {_yes(o.answers)} / "
            f"{_yes(q.answers)}        {o.spread:.0%} / {q.spread:.0%}"
        )
    for name, p in pairs.items():
        b = p.bare
        if b is None:
            continue
        # What the same Python stack does with the operation's one statement and no GraphQL:
        # how much of the distance to the peer is the stack's, and how much our own.
        print(
            f"    {name}, bare endpoint (bench/bare.py: Starlette on asyncpg, no GraphQL): "
            f"{b.rps:.1f} req/s, CPU ms/req {cpu(b)}, SQL/req {b.statements:.1f} "
            f"({b.round_trips:.1f}), answers {_yes(b.answers)}, spread {b.spread:.0%}; "
            f"ours / bare {p.ours.rps / b.rps:.2f}, peer / bare {p.peer.rps / b.rps:.2f}"
        )
    print(
        "    (CPU: the server process's user+system time and its database backends', from "
        "/proc, over the measured window; SQL: statements and round trips sent to PostgreSQL, "
        "counted by a proxy in between; spread: (max-min)/median of the rounds' req/s)"
    )


def _print_load(p: Prepared) -> None:
    print(f"  database: {p.database} ({p.rows:,} rows, {p.how})")
    if p.loader_seconds is not None and p.floor_seconds is not None:
        assert p.loader_rps is not None and p.floor_rps is not None
        share = 100 * p.loader_rps / p.floor_rps
        print(
            f"  fixture loader (loader.load, {p.fixture_mib:.1f} MiB of JSON): "
            f"{p.loader_seconds:.1f} s, {p.loader_rps:,.0f} rows/s"
        )
        print(
            f"  raw executemany floor (same rows, one transaction): {p.floor_seconds:.2f} s, "
            f"{p.floor_rps:,.0f} rows/s; same rows as the loader's: "
            f"{'yes' if p.same_rows else 'NO'}"
        )
        print(f"  loader / floor rows per second: {share:.1f} %")
    elif p.floor_seconds is not None:
        assert p.floor_rps is not None
        print(
            f"  bulk path (raw executemany, the loader not run): {p.floor_seconds:.1f} s, "
            f"{p.floor_rps:,.0f} rows/s"
        )
    print(f"  peak RSS of this process so far: {peak_rss_mib():,.0f} MiB")


async def _in_process(result: SizeResult, options: Options, largest: bool) -> None:
    assert result.prepared is not None
    database = result.prepared.database
    async with connected(f"sqlite://{database}"):
        conn = await bulk.connect(database)
        prepare_garbage_collector()  # as the server does once started
        try:
            if "inprocess" in options.parts:
                _print_inprocess_header(options.runs)
                for op in [*OPERATIONS, SMALL_OPERATION]:
                    variables = op.variables(result.plan)
                    try:
                        m = await inprocess.measure(
                            op, conn, variables, options.runs, ordinary_runs=options.ordinary_runs
                        )
                    except RuntimeError as error:
                        print(f"    {op.name:<10} the API failed: {error}")
                        continue
                    result.inprocess[op.name] = m
                    _print_inprocess(m)
                ordinary = ", ".join(
                    f"{m.name} {_ms(m.ordinary_ms)} ({m.ordinary_ms / m.api_ms:.1f}x the API)"
                    for m in result.inprocess.values()
                )
                print(f"    FAST_PATH=false (graphql-core alone, same bytes): {ordinary}")
                for op in OPERATIONS:
                    if op.name in result.inprocess:
                        data = await inprocess.api_data(op, op.variables(result.plan))
                        print(f"    {op.name}: {op.title}: {_objects(op, data)}")
                elections = next(op for op in OPERATIONS if op.name == "elections")
                result.statements_first_10 = await inprocess.statements_for(
                    elections, {"first": 10}
                )
                print(
                    f"    SQL statements of the elections page with first: 10 → "
                    f"{result.statements_first_10}, with first: 100 → "
                    f"{result.inprocess['elections'].api_statements}"
                    if "elections" in result.inprocess
                    else "-"
                )
            if "plans" in options.parts and largest:
                await _plans(result, conn)
        finally:
            await conn.close()


async def _plans(result: SizeResult, conn: aiosqlite.Connection) -> None:
    from bench import floor
    from bench.statements import captured

    print(
        f"  query plans at {result.label} (EXPLAIN QUERY PLAN; 'SCAN t' reads all of t, "
        "'AUTOMATIC' builds an index over a whole table for one statement):"
    )
    for op in OPERATIONS:
        variables = op.variables(result.plan)
        with captured() as api_sql:
            await inprocess.api_data(op, variables)
        floor.COUNTER.clear()
        await op.floor(conn, variables)
        for who, statements in (("API", api_sql), ("floor", list(floor.COUNTER))):
            lines, counts = await plans.describe(conn, statements)
            print(f"    {op.name} ({who}): {len(statements)} statements; {counts}")
            for line in lines:
                print(f"      {line}")


async def _over_http(result: SizeResult, options: Options) -> None:
    assert result.prepared is not None
    database = result.prepared.database
    expected: dict[str, dict[str, Any]] = {}
    conn = await bulk.connect(database)
    try:
        for op in [*OPERATIONS, SMALL_OPERATION]:
            expected[op.name] = await op.floor(conn, op.variables(result.plan))
    finally:
        await conn.close()
    log = database.parent / "servers.log"
    print(f"  server output: {log}")
    with servers.serve_api(database, log, options.app_env) as server:
        if "http" in options.parts:
            print(
                f"  over HTTP (uvicorn, 1 worker; {options.concurrency} connections; "
                f"{options.seconds:g} s after {options.warmup:g} s warm-up):"
            )
            print(
                "    operation   req/s      p50        p99      requests  errors  "
                "ms/req (1/rps) vs floor  same data"
            )
            for op in OPERATIONS:
                m = await http.load(
                    server,
                    op,
                    op.variables(result.plan),
                    expected[op.name],
                    options.concurrency,
                    options.seconds,
                    options.warmup,
                )
                result.http[op.name] = m
                floor_ms = (
                    result.inprocess[op.name].floor_ms if op.name in result.inprocess else None
                )
                per = 1000 / m.rps if m.rps else float("nan")
                versus = (
                    f"{_ms(per):>10} {per / floor_ms:>6.1f}x" if floor_ms else f"{_ms(per):>10}"
                )
                print(
                    f"    {op.name:<10} {m.rps:>7.1f} {_ms(m.p50_ms):>10} {_ms(m.p99_ms):>10}"
                    f" {m.requests:>9} {m.errors:>7}  {versus:<22}  {_yes(m.same_data)}"
                )
        if "small" in options.parts:
            result.small_api = await _small(server, result, expected, options)
        result.server_rss_mib["server:create_app"] = server.peak_rss_mib()
    if "small" in options.parts:
        with servers.serve("bench.bare:app", database, log, options.app_env) as bare:
            result.small_bare = await _small(bare, result, expected, options)
            result.server_rss_mib["bench.bare:app"] = bare.peak_rss_mib()
        api, bare_m = result.small_api, result.small_bare
        assert api is not None and bare_m is not None
        print(
            f"  small query (one election by ID) over HTTP, 1 worker, "
            f"{options.small_concurrency} connections, {options.seconds:g} s:"
        )
        for m in (api, bare_m):
            print(
                f"    {m.server:<15} {m.rps:>8.0f} req/s  p50 {_ms(m.p50_ms):>8}  p99 "
                f"{_ms(m.p99_ms):>8}  {m.requests} requests, {m.errors} errors, "
                f"same data: {'yes' if m.same_data else 'NO'}"
            )
        print(f"    API / bare requests per second: {api.rps / bare_m.rps:.2f}")
    for app, mib in result.server_rss_mib.items():
        print(f"  peak RSS of the {app} server process: {mib:,.0f} MiB")


async def _small(
    server: servers.Server,
    result: SizeResult,
    expected: dict[str, dict[str, Any]],
    options: Options,
) -> OverHttp:
    op = SMALL_OPERATION
    return await http.load(
        server,
        op,
        op.variables(result.plan),
        expected[op.name],
        options.small_concurrency,
        options.seconds,
        options.warmup,
    )
