"""Waits for a served API to answer /health, then runs every operation in a folder of .graphql
files with the variables of its `# Example:` line; fails on an error or missing data, naming
the file. Standard library only: it runs with any Python 3.11+."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

EXAMPLE = "# Example:"


class Failed(Exception):
    """What went wrong, in one line that names the file or the server."""


def example_variables(path: Path) -> dict[str, Any]:
    """The variables of the file's `# Example:` line: the JSON object after "Example:" (the
    words after its closing brace explain it); {} when the operation has no such line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(EXAMPLE):
            text = line.removeprefix(EXAMPLE).lstrip()
            try:
                value, _ = json.JSONDecoder().raw_decode(text)
            except json.JSONDecodeError as error:
                raise Failed(
                    f"{path}:{number}: the example is not a JSON object: {error}"
                ) from None
            if not isinstance(value, dict):
                raise Failed(f"{path}:{number}: the example is not a JSON object: {text}")
            return value
    return {}


def alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_health(url: str, deadline: float, pid: int | None) -> None:
    """Returns once GET /health answers 200; fails when the server's process has ended or the
    deadline has passed."""
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if not alive(pid):
            raise Failed(f"the server (process {pid}) ended before {url}/health answered")
        if time.monotonic() > deadline:
            raise Failed(f"{url}/health did not answer in time")
        time.sleep(0.2)


def run(url: str, path: Path) -> str:
    """Runs the file's operation; fails unless every root field has data and nothing erred."""
    variables = example_variables(path)
    body = json.dumps({"query": path.read_text(encoding="utf-8"), "variables": variables})
    request = urllib.request.Request(
        f"{url}/graphql",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        raise Failed(f"{path.name}: HTTP {error.code}: {error.read().decode()[:500]}") from None
    if answer.get("errors"):
        raise Failed(f"{path.name}: errors: {json.dumps(answer['errors'])[:500]}")
    data = answer.get("data")
    if not isinstance(data, dict) or not data:
        raise Failed(f"{path.name}: no data in the answer: {json.dumps(answer)[:500]}")
    empty = [field for field, value in data.items() if value in (None, [], {})]
    if empty:
        raise Failed(f"{path.name}: no data for {', '.join(empty)} with variables {variables}")
    return f"{path.name}: {', '.join(data)} with {json.dumps(variables)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("folder", type=Path, help="folder of .graphql files")
    parser.add_argument("--wait", type=float, default=600, help="seconds to wait for /health")
    parser.add_argument("--pid", type=int, help="the server's process: stop waiting if it ends")
    args = parser.parse_args()
    paths = sorted(args.folder.glob("*.graphql"))
    try:
        if not paths:
            raise Failed(f"no .graphql files in {args.folder}")
        wait_for_health(args.url, time.monotonic() + args.wait, args.pid)
        print(f"{args.url}/health answered")
        for path in paths:
            print(f"ok {run(args.url, path)}")
    except Failed as failure:
        print(f"queries: {failure}", file=sys.stderr)
        return 1
    print(f"{len(paths)} operations of {args.folder} answered with data and no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
