"""The benchmark's own instruments: the proxy that counts the SQL a server sends to PostgreSQL,
the closing lines of `make bench-quick`, the event loop of its in-process part, the summary
`python -m bench.ab --in-process` reads, the pages of `python -m bench.shape`, the
heaviest queries of `python -m bench.heaviest`, and the bare endpoint (bench/bare.py) on
either database."""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvloop
from graphql import parse, validate
from starlette.datastructures import Headers

import loader
from bench import __main__ as bench_main
from bench import ab, floor, instructions, layers, loop, profile, servers, shape, wire
from bench.generate import Plan
from bench.heaviest import MAX_COST, fields, heavy_queries, largest, query_cost, repeated_text
from bench.inprocess import InProcess
from bench.operations import ELECTION_PAGE, SMALL
from bench.peer import Pair, Round, Side
from bench.run import SizeResult
from bench.summary import closing_lines, print_summary
from schema import rows, schema
from schema.context import Context
from schema.limits import shape_errors
from service import compat
from service.database import migrate
from service.settings import Limits
from tests.support.databases import on_database
from tests.support.world import WORLD


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _extended(sql: str) -> bytes:
    """Parse, Bind, Execute and Sync of one statement, as asyncpg and node-postgres send it."""
    return (
        _message(b"P", b"\0" + sql.encode() + b"\0" + b"\0\0")
        + _message(b"B", b"\0\0" + b"\0\0" * 3)
        + _message(b"E", b"\0" + b"\0\0\0\0")
        + _message(b"S", b"")
    )


