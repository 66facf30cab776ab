"""The module state a test may patch, and what a test left changed.

A test that sets a module's global or a class attribute and does not put it back changes
what every later test sees: a flag another test reads then holds whatever happens (a
`cancelled` flag left True passes every later check of it). tests/conftest.py takes this
snapshot before and after each test and fails the test that left something changed.

What is compared: every attribute of our modules (the application's and the tests') and of
the classes defined in them (but the models' relations, which Tortoise sets), by identity, so
a value replaced and not restored is seen, but a counter or a cache that fills up is not; and
the process's environment (but NOT_OURS) and working folder.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tortoise.models import Model

#: Environment variables set by others: pytest's name of the running test, and the time zone
#: settings Tortoise writes into the environment when it first opens a database.
NOT_OURS = frozenset({"PYTEST_CURRENT_TEST", "TIMEZONE", "USE_TZ"})
#: The top-level packages and modules that are ours.
OURS = frozenset(
    {"service", "models", "loader", "curation", "schema", "web", "server", "migrations", "tests"}
)


#: Where an attribute is: its module, its name there, and its name in that class, if any.
Place = tuple[str, str, str]


@dataclass(frozen=True)
class State:
    """Module and class attributes by place; the environment; the working folder."""

    attributes: dict[Place, Any]
    environment: dict[str, str]
    folder: str


def current() -> State:
    attributes: dict[Place, Any] = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in OURS:
            continue
        for attribute, value in list(vars(module).items()):
            if attribute[:2] == "__":
                continue  # the module's own bookkeeping (__loader__, __builtins__, …)
            attributes[name, attribute, ""] = value
            if isinstance(value, type) and value.__module__ == name:
                managed = _relations(value)
                for member, inner in list(vars(value).items()):
                    if member[:2] != "__" and member not in managed:
                        attributes[name, attribute, member] = inner
    environment = {k: v for k, v in os.environ.items() if k not in NOT_OURS}
    return State(attributes, environment, os.getcwd())


def _relations(cls: type) -> set[str]:
    """A model's relations: Tortoise sets them anew on the class each time a database is
    opened, so they are Tortoise's to change."""
    if issubclass(cls, Model) and hasattr(cls, "_meta"):
        return set(cls._meta.fetch_fields)
    return set()


def changed(before: State, after: State) -> list[str]:
    """What `after` has different from `before`, each in a line; modules imported in
    between are not changes."""
    found = []
    old, new = before.attributes, after.attributes
    for place, value in old.items():
        if place not in new:
            found.append(f"{_dotted(place)} was deleted")
        elif new[place] is not value:
            found.append(f"{_dotted(place)} is {_short(new[place])}, was {_short(value)}")
    added = new.keys() - old.keys()
    if added:
        known = {(module, attribute if member else "") for module, attribute, member in old}
        for place in added:
            module, attribute, member = place
            # A submodule imported meanwhile becomes an attribute of its package: no change.
            inside = (module, attribute if member else "") in known
            if inside and not isinstance(new[place], ModuleType):
                found.append(f"{_dotted(place)} was added")
    for variable in sorted(before.environment.keys() | after.environment.keys()):
        if before.environment.get(variable) != after.environment.get(variable):
            found.append(
                f"environment variable {variable} is {after.environment.get(variable)!r}, "
                f"was {before.environment.get(variable)!r}"
            )
    if before.folder != after.folder:
        found.append(f"the working folder is {after.folder}, was {before.folder}")
    return sorted(found)


def _dotted(place: Place) -> str:
    return ".".join(part for part in place if part)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
