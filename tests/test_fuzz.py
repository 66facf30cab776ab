"""Fuzzing: schemathesis sends generated queries for every root field to a real server.

The server is uvicorn in a subprocess, in production mode (introspection off, unexpected
errors masked), on a database of its own seeded with the test world. The operations
come from the schema itself, so a new root field or argument is fuzzed without a change here.
Arguments are drawn by Hypothesis (valid ones, and invalid ones the server must refuse), and
string arguments are often replaced by a real natural key or global ID from the world, so
that the nested fields of real objects run too, or by one of ODD_STRINGS. A sweep then sends
every one of those odd strings (and a lone surrogate, which only JSON can carry) in every
String and ID argument of every root field, so that none of them is left to chance.

A response passes when it is what a client may be given: a GraphQL over HTTP JSON body whose
errors are the client's to read (a bad argument, a limit, a validation error), nothing masked
as "Internal server error", nothing of the server's insides (traceback, SQL, paths), and no
error in the server's log. That is `check_answer`, not schemathesis's `not_a_server_error`,
which counts every error with a `path` as the server's, `first must be between 1 and 100`
included. FUZZ_SEED and FUZZ_EXAMPLES change the seed and the number of examples per
operation; the seed is fixed and generation derandomized, so each run sends the same queries.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import graphql
import httpx
import pytest
import pytest_asyncio
import schemathesis
from schemathesis import Case, Config
from tortoise.context import TortoiseContext

from loader.sections import SECTIONS
from loader.validate import read_batch
from schema import schema as graphql_schema
from schema.context import Context
from service.settings import ROOT
from tests.support.clients import client
from tests.support.databases import served_database
from tests.support.errors import error_of
from tests.support.running import run
from tests.support.servers import Server, running_server
from tests.support.world import WORLD, global_id
from web.graphql_app import GRAPHQL_RESPONSE_JSON

#: Fixed, so that every run sends the same queries; a failure is replayed by running again.
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20240207"))
#: Generated examples per root field (the invalid ones the server must refuse included).
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))


def known_strings(per_section: int = 5) -> list[str]:
    """The first natural keys of each section of the test world, and their global IDs."""
    batch, problems = read_batch([WORLD])
    assert not problems, problems
    values: list[str] = []
    for section in SECTIONS:
        for key in sorted(batch.keys(section.name))[:per_section]:
            values += [key, global_id(section.model.__name__, key)]
    return values


#: Strings that broke this server before (see the tests at the end) or often break others:
#: NUL, longer than a column or than SQLite's LIKE allows, LIKE's own characters, IDs of
#: types that are no node types, and text that is not ASCII.
ODD_STRINGS = [
    "\0",
    "az-president-2024\0",
    "x" * 201,
    "Oruj" * 15_000,
    "%",
    "_",
    "\\",
    "'",
    " AZ ",
    global_id("Node", "az-president-2024"),
    global_id("Query", "x"),
    global_id("Election", "x" * 300),
    global_id("Country", "AZE"),
    "İSTANBUL",
    "\u202egnp.exe",
    "\U0001f600",
]


CONFIG = Config.from_dict(
    {
        "seed": FUZZ_SEED,
        "dictionaries": {
            # Real keys and IDs, so that real objects and their nested fields answer, and odd
            # strings (a quarter of the draws), so that they reach every string argument.
            "known": {"values": known_strings() + ODD_STRINGS * 3},
            # Lengths a list may be asked for, so that lists with `first` often answer.
            "lengths": {"values": [1, 2, 3, 10, 100]},
        },
        "generation": {
            "mode": "all",
            "max-examples": FUZZ_EXAMPLES,
            "deterministic": True,
            # Nothing kept between runs: each run is the seed's and nothing else's.
            "database": "none",
            "dictionaries": {
                "string": {"dictionary": "known", "probability": 0.5},
                "integer": {"dictionary": "lengths", "probability": 0.5},
            },
        },
        "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
# The SDL of the schema the server runs, not its introspection: production turns that off.
fuzz_schema = schemathesis.graphql.from_file(graphql_schema.as_str(), config=CONFIG)

# What an answer must never show, whatever the query (unless the query itself said it).
LEAKS = [
    re.compile(pattern)
    for pattern in (
        r"Traceback \(most recent call last\)",
        r'File "[^"]*", line \d+',
        re.escape(str(ROOT)),
        r"site-packages",
        r"\b(?:SELECT|INSERT|UPDATE|DELETE)\b.*\b(?:FROM|INTO|SET|WHERE)\b",
        r"(?i)\b(?:sqlite3?|asyncpg|aiosqlite|tortoise|postgres(?:ql)?)\b",
    )
]


@pytest_asyncio.fixture(scope="module")
async def fuzz_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A new, empty database for the fuzzed server: a file, or a PostgreSQL database."""
    async with served_database("fuzz", tmp_path_factory.mktemp("fuzz")) as url:
        yield url


