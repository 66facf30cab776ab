"""The GraphQL over HTTP audit suite (graphql-http's auditServer) against a real server.

tests/http-audit/ pins graphql-http and its peer graphql (`make setup` installs them with the
venv's npm); audit.mjs runs every audit against a URL and prints the results as JSON. The
audits ask for `__typename` and `__type`, so production is audited with INTROSPECTION=true:
with introspection off, the four audits about variables fail on `__type`, not on HTTP.
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

AUDIT = ROOT / "tests" / "http-audit"
NODE = Path(sys.executable).parent / "node"
#: graphql-http 1.23.1 has this many server audits.
AUDITS = 61


def audit(url: str) -> list[dict[str, Any]]:
    if not (AUDIT / "node_modules" / "graphql-http" / "package.json").is_file():
        pytest.fail(f"graphql-http is not installed in {AUDIT}: run `make setup`")
    done = subprocess.run(
        [str(NODE), str(AUDIT / "audit.mjs"), url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


@pytest.mark.parametrize(
    "env",
    [{"APP_ENV": "development"}, {"APP_ENV": "production", "INTROSPECTION": "true"}],
    ids=["development", "production"],
)
def test_the_server_passes_every_graphql_over_http_audit(
    server_database: str,
    env: dict[str, str],
) -> None:
    with running_server(server_database, **env) as served:
        results = audit(f"{served.url}/graphql")
    assert len(results) == AUDITS
    # Not only no errors and no warnings: no notices either.
    assert [result for result in results if result["status"] != "ok"] == []
    ids = {result["id"] for result in results}
    # Among them: a mutation by GET is refused (9C48), a query that fails validation (74FF)
    # or variable coercion (86EE) is a 400 with the GraphQL media type.
    assert {"9C48", "74FF", "86EE"} <= ids
