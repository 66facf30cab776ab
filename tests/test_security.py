"""Security: the probes of a GraphQL security scanner (graphql-cop's kinds, written here) and
the hostile requests of the threat model (docs/security.md), sent to the real server in
production mode; each gets its exact refusal, and /health answers while it is in flight.

The server is `elections serve` (uvicorn with the read timeout on headers) in a subprocess,
over a database of its own with the test world, as in production. `/health` is asked at
the same time as each hostile request, with a client timeout of a few seconds: a request that
held the event loop (the fragment fan-out did for minutes) would make it fail.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from service.settings import ROOT
from tests.support.curating import laughs
from tests.support.databases import served_database
from tests.support.servers import Server, serving
from web.graphql_app import GRAPHQL_RESPONSE_JSON
from web.read_timeout import MAX_HEAD_BYTES

#: READ_TIMEOUT of the servers here: short, so that the slow clients are cut off soon.
READ_TIMEOUT = 3
#: How long /health may take while a hostile request is in flight.
HEALTH_SECONDS = 5.0
#: How long a hostile request may take to be answered: the execution limit's 10 s, the most
#: any request may run. The refusals take under 0.1 s (docs/security.md, "Measured"); the
#: work they describe ran for over a minute before it was bounded.
HOSTILE_SECONDS = 10.0
AZ = base64.b64encode(b"Country:AZ").decode()


@pytest_asyncio.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """The server in production mode with its defaults (but READ_TIMEOUT)."""
    async with served_database("security", tmp_path_factory.mktemp("security")) as url:
        with serving(url, READ_TIMEOUT=str(READ_TIMEOUT)) as server:
            server.database_url = url  # type: ignore[attr-defined]
            yield server
            # Every refusal was an answer: no request failed with an error of ours.
            assert "Traceback" not in server.output(), server.output()


@pytest_asyncio.fixture(scope="module")
async def batching(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """The server in production mode with batches of up to 2 operations."""
    async with served_database("batching", tmp_path_factory.mktemp("batching")) as url:
        with serving(url, MAX_BATCH_OPERATIONS="2") as server:
            yield server
            assert "Traceback" not in server.output(), server.output()


def port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def write_token(database_url: str) -> str:
    """A new token of write scope, made by the command line as an operator would."""
    command = [sys.executable, "-m", "service.cli", "token", "create", "probe", "--scope"]
    command += ["write", "--database-url", database_url]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


async def while_healthy(server: Server, request: dict[str, Any]) -> httpx.Response:
    """The answer to `request` (httpx.request's arguments), which must come within
    HOSTILE_SECONDS; /health is asked once the request is sent whole (or answered early),
    and must answer within HEALTH_SECONDS."""
    sent = asyncio.Event()

    async def trace(event: str, _info: dict[str, Any]) -> None:
        if event == "http11.send_request_body.complete":
            sent.set()

    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        hostile = asyncio.create_task(http.request(**request, extensions={"trace": trace}))
        # A refusal before the body is read whole (413) ends the request before it is sent.
        hostile.add_done_callback(lambda _: sent.set())
        await asyncio.wait_for(sent.wait(), HOSTILE_SECONDS)
        health = await http.get("/health", timeout=HEALTH_SECONDS)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        return await asyncio.wait_for(hostile, HOSTILE_SECONDS)


def post(query: str, variables: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    body = {"query": query, "variables": variables, **more}
    return {"method": "POST", "url": "/graphql", "json": body}


def refusal(message: str, line: int | None = None, column: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": message}
    if line is not None:
        entry["locations"] = [{"line": line, "column": column}]
    return {"errors": [entry]}


# --- A scanner's probes -------------------------------------------------------------------------


async def test_introspection_is_off(production: Server) -> None:
    response = await while_healthy(production, post("{ __schema { types { name } } }"))
    assert response.json() == {
        "errors": [
            {
                "message": "GraphQL introspection has been disabled, but the requested query "
                f"contained the field '{name}'.",
                "locations": [{"line": 1, "column": column}],
            }
            for name, column in (("__schema", 3), ("types", 14))
        ]
    }


async def test_a_circular_introspection_query_is_refused(production: Server) -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    response = await while_healthy(production, post(query))
    assert response.json()["errors"][0] == {
        "message": "Maximum introspection depth exceeded",
        "locations": [{"line": 1, "column": 3}],
    }


async def test_field_suggestions_are_off(production: Server) -> None:
    response = await while_healthy(production, post("{ electon }"))
    # No "Did you mean 'election'?": the schema is not told field by field.
    assert response.json() == refusal("Cannot query field 'electon' on type 'Query'.", 1, 3)


async def test_aliases_overloading_is_refused(production: Server) -> None:
    query = "query cop { " + " ".join(f"alias{i}: __typename" for i in range(101)) + " }"
    response = await while_healthy(production, post(query))
    assert response.json() == refusal("101 aliases found. Allowed: 15")


async def test_batching_is_off(production: Server) -> None:
    batch = [{"query": "query cop { __typename }"}] * 10
    response = await while_healthy(production, {"method": "POST", "url": "/graphql", "json": batch})
    assert (response.status_code, response.json()) == (400, refusal("Batching is not enabled"))


def unknown_directives(count: int) -> list[dict[str, Any]]:
    return [
        {"message": "Unknown directive '@aa'.", "locations": [{"line": 1, "column": 24 + 3 * i}]}
        for i in range(count)
    ]


async def test_directive_overloading_is_bounded(production: Server) -> None:
    # Unknown directives are each an error; past 50 directives the query is refused as well.
    response = await while_healthy(production, post("query cop { __typename " + "@aa" * 10 + " }"))
    assert response.json() == {"errors": unknown_directives(10)}
    response = await while_healthy(production, post("query cop { __typename " + "@aa" * 60 + " }"))
    assert response.json() == {
        "errors": [*unknown_directives(60), {"message": "60 directives found. Allowed: 50"}]
    }


async def test_circular_fragments_are_refused(production: Server) -> None:
    query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    response = await while_healthy(production, post(query))
    assert response.json() == {
        "errors": [
            {
                "message": "Cannot spread fragment 'A' within itself via 'B'.",
                "locations": [{"line": 1, "column": 32}, {"line": 1, "column": 61}],
            }
        ]
    }


async def test_field_duplication_is_bounded_by_the_tokens(production: Server) -> None:
    # By design: duplicates merge into one field; the token limit (1,000) bounds how many,
    # and graphql-core bounds the work of comparing them.
    response = await while_healthy(production, post("query cop { " + "__typename " * 500 + "}"))
    assert response.json() == {"data": {"__typename": "Query"}}
    response = await while_healthy(production, post("query cop { " + "__typename " * 999 + "}"))
    # The 1,001st token: `query`, `cop`, `{` and 998 fields.
    assert response.json() == refusal(
        "Syntax Error: Document contains more than 1000 tokens. Parsing aborted.",
        1,
        len("query cop { ") + 997 * len("__typename ") + 1,
    )


async def test_a_mutation_by_get_is_refused(production: Server) -> None:
    params = {"query": 'mutation { deleteElection(key: "az-president-2024") { deletedKey } }'}
    response = await while_healthy(
        production, {"method": "GET", "url": "/graphql", "params": params}
    )
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert response.json() == refusal("mutations are not allowed when using GET")


async def test_a_query_by_get_is_answered_for_http_caching(production: Server) -> None:
    # By design (docs/security.md): queries only, read-only, public data, cacheable.
    params = {"query": '{ country(code: "AZ") { name } }'}
    response = await while_healthy(
        production, {"method": "GET", "url": "/graphql", "params": params}
    )
    assert response.json() == {"data": {"country": {"name": "Azerbaijan"}}}
    assert response.headers["cache-control"] == "public, max-age=60"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"query": "mutation { __typename }"}'),
        ("application/x-www-form-urlencoded", b"query=mutation%20%7B%20__typename%20%7D"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="q"'),
    ],
)
async def test_the_content_types_of_a_cross_site_form_are_refused(
    production: Server, content_type: str, body: bytes
) -> None:
    # What a page on another site can POST without a CORS preflight: never run.
    request = {
        "method": "POST",
        "url": "/graphql",
        "content": body,
        "headers": {"Content-Type": content_type},
    }
    response = await while_healthy(production, request)
    assert (response.status_code, response.json()) == (400, refusal("Unsupported content type"))


async def test_no_trace_or_debug_output(production: Server) -> None:
    traced = post("query cop { __typename }", extensions={"tracing": True})
    response = await while_healthy(production, traced)
    assert response.json() == {"data": {"__typename": "Query"}}
    debug = {**post("qwerty cop { abc }"), "url": "/graphql?debug=1"}
    response = await while_healthy(production, debug)
    assert response.json() == refusal("Syntax Error: Unexpected Name 'qwerty'.", 1, 1)


async def test_graphiql_is_off(production: Server) -> None:
    request = {"method": "GET", "url": "/graphql", "headers": {"Accept": "text/html"}}
    response = await while_healthy(production, request)
    assert (response.status_code, response.json()) == (
        400,
        refusal("No GraphQL query found in the request"),
    )


async def test_a_mutation_needs_a_token(production: Server) -> None:
    response = await while_healthy(
        production, post('mutation { deleteElection(key: "az-president-2024") { deletedKey } }')
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="elections"'
    assert response.json() == {
        "errors": [
            {
                "message": "A mutation needs a token with write scope: send "
                "`Authorization: Bearer <token>`.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


# --- Hostile requests: each refused before it costs much ---------------------------------------


def fan_out(levels: int) -> str:
    fragments = [f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(levels)]
    return "query{...F0} " + " ".join(fragments) + f" fragment F{levels} on Query{{__typename}}"


async def test_a_fragment_fan_out(production: Server) -> None:
    # 2^40 paths in 800 bytes: held the server for over a minute before any limit said no.
    response = await while_healthy(production, post(fan_out(40)))
    assert response.json() == refusal(
        "'anonymous' could return up to 1,099,511,627,776 fields, over the limit of 500,000; "
        "ask for fewer fields, or for fewer items with `first`.",
        1,
        1,
    )


async def test_twenty_thousand_ids(production: Server) -> None:
    query = """query ($ids: [ID!]!) {
      nodes(ids: $ids) { id ... on Country { name elections { totalCount } } }
    }"""
    response = await while_healthy(production, post(query, {"ids": [AZ] * 20_000}))
    assert response.json() == refusal(
        "`$ids` has 20,000 items, over the limit of 100 for a list; send at most 100 at a time."
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            '{"n": ' + "9" * 5000 + "}",
            "The request's JSON has a number of 5,000 characters (99999999999999999999…), over "
            "the limit of 100.",
        ),
        (
            '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "The request's JSON has arrays and objects nested more than 100 levels deep.",
        ),
    ],
)
async def test_json_that_python_cannot_read(
    production: Server, variables: str, message: str
) -> None:
    body = '{"query": "{ __typename }", "variables": ' + variables + "}"
    request = {
        "method": "POST",
        "url": "/graphql",
        "content": body,
        "headers": {"Content-Type": "application/json"},
    }
    response = await while_healthy(production, request)
    assert (response.status_code, response.json()) == (400, refusal(message))


async def test_filters_of_many_branches(production: Server) -> None:
    query = "query ($f: ElectionFilter) { elections(filter: $f) { totalCount } }"
    # 5,000 branches were SQLite's "Expression tree is too large", a 500.
    wide = {"or": [{"kind": "PRESIDENTIAL"}] * 5000}
    response = await while_healthy(production, post(query, {"f": wide}))
    assert response.json() == refusal(
        "`$f.or` has 5,000 items, over the limit of 100 for a list; send at most 100 at a time."
    )
    tree = {"or": [{"and": [{"kind": "PRESIDENTIAL"}, {"country": "AZ"}]}] * 40}
    response = await while_healthy(production, post(query, {"f": tree}))
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "`filter` holds more than 100 filters through `and`, `or` and `not` "
                "(itself included), over the limit of 100: combine fewer.",
                "locations": [{"line": 1, "column": 30}],
                "path": ["elections"],
            }
        ],
    }


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (
            cursor('["elections:turnout.asc.nl,key.asc.nl",' + "1" + "0" * 30 + ',"az-2013"]'),
            "`after` is not a cursor of this list.",
        ),
        (
            cursor("[" * 100_000 + "]" * 100_000),
            f"`after` is not a cursor of this list: '{cursor('[' * 75)}…'.",
        ),
    ],
)
async def test_cursors_made_by_hand(production: Server, after: str, message: str) -> None:
    query = """query ($after: String) {
      elections(orderBy: [{field: TURNOUT}], after: $after) { totalCount }
    }"""
    response = await while_healthy(production, post(query, {"after": after}))
    assert response.json() == {
        "data": None,
        "errors": [
            {"message": message, "locations": [{"line": 2, "column": 7}], "path": ["elections"]}
        ],
    }


async def test_a_yaml_alias_bomb_through_load_fixtures(production: Server) -> None:
    # 440 bytes, ten million values: 74 s and 4 GB with a write token; now refused at the
    # first alias.
    token = write_token(production.database_url)  # type: ignore[attr-defined]
    mutation = """mutation ($c: String!) {
      loadFixtures(content: $c) { changed errors { field message } }
    }"""
    request = {
        **post(mutation, {"c": laughs(10, 7)}),
        "headers": {"Authorization": f"Bearer {token}"},
    }
    response = await while_healthy(production, request)
    assert response.json() == {
        "data": {
            "loadFixtures": {
                "changed": 0,
                "errors": [
                    {
                        "field": "content",
                        "message": "line 2: YAML alias *a0: aliases are not accepted in content "
                        "sent to the API; write the value out where it is repeated",
                    }
                ],
            }
        }
    }


async def test_several_operations_without_a_name(production: Server) -> None:
    document = "query A { __typename } query B { __typename }"
    request = {**post(document), "headers": {"Accept": GRAPHQL_RESPONSE_JSON}}
    response = await while_healthy(production, request)
    assert (response.status_code, response.json()) == (
        400,
        refusal("The document has 2 operations (A, B): name the one to run in `operationName`."),
    )


async def test_a_batch_vouches_for_none_of_its_queries(batching: Server) -> None:
    # The batch's last query was remembered as known and then ran without validation.
    introspection = "{ __schema { queryType { name } } }"
    batch = [{"query": "{ __typename }"}, {"query": introspection}]
    response = await while_healthy(batching, {"method": "POST", "url": "/graphql", "json": batch})
    answers = response.json()
    assert answers[0] == {"data": {"__typename": "Query"}}
    assert [error["message"] for error in answers[1]["errors"]] == [
        "GraphQL introspection has been disabled, but the requested query contained the field "
        f"'{name}'."
        for name in ("__schema", "queryType")
    ]
    # Sent alone afterwards: refused as before, not answered as a known query.
    response = await while_healthy(batching, post(introspection))
    assert response.json() == answers[1]


# --- Slow clients -------------------------------------------------------------------------------


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(READ_TIMEOUT + 10)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def nothing_yet(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        sock.recv(1)
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)
    return False


def request_bytes(query: str = "{ __typename }", *headers: bytes) -> bytes:
    """A whole POST of `query` to /graphql, as a client writes it, with `headers` added."""
    body = json.dumps({"query": query}).encode()
    head = [
        b"POST /graphql HTTP/1.1",
        b"Host: x",
        b"Content-Type: application/json",
        *headers,
        b"Content-Length: " + str(len(body)).encode(),
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class Answers:
    """The answers the server writes on one connection, read one at a time by their length."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def next(self) -> tuple[str, list[str], Any]:
        """The next answer's status line, header lines and JSON body."""
        self.sock.settimeout(READ_TIMEOUT + 10)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status, *lines = head.decode().split("\r\n")
        [length] = [int(line.split(":")[1]) for line in lines if line.startswith("content-length")]
        while len(self.buffer) < length:
            self.buffer += self._recv()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, lines, json.loads(body)

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        assert chunk, f"the server closed the connection; it had sent {self.buffer!r}"
        return chunk


def late(what: str) -> dict[str, Any]:
    return refusal(f"The request's {what} did not arrive within the limit of {READ_TIMEOUT} s.")


TYPENAME = {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("sent", "what"),
    [
        (b"POST /gra", "headers"),
        (b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", "headers"),
        (
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"query"',
            "body",
        ),
    ],
)
async def test_a_request_sent_too_slowly_is_a_408_and_its_connection_closed(
    production: Server, sent: bytes, what: str
) -> None:
    # Half a request used to hold its connection open for good (500 of them stayed open).
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        sock.sendall(sent)
        async with httpx.AsyncClient(base_url=production.url) as http:
            health = await http.get("/health", timeout=HEALTH_SECONDS)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert nothing_yet(sock)  # /health answered while this request was still waited for
        answer = await asyncio.to_thread(read_all, sock)  # ends when the server closes
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 408 Request Timeout"
    assert "connection: close" in lines
    assert json.loads(body) == late(what)


async def test_a_connection_that_sends_nothing_is_closed_without_an_answer(
    production: Server,
) -> None:
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        opened = time.monotonic()
        assert await asyncio.to_thread(read_all, sock) == b""
        # Closed by the headers' deadline, not at once.
        assert time.monotonic() - opened >= READ_TIMEOUT - 0.5


async def test_a_kept_alive_connection_is_not_timed_between_requests(production: Server) -> None:
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        answers = Answers(sock)
        sock.sendall(request_bytes())
        status, _, body = answers.next()
        assert (status, body) == ("HTTP/1.1 200 OK", TYPENAME)
        # Idle past READ_TIMEOUT, within uvicorn's keep-alive timeout (5 s): no 408, and the
        # connection still serves.
        await asyncio.sleep(READ_TIMEOUT + 0.5)
        assert nothing_yet(sock)
        sock.sendall(request_bytes())
        status, _, body = answers.next()
        assert (status, body) == ("HTTP/1.1 200 OK", TYPENAME)
        # The next request's deadline runs from its first bytes.
        sock.sendall(b"POST /gra")
        sent = time.monotonic()
        answer = await asyncio.to_thread(read_all, sock)
        waited = time.monotonic() - sent
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.decode().split("\r\n")[0] == "HTTP/1.1 408 Request Timeout"
    assert json.loads(body) == late("headers")
    assert READ_TIMEOUT - 0.5 <= waited < READ_TIMEOUT + 5


async def test_a_slow_client_within_each_deadline_is_served(production: Server) -> None:
    # Headers over 2 s and then the body over 2 s: 4 s in all, past READ_TIMEOUT (3 s), but
    # each part within its own deadline.
    whole = request_bytes()
    head_end = whole.index(b"\r\n\r\n") + 4
    pieces = [whole[:10], whole[10:40], whole[40:head_end], whole[head_end:-5], whole[-5:]]
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        started = time.monotonic()
        for piece in pieces[:-1]:
            sock.sendall(piece)
            await asyncio.sleep(1)
            assert nothing_yet(sock)
        sock.sendall(pieces[-1])
        status, lines, body = await asyncio.to_thread(Answers(sock).next)
        assert time.monotonic() - started > READ_TIMEOUT
    assert (status, body) == ("HTTP/1.1 200 OK", TYPENAME)
    assert "connection: close" not in lines


async def test_pipelined_requests_are_answered_in_turn_and_the_next_one_timed_after(
    production: Server,
) -> None:
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        answers = Answers(sock)
        sock.sendall(request_bytes() + request_bytes("{ a: __typename }") + b"POST /gra")
        first, second = answers.next(), answers.next()
        assert (first[0], first[2]) == ("HTTP/1.1 200 OK", TYPENAME)
        assert (second[0], second[2]) == ("HTTP/1.1 200 OK", {"data": {"a": "Query"}})
        answer = await asyncio.to_thread(read_all, sock)
    head, _, body = (answers.buffer + answer).partition(b"\r\n\r\n")
    assert head.decode().split("\r\n")[0] == "HTTP/1.1 408 Request Timeout"
    assert json.loads(body) == late("headers")


async def test_a_connection_idle_after_the_rest_of_a_refused_body_is_closed_without_a_408(
    production: Server,
) -> None:
    # The 413 comes before the body is read; the rest of the body still comes, then nothing.
    body = b"[" + b"0," * 600_000 + b"0]"
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        sock.sendall(head + body)
        status, _, answer = await asyncio.to_thread(Answers(sock).next)
        assert (status, answer) == (
            "HTTP/1.1 413 Request Entity Too Large",
            refusal("The request body is larger than the limit of 1048576 bytes."),
        )
        assert await asyncio.to_thread(read_all, sock) == b""


# --- The size of a request's line and headers ---------------------------------------------------


async def test_headers_under_16_kib_are_served_when_they_come_in_parts(production: Server) -> None:
    padding = b"X-Padding: " + b"v" * 15_000
    whole = request_bytes("{ __typename }", padding)
    assert whole.index(b"\r\n\r\n") < MAX_HEAD_BYTES
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        sock.sendall(whole[:8000])
        await asyncio.sleep(0.2)
        sock.sendall(whole[8000:])
        status, _, body = await asyncio.to_thread(Answers(sock).next)
    assert (status, body) == ("HTTP/1.1 200 OK", TYPENAME)


async def test_headers_past_16_kib_are_a_431_and_the_connection_closed(
    production: Server,
) -> None:
    # httptools keeps a header growing without end (200 MiB of one header took 430 MB), where
    # h11 refused past 16 KiB.
    start = b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Padding: "
    with socket.create_connection(("127.0.0.1", port(production))) as sock:
        sock.sendall(start)
        for _ in range(15):  # len(start) + 15 KiB: under the limit
            sock.sendall(b"v" * 1024)
            await asyncio.sleep(0.05)
        assert nothing_yet(sock)
        sock.sendall(b"v" * 1024)  # len(start) + 16 KiB: past it
        answer = await asyncio.to_thread(read_all, sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 431 Request Header Fields Too Large"
    assert "connection: close" in lines
    assert json.loads(body) == refusal(
        f"The request's line and headers exceed the limit of {MAX_HEAD_BYTES} bytes."
    )
