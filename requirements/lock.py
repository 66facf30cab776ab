"""The lock: every Python package of serving and of testing pinned with its hashes, compiled
from pyproject.toml by uv (`make lock`), and the check that it is up to date (`make setup`)."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCKS = Path(__file__).resolve().parent
UPDATE = "make lock"
DIGEST = "# pyproject.toml dependencies sha256: "
#: Each lock file: what it pins, and what installs it (the start of its header).
PURPOSES = {
    "serve.txt": "The Python packages of `make serve`, pinned with their hashes: `make serve`\n"
    "# and `make setup` install them with `pip install --require-hashes`.",
    "test.txt": "The Python packages of `make test`, those of serving and the test tools, pinned\n"
    "# with their hashes: `make test` and `make setup` install them with\n"
    "# `pip install --require-hashes`.",
    "uv.txt": "uv, which writes these files, pinned with its hashes: `make lock` installs it\n"
    "# with `pip install --require-hashes`.",
}
#: The lock files that pyproject.toml's dependencies are compiled into (uv.txt is not).
COMPILED = ("serve.txt", "test.txt")
TEST_EXTRA = "test"
# The oldest Python that pyproject.toml allows: the lock is resolved for it and every later one.
PYTHON = "3.11"


def dependency_digest(pyproject: Path) -> str:
    """A digest of what the lock is compiled from: pyproject.toml's dependency tables."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    tables = {
        "build-system.requires": data.get("build-system", {}).get("requires", []),
        "project.requires-python": project.get("requires-python"),
        "project.dependencies": project.get("dependencies", []),
        "project.optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    """The digest that `make lock` wrote into a lock file, or None if it has none."""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST):
            return line.removeprefix(DIGEST).strip()
    return None


def problems(pyproject: Path = PYPROJECT, locks: Path = LOCKS) -> list[str]:
    """Why the lock files in `locks` do not fit `pyproject`: one sentence each, with the fix."""
    digest = dependency_digest(pyproject)
    found = []
    for name in COMPILED:
        lock = locks / name
        where = _shown(lock)
        if not lock.is_file():
            found.append(f"{where} is missing: run `{UPDATE}` to write it")
            continue
        recorded = recorded_digest(lock)
        if recorded is None:
            found.append(
                f"{where} has no '{DIGEST.strip('# :')}' line, so it was not written by"
                f" `{UPDATE}`: run `{UPDATE}` to write it again"
            )
        elif recorded != digest:
            found.append(
                f"{where} is out of date: the dependencies in {_shown(pyproject)} changed after"
                f" it was written. Run `{UPDATE}` to update it, and commit it with"
                f" {_shown(pyproject)}"
            )
    return found


def _shown(path: Path) -> str:
    """The path relative to the repository when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _header(name: str, digest: str | None) -> str:
    lines = [f"# {PURPOSES[name]}"]
    if digest is None:
        lines.append(f"# Written by `{UPDATE}`: do not edit it by hand.")
    else:
        lines.append(f"# Written by `{UPDATE}` from pyproject.toml: do not edit it by hand.")
        lines.append(f"{DIGEST}{digest}")
    return "\n".join(lines) + "\n"


def _compile(uv: str, name: str, inputs: list[str], stdin: str, upgrade: bool) -> None:
    """Resolves `inputs` (and requirements on stdin) for every platform and every Python from
    PYTHON on into requirements/NAME, keeping the versions it pins where they still fit."""
    output = LOCKS / name
    command = [
        uv,
        "pip",
        "compile",
        *inputs,
        "-",
        "--universal",
        "--python-version",
        PYTHON,
        "--generate-hashes",
        "--no-header",
        "--quiet",
        "--output-file",
        _shown(output),
    ]
    if upgrade:
        command.append("--upgrade")
    # Run in the repository, so that the files name each other by relative paths.
    subprocess.run(command, input=stdin, text=True, check=True, cwd=ROOT)
    digest = dependency_digest(PYPROJECT) if name in COMPILED else None
    output.write_text(_header(name, digest) + output.read_text(encoding="utf-8"), encoding="utf-8")


def update(upgrade: bool) -> None:
    """Writes the lock files again from pyproject.toml."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        sys.exit(f"uv is not installed: run `{UPDATE}`, which installs it from requirements/uv.txt")
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    # The build backend, for the editable install of the project itself.
    build = "\n".join(data["build-system"]["requires"]) + "\n"
    project = _shown(PYPROJECT)
    # Testing first: serving then gets the same version of every package the two share.
    _compile(uv, "test.txt", [project, "--extra", TEST_EXTRA], build, upgrade)
    _compile(uv, "serve.txt", [project, "--constraints", "requirements/test.txt"], build, upgrade)
    _compile(uv, "uv.txt", [], "uv\n", upgrade)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="fail if the lock is out of date with pyproject.toml")
    check.add_argument(
        "--pyproject", type=Path, default=PYPROJECT, help="default: the repository's"
    )
    check.add_argument(
        "--locks",
        type=Path,
        default=LOCKS,
        help="folder of the lock files (default: requirements/)",
    )
    write = commands.add_parser("update", help="write the lock files again from pyproject.toml")
    write.add_argument(
        "--upgrade",
        action="store_true",
        help="take the newest versions that pyproject.toml allows, not only the changes it needs",
    )
    args = parser.parse_args(argv)
    if args.command == "update":
        update(args.upgrade)
        return 0
    found = problems(args.pyproject, args.locks)
    for problem in found:
        print(f"lock: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
