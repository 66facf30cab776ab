"""How answers and the request's log line are written: responses by orjson (with json.dumps
for what orjson refuses), the request's line built directly when `configure`'s handler is
the only place it goes, the same line as JsonFormatter writes for the record."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from schema.audit import AuditEntry
from service import logs
from service.logs import JsonFormatter, JsonLines, RequestInfo, current_request
from tests.support.clients import client
from tests.support.curating import UPDATE_ELECTION, Tokens
from web.graphql_app import response_json

#: Text beyond ASCII: Latin letters with marks, Cyrillic, a character outside the BMP, and
#: the characters JSON must escape.
TEXT = 'Oruç Əliyev, Ильхам Алиев 🗳 "quoted" \\ line\nbreak \u2028 tab\t'

#: Values that orjson refuses and json.dumps writes.
BEYOND_ORJSON = [
    {"votes": 2**70},  # 1180591620717411303424: beyond 64 bits
    {"votes": -(2**63) - 1},
    {"shares": {1: "first", 2.5: "half"}},  # keys that are not strings
    {"text": "half of a pair: \ud800"},  # a lone surrogate, which UTF-8 cannot write
]


@pytest.mark.parametrize(
    "value",
    [
        {"data": {"name": TEXT, "share": 12.13, "turnout": 1e-7, "votes": 2**63 - 1}},
        {"data": None, "errors": [{"message": TEXT, "path": ["election", 0]}]},
        *BEYOND_ORJSON,
    ],
)
def test_a_response_reads_as_the_same_json_as_json_dumps_writes(value: Any) -> None:
    encoded = response_json(value)
    assert isinstance(encoded, bytes)
    assert json.loads(encoded) == json.loads(json.dumps(value))


def test_values_orjson_refuses_are_written_by_json_dumps() -> None:
    assert response_json({"votes": 2**70}) == b'{"votes":1180591620717411303424}'
    assert response_json({"shares": {1: "first"}}) == b'{"shares":{"1":"first"}}'
    assert response_json({"text": "\ud800"}) == b'{"text":"\\ud800"}'


def test_non_ascii_text_is_written_as_utf8() -> None:
    encoded = response_json({"name": "Oruç Ильхам"})
    assert encoded == '{"name":"Oruç Ильхам"}'.encode()


async def test_non_ascii_text_round_trips_over_http(tokens: Tokens) -> None:
    query = '{ election(key: "az-president-2024") { summary } }'
    async with client() as http:
        changed = await http.post(
            "/graphql",
            json={
                "query": UPDATE_ELECTION,
                "variables": {"key": "az-president-2024", "input": {"summary": TEXT}},
            },
            headers={"Authorization": f"Bearer {tokens.write}"},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["data"]["updateElection"]["election"]["summary"] == TEXT
        # The first GET runs the ordinary way, the second as a fast request.
        answers = [await http.get("/graphql", params={"query": query}) for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
        assert answer.json() == {"data": {"election": {"summary": TEXT}}}
        assert "Ильхам".encode() in answer.content
    assert answers[0].content == answers[1].content
    assert answers[0].headers["etag"] == answers[1].headers["etag"]


async def test_an_answer_that_orjson_refuses_is_answered(
    tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No field gives such values today; the JSON scalar of the audit log could.
    changes: Any = {"votes": {"before": 2**70, "after": None}, "lines": {1: "first"}}
    made = AuditEntry.from_model.__func__  # type: ignore[attr-defined]

    def with_changes(cls: type[AuditEntry], row: Any) -> AuditEntry:
        entry: AuditEntry = made(cls, row)
        entry.changes = changes
        return entry

    monkeypatch.setattr(AuditEntry, "from_model", classmethod(with_changes))
    async with client() as http:
        changed = await http.post(
            "/graphql",
            json={
                "query": UPDATE_ELECTION,
                "variables": {"key": "az-president-2024", "input": {"summary": "changed"}},
            },
            headers={"Authorization": f"Bearer {tokens.write}"},
        )
        assert changed.status_code == 200, changed.text
        response = await http.post(
            "/graphql",
            json={"query": "{ auditLog(first: 1) { nodes { changes } } }"},
            headers={"Authorization": f"Bearer {tokens.read}"},
        )
    assert response.status_code == 200, response.text
    assert b"1180591620717411303424" in response.content
    assert response.json() == {
        "data": {
            "auditLog": {
                "nodes": [
                    {
                        "changes": {
                            "votes": {"before": 2**70, "after": None},
                            "lines": {"1": "first"},
                        }
                    }
                ]
            }
        }
    }


# --- The request's log line ---------------------------------------------------------------------


@contextmanager
def configured(stream: io.StringIO | None = None) -> Iterator[io.StringIO]:
    """`logs.configure` writing to a buffer (`stream`, or a new one), its handler the root's
    only one (pytest's own that catch each test's records aside), and the root logger as it
    was after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO() if stream is None else stream
    try:
        logs.configure("info", stream)
        yield stream
    finally:
        root.handlers, level = saved
        root.setLevel(level)


