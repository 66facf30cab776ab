"""The explorer's way to the data: its named operations (web/pages/operations/*.graphql), run
through the app's own /graphql as a frontend runs them, by GET with the query's hash
(Apollo's automatic persisted queries), in process, without a socket."""

from __future__ import annotations

import functools
import json
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from starlette.types import ASGIApp, Message

from service.manifest import sha256
from web.persisted_queries import NOT_FOUND_CODE, NOT_SUPPORTED_CODE

#: The operations the pages run, one named operation per file.
OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"

#: What the pages' calls ask for: the GraphQL over HTTP media type.
ACCEPT = b"application/graphql-response+json"


class ApiError(Exception):
    """The API answered an operation of the pages with errors, or not with a result."""


@functools.cache
def operations() -> dict[str, str]:
    """Each operation's text by its name, read once. ValueError names a file that does not hold
    exactly one named operation (fragments beside it are welcome), or a name used twice."""
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        operations = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
        names = [o.name.value for o in operations if o.name is not None]
        if len(operations) != 1 or len(names) != 1:
            raise ValueError(f"{path} must hold exactly one named operation (and its fragments)")
        if names[0] in found:
            raise ValueError(f"{path}: the operation name {names[0]} is used twice")
        found[names[0]] = text
    return found


async def _get(app: ASGIApp, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """One GET of /graphql through the whole app (its middleware too), in process."""
    query_string = urllib.parse.urlencode(params).encode()
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": query_string,
        "headers": [(b"host", b"explorer.internal"), (b"accept", ACCEPT)],
        "client": ("127.0.0.1", 0),
        "server": ("explorer.internal", 80),
        "state": {},
    }
    status = 0
    body = bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    try:
        value = json.loads(body)
    except ValueError as error:
        raise ApiError(f"/graphql answered {status} without JSON") from error
    if not isinstance(value, dict):
        raise ApiError(f"/graphql answered {status} with JSON that is not an object")
    return status, value


def _codes(answer: Mapping[str, Any]) -> set[str]:
    return {
        str((error.get("extensions") or {}).get("code"))
        for error in answer.get("errors") or []
        if isinstance(error, dict)
    }


async def run(app: ASGIApp, name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The data of the named operation with these variables. The first call of a process
    sends the hash alone, then (not yet known) the hash with the query, which registers it;
    later calls send the hash alone, as short cacheable GETs. Where persisted queries are off,
    the query goes in full. ApiError carries the API's messages."""
    query = operations()[name]
    params = {"operationName": name, "variables": json.dumps(dict(variables), sort_keys=True)}
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}})
    status, answer = await _get(app, {**params, "extensions": extensions})
    codes = _codes(answer)
    if NOT_FOUND_CODE in codes:
        status, answer = await _get(app, {**params, "extensions": extensions, "query": query})
    elif NOT_SUPPORTED_CODE in codes:
        status, answer = await _get(app, {**params, "query": query})
    if answer.get("errors") or not isinstance(answer.get("data"), dict):
        messages = "; ".join(
            str(error.get("message"))
            for error in answer.get("errors") or []
            if isinstance(error, dict)
        )
        raise ApiError(f"{name} answered {status}: {messages or 'no data'}")
    data: dict[str, Any] = answer["data"]
    return data
