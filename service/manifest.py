"""Manifests of persisted operations: `{sha256: query}` files, read for the allow-list and
written from folders of .graphql files (`python -m service.manifest FOLDER...`)."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The format name of the manifests Apollo's generate-persisted-query-manifest writes.
APOLLO_MANIFEST = "apollo-persisted-query-manifest"


def sha256(query: str) -> str:
    """The hash clients send for a query: SHA-256 of its UTF-8 text, in lowercase hex."""
    return hashlib.sha256(query.encode()).hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """The operations of a manifest file, by hash: either a JSON object `{hash: query}`, or
    the manifest Apollo's generate-persisted-query-manifest writes. ValueError says what is
    wrong, and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"cannot read the manifest {path}: {error.strerror}") from error
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the manifest {path} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise ValueError(f"the manifest {path} must be a JSON object, got {type(value).__name__}")
    entries: list[tuple[str, Any, str]]
    if value.get("format") == APOLLO_MANIFEST:
        operations = value.get("operations")
        if not isinstance(operations, list):
            raise ValueError(f"{path}: operations must be a list")
        entries = []
        for index, operation in enumerate(operations):
            where = f"{path}: operations[{index}]"
            if not isinstance(operation, dict):
                raise ValueError(f"{where} must be an object with id and body")
            entries.append((str(operation.get("id")), operation.get("body"), f"{where}.body"))
    else:
        entries = [(str(key), query, f'{path}: "{key}"') for key, query in value.items()]
    operations_by_hash: dict[str, str] = {}
    for key, query, where in entries:
        if not isinstance(query, str):
            raise ValueError(f"{where} must be the text of a GraphQL operation")
        if key.lower() != sha256(query):
            raise ValueError(
                f'{where}: "{key}" is not the SHA-256 of the query, which is "{sha256(query)}"'
            )
        operations_by_hash[key.lower()] = query
    if not operations_by_hash:
        raise ValueError(f"the manifest {path} registers no operation")
    return operations_by_hash


def manifest(folder: Path) -> dict[str, str]:
    """`{hash: query}` for every .graphql file in a folder, by file name; a client sends each
    file's text exactly as it is (comments included), or only its hash."""
    return {
        sha256(text): text
        for text in (path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.graphql")))
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m service.manifest FOLDER...`: the manifest of the folders' .graphql files as
    JSON (the example operations and the explorer's, say, for one allow-list)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or not all(Path(arg).is_dir() for arg in args):
        print("usage: python -m service.manifest FOLDER... (of .graphql files)", file=sys.stderr)
        return 2
    operations: dict[str, str] = {}
    for arg in args:
        found = manifest(Path(arg))
        if not found:
            print(f"no .graphql file in {arg}", file=sys.stderr)
            return 1
        operations.update(found)
    print(json.dumps(operations, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
