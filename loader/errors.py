"""Errors the fixture loader reports.

FixtureError            one problem, located by file, line and record path
LoadError               a batch that was refused: every FixtureError found, nothing written
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class FixtureError:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class LoadError(Exception):
    """A fixture batch was refused; `errors` lists every problem found."""

    def __init__(self, errors: list[FixtureError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.path, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))
