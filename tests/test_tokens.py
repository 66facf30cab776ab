"""Bearer tokens: made, listed and revoked from the command line, stored as digests, and what
each kind of token (or none) may do over HTTP."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import models
from curation import tokens as token_store
from models import Scope
from service import cli
from tests.support.clients import client
from tests.support.curating import Tokens
from tests.support.databases import new_database_url, on_database, snapshot
from tests.support.running import execute

CREATE = (
    'mutation { createElection(input: {key: "xx-test", country: "AZ", kind: PRESIDENTIAL,'
    ' office: "President", date: "2029-04-11", sources: ["seed-article-2024-02"]})'
    " { election { key } errors { field message } } }"
)
TOKEN = re.compile(r"^elt_[A-Za-z0-9_-]{43}$")


# --- The command line -------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with new_database_url(tmp_path, "tokens") as url:
        yield url


def stored(url: str) -> list[tuple[str, str, str, str, bool]]:
    """(name, scope, prefix, digest, revoked) of every stored token."""

    async def read() -> list[tuple[str, str, str, str, bool]]:
        rows = await models.ApiToken.all().order_by("id")
        return [(r.name, r.scope.value, r.prefix, r.digest, r.revoked_at is not None) for r in rows]

    return on_database(url, read)


def test_token_create_list_and_revoke(capsys: pytest.CaptureFixture[str], database: str) -> None:
    assert cli.main(["token", "list", "--database-url", database]) == 0
    assert capsys.readouterr().out == "no tokens\n"

    assert (
        cli.main(["token", "create", "alice", "--scope", "write", "--database-url", database]) == 0
    )
    out, err = capsys.readouterr()
    token = out.strip()
    assert TOKEN.match(token), out
    assert out == token + "\n"  # the token alone on stdout, for scripts
    assert err.endswith(
        "Token 'alice' (write scope) created. It is shown only this once, and only its SHA-256"
        " digest is stored: keep it now.\n"
    )
    assert cli.main(["token", "create", "bob", "--scope", "read", "--database-url", database]) == 0
    other = capsys.readouterr().out.strip()
    assert other != token

    # Stored: the digest and the first 12 characters, never the token.
    rows = stored(database)
    assert rows == [
        ("alice", "write", token[:12], hashlib.sha256(token.encode()).hexdigest(), False),
        ("bob", "read", other[:12], hashlib.sha256(other.encode()).hexdigest(), False),
    ]

    assert cli.main(["token", "revoke", "alice", "--database-url", database]) == 0
    assert re.fullmatch(
        r"Token 'alice' revoked \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\.\n", capsys.readouterr().out
    )
    assert [row[4] for row in stored(database)] == [True, False]

    assert cli.main(["token", "list", "--database-url", database]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [
        "NAME",
        "SCOPE",
        "STARTS WITH",
        "CREATED (UTC)",
        "REVOKED (UTC)",
    ]
    alice, bob = (re.split(r"\s{2,}", line) for line in lines[1:])
    assert (alice[:3], bob[:3]) == (["alice", "write", token[:12]], ["bob", "read", other[:12]])
    assert alice[4] != "-"
    assert bob[4] == "-"


def test_token_commands_refuse_what_they_cannot_do(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    assert (
        cli.main(["token", "create", "alice", "--scope", "read", "--database-url", database]) == 0
    )
    capsys.readouterr()
    # A name is never reused, even once revoked: the audit log's names stay unambiguous.
    assert (
        cli.main(["token", "create", "alice", "--scope", "write", "--database-url", database]) == 1
    )
    assert capsys.readouterr() == (
        "",
        "elections: there is already a token named 'alice' (names are never reused)\n",
    )
    assert cli.main(["token", "revoke", "carol", "--database-url", database]) == 1
    assert capsys.readouterr() == ("", "elections: there is no token named 'carol'\n")

    assert cli.main(["token", "create", "(me)", "--scope", "read"]) == 2
    assert capsys.readouterr().err.endswith(
        "argument NAME: a token name is 1 to 60 letters, digits and . _ @ -, starting with a"
        " letter or digit; got '(me)'\n"
    )
    assert cli.main(["token", "create", "dave", "--scope", "admin"]) == 2
    assert "argument --scope: invalid choice: 'admin'" in capsys.readouterr().err
    assert cli.main(["token", "create", "dave"]) == 2
    assert "the following arguments are required: --scope" in capsys.readouterr().err


# --- Checking a token -------------------------------------------------------------------------


async def test_authenticate(tokens: Tokens) -> None:
    assert await token_store.authenticate(None) is None
    assert await token_store.authenticate(f"Bearer {tokens.write}") == token_store.Identity(
        "editor", Scope.WRITE
    )
    assert await token_store.authenticate(f"bearer  {tokens.read} ") == token_store.Identity(
        "reader", Scope.READ
    )
    refusals = {
        f"Bearer {tokens.revoked}": "The token has been revoked.",
        # The right first characters and a wrong rest, a token of another form, nothing.
        f"Bearer {tokens.write[:-1]}x": "The token is not valid.",
        "Bearer secret": "The token is not valid.",
        "Bearer ": "The Authorization header must be `Bearer <token>`.",
        f"Basic {tokens.write}": "The Authorization header must be `Bearer <token>`.",
    }
    for header, message in refusals.items():
        with pytest.raises(token_store.Unauthenticated) as caught:
            await token_store.authenticate(header)
        assert caught.value.message == message, header


# --- Over HTTP --------------------------------------------------------------------------------


async def test_mutations_need_a_write_token(tokens: Tokens) -> None:
    before = await snapshot()
    write_scope = "A mutation needs a token with write scope"
    cases = [
        (
            {},
            401,
            'Bearer realm="elections"',
            f"{write_scope}: send `Authorization: Bearer <token>`.",
            "UNAUTHENTICATED",
        ),
        (
            {"Authorization": f"Bearer {tokens.read}"},
            403,
            'Bearer realm="elections", error="insufficient_scope"',
            f"{write_scope}; the token 'reader' has read scope.",
            "FORBIDDEN",
        ),
        (
            {"Authorization": f"Bearer {tokens.revoked}"},
            401,
            'Bearer realm="elections", error="invalid_token"',
            "The token has been revoked.",
            "UNAUTHENTICATED",
        ),
        (
            {"Authorization": "Bearer elt_guessed"},
            401,
            'Bearer realm="elections", error="invalid_token"',
            "The token is not valid.",
            "UNAUTHENTICATED",
        ),
        (
            {"Authorization": "Token abc"},
            401,
            'Bearer realm="elections", error="invalid_request"',
            "The Authorization header must be `Bearer <token>`.",
            "UNAUTHENTICATED",
        ),
    ]
    async with client() as http:
        for headers, status, challenge, message, code in cases:
            for accept in ("application/json", "application/graphql-response+json"):
                response = await http.post(
                    "/graphql", json={"query": CREATE}, headers={**headers, "Accept": accept}
                )
                assert response.status_code == status, (headers, accept)
                assert response.headers["www-authenticate"] == challenge
                # Refused before it ran: no data at all.
                assert response.json() == {
                    "errors": [{"message": message, "extensions": {"code": code}}]
                }
    assert await snapshot() == before

    async with client() as http:
        response = await http.post(
            "/graphql",
            json={"query": CREATE},
            headers={"Authorization": f"Bearer {tokens.write}"},
        )
    assert response.status_code == 200
    assert "www-authenticate" not in response.headers
    assert response.json() == {
        "data": {"createElection": {"election": {"key": "xx-test"}, "errors": []}}
    }


async def test_queries_stay_public_and_never_look_at_the_token(tokens: Tokens) -> None:
    query = '{ election(key: "az-president-2024") { date } }'
    async with client() as http:
        for headers in ({}, {"Authorization": f"Bearer {tokens.revoked}"}, {"Authorization": "x"}):
            response = await http.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code == 200
            assert response.json() == {"data": {"election": {"date": "2024-02-07"}}}


async def test_the_audit_log_needs_a_token_of_either_scope(tokens: Tokens) -> None:
    query = "{ auditLog { nodes { action } } }"
    async with client() as http:
        response = await http.post("/graphql", json={"query": query})
        assert response.status_code == 401
        assert response.json() == {
            "errors": [
                {
                    "message": "The audit log needs a token with read scope: send"
                    " `Authorization: Bearer <token>`.",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        }
        # Through a fragment and beside a public field, it is still the audit log.
        sneaky = (
            '{ election(key: "az-president-2024") { date } ...F }'
            " fragment F on Query { auditLog { nodes { action } } }"
        )
        response = await http.post("/graphql", json={"query": sneaky})
        assert response.status_code == 401
        for token in (tokens.read, tokens.write):
            response = await http.post(
                "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
            )
            assert (response.status_code, response.json()) == (
                200,
                {"data": {"auditLog": {"nodes": []}}},
            )


async def test_in_process_execution_is_refused_the_same_way(tokens: Tokens) -> None:
    assert await execute(CREATE, token=tokens.read) == {
        "data": None,
        "errors": ["A mutation needs a token with write scope; the token 'reader' has read scope."],
    }
    assert await execute(CREATE) == {
        "data": None,
        "errors": [
            "A mutation needs a token with write scope: send `Authorization: Bearer <token>`."
        ],
    }
