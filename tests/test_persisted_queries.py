"""Persisted queries: Apollo's automatic persisted queries (register, then GET by hash), the
exact answers the clients act on, bad extensions, the bounded store, allow-list and off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from service.caches import text_bytes
from service.manifest import manifest, read_manifest, sha256
from service.settings import ROOT, CacheBytes, Limits, Settings
from tests.support.clients import client
from tests.support.errors import error
from tests.support.settings import settings_from
from web.graphql_app import GRAPHQL_RESPONSE_JSON
from web.persisted_queries import QueryStore

SCHEDULE = '{ election(key: "az-president-2024") { key date early } }'
SCHEDULE_HASH = sha256(SCHEDULE)
SCHEDULE_DATA = {"election": {"key": "az-president-2024", "date": "2024-02-07", "early": True}}
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}
NOT_SUPPORTED = {
    "errors": [
        {
            "message": "PersistedQueryNotSupported",
            "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
        }
    ]
}
QUERIES = ROOT / "docs" / "queries"
# A registered operation of docs/queries, with its variables.
ELECTION_SCHEDULE = (QUERIES / "election-schedule.graphql").read_text()
ELECTION_SCHEDULE_DATA = {
    "election": {
        "key": "az-president-2024",
        "date": "2024-02-07",
        "early": True,
        "originallyDue": "2025-10",
        "calledOn": "2023-12-07",
        "calledByPerson": {"name": "Ilham Aliyev"},
        "calledByOrganization": None,
        "reason": (
            "Aliyev argued that, once the army's September 2023 campaign in Nagorno-Karabakh had "
            "restored Azerbaijan's sovereignty over its whole territory and opened a new period, "
            "the presidency should be the first office put to a country-wide vote; he also "
            "presented the early vote as a kind of stocktaking after twenty years as president."
        ),
    }
}


def persisted(digest: str, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def by_hash(digest: str, variables: dict[str, Any] | None = None) -> dict[str, str]:
    """The query parameters of a GET by hash alone, as Apollo Client and urql send them."""
    params = {"extensions": json.dumps(persisted(digest))}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return params


# --- Automatic persisted queries ------------------------------------------------------------


async def test_an_unknown_hash_is_persisted_query_not_found(world: TortoiseContext) -> None:
    async with client() as http:
        get = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        post = await http.post("/graphql", json={"extensions": persisted(SCHEDULE_HASH)})
        graphql = await http.get(
            "/graphql", params=by_hash(SCHEDULE_HASH), headers={"Accept": GRAPHQL_RESPONSE_JSON}
        )
    for response in (get, post, graphql):
        # 200 whatever the media type: Apollo Client 3 gives up persisted queries on a 400.
        assert response.status_code == 200
        assert response.json() == NOT_FOUND
        # Never stored, or the client could not register it behind a cache.
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
    assert get.text == (
        '{"errors":[{"message":"PersistedQueryNotFound",'
        '"extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}'
    )
    assert graphql.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"


async def test_register_then_get_by_hash_alone(world: TortoiseContext) -> None:
    async with client() as http:
        missed = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        assert missed.json() == NOT_FOUND
        # The client's retry: the query with its hash, by POST. It runs, and is kept.
        registered = await http.post(
            "/graphql", json={"query": SCHEDULE, "extensions": persisted(SCHEDULE_HASH)}
        )
        assert registered.status_code == 200
        assert registered.json() == {"data": SCHEDULE_DATA}
        assert registered.headers["cache-control"] == "no-store"
        # From now on the hash alone does, by GET, and the answer is cacheable. (httpx sends
        # `Accept: */*`, as Apollo Client 3 does: that is no browser asking for GraphiQL.)
        first = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        second = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        assert first.status_code == 200
        assert first.json() == second.json() == {"data": SCHEDULE_DATA}
        assert first.headers["cache-control"] == "public, max-age=60"
        assert first.headers["etag"] == second.headers["etag"]
        revalidated = await http.get(
            "/graphql",
            params=by_hash(SCHEDULE_HASH),
            headers={"If-None-Match": first.headers["etag"]},
        )
        assert (revalidated.status_code, revalidated.content) == (304, b"")
        # By POST too, and with a query by GET (urql may send both).
        post = await http.post("/graphql", json={"extensions": persisted(SCHEDULE_HASH)})
        assert post.json() == {"data": SCHEDULE_DATA}
        both = await http.get(
            "/graphql", params={"query": SCHEDULE, **by_hash(SCHEDULE_HASH.upper())}
        )
        assert both.json() == {"data": SCHEDULE_DATA}


async def test_a_persisted_query_takes_variables_and_an_operation_name(
    world: TortoiseContext,
) -> None:
    query = ELECTION_SCHEDULE
    variables = {"key": "az-president-2024"}
    async with client() as http:
        registered = await http.post(
            "/graphql",
            json={
                "query": query,
                "variables": variables,
                "operationName": "ElectionSchedule",
                "extensions": persisted(sha256(query)),
            },
        )
        assert registered.json() == {"data": ELECTION_SCHEDULE_DATA}
        response = await http.get("/graphql", params=by_hash(sha256(query), variables))
    assert response.json() == {"data": ELECTION_SCHEDULE_DATA}


async def test_a_hash_that_does_not_match_the_query_is_refused(world: TortoiseContext) -> None:
    other = sha256("{ __typename }")
    async with client() as http:
        response = await http.post(
            "/graphql", json={"query": SCHEDULE, "extensions": persisted(other)}
        )
        assert response.status_code == 400
        assert response.json() == error(
            "provided sha does not match query: extensions.persistedQuery.sha256Hash is "
            f'"{other}", but the SHA-256 of the query is "{SCHEDULE_HASH}"'
        )
        assert response.headers["cache-control"] == "no-store"
        # Nothing was kept, under either hash.
        for digest in (other, SCHEDULE_HASH):
            assert (await http.get("/graphql", params=by_hash(digest))).json() == NOT_FOUND


async def test_only_queries_that_run_are_kept(world: TortoiseContext) -> None:
    invalid = "{ election { key } }"
    async with client() as http:
        response = await http.post(
            "/graphql", json={"query": invalid, "extensions": persisted(sha256(invalid))}
        )
        assert response.json() == {
            "errors": [
                {
                    "message": "Argument 'Query.election(key:)' of type 'String!' is required, "
                    "but it was not provided.",
                    "locations": [{"line": 1, "column": 3}],
                }
            ]
        }
        again = await http.get("/graphql", params=by_hash(sha256(invalid)))
    assert again.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (
            persisted(SCHEDULE_HASH, version=2),
            "Unsupported persisted query version: extensions.persistedQuery.version must be 1, "
            "got 2",
        ),
        (
            persisted(SCHEDULE_HASH, version="1"),
            "Unsupported persisted query version: extensions.persistedQuery.version must be 1, "
            'got "1"',
        ),
        (
            {"persistedQuery": {"sha256Hash": SCHEDULE_HASH}},
            "Unsupported persisted query version: extensions.persistedQuery.version must be 1, "
            "got null",
        ),
        (
            persisted("abc123"),
            "extensions.persistedQuery.sha256Hash must be the SHA-256 of the query as 64 "
            'hexadecimal digits, got "abc123"',
        ),
        (
            {"persistedQuery": {"version": 1}},
            "extensions.persistedQuery.sha256Hash must be the SHA-256 of the query as 64 "
            "hexadecimal digits, got null",
        ),
        (
            {"persistedQuery": SCHEDULE_HASH},
            "extensions.persistedQuery must be an object with version and sha256Hash, "
            f'got "{SCHEDULE_HASH}"',
        ),
    ],
)
async def test_bad_persisted_query_extensions_say_what_is_wrong(
    world: TortoiseContext, extensions: dict[str, Any], message: str
) -> None:
    async with client() as http:
        post = await http.post("/graphql", json={"extensions": extensions})
        get = await http.get("/graphql", params={"extensions": json.dumps(extensions)})
    for response in (post, get):
        assert response.status_code == 400
        assert response.json() == error(message)


async def test_extensions_in_the_url_must_be_json(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.get("/graphql", params={"extensions": "{persistedQuery"})
    assert response.status_code == 400
    assert response.json() == error(
        "The request is not valid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    )


async def test_the_store_keeps_the_most_recently_used(world: TortoiseContext) -> None:
    queries = [
        f'{{ election(key: "az-president-{year}") {{ key }} }}' for year in (2018, 2013, 2008)
    ]
    # Room for two of them (each is its hash and its text, of the same length for all).
    budget = 2 * (text_bytes(sha256(queries[0])) + text_bytes(queries[0]))
    async with client(Settings(cache_bytes=CacheBytes(persisted=budget))) as http:

        async def register(query: str) -> dict[str, Any]:
            body = {"query": query, "extensions": persisted(sha256(query))}
            result: dict[str, Any] = (await http.post("/graphql", json=body)).json()
            return result

        async def get(query: str) -> dict[str, Any]:
            result: dict[str, Any] = (
                await http.get("/graphql", params=by_hash(sha256(query)))
            ).json()
            return result

        assert await register(queries[0]) == {"data": {"election": {"key": "az-president-2018"}}}
        await register(queries[1])
        # Using the first makes the second the least recently used, so the third pushes it out.
        assert await get(queries[0]) == {"data": {"election": {"key": "az-president-2018"}}}
        await register(queries[2])
        assert await get(queries[1]) == NOT_FOUND
        assert await get(queries[0]) == {"data": {"election": {"key": "az-president-2018"}}}
        assert await get(queries[2]) == {"data": {"election": {"key": "az-president-2008"}}}


def test_query_store() -> None:
    # Each entry weighs its hash and its text: sys.getsizeof of a one-byte string is 50.
    entry = sys.getsizeof("a") + sys.getsizeof("{ a }")
    assert entry == 50 + 54
    store = QueryStore(2 * entry)
    store.add("a", "{ a }")
    store.add("b", "{ b }")
    assert (store.get("a"), store.bytes) == ("{ a }", 2 * entry)
    store.add("c", "{ c }")
    assert ("a" in store, "b" in store, "c" in store, len(store)) == (True, False, True, 2)
    store.add("a", "{ a }")
    store.add("d", "{ d }")
    assert ("a" in store, "c" in store, "d" in store) == (True, False, True)
    # A query heavier than the whole store is not kept, and pushes nothing out.
    store.add("e", "{ " + "e " * 100 + "}")
    assert ("e" in store, len(store), store.bytes) == (False, 2, 2 * entry)
    assert store.get("e") is None
    # A budget of 0 keeps nothing: automatic persisted queries then always ask for the text.
    empty = QueryStore(0)
    empty.add("a", "{ a }")
    assert (len(empty), empty.bytes) == (0, 0)
    with pytest.raises(ValueError) as raised:
        QueryStore(-1)
    assert str(raised.value) == "a cache's budget is a number of bytes, got -1"


async def test_a_batch_registers_each_of_its_queries(world: TortoiseContext) -> None:
    other = '{ election(key: "az-president-2018") { key } }'
    settings = Settings(limits=Limits(max_batch_operations=2))
    async with client(settings) as http:
        batch = [
            {"query": SCHEDULE, "extensions": persisted(SCHEDULE_HASH)},
            {"query": other, "extensions": persisted(sha256(other))},
        ]
        response = await http.post("/graphql", json=batch)
        assert response.json() == [
            {"data": SCHEDULE_DATA},
            {"data": {"election": {"key": "az-president-2018"}}},
        ]
        hashes = [
            {"extensions": persisted(SCHEDULE_HASH)},
            {"extensions": persisted(sha256(other))},
        ]
        again = await http.post("/graphql", json=hashes)
    assert again.json() == response.json()


# --- Off --------------------------------------------------------------------------------------


async def test_off_answers_persisted_query_not_supported(world: TortoiseContext) -> None:
    async with client(Settings(persisted_queries="off")) as http:
        hashed = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        both = await http.post(
            "/graphql", json={"query": SCHEDULE, "extensions": persisted(SCHEDULE_HASH)}
        )
        # The clients then send the query alone, which runs as usual.
        plain = await http.post("/graphql", json={"query": SCHEDULE})
    for response in (hashed, both):
        assert response.status_code == 200
        assert response.json() == NOT_SUPPORTED
        assert response.headers["cache-control"] == "no-store"
    assert plain.json() == {"data": SCHEDULE_DATA}


# --- Allow-list -------------------------------------------------------------------------------

ALLOW_LIST = Settings(persisted_queries="allow-list", registered_operations=manifest(QUERIES))
ONLY_REGISTERED = "Only registered operations are accepted"


async def test_allow_list_runs_registered_operations_by_hash(world: TortoiseContext) -> None:
    variables = {"key": "az-president-2024"}
    digest = sha256(ELECTION_SCHEDULE)
    async with client(ALLOW_LIST) as http:
        get = await http.get("/graphql", params=by_hash(digest, variables))
        post = await http.post(
            "/graphql", json={"variables": variables, "extensions": persisted(digest)}
        )
        # With its text too, if the text is the registered one.
        both = await http.post(
            "/graphql",
            json={
                "query": ELECTION_SCHEDULE,
                "variables": variables,
                "extensions": persisted(digest),
            },
        )
    assert get.json() == post.json() == both.json() == {"data": ELECTION_SCHEDULE_DATA}
    assert get.headers["cache-control"] == "public, max-age=60"
    assert post.headers["cache-control"] == "no-store"


async def test_allow_list_refuses_everything_else(world: TortoiseContext) -> None:
    async with client(ALLOW_LIST) as http:
        free_post = await http.post("/graphql", json={"query": SCHEDULE})
        free_get = await http.get(
            "/graphql", params={"query": SCHEDULE}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
        )
        unknown = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        # Registering by sending the query with its hash is refused too, and keeps nothing.
        register = await http.post(
            "/graphql", json={"query": SCHEDULE, "extensions": persisted(SCHEDULE_HASH)}
        )
        again = await http.get("/graphql", params=by_hash(SCHEDULE_HASH))
        mismatch = await http.post(
            "/graphql",
            json={"query": SCHEDULE, "extensions": persisted(sha256(ELECTION_SCHEDULE))},
        )
    free = error(
        f"{ONLY_REGISTERED}: the request has a query but no extensions.persistedQuery.sha256Hash "
        "naming a registered operation.",
        code="PERSISTED_QUERY_ID_REQUIRED",
    )
    for response in (free_post, free_get):
        assert response.status_code == 400
        assert response.json() == free
    not_in_list = f'{ONLY_REGISTERED}: no operation is registered with sha256Hash "{SCHEDULE_HASH}"'
    for response in (unknown, again):
        assert response.status_code == 404
        assert response.json() == error(f"{not_in_list}.", code="PERSISTED_QUERY_NOT_IN_LIST")
    assert register.status_code == 404
    assert register.json() == error(
        f"{not_in_list}, and this server registers no operation sent to it.",
        code="PERSISTED_QUERY_NOT_IN_LIST",
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"][0]["message"].startswith("provided sha does not match query")
    for response in (free_post, free_get, unknown, register, again, mismatch):
        assert response.headers["cache-control"] == "no-store"


# --- Settings and manifests -------------------------------------------------------------------


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    with pytest.raises(ValueError) as raised:
        settings_from(monkeypatch, **env)
    return str(raised.value)


def test_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    default = settings_from(monkeypatch)
    assert (default.persisted_queries, default.cache_bytes.persisted) == ("automatic", 8 * 2**20)
    assert default.registered_operations == {}
    assert settings_from(monkeypatch, PERSISTED_QUERIES="OFF").persisted_queries == "off"
    assert settings_from(monkeypatch, PERSISTED_QUERIES_CACHE_BYTES="5").cache_bytes.persisted == 5
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest(QUERIES)))
    allow_list = settings_from(
        monkeypatch, PERSISTED_QUERIES="allow-list", PERSISTED_QUERIES_FILE=str(path)
    )
    assert allow_list.persisted_queries == "allow-list"
    assert len(allow_list.registered_operations) == len(list(QUERIES.glob("*.graphql")))
    assert allow_list.registered_operations[sha256(ELECTION_SCHEDULE)] == ELECTION_SCHEDULE

    assert refusal(monkeypatch, PERSISTED_QUERIES="apq") == (
        "PERSISTED_QUERIES must be one of off, automatic, allow-list, got 'apq'"
    )
    assert refusal(monkeypatch, PERSISTED_QUERIES="allow-list") == (
        "PERSISTED_QUERIES=allow-list needs PERSISTED_QUERIES_FILE, the manifest of the "
        "registered operations"
    )
    assert refusal(monkeypatch, PERSISTED_QUERIES_FILE=str(path)) == (
        "PERSISTED_QUERIES_FILE is read only with PERSISTED_QUERIES=allow-list, "
        "and PERSISTED_QUERIES is 'automatic'"
    )
    assert refusal(monkeypatch, PERSISTED_QUERIES_CACHE_BYTES="-1") == (
        "PERSISTED_QUERIES_CACHE_BYTES must be a non-negative number, got -1"
    )
    # The count it replaced bounded nothing when a query can be a megabyte: named, not ignored.
    assert refusal(monkeypatch, PERSISTED_QUERIES_CACHE_SIZE="1000") == (
        "PERSISTED_QUERIES_CACHE_SIZE is no longer read: the store of automatic persisted "
        "queries is bounded by bytes, PERSISTED_QUERIES_CACHE_BYTES"
    )
    missing = tmp_path / "missing.json"
    assert refusal(
        monkeypatch, PERSISTED_QUERIES="allow-list", PERSISTED_QUERIES_FILE=str(missing)
    ) == (f"PERSISTED_QUERIES_FILE: cannot read the manifest {missing}: No such file or directory")


def test_manifests_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"

    def refused(content: str) -> str:
        path.write_text(content)
        with pytest.raises(ValueError) as raised:
            read_manifest(path)
        return str(raised.value)

    wrong = "0" * 64
    assert refused(json.dumps({wrong: SCHEDULE})) == (
        f'{path}: "{wrong}": "{wrong}" is not the SHA-256 of the query, which is "{SCHEDULE_HASH}"'
    )
    assert refused(json.dumps({SCHEDULE_HASH: 1})) == (
        f'{path}: "{SCHEDULE_HASH}" must be the text of a GraphQL operation'
    )
    assert refused("[]") == f"the manifest {path} must be a JSON object, got list"
    assert refused("{}") == f"the manifest {path} registers no operation"
    assert refused("{").startswith(f"the manifest {path} is not valid JSON: Expecting")

    # The manifest Apollo's generate-persisted-query-manifest writes.
    apollo = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": SCHEDULE_HASH, "name": "Schedule", "type": "query", "body": SCHEDULE}
        ],
    }
    path.write_text(json.dumps(apollo))
    assert read_manifest(path) == {SCHEDULE_HASH: SCHEDULE}
    apollo["operations"] = [{"id": wrong, "name": "Schedule", "type": "query", "body": SCHEDULE}]
    assert refused(json.dumps(apollo)) == (
        f'{path}: operations[0].body: "{wrong}" is not the SHA-256 of the query, '
        f'which is "{SCHEDULE_HASH}"'
    )


def test_the_manifest_of_docs_queries_is_printed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "service.manifest", str(QUERIES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    printed = json.loads(done.stdout)
    files = sorted(QUERIES.glob("*.graphql"))
    assert len(printed) == len(files)
    assert "election-schedule.graphql" in [path.name for path in files]
    assert list(printed.values()) == [path.read_text() for path in files]
    assert all(digest == sha256(text) for digest, text in printed.items())
    assert printed[sha256(ELECTION_SCHEDULE)].startswith(
        "# Whether an election was early, when it was originally due"
    )
    usage = subprocess.run(
        [sys.executable, "-m", "service.manifest"], capture_output=True, text=True, cwd=ROOT
    )
    assert (usage.returncode, usage.stderr) == (
        2,
        "usage: python -m service.manifest FOLDER... (of .graphql files)\n",
    )


def test_one_manifest_holds_the_explorers_operations_too() -> None:
    pages = ROOT / "web" / "pages" / "operations"
    done = subprocess.run(
        [sys.executable, "-m", "service.manifest", str(QUERIES), str(pages)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    files = sorted(QUERIES.glob("*.graphql")) + sorted(pages.glob("*.graphql"))
    texts = [path.read_text() for path in files]
    assert json.loads(done.stdout) == {sha256(text): text for text in texts}
    assert len(texts) == len(set(texts)) > len(list(QUERIES.glob("*.graphql")))
