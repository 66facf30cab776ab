"""The packages import one another only as docs/architecture.md draws them."""

from __future__ import annotations

import ast
from pathlib import Path

from service.settings import ROOT

#: What each part of the code may import of ours, bottom to top, as docs/architecture.md has it.
ALLOWED: dict[str, set[str]] = {
    "service": set(),
    "models": set(),
    "migrations": {"models"},
    "loader": {"models"},
    "curation": {"models", "loader", "service"},
    "schema": {"models", "loader", "curation", "service"},
    "web": {"models", "schema", "curation", "service"},
    "server": {"web", "curation", "service"},
    # The command line drives the layers below the app; it starts the app by name.
    "service.cli": {"models", "loader", "curation", "service"},
}
OURS = {name for name in ALLOWED if "." not in name}
#: Folders that are not the application: they may import anything. (`.ci` and `requirements`
#: hold the scripts of CI and of the lock.)
NOT_APPLICATION = {
    "tests",
    "bench",
    "docs",
    "fixtures",
    ".venv",
    "node_modules",
    "build",
    ".ci",
    "requirements",
}


def application_modules() -> dict[str, Path]:
    """Every module of the application, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if NOT_APPLICATION & set(relative.parts):
            continue
        found[".".join(relative.with_suffix("").parts).removesuffix(".__init__")] = path
    return found


MODULES = application_modules()


def part(module: str) -> str:
    """The entry of ALLOWED that rules a module: its own, if it has one, else its package's."""
    return module if module in ALLOWED else module.split(".")[0]


def imported(path: Path, at_import: bool = False) -> set[str]:
    """The modules of ours that a file imports; with `at_import`, only those its import
    runs (not the ones under `if TYPE_CHECKING:` or inside functions, which GraphQL types
    that name each other use)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body if at_import else ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from schema import computed` imports the module schema.computed.
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in MODULES else node.module)
    return {name for name in names if name.split(".")[0] in OURS}


def test_every_module_is_ruled() -> None:
    modules = MODULES
    assert {"server", "service.cli", "schema.fast_path", "web.graphql_app"} <= modules.keys()
    unruled = sorted(module for module in modules if part(module) not in ALLOWED)
    assert unruled == [], f"add these to ALLOWED and to docs/architecture.md: {unruled}"


def test_packages_import_only_the_layers_below() -> None:
    wrong = []
    for module, path in MODULES.items():
        own = part(module).split(".")[0]
        for name in sorted(imported(path)):
            target = name.split(".")[0]
            if target != own and target not in ALLOWED[part(module)]:
                wrong.append(f"{module} imports {name}")
    assert wrong == [], "imports that docs/architecture.md does not allow:\n" + "\n".join(wrong)


def test_no_module_imports_itself_back() -> None:
    """No cycle among the imports that run when a module is imported."""
    modules = MODULES
    graph = {
        module: {name for name in imported(path, at_import=True) if name in modules}
        for module, path in modules.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
