"""What the importers share: published CSV files read as published, and records collected
into a batch that the loader checks and writes like fixture files.

Each record keeps the file and line it came from, so every error the loader finds in an
imported batch is reported as `file:line: message`, and a batch with any error writes nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from anyascii import anyascii

from loader.errors import FixtureError
from loader.sections import BY_NAME
from loader.validate import Batch, Located, hint

#: The largest file an importer reads (the bundled ones are under 1 MiB each).
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class Row:
    """One record of a CSV file: its values by column, and the line it starts on."""

    values: dict[str, str]
    file: str
    line: int

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def error(self, message: str) -> FixtureError:
        return FixtureError(self.file, self.line, "", message)


class BadInput(Exception):
    """A value of a row that cannot be read; its message says which and why."""

    def __init__(self, row: Row, message: str) -> None:
        super().__init__(message)
        self.error = row.error(message)


def read_csv(path: Path, columns: Sequence[str]) -> Iterator[Row]:
    """The rows of a published CSV file whose header has exactly `columns` (in any order).

    Raises CsvError when the file cannot be read or its header differs, naming each missing
    and unknown column: a file whose columns were renamed would otherwise load its figures
    into the wrong fields.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CsvError(FixtureError(name, None, "", f"larger than {MAX_FILE_BYTES} bytes"))
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise CsvError(FixtureError(name, None, "", f"cannot read file: {exc}")) from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise CsvError(FixtureError(name, 1, "", "empty file: no header row"))
            missing = [c for c in columns if c not in header]
            unknown = [c for c in header if c not in columns]
            if missing or unknown:
                parts = []
                if missing:
                    parts.append("missing column " + ", ".join(f"'{c}'" for c in missing))
                if unknown:
                    parts.append("unknown column " + ", ".join(f"'{c}'" for c in unknown))
                message = "; ".join(parts) + ": the columns are not the published ones"
                raise CsvError(FixtureError(name, 1, "", message))
            start = reader.line_num + 1
            for values in reader:
                if len(values) != len(header):
                    message = f"{len(values)} values for {len(header)} columns"
                    raise CsvError(FixtureError(name, start, "", message))
                yield Row(dict(zip(header, values, strict=True)), name, start)
                start = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CsvError(FixtureError(name, reader.line_num, "", f"not CSV: {exc}")) from exc


class CsvError(Exception):
    """A file that cannot be read as the published CSV."""

    def __init__(self, error: FixtureError) -> None:
        super().__init__(str(error))
        self.error = error


def whole(row: Row, column: str, minimum: int = 0) -> int | None:
    """A column's whole number; None when empty."""
    text = row[column].strip()
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]+", text) or int(text) < minimum:
        raise BadInput(row, f"{column}: {text!r} is not a whole number of at least {minimum}")
    return int(text)


def decimal(row: Row, column: str) -> float | None:
    """A column's decimal number; None when empty."""
    text = row[column].strip()
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        raise BadInput(row, f"{column}: {text!r} is not a number")
    return float(text)


def text(row: Row, column: str) -> str | None:
    """A column's text, spaces trimmed; None when empty."""
    value = " ".join(row[column].split())
    return value or None


def slug(value: str) -> str:
    """Lower-case letters and digits joined by hyphens: the part of a natural key from a name."""
    return re.sub(r"[^a-z0-9]+", "-", anyascii(value).lower()).strip("-")


@dataclass
class Collected:
    """Records made from published rows, by section, each with the row it came from."""

    batch: Batch = field(default_factory=Batch)
    errors: list[FixtureError] = field(default_factory=list)

    def add(self, section: str, data: dict[str, Any], file: str, line: int | None) -> None:
        """Check one record on its own (as a fixture record is) and keep it, or its errors."""
        spec = BY_NAME[section]
        values = {k: v for k, v in data.items() if v is not None}
        try:
            record = spec.record.model_validate(values)
        except pydantic.ValidationError as exc:
            key = values.get(spec.natural_key)
            for problem in exc.errors():
                where = ".".join(str(part) for part in problem["loc"])
                path = f"{section} '{key}'" + (f".{where}" if where else "")
                self.errors.append(FixtureError(file, line, path, hint(problem)))
            if isinstance(key, str):
                self.batch.broken[section].add(key)
            return
        lines: dict[tuple[str | int, ...], int] = {} if line is None else {(): line}
        self.batch.sections[section].append(Located(record, file, (), lines))

    def extend(self, other: Collected) -> None:
        for name, items in other.batch.sections.items():
            self.batch.sections[name] += items
        for name, keys in other.batch.broken.items():
            self.batch.broken[name] |= keys
        self.errors += other.errors
