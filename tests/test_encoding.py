"""How answers are written: by orjson, with json.dumps for what orjson refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schema.audit import AuditEntry
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