def direct(monkeypatch: pytest.MonkeyPatch) -> logging.Logger:
    """The request logger, failing if a record is made (the line must be written directly)."""
    logger = logging.getLogger("elections.requests")

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the request's line went through logging")

    monkeypatch.setattr(logger, "info", refused)
    return logger


def as_record(**fields: Any) -> dict[str, Any]:
    """The request's line as JsonFormatter writes its record, read back."""
    record = logging.LogRecord("elections.requests", logging.INFO, "", 0, "%s %s %s", (), None)
    record.msg = "%s %s %s"
    record.args = (fields["method"], fields["path"], fields["status"])
    for name, value in fields.items():
        setattr(record, name, value)
    line = JsonFormatter().format(record)
    return dict(json.loads(line))


@pytest.mark.parametrize(
    "fields",
    [
        {
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "operation": "ElectionResult",
            "duration_ms": 12.4,
        },
        {"method": "GET", "path": "/health", "status": 503, "operation": None, "duration_ms": 0.05},
        {
            "method": "GET",
            "path": '/export/"Oruç"\\Ильхам\n.csv',
            "status": 404,
            "operation": "A,B",
            "duration_ms": 1234567.125,
        },
    ],
)
@pytest.mark.parametrize("request_id", ["3f2a9c", None])
def test_the_request_line_written_directly_is_the_formatter_s(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any], request_id: str | None
) -> None:
    token = current_request.set(None if request_id is None else RequestInfo(request_id))
    try:
        with configured() as stream:
            logs.log_request(direct(monkeypatch), **fields)
        expected = as_record(**fields)
    finally:
        current_request.reset(token)
    [line] = stream.getvalue().splitlines()
    written = json.loads(line)
    expected["time"] = written["time"]
    assert written == expected
    # Byte for byte: the same order, separators and escapes as JsonFormatter's json.dumps.
    assert line == json.dumps(expected, ensure_ascii=False)


def test_the_request_line_goes_through_logging_when_another_handler_listens() -> None:
    caught = io.StringIO()
    other = logging.StreamHandler(caught)
    other.setFormatter(JsonFormatter())
    logger = logging.getLogger("elections.requests")
    with configured() as stream:
        logger.addHandler(other)
        try:
            logs.log_request(logger, "GET", "/health", 200, None, 1.5)
        finally:
            logger.removeHandler(other)
    assert json.loads(caught.getvalue())["message"] == "GET /health 200"
    assert json.loads(stream.getvalue())["message"] == "GET /health 200"


def test_the_request_line_is_not_written_below_its_level(monkeypatch: pytest.MonkeyPatch) -> None:
    with configured() as stream:
        logging.getLogger().setLevel(logging.WARNING)
        logs.log_request(direct(monkeypatch), "GET", "/health", 200, None, 1.5)
    assert stream.getvalue() == ""


def test_configure_installs_the_handler_the_line_is_written_to() -> None:
    with configured():
        [handler] = logging.getLogger().handlers
        assert type(handler) is JsonLines