class LogCursor:
    """The server's log, read a case at a time."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.seen = 0

    def new_lines(self) -> list[str]:
        output = self.server.output()
        fresh, self.seen = output[self.seen :], len(output)
        return fresh.splitlines()


@pytest.fixture(scope="module")
def fuzzed(fuzz_database: str) -> Iterator[tuple[Server, LogCursor]]:
    """The server under test, in production mode, and its log."""
    with running_server(
        fuzz_database, APP_ENV="production", GRAPHIQL="false", LOG_LEVEL="warning"
    ) as server:
        yield server, LogCursor(server)


@dataclasses.dataclass(frozen=True)
class Answer:
    """What the server answered one generated query."""

    query: str
    #: Whether the query was made invalid on purpose (schemathesis's negative mode).
    invalid: bool
    status: int
    content_type: str
    body: bytes
    #: The lines the server logged while answering it.
    log: list[str]


# Messages that are the server's fault, whatever the query: an unexpected error (masked in
# production), and a null where the schema promises a value.
FAULTS = ("Internal server error", "Cannot return null for non-nullable field")


def errors_of(body: Any) -> list[dict[str, Any]]:
    """The errors of a GraphQL over HTTP response body, after checking its shape."""
    assert isinstance(body, dict), f"the body is not a JSON object: {body!r}"
    assert set(body) <= {"data", "errors", "extensions"}, f"unexpected entries: {sorted(body)}"
    assert "data" in body or "errors" in body, f"neither data nor errors: {body!r}"
    errors = body.get("errors")
    if errors is None:
        assert "data" in body, "a body without data must have errors"
        return []
    assert isinstance(errors, list) and errors, f"errors must be a non-empty list: {errors!r}"
    for error in errors:
        assert isinstance(error, dict) and isinstance(error.get("message"), str), error
        for location in error.get("locations", []):
            assert set(location) == {"line", "column"}, error
            assert location["line"] >= 1 and location["column"] >= 1, error
        assert all(isinstance(part, str | int) for part in error.get("path", [])), error
    return errors


def check_answer(answer: Answer) -> None:
    """Fail unless the answer is one a client may be given (see the module's docstring)."""
    assert answer.status < 500, f"a server error: {answer.status}"
    assert answer.content_type == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8", answer.content_type
    try:
        body = json.loads(answer.body)
    except ValueError as problem:
        raise AssertionError(f"the body is not JSON ({problem}): {answer.body[:200]!r}") from None
    errors = errors_of(body)
    # GraphQL over HTTP, with its media type: a request that did not run is a 400, one that
    # ran a 200, whatever errors its fields had.
    # A field that needs a token (the audit log), asked for without one, is refused with
    # 401 and its code, as docs/curation.md says.
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    expected = 200 if "data" in body else 401 if codes == {"UNAUTHENTICATED"} else 400
    assert answer.status == expected, (answer.status, body)
    if answer.invalid:
        assert errors, f"an invalid query was answered without an error: {body!r}"
    for error in errors:
        for fault in FAULTS:
            assert fault not in error["message"], f"a fault of the server's: {error}"
        for leak in LEAKS:
            # What the query itself says may come back in an error, e.g. a string value.
            found = leak.search(error["message"])
            assert found is None or leak.search(answer.query), f"it shows {found[0]!r}: {error}"
    logged = [line for line in answer.log if '"level": "ERROR"' in line or "Traceback" in line]
    assert not logged, f"the server logged an error: {logged}"


@fuzz_schema.parametrize()
def test_generated_queries_get_clean_answers(
    case: Case[Any], fuzzed: tuple[Server, LogCursor]
) -> None:
    server, log = fuzzed
    # The GraphQL media type, so that a refused query is a 400 and checked as one.
    response = case.call(
        base_url=f"{server.url}/graphql", headers={"Accept": GRAPHQL_RESPONSE_JSON}, timeout=30
    )
    assert isinstance(case.body, str)
    check_answer(
        Answer(
            query=case.body,
            invalid=case.meta is not None and case.meta.generation.mode.is_negative,
            status=response.status_code,
            content_type=response.headers.get("content-type", [""])[0],
            body=response.content,
            log=log.new_lines(),
        )
    )


# Sent in variables, as a JSON escape: half of a surrogate pair, which no GraphQL literal can
# hold (the lexer refuses it), but JSON can.
SWEPT_STRINGS = [*ODD_STRINGS, "\ud800"]
# Values for the other required arguments of a field, by type.
FILLERS: dict[str, Any] = {"Int": 1, "Float": 1.0, "Boolean": True, "Date": "2024-02-07"}


def sweep_query(field: graphql.GraphQLField, name: str) -> tuple[str, dict[str, bool]] | None:
    """An operation that passes a variable to every String or ID argument of the root field,
    and fills its other required arguments; with those variables, each saying whether it is
    a list. None for a field without such arguments."""
    definitions, arguments = [], []
    swept: dict[str, bool] = {}
    for index, (argument_name, argument) in enumerate(field.args.items()):
        named = graphql.get_named_type(argument.type)
        variable = f"v{index}"
        if named.name in ("String", "ID"):
            swept[variable] = graphql.is_list_type(graphql.get_nullable_type(argument.type))
        elif not graphql.is_required_argument(argument):
            continue
        elif isinstance(named, graphql.GraphQLEnumType):
            arguments.append(f"{argument_name}: {next(iter(named.values))}")
            continue
        else:
            arguments.append(f"{argument_name}: {json.dumps(FILLERS[named.name])}")
            continue
        definitions.append(f"${variable}: {argument.type}")
        arguments.append(f"{argument_name}: ${variable}")
    if not swept:
        return None
    selection = (
        "" if graphql.is_leaf_type(graphql.get_named_type(field.type)) else " { __typename }"
    )
    query = f"query Sweep({', '.join(definitions)}) {{ {name}({', '.join(arguments)}){selection} }}"
    return query, swept


SDL = graphql.build_schema(graphql_schema.as_str())
assert SDL.query_type is not None
SWEEPS = {
    name: found
    for name, field in SDL.query_type.fields.items()
    if (found := sweep_query(field, name)) is not None
}


@pytest.mark.parametrize("field", list(SWEEPS))
def test_odd_strings_in_every_string_argument_get_clean_answers(
    field: str, fuzzed: tuple[Server, LogCursor]
) -> None:
    # Every string the fuzzing above may draw only now and then, in every String and ID
    # argument of every root field, each time.
    server, log = fuzzed
    query, variables = SWEEPS[field]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for text in SWEPT_STRINGS:
            values = {name: [text] if is_list else text for name, is_list in variables.items()}
            # json.dumps escapes what is not ASCII, the lone surrogate too.
            body = json.dumps({"query": query, "variables": values}).encode()
            response = http.post(
                "/graphql",
                content=body,
                headers={"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE_JSON},
            )
            check_answer(
                Answer(
                    query=query,
                    invalid=False,
                    status=response.status_code,
                    content_type=response.headers["content-type"],
                    body=response.content,
                    log=log.new_lines(),
                )
            )


# --- The check itself: what passes, and what fails with which message --------------------

QUERY = '{\n  officeTerms(country: "agenda-ge-41924", office: "") {\n    yearsInOffice\n  }\n}'


def answer(status: int = 200, body: Any = None, **changes: Any) -> Answer:
    """An answer to QUERY: by default `{"data": {"officeTerms": []}}`, a 200, nothing logged;
    a `body` in bytes is sent as it is, any other as JSON."""
    if isinstance(body, bytes):
        content = body
    else:
        content = json.dumps({"data": {"officeTerms": []}} if body is None else body).encode()
    fields = {
        "query": QUERY,
        "invalid": False,
        "status": status,
        "content_type": f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
        "body": content,
        "log": [],
        **changes,
    }
    return Answer(**fields)


AT = {"locations": [{"line": 2, "column": 3}], "path": ["officeTerms"]}
FIRST_OUT_OF_RANGE = {"message": "first must be between 1 and 100, got 0", **AT}
UNKNOWN_ARGUMENT = {
    "message": "Unknown argument 'nope' on field 'Query.officeTerms'.",
    "locations": [{"line": 2, "column": 15}],
}


@pytest.mark.parametrize(
    "good",
    [
        answer(),
        # An argument out of range is an error in that field, beside the rest of the data.
        answer(body={"data": {"officeTerms": None}, "errors": [FIRST_OUT_OF_RANGE]}),
        # An invalid query is refused before it runs: a 400 without data.
        answer(400, {"errors": [UNKNOWN_ARGUMENT]}, invalid=True),
        # An error may repeat what the query itself says.
        answer(
            400,
            {"errors": [{"message": "Unknown type 'SELECT x FROM y'."}]},
            query="query ($a: SELECT x FROM y) { __typename }",
        ),
        answer(log=['{"level": "WARNING", "message": "Operation (unnamed) stopped after 10 s"}']),
    ],
    ids=["data", "field-error", "refused", "echo", "warning"],
)
def test_the_check_passes_answers_a_client_may_be_given(good: Answer) -> None:
    check_answer(good)


MASKED = {"message": "Internal server error (request ID e576107937634ba09ecc8e2b4c0c4da9).", **AT}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (answer(500, {"errors": [MASKED]}), "a server error: 500"),
        # The officeTerms bug, as production answered it.
        (
            answer(body={"data": None, "errors": [MASKED]}),
            "a fault of the server's: {'message': 'Internal server error",
        ),
        (
            answer(
                body={
                    "data": None,
                    "errors": [
                        {
                            "message": "Cannot return null for non-nullable field "
                            "OfficeTerm.yearsInOffice.",
                            **AT,
                        }
                    ],
                }
            ),
            "a fault of the server's: {'message': 'Cannot return null",
        ),
        (
            answer(body={"data": None, "errors": [{"message": 'File "/app/x.py", line 3', **AT}]}),
            "it shows 'File \"/app/x.py\", line 3'",
        ),
        (
            answer(
                body={
                    "data": None,
                    "errors": [{"message": 'SELECT "id" FROM "office_term" WHERE 1', **AT}],
                }
            ),
            'it shows \'SELECT "id" FROM "office_term" WHERE\'',
        ),
        (
            answer(body={"data": None, "errors": [{"message": "asyncpg: no connection", **AT}]}),
            "it shows 'asyncpg'",
        ),
        (answer(body=[{"data": None}]), "the body is not a JSON object"),
        (answer(body={"data": None, "trace": "…"}), "unexpected entries: \\['data', 'trace'\\]"),
        (answer(body={}), "neither data nor errors"),
        (answer(body={"errors": []}, status=400), "errors must be a non-empty list"),
        (answer(body={"data": None, "errors": [{"msg": "x"}]}), "{'msg': 'x'}"),
        (answer(body=b"", content_type="text/html; charset=utf-8"), "text/html; charset=utf-8"),
        (answer(body=b"<h1>Oops</h1>"), "the body is not JSON"),
        # A refused query must be a 400 with the GraphQL media type.
        (answer(200, {"errors": [UNKNOWN_ARGUMENT]}), "\\(200, {'errors'"),
        (answer(invalid=True), "an invalid query was answered without an error"),
        (
            answer(log=['{"level": "ERROR", "message": "Unexpected error at officeTerms"}']),
            "the server logged an error",
        ),
    ],
    ids=[
        "500",
        "masked",
        "non-null",
        "path",
        "sql",
        "driver",
        "array",
        "extra-entry",
        "empty",
        "empty-errors",
        "no-message",
        "html",
        "not-json",
        "refused-200",
        "invalid-accepted",
        "logged",
    ],
)
def test_the_check_fails_answers_a_client_must_not_get(bad: Answer, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_answer(bad)


# --- What the fuzzer found: one test per bug, in-process on the test world ------------------

NOT_TEXT = "is half of a surrogate pair, not a character."
JSON_BODY = {"Content-Type": "application/json"}


TERMS = "query ($country: String!, $office: String!) { officeTerms(country: $country, office: $office) { key } }"  # noqa: E501
AZ_PRESIDENTS = "President of Azerbaijan"


async def test_office_terms_of_a_code_too_long_for_a_country_are_none(
    world: TortoiseContext,
) -> None:
    # Was an internal error: Tortoise refused the code in its filter ("Length of
    # 'AGENDA-GE-41924' 15 > 2").
    for country in ("agenda-ge-41924", "AZE", " a z "):
        data = await run(TERMS, {"country": country, "office": AZ_PRESIDENTS})
        assert data == {"officeTerms": []}, country
    # So was an office longer than the column (200 characters).
    data = await run(TERMS, {"country": "AZ", "office": "P" * 201})
    assert data == {"officeTerms": []}
    # Real ones still answer, the code in any case and with spaces around it.
    data = await run(TERMS, {"country": " az ", "office": AZ_PRESIDENTS})
    assert [term["key"] for term in data["officeTerms"]][:2] == [
        "president-of-azerbaijan/1992-abulfaz-elchibey",
        "president-of-azerbaijan/1993-heydar-aliyev",
    ]


async def test_a_nul_character_in_a_key_finds_nothing(world: TortoiseContext) -> None:
    # Was an internal error on PostgreSQL, which refuses a NUL in any text ("invalid byte
    # sequence for encoding "UTF8": 0x00"); SQLite answered null.
    query = """
    query ($key: String!, $id: ID!) {
      election(key: $key) { key }
      person(key: $key) { key }
      organization(key: $key) { key }
      candidacy(key: $key) { key }
      tally(key: $key) { key }
      source(key: $key) { key }
      legalCase(key: $key) { key }
      exitPoll(key: $key) { key }
      candidacies(filter: {person: $key}) { nodes { key } }
      node(id: $id) { id }
      nodes(ids: [$id]) { id }
    }
    """
    nothing: dict[str, Any] = {
        "election": None,
        "person": None,
        "organization": None,
        "candidacy": None,
        "tally": None,
        "source": None,
        "legalCase": None,
        "exitPoll": None,
        "candidacies": {"nodes": []},
        "node": None,
        "nodes": [None],
    }
    for key in ("\0", "az-president-2024\0", "A\0"):
        node_id = base64.b64encode(f"Election:{key}".encode()).decode()
        assert await run(query, {"key": key, "id": node_id}) == nothing, repr(key)
        # A country code has a form, which a NUL breaks: refused, with the form to use.
        assert await error_of(
            "query ($key: String!) { country(code: $key) { code } }", {"key": key}
        ) == (
            f'country(code:): "{key}" is not an ISO 3166-1 alpha-2 code: give two letters, '
            'e.g. "AZ" for Azerbaijan.'
        ), repr(key)
        assert await error_of(
            "query ($key: String!) { elections(filter: {country: $key}) { nodes { key } } }",
            {"key": key},
        ) == (
            f'filter.country: "{key}" is not an ISO 3166-1 alpha-2 code: give two letters, '
            'e.g. "AZ" for Azerbaijan.'
        ), repr(key)


async def test_a_nul_character_in_a_search_or_office_finds_nothing(
    world: TortoiseContext,
) -> None:
    # Was an internal error on PostgreSQL, as for keys. A search folds every character that
    # is no letter or digit away (search.py), the NUL too; an office is compared whole.
    query = """
    query ($text: String!) {
      people(filter: {search: $text}) { nodes { key } }
      officeTerms(country: "AZ", office: $text) { key }
    }
    """
    assert await run(query, {"text": "Oruj\0"}) == {
        "people": {"nodes": [{"key": "zahid-oruj"}]},
        "officeTerms": [],
    }
    terms = await run(
        'query ($o: String!) { officeTerms(country: "AZ", office: $o) { key } }',
        {"o": AZ_PRESIDENTS},
    )
    assert len(terms["officeTerms"]) == 8
    for office in ("\0", f"{AZ_PRESIDENTS}\0"):
        data = await run(
            'query ($o: String!) { officeTerms(country: "AZ", office: $o) { key } }', {"o": office}
        )
        assert data == {"officeTerms": []}, repr(office)
    result = await graphql_schema.execute(
        "query ($t: String!) { people(filter: {search: $t}) { totalCount } }",
        variable_values={"t": "\0"},
        context_value=Context(),
    )
    assert result.errors is not None
    assert result.errors[0].message == (
        "filter.search: nothing to search for in '\\x00'; give letters or digits."
    )


async def test_a_lone_surrogate_in_the_json_is_refused_as_not_text(
    world: TortoiseContext,
) -> None:
    # Was an internal error on both backends: JSON may escape half of a UTF-16 surrogate pair
    # (`\ud800`), and json.loads keeps it in the string, which no database driver can encode
    # ("'utf-8' codec can't encode character '\ud800' ...: surrogates not allowed").
    query = "query ($key: String!) { election(key: $key) { key } }"
    async with client(app_env="production") as http:
        for body, half in (
            (b'{"query": "%s", "variables": {"key": "\\ud800"}}' % query.encode(), "d800"),
            (b'{"query": "%s", "variables": {"key": "az-\\udfff"}}' % query.encode(), "dfff"),
            (b'{"query": "{ __typename }", "operationName": "\\udbff"}', "dbff"),
        ):
            response = await http.post("/graphql", content=body, headers=JSON_BODY)
            message = f"The request is not valid JSON: \\u{half} {NOT_TEXT}"
            assert response.status_code == 400, body
            assert response.json() == {"errors": [{"message": message}]}, body
        response = await http.get(
            "/graphql", params={"query": query, "variables": '{"key": "\\ud800"}'}
        )
        message = f"The request is not valid JSON: \\ud800 {NOT_TEXT}"
        assert (response.status_code, response.json()) == (400, {"errors": [{"message": message}]})
        # A whole pair is one character (U+1F600), which names no election.
        body = b'{"query": "%s", "variables": {"key": "\\ud83d\\ude00"}}' % query.encode()
        response = await http.post("/graphql", content=body, headers=JSON_BODY)
        assert (response.status_code, response.json()) == (200, {"data": {"election": None}})
        # And an escaped backslash before "ud800" is no escape of a surrogate.
        body = b'{"query": "%s", "variables": {"key": "\\\\ud800"}}' % query.encode()
        response = await http.post("/graphql", content=body, headers=JSON_BODY)
        assert (response.status_code, response.json()) == (200, {"data": {"election": None}})


async def test_a_search_longer_than_any_name_finds_nothing(world: TortoiseContext) -> None:
    # Was an internal error on SQLite for a search over 50,000 bytes ("LIKE or GLOB pattern
    # too complex"); names are at most 200 characters, so a search over 1,000 matches none.
    query = (
        "query ($text: String!) { people(filter: {search: $text}) { nodes { key } } "
        "organizations(filter: {search: $text}) { nodes { key } } }"
    )
    nothing: dict[str, Any] = {"people": {"nodes": []}, "organizations": {"nodes": []}}
    for text in ("Oruj" * 20_000, "é" * 60_000, "Zahid Oruj" * 101):
        assert await run(query, {"text": text}) == nothing
    # Spaces around it do not count.
    data = await run(query, {"text": " " * 5000 + "Zahid Oruj" + " " * 5000})
    assert data == {"people": {"nodes": [{"key": "zahid-oruj"}]}, "organizations": {"nodes": []}}


async def test_a_global_id_naming_the_node_interface_is_refused(world: TortoiseContext) -> None:
    # Was an internal error: Strawberry took `Node` for a type of node and called the
    # interface's resolve_nodes (NotImplementedError). Now it reads like any other ID of a
    # type that is no Node type.
    interface = base64.b64encode(b"Node:az-president-2024").decode()
    query_type = base64.b64encode(b"Query:az-president-2024").decode()
    election = base64.b64encode(b"Election:az-president-2024").decode()
    query = "query ($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }"
    for type_name, node_id in (("Node", interface), ("Query", query_type)):
        message = f"Cannot resolve. GlobalID requires a GraphQL Node type, received `{type_name}`."
        for variables, data, path in (
            (
                {"id": node_id, "ids": [election]},
                {"node": None, "nodes": [{"id": election}]},
                "node",
            ),
            # `nodes` is a non-null list, so its error takes the whole data with it.
            ({"id": election, "ids": [election, node_id]}, None, "nodes"),
        ):
            result = await graphql_schema.execute(
                query, variable_values=variables, context_value=Context()
            )
            assert result.data == data, variables
            errors = [(error.message, error.path) for error in result.errors or []]
            assert errors == [(message, [path])], variables
    # The same query with real IDs finds the election.
    data = await run(query, {"id": election, "ids": [election]})
    assert data == {"node": {"id": election}, "nodes": [{"id": election}]}
