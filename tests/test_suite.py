"""The suite's own rules: test modules share code only through tests/support/, only the tests
of the shipped data read it, and the check that tests leave module state as they found it
sees what it must."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import ModuleType

import pytest
from tortoise.context import TortoiseContext

import models
from schema import known as known_queries
from tests import support
from tests.support import state
from web import export

TESTS = Path(__file__).resolve().parent
#: Folders of tests/ that hold no Python of ours.
NOT_PYTHON = {"node_modules", "world", "client", "http-audit"}


def python_files() -> list[Path]:
    return sorted(
        path for path in TESTS.rglob("*.py") if not NOT_PYTHON & set(path.relative_to(TESTS).parts)
    )


def package_of(path: Path) -> str:
    """The dotted package of a file in tests/: `tests`, `tests.support`."""
    return ".".join(("tests", *path.relative_to(TESTS).parent.parts))


def imported_modules(source: str, package: str) -> set[str]:
    """Every module that code in `package` imports, dotted and absolute: `from tests import
    test_x` counts as tests.test_x, a relative import as the module it names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def is_test_module(name: str) -> bool:
    """Whether a dotted name is a test module or the fixtures' conftest."""
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_no_test_module_imports_another() -> None:
    found = python_files()
    assert TESTS / "conftest.py" in found and TESTS / "support" / "servers.py" in found
    wrong = [
        f"{path.relative_to(TESTS)} imports {name}"
        for path in found
        for name in sorted(imported_modules(path.read_text(encoding="utf-8"), package_of(path)))
        if is_test_module(name)
    ]
    assert wrong == [], "import it from tests/support/ instead:\n" + "\n".join(wrong)


def test_the_import_check_sees_each_way_of_importing() -> None:
    for source, package, name in [
        ("from tests.test_server import client", "tests", "tests.test_server"),
        ("from tests.conftest import run  # noqa: F401", "tests", "tests.conftest"),
        ("import tests.test_limits", "tests", "tests.test_limits"),
        ("from tests import test_nodes", "tests", "tests.test_nodes"),
        ("from .test_server import client", "tests", "tests.test_server"),
        ("from . import conftest", "tests", "tests.conftest"),
        ("from ..test_limits import SlowQuerySet", "tests.support", "tests.test_limits"),
    ]:
        imported = imported_modules(source, package)
        assert name in imported and is_test_module(name), source
    allowed = imported_modules("from tests.support.world import WORLD", "tests")
    assert not any(map(is_test_module, allowed))


def test_shared_code_lives_in_tests_support() -> None:
    outside = [
        str(path.relative_to(TESTS))
        for path in python_files()
        if path.parent == TESTS
        and not path.name.startswith("test_")
        and path.name not in ("conftest.py", "__init__.py")
    ]
    assert outside == [], "shared test code belongs in tests/support/"


def reads_the_shipped_fixtures(node: ast.AST) -> bool:
    """`BUNDLED_FIXTURES`, `ROOT / "fixtures"`, or "bundled" (LOAD_FIXTURES=bundled)."""
    if isinstance(node, ast.Name):
        return node.id == "BUNDLED_FIXTURES"
    if isinstance(node, ast.Attribute):
        return node.attr == "BUNDLED_FIXTURES"
    if isinstance(node, ast.alias):
        return node.name == "BUNDLED_FIXTURES"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = node.left, node.right
        return (
            isinstance(left, ast.Name)
            and left.id == "ROOT"
            and isinstance(right, ast.Constant)
            and right.value == "fixtures"
        )
    return isinstance(node, ast.Constant) and node.value == "bundled"


#: The test modules that read the shipped data, and assert only what stays true as it grows:
#: test_bundled checks the data, test_install serves it from an installed copy; and
#: test_guides, whose examples show what `make serve` answers, so that a guide is updated
#: with the data it shows; and test_curated_history, the corrections made to the curated
#: history from its sources (birth dates, terms, ballots, addresses), facts of single
#: records that more data leaves true.
SHIPPED_DATA_READERS = {
    "test_bundled.py",
    "test_install.py",
    "test_guides.py",
    "test_curated_history.py",
}


def test_only_the_tests_of_the_shipped_data_read_it() -> None:
    """The other tests run on the test world, so that the shipped data may grow."""
    readers = [
        f"{path.relative_to(TESTS)}:{getattr(node, 'lineno', '?')}"
        for path in python_files()
        if path.name not in {*SHIPPED_DATA_READERS, "test_suite.py"}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if reads_the_shipped_fixtures(node)
    ]
    assert readers == [], "use tests.support.world.WORLD:\n" + "\n".join(readers)


def test_the_fixtures_check_sees_each_way_of_naming_them() -> None:
    for source in (
        "from service.settings import BUNDLED_FIXTURES",
        "loader.load([settings.BUNDLED_FIXTURES])",
        'path = ROOT / "fixtures"',
        'env = {"LOAD_FIXTURES": "bundled"}',
    ):
        assert any(map(reads_the_shipped_fixtures, ast.walk(ast.parse(source)))), source
    for source in ('copy = tmp_path / "fixtures"', "loader.load([WORLD])"):
        assert not any(map(reads_the_shipped_fixtures, ast.walk(ast.parse(source)))), source


# --- The check of module state ------------------------------------------------------------


class Flag:
    """A class flag, as a test double might keep one."""

    raised = False


def test_the_state_check_sees_globals_class_attributes_and_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = state.current()
    assert state.changed(before, state.current()) == []

    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    monkeypatch.setattr(known_queries.KnownQueries, "get", lambda *args: None)
    monkeypatch.setenv("ELECTIONS_TEST_FLAG", "1")
    monkeypatch.chdir(tmp_path)
    Flag.raised = True
    try:
        left = state.changed(before, state.current())
    finally:
        Flag.raised = False
    assert [line.split(" is ")[0] for line in left] == [
        "environment variable ELECTIONS_TEST_FLAG",
        "schema.known.KnownQueries.get",
        "tests.test_suite.Flag.raised",
        "the working folder",
        "web.export.BATCH_SIZE",
    ]
    assert "web.export.BATCH_SIZE is 2, was 1000" in left
    assert "tests.test_suite.Flag.raised is True, was False" in left

    monkeypatch.undo()
    assert state.changed(before, state.current()) == []


#: A module-level list, as a cache or a counter might be.
SEEN: list[str] = []


def test_the_state_check_lets_modules_be_imported_and_caches_fill(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = state.current()
    # A module imported meanwhile: in sys.modules, and an attribute of its package.
    module = ModuleType("tests.support.imported_meanwhile")
    module.VALUE = 1  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(support, "imported_meanwhile", module, raising=False)
    SEEN.append("filled")  # the same list, fuller
    try:
        assert state.changed(before, state.current()) == []
    finally:
        SEEN.clear()


# A module's tests of the world and of the data sets, in turn: each reads its own database,
# though the data sets' (module-scoped) was set up after the world's (session-scoped).


async def test_a_world_test_reads_the_world(world: TortoiseContext) -> None:
    assert await models.Election.filter(key="us-president-2020").exists() is False


async def test_a_data_sets_test_reads_the_data_sets(data_sets: TortoiseContext) -> None:
    assert await models.Election.filter(key="us-president-2020").exists() is True


async def test_a_world_test_after_it_reads_the_world_again(world: TortoiseContext) -> None:
    assert await models.Election.filter(key="us-president-2020").exists() is False