async def test_a_served_request_logs_its_line_directly(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    with configured() as stream:
        direct(monkeypatch)
        async with client() as http:
            await http.post(
                "/graphql",
                json={"query": '{ election(key: "az-president-2024") { key } }'},
                headers={"X-Request-ID": "r-7"},
            )
    written = [json.loads(text) for text in stream.getvalue().splitlines()]
    [line] = [entry for entry in written if entry["logger"] == "elections.requests"]
    assert isinstance(line.pop("duration_ms"), float)
    assert isinstance(line.pop("time"), str)
    assert line == {
        "level": "INFO",
        "logger": "elections.requests",
        "message": "POST /graphql 200",
        "request_id": "r-7",
        "operation": "(anonymous)",
        "status": 200,
        "method": "POST",
        "path": "/graphql",
    }


class Writes(io.StringIO):
    """A stream that counts its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def _lines(stream: io.StringIO) -> list[str]:
    return [json.loads(text)["path"] for text in stream.getvalue().splitlines()]


async def test_request_lines_are_written_together_after_a_moment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = Writes()
    with configured(stream):
        for path in ("/a", "/b", "/c"):
            logs.log_request(direct(monkeypatch), "GET", path, 200, None, 1.5)
        assert (stream.getvalue(), stream.writes) == ("", 0)  # waiting for the next ones
        await asyncio.sleep(logs.LINES_SECONDS * 2)
        assert (_lines(stream), stream.writes) == (["/a", "/b", "/c"], 1)  # one write


async def test_a_record_logged_after_request_lines_comes_after_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = Writes()
    with configured(stream):
        [handler] = logging.getLogger().handlers
        logs.log_request(direct(monkeypatch), "GET", "/a", 200, None, 1.5)
        logging.getLogger("elections").warning("after /a")
        written = [json.loads(text) for text in stream.getvalue().splitlines()]
        assert [line.get("path", line["message"]) for line in written] == ["/a", "after /a"]
        # Flushed (as logging.shutdown flushes at exit), a waiting line is written.
        logs.log_request(direct(monkeypatch), "GET", "/b", 200, None, 1.5)
        assert len(stream.getvalue().splitlines()) == 2
        handler.flush()
        assert len(stream.getvalue().splitlines()) == 3


async def test_at_most_so_many_request_lines_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Writes()
    with configured(stream):
        for i in range(logs.MAX_WAITING_LINES + 1):
            logs.log_request(direct(monkeypatch), "GET", f"/{i}", 200, None, 1.5)
        # The lines up to the most that wait are written at once; the next one waits.
        assert len(_lines(stream)) == logs.MAX_WAITING_LINES and stream.writes == 1
        await asyncio.sleep(logs.LINES_SECONDS * 2)
        assert _lines(stream)[-1] == f"/{logs.MAX_WAITING_LINES}" and stream.writes == 2


class Broken(io.StringIO):
    """A stream that refuses its writes, or its flushes."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def write(self, text: str) -> int:
        if self.what == "write":
            raise BrokenPipeError("the stream went away")
        return super().write(text)

    def flush(self) -> None:
        if self.what == "flush":
            raise BrokenPipeError("the stream went away")


@pytest.mark.parametrize("what", ["write", "flush"])
async def test_a_broken_stream_fails_no_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    # As logging's own handlers: what the stream refuses is reported on stderr, and the
    # request, and the next ones, go on.
    with configured(Broken(what)):
        for path in ("/a", "/b"):
            logs.log_request(direct(monkeypatch), "GET", path, 200, None, 1.5)
        await asyncio.sleep(logs.LINES_SECONDS * 2)
        logging.getLogger("elections").warning("after them")
        logs.log_request(direct(monkeypatch), "GET", "/c", 200, None, 1.5)
        [handler] = logging.getLogger().handlers
        handler.flush()
    assert "BrokenPipeError: the stream went away" in capsys.readouterr().err
