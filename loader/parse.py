"""Reading fixture files (YAML or JSON) into plain data, with the line of every value."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from loader.errors import FixtureError

PathPart = str | int
DataPath = tuple[PathPart, ...]

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_AMBIGUOUS = "tag:elections,2024:ambiguous-bool"


@dataclass(frozen=True)
class Ambiguous:
    """An unquoted yes/no/on/off: YAML 1.1 reads it as a boolean, a reader often means text."""

    text: str


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses YAML's silent guesses instead of making them.

    Only true/false are booleans; yes/no/on/off become `Ambiguous` so the loader can point
    at them (`country: NO` is Norway, not false). Dates stay strings, so JSON and YAML dates
    are checked by the same code. Duplicate keys are recorded instead of the last one winning.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                # `<<: *anchor` is not a key of its own; local keys override merged ones.
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the constructor below reports it with its line
            name = key.text if isinstance(key, Ambiguous) else key
            if first is not None:
                self.duplicates.append((line, f"duplicate key '{name}' (first at line {first})"))
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _AMBIGUOUS, re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$"), list("yYnNoO")
)
_Loader.add_constructor(_AMBIGUOUS, lambda loader, node: Ambiguous(str(node.value)))


@dataclass
class Document:
    """One parsed file: its data, where each value sits, and what was wrong with it."""

    file: str
    data: Any = None
    lines: dict[DataPath, int] = field(default_factory=dict)
    errors: list[FixtureError] = field(default_factory=list)

    def line(self, path: DataPath) -> int | None:
        return nearest_line(self.lines, path)


def nearest_line(lines: Mapping[DataPath, int], path: DataPath) -> int | None:
    """The line of the nearest enclosing value that has a known line."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def format_path(path: DataPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _index(node: yaml.Node, path: DataPath, lines: dict[DataPath, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _index(value_node, (*path, str(key_node.value)), lines)
            # A field's line is its key's line, even when its value starts below.
            lines[(*path, str(key_node.value))] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def _find_ambiguous(value: Any, path: DataPath) -> list[tuple[DataPath, str]]:
    if isinstance(value, Ambiguous):
        return [(path, value.text)]
    found: list[tuple[DataPath, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, Ambiguous):
                # `on: ...` as a key: YAML 1.1 reads the key itself as a boolean.
                found.append(((*path, key.text), key.text))
                key = key.text
            found += _find_ambiguous(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _find_ambiguous(item, (*path, i))
    return found


def parse_text(text: str, file: str) -> Document:
    """Parse one fixture file's text; syntax problems land in `Document.errors`."""
    doc = Document(file)
    if file.endswith(".json"):
        _parse_json(text, doc)
    else:
        _parse_yaml(text, doc)
    for path, word in _find_ambiguous(doc.data, ()):
        doc.errors.append(
            FixtureError(
                file,
                doc.line(path),
                format_path(path),
                f'unquoted {word} is a boolean in YAML 1.1: write "{word}" for text, '
                "or true/false for a yes/no value",
            )
        )
    return doc


def parse_file(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        doc = Document(str(path))
        doc.errors.append(FixtureError(str(path), None, "", f"cannot read file: {exc}"))
        return doc
    return parse_text(text, str(path))


def _parse_yaml(text: str, doc: Document) -> None:
    try:
        # The reader refuses unprintable characters as soon as it is built.
        loader = _Loader(text)
    except yaml.YAMLError as exc:
        doc.errors.append(_syntax_error(doc.file, text, exc))
        return
    try:
        node = loader.get_single_node()
        if node is not None:
            _index(node, (), doc.lines)
            doc.data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        doc.errors.append(_syntax_error(doc.file, text, exc))
        return
    finally:
        loader.dispose()
    for line, message in loader.duplicates:
        doc.errors.append(FixtureError(doc.file, line, "", message))


def _syntax_error(file: str, text: str, exc: yaml.YAMLError) -> FixtureError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return FixtureError(file, line, "", f"YAML syntax error: {exc.problem or exc}")
    if isinstance(exc, yaml.reader.ReaderError):
        # No mark, only the offset of the character; its first line says what is wrong.
        line = text.count("\n", 0, exc.position) + 1
        return FixtureError(file, line, "", f"YAML syntax error: {str(exc).splitlines()[0]}")
    return FixtureError(file, None, "", f"YAML syntax error: {exc}")


def _duplicate_keys(node: yaml.Node) -> list[tuple[int, str]]:
    """Keys that appear twice in one mapping of a node tree, with the line of the second."""
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in seen:
                found.append((line, f"duplicate key '{key}' (first at line {seen[key]})"))
            else:
                seen[key] = line
            found += _duplicate_keys(value_node)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found += _duplicate_keys(item)
    return found


def _parse_json(text: str, doc: Document) -> None:
    duplicated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        result: dict[str, Any] = {}
        for key, value in items:
            duplicated |= key in result
            result[key] = value
        return result

    try:
        doc.data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        doc.errors.append(FixtureError(doc.file, exc.lineno, "", f"JSON syntax error: {exc.msg}"))
        return
    # JSON is (nearly) a subset of YAML, so YAML's node tree gives the lines of JSON values
    # too. Tabs are the exception: YAML refuses them between tokens, and a valid JSON text
    # has them nowhere else (inside strings they must be escaped), so they become spaces.
    node: yaml.Node | None = None
    with contextlib.suppress(yaml.YAMLError):
        node = yaml.compose(text.replace("\t", " "), Loader=yaml.SafeLoader)
    if node is not None:
        _index(node, (), doc.lines)
    if duplicated:
        found: list[tuple[int | None, str]] = []
        if node is not None:
            found += _duplicate_keys(node)
        for line, message in found or [(None, "duplicate key")]:
            doc.errors.append(FixtureError(doc.file, line, "", message))