async def _through_proxy(messages: bytes) -> tuple[wire.Counts, bytes, bytes]:
    """Send an SSL request, a startup message and `messages` through the proxy to a server
    that keeps what it receives; (the counts, what the client got back, what the server got)."""
    received = bytearray()
    done = asyncio.Event()

    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            received.extend(data)
            if received.endswith(messages):
                done.set()
        writer.close()

    server = await asyncio.start_server(upstream, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    body = struct.pack("!i", 196608) + b"user\0bench\0\0"  # protocol 3.0, one parameter
    startup = struct.pack("!i", len(body) + 4) + body
    try:
        with wire.counting_proxy("127.0.0.1", port) as (proxy_port, counts):
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
            writer.write(struct.pack("!ii", 8, 80877103))  # SSLRequest
            await writer.drain()
            declined = await reader.readexactly(1)
            writer.write(startup + messages)
            await writer.drain()
            await asyncio.wait_for(done.wait(), 10)
            writer.close()
            return counts, declined, bytes(received)
    finally:
        server.close()


async def test_the_proxy_counts_statements_and_round_trips_and_passes_everything_on() -> None:
    reset = "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;"
    messages = (
        _extended('SELECT * FROM "election" WHERE "key" IN ($1)')
        + _message(b"Q", reset.encode() + b"\0")
        + _extended('SELECT "id" FROM "tally"')
    )
    counts, declined, received = await _through_proxy(messages)
    # Encryption is declined by the proxy itself, so that the rest can be read.
    assert declined == b"N"
    # Two executed statements and the four of the reset; three answers waited for.
    assert (counts.statements, counts.round_trips) == (6, 3)
    assert counts.texts == [
        'SELECT * FROM "election" WHERE "key" IN ($1)',
        reset,
        'SELECT "id" FROM "tally"',
    ]
    # The server got the startup message and every message unchanged (not the SSL request).
    assert received.endswith(messages)
    assert struct.unpack("!i", received[4:8])[0] == 196608


def _measured(name: str, api_ms: float, floor_ms: float) -> InProcess:
    return InProcess(
        name=name,
        identical=True,
        response_bytes=1,
        api_ms=api_ms,
        floor_ms=floor_ms,
        api_statements=1,
        floor_statements=1,
        api_peak_mib=0.0,
        floor_peak_mib=0.0,
        runs=1,
        api_sql=[],
        floor_sql=[],
        ordinary_ms=api_ms,
        api_cpu_ms=api_ms,
        floor_cpu_ms=floor_ms,
    )


def _side(*rps: float) -> Side:
    return Side(rounds=[Round(r, 10, 0, 1.0, 1.0) for r in rps])


def test_the_closing_lines_name_the_worst_of_both_databases_and_against_the_peer() -> None:
    result = SizeResult("3k", Plan(3000, 1))
    result.inprocess = {
        "elections": _measured("elections", 30.0, 10.0),
        "small": _measured("small", 1.0, 0.2),
    }
    result.postgres_inprocess = {
        "elections": _measured("elections", 70.0, 20.0),
        "country": _measured("country", 12.0, 2.0),
    }
    result.pairs = {
        # Medians of the rounds: 100 against 200, and 90 against 100.
        "election": Pair("election", _side(100, 120, 80), _side(200, 190, 300)),
        "small": Pair("small", _side(90, 95, 70), _side(100, 100, 100)),
    }
    assert closing_lines([result])[-3:] == [
        "large nested operation: API/floor ratio 3.5",
        "every operation: worst API/floor ratio 6.0 (country, PostgreSQL)",
        "against PostGraphile on PostgreSQL: worst throughput ratio 0.50 (election)",
    ]


def test_without_postgres_the_closing_lines_say_what_was_not_measured() -> None:
    result = SizeResult("3k", Plan(3000, 1))
    result.inprocess = {"elections": _measured("elections", 30.0, 10.0)}
    assert closing_lines([result])[-2:] == [
        "every operation: worst API/floor ratio 3.0 (elections, SQLite)",
        "against PostGraphile on PostgreSQL: worst throughput ratio not measured "
        "(set BENCH_POSTGRES_URL)",
    ]


def test_an_in_process_comparison_reads_the_summary_the_benchmark_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `python -m bench.ab --in-process` reads each side's figures from this summary.
    result = SizeResult("3k", Plan(3000, 1))
    result.inprocess = {
        "election": _measured("election", 6.93, 1.59),
        "country": _measured("country", 12.79, 2.47),
        "elections": _measured("elections", 111.34, 34.0),
        "small": _measured("small", 0.46, 0.13),
    }
    print_summary([result])
    lines = capsys.readouterr().out.splitlines()
    read = [m.groups() for line in lines if (m := ab.SUMMARY_LINE.match(line))]
    assert read == [
        ("election", "6.93", "1.59", "4.4"),
        ("country", "12.79", "2.47", "5.2"),
        ("elections", "111.34", "34.00", "3.3"),
        ("small", "0.46", "0.13", "3.5"),
    ]


def test_an_instruction_count_is_read_from_callgrinds_summary() -> None:
    # What `valgrind --tool=callgrind` writes to stderr as a process ends.
    stderr = (
        "==4242== Callgrind, a call-graph generating cache profiler\n"
        "==4242== Events    : Ir\n"
        "==4242== Collected : 8153829337\n"
        "==4242== \n==4242== I   refs:      8,153,829,337\n"
    )
    assert instructions.collected(stderr) == 8_153_829_337
    with pytest.raises(RuntimeError, match="no single callgrind summary"):
        instructions.collected("==4242== Callgrind\n")
    # One run's count: what ten more runs added, over ten.
    assert instructions.per_run((3, 4_100_000_000), (13, 4_521_600_000)) == 42_160_000
    with pytest.raises(ValueError, match="more runs"):
        instructions.per_run((13, 1), (3, 2))


def test_the_heaviest_queries_are_within_every_limit_of_an_anonymous_request() -> None:
    """bench/heaviest.py measures what the default limits let through: each of its queries
    must pass them, so that its figures in docs/security.md are of answers served."""
    document_limits = Limits()
    graphql_schema = compat.graphql_schema(schema)
    for heavy in heavy_queries():
        assert heavy.cost <= MAX_COST, heavy.name
        document = parse(heavy.query)
        assert validate(graphql_schema, document) == [], heavy.name
        errors = shape_errors(document, document_limits.max_depth, document_limits.max_aliases)
        assert errors == [], heavy.name
        for ids in heavy.variables.values():
            assert len(ids) <= document_limits.max_list_items, heavy.name
    # The repeated text is as many copies as the cost allows: one more is over it.
    ids = {"ids": ["x"] * 100}
    copies = largest(repeated_text, ids)
    assert (
        query_cost(repeated_text(copies + 1), ids)
        > MAX_COST
        >= query_cost(repeated_text(copies), ids)
    )


def test_an_answers_fields_are_counted_as_the_cost_counts_them() -> None:
    # election, its key, candidacies, 2 nodes items each with a name: 1 + 1 + 1 + 2 * (1 + 1)
    answer = {"election": {"key": "k", "candidacies": {"nodes": [{"name": "a"}, {"name": "b"}]}}}
    assert fields(answer) == 1 + 1 + 1 + 1 + 2 * (1 + 1)


def test_the_in_process_part_runs_on_the_loop_the_server_runs_on() -> None:
    async def running_loop() -> str:
        return type(asyncio.get_running_loop()).__module__

    # uvloop is a dependency, so uvicorn's "auto" gives the server uvloop's loop; so does
    # the benchmark's, unless asked for asyncio's own.
    assert loop.run(running_loop()) == "uvloop"
    assert loop.factory("auto")[0] == "uvloop 0.23.0"
    assert loop.run(running_loop(), "asyncio") == "asyncio.unix_events"
    assert loop.factory("asyncio")[0] == "asyncio"
    assert bench_main.parser().parse_args(["--loop", "asyncio"]).loop == "asyncio"
    assert bench_main.parser().parse_args([]).loop == "auto"
    with pytest.raises(SystemExit):
        bench_main.parser().parse_args(["--loop", "trio"])


def test_the_shape_probe_cuts_every_page_of_the_election_page_to_one_item() -> None:
    full, one = shape.shaped(shape.FULL).query, shape.shaped(shape.ONE).query
    assert full == ELECTION_PAGE  # the page as `make bench` measures it
    assert re.findall(r"(\w+)\(first: (\d+)\)", one) == [
        ("candidacies", "1"),
        ("endorsements", "1"),
        ("tallies", "1"),
    ]
    assert validate(compat.graphql_schema(schema), parse(one)) == []
    # The same fields at the same levels: only the numbers differ.
    assert re.sub(r"first: \d+", "", one) == re.sub(r"first: \d+", "", full)


#: The small query's answer for Azerbaijan's 2024 presidential election (tests/support/world.py).
AZ_2024_SMALL = {
    "data": {
        "node": {
            "id": "RWxlY3Rpb246YXotcHJlc2lkZW50LTIwMjQ=",
            "key": "az-president-2024",
            "date": "2024-02-07",
            "office": "President of Azerbaijan",
            "early": True,
        }
    }
}


def test_the_bare_endpoint_answers_the_small_query_as_the_api_does(
    server_database: str, tmp_path: Path
) -> None:
    async def load() -> None:
        await migrate()
        await loader.load([WORLD])

    on_database(server_database, load)
    # As `make bench` serves it: on PostgreSQL through a pool, on SQLite from the file.
    environment = None
    if server_database.startswith("sqlite://"):
        environment = {"BENCH_DATABASE": server_database.removeprefix("sqlite://")}
    variables = {"id": floor.global_id("Election", "az-president-2024")}
    body = json.dumps({"query": SMALL, "variables": variables})
    log = tmp_path / "bare.log"
    with servers.serve("bench.bare:app", server_database, log, environment=environment) as bare:
        answer = httpx.post(f"http://{servers.HOST}:{bare.port}/graphql", content=body).json()
    assert answer == AZ_2024_SMALL

    async def api() -> object:
        result = await schema.execute(SMALL, variable_values=variables, context_value=Context())
        return result.data

    assert on_database(server_database, api) == answer["data"]


def _small_on_world(server_database: str, script: str) -> list[str]:
    """The lines `script` prints, run in a process of its own (the app's lifespan sets up
    logging and Tortoise for the process) with the database of the test world and the small
    query's body as its arguments."""

    async def load() -> None:
        await migrate()
        await loader.load([WORLD])

    on_database(server_database, load)
    body = json.dumps(
        {"query": SMALL, "variables": {"id": floor.global_id("Election", "az-president-2024")}}
    )
    ran = subprocess.run(
        [sys.executable, "-c", script, server_database, body],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    return ran.stdout.splitlines()


def test_each_layer_of_a_request_answers_as_the_whole_request_and_is_timed(
    server_database: str,
) -> None:
    script = (
        "import json, sys, uvloop\n"
        "from bench import layers\n"
        "m = uvloop.run(layers.on_database(sys.argv[1], sys.argv[2].encode(), 1, replay=True))\n"
        "print(json.dumps({'answer': json.loads(m.answer), 'layers': m.layers,\n"
        "                  'replayed': m.replayed, 'reads': m.reads}))\n"
    )
    out = json.loads(_small_on_world(server_database, script)[-1])
    assert out["answer"] == AZ_2024_SMALL
    assert list(out["layers"]) == list(layers.LAYERS)
    assert all(value > 0 for value in out["layers"].values())
    # The election, read by its key: one read, which the replayed runs answer from memory
    # (on_database stops if a replayed layer answers otherwise or sends a read).
    assert out["reads"] == 1
    assert list(out["replayed"]) == list(layers.LAYERS)
    assert all(value > 0 for value in out["replayed"].values())


def _busy() -> int:
    Headers({"accept": "*/*"})  # a function of an installed package
    return sum(i * i for i in range(20_000))


def test_a_profiles_own_time_is_shared_out_by_file() -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    _busy()
    profiler.disable()
    shares = dict(profile.by_file(pstats.Stats(profiler)))
    # This file named from the repository's root, Starlette's from site-packages, and the
    # built-in functions (sum, the profiler's own disable) as `~`.
    assert set(shares) == {"tests/test_bench.py", "starlette/datastructures.py", "~"}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["tests/test_bench.py"] > 0.5  # the generator's 20,000 steps
    assert list(shares) == sorted(shares, key=lambda name: -shares[name])


def test_the_turns_a_call_takes_are_counted_on_asyncios_loop() -> None:
    async def two_turns() -> None:
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    async def no_turn() -> None:
        return None

    assert asyncio.run(profile.turns(two_turns, 10)) == 2.0
    assert asyncio.run(profile.turns(no_turn, 10)) == 0.0
    with pytest.raises(RuntimeError, match="asyncio's own event loop"):
        uvloop.run(profile.turns(no_turn, 1))


def test_a_layers_profile_names_its_files_and_counts_its_turns(server_database: str) -> None:
    script = (
        "import sys\n"
        "from bench import profile\n"
        "print(profile.report(sys.argv[1], sys.argv[2].encode(), 'known query', 20, True, 3))\n"
    )
    lines = _small_on_world(server_database, script)
    assert re.fullmatch(
        r"  known query: [\d,]+ CPU µs a request unprofiled \(its reads replayed\)", lines[0]
    )
    # A compiled lookup alone in its query reads in its own task: its read's answer takes two
    # turns of the loop (the answer's callback, then the task going on; a timer may add one
    # now and then: 2.2 a request here), and with the read replayed none. On SQLite two more:
    # the read is sent at the next turn with the others asked in its own, and its rows reach
    # it from the job's callback (service/sqlite_reads.py): 4.2 a request here. On
    # PostgreSQL one more: the read waits a turn for the others asked in its own, to send
    # them with it (service/lease.py): 3.2 a request here.
    sent, replayed = re.fullmatch(
        r"  event loop turns a request \(asyncio's loop\): ([\d.]+), ([\d.]+) with its reads"
        r" replayed",
        lines[1],
    ).groups()  # type: ignore[union-attr]
    least = 4.0 if server_database.startswith("sqlite") else 3.0
    assert least <= float(sent) < least + 1
    assert float(replayed) == 0.0
    assert lines[2] == "  own time by file (cProfile):"
    assert len(lines) == 2 + 1 + 3 + 1 + 3
    assert lines[6] == "  own time by function:"
    shares = [float(line.split("%")[0]) for line in lines[3:6]]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 100.0


def test_the_layers_report_says_what_each_layer_adds_to_the_one_under_it() -> None:
    found = {"request": 300.0, "route": 240.5, "view": 230.0, "known query": 180.25}
    measured = layers.Measured(b"{}", found)
    assert layers.report("PostgreSQL", "small", measured).splitlines() == [
        "  PostgreSQL, small: CPU µs per request, and what each layer adds",
        "    request         300.0    +59.5",
        "    route           240.5    +10.5",
        "    view            230.0    +49.8",
        "    known query     180.2   +180.2",
    ]


def test_the_layers_report_with_replayed_reads_says_what_the_reads_cost_each_layer() -> None:
    found = {"request": 300.0, "route": 240.5, "view": 230.0, "known query": 180.25}
    replayed = {"request": 140.0, "route": 100.0, "view": 92.0, "known query": 72.0}
    measured = layers.Measured(b"{}", found, replayed, reads=1)
    assert layers.report("PostgreSQL", "small", measured).splitlines() == [
        "  PostgreSQL, small: CPU µs per request, and what each layer adds; with its reads"
        " replayed from memory (1 a request); and what the reads cost",
        "    request         300.0    +59.5      140.0    +40.0      160.0",
        "    route           240.5    +10.5      100.0     +8.0      140.5",
        "    view            230.0    +49.8       92.0    +20.0      138.0",
        "    known query     180.2   +180.2       72.0    +72.0      108.2",
    ]


def test_replaying_answers_a_read_seen_before_from_memory_and_puts_select_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, list[Any]]] = []

    async def select(client: Any, text: str, params: list[Any]) -> list[tuple[int, str]]:
        sent.append((text, params))
        return [(params[0], f"row {params[0]}")]

    monkeypatch.setattr(rows, "select", select)

    client: Any = None  # the stand-in above reads from no database

    async def reads() -> list[Any]:
        return [
            await rows.select(client, "SELECT ?", [1]),
            await rows.select(client, "SELECT ?", [1]),
            await rows.select(client, "SELECT ?", [2]),
            await rows.select(client, "SELECT ?", [1]),
        ]

    with layers.replaying() as counts:
        found = asyncio.run(reads())
    assert found == [[(1, "row 1")], [(1, "row 1")], [(2, "row 2")], [(1, "row 1")]]
    assert sent == [("SELECT ?", [1]), ("SELECT ?", [2])]
    assert (counts.answered, counts.sent) == (2, 2)
    assert rows.select is select
