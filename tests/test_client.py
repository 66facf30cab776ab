"""A real client against a real server: Apollo Client (tests/client/client.mjs) pages through
the elections connection, fetches one again by global ID into its normalised cache, and sends
automatic persisted queries by GET.

tests/client/ pins @apollo/client and its peers graphql and rxjs (`make setup` installs them
with the venv's npm, as for tests/http-audit/); the script prints what it saw as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.settings import ROOT
from tests.support.servers import running_server
from tests.support.world import global_id
from web.persisted_queries import NOT_FOUND

CLIENT = ROOT / "tests" / "client"
NODE = Path(sys.executable).parent / "node"
#: The elections of the test world, oldest first (the connection's default order).
KEYS = [
    "az-president-1992",
    "az-president-1993",
    "az-president-1998",
    "az-president-2003",
    "az-president-2008",
    "az-president-2013",
    "az-president-2018",
    "az-president-2024",
    "ge-parliament-2024",
]


def run_client(url: str) -> dict[str, Any]:
    if not (CLIENT / "node_modules" / "@apollo" / "client" / "package.json").is_file():
        pytest.fail(f"@apollo/client is not installed in {CLIENT}: run `make setup`")
    done = subprocess.run(
        [str(NODE), str(CLIENT / "client.mjs"), url],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_apollo_client_pages_caches_by_id_and_persists_queries_over_get(
    server_database: str,
) -> None:
    with running_server(server_database) as served:
        seen = run_client(f"{served.url}/graphql")

    # Pagination: three pages of at most 4, merged by the cache into one list of all 9.
    assert seen["totalCount"] == 9
    assert seen["keys"] == KEYS
    assert [page["edges"] for page in seen["pages"]] == [4, 4, 1]
    assert [page["pageInfo"]["hasNextPage"] for page in seen["pages"]] == [True, True, False]
    assert [page["pageInfo"]["hasPreviousPage"] for page in seen["pages"]] == [False, True, True]

    # The entity fetched by global ID is the one the list put in the cache: one entry, keyed
    # by type and ID, holding the list's fields and the node query's.
    first = global_id("Election", "az-president-1992")
    assert seen["node"] == {
        "__typename": "Election",
        "id": first,
        "key": "az-president-1992",
        "early": False,
        "office": "President of Azerbaijan",
    }
    assert seen["cacheId"] == f"Election:{first}"
    assert seen["entry"] == {
        "__typename": "Election",
        "id": first,
        "key": "az-president-1992",
        "date": "1992-06-07",
        "early": False,
        "office": "President of Azerbaijan",
    }
    assert seen["fragment"] == {
        "__typename": "Election",
        "key": "az-president-1992",
        "date": "1992-06-07",
        "early": False,
    }
    assert seen["readWithoutRequest"] is True
    assert seen["again"] == seen["node"]

    # Persisted queries: each operation is first tried by hash alone over GET; the server
    # does not know it, the client sends it once by POST, and from then on the hash alone
    # does, by GET, with a cacheable answer.
    requests = seen["requests"]
    elections_hash = requests[0]["sha256Hash"]
    election_hash = requests[4]["sha256Hash"]

    def request(
        method: str, operation: str, digest: str, query: bool, cache: str, errors: list[str]
    ) -> dict[str, Any]:
        return {
            "method": method,
            "operationName": operation,
            "query": query,
            "sha256Hash": digest,
            "status": 200,
            "cacheControl": cache,
            "etag": cache != "no-store",
            "errors": errors,
        }

    public = "public, max-age=60"
    assert requests == [
        request("GET", "Elections", elections_hash, False, "no-store", [NOT_FOUND]),
        request("POST", "Elections", elections_hash, True, "no-store", []),
        request("GET", "Elections", elections_hash, False, public, []),
        request("GET", "Elections", elections_hash, False, public, []),
        request("GET", "Election", election_hash, False, "no-store", [NOT_FOUND]),
        request("POST", "Election", election_hash, True, "no-store", []),
        request("GET", "Election", election_hash, False, public, []),
    ]
    assert len({elections_hash, election_hash}) == 2
