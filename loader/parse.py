"""Reading fixture files (YAML or JSON) into plain data, and the line of any value on demand."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

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


# libyaml's parser, when PyYAML was built with it: the same nodes and marks, many times faster.
# Everything a fixture needs checked (resolvers, constructors) stays in Python either way.
_FastSafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Checks:
    """What our loaders add to PyYAML's safe loader: see `_Loader`."""

    duplicates: list[tuple[int, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                # `<<: *anchor` is not a key of its own; local keys override merged ones.
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
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
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class _Loader(_Checks, yaml.SafeLoader):
    """SafeLoader that refuses YAML's silent guesses instead of making them.

    Only true/false are booleans; yes/no/on/off become `Ambiguous` so the loader can point
    at them (`country: NO` is Norway, not false). Dates stay strings, so JSON and YAML dates
    are checked by the same code. Duplicate keys are recorded instead of the last one winning.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = []
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # PyYAML's composer recurses once per level of lists and mappings, and so fails past
        # Python's limit of a thousand frames: it stops at MAX_YAML_DEPTH instead. Texts too
        # deep for libyaml are refused before they come here (`_nested_too_deeply`); this
        # holds for those libyaml refuses for another reason, which PyYAML may accept.
        if not self.check_event(yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        if self.depth == MAX_YAML_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _too_deep(_line(event.start_mark))
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


#: Aliases may expand a document to ALIAS_GROWTH times the values written in it, plus
#: ALIAS_ALLOWANCE: anchors shared by many records stay well within that, while a few hundred
#: bytes of nested aliases ("billion laughs") describe more values than memory can hold,
#: and everything after the parse walks each of them.
ALIAS_GROWTH = 10
ALIAS_ALLOWANCE = 10_000

#: The most levels of lists and mappings a YAML document may nest. Fixtures nest five at
#: most; what reads the data afterwards (the search for yes/no words, the line index, the
#: records' checks) recurses once per level, which Python stops near a thousand levels, and
#: PyYAML's own composer (the parser of texts libyaml refuses) recurses too.
MAX_YAML_DEPTH = 100


class _Mark(Protocol):
    """Where a YAML event or error is: PyYAML's Mark, or libyaml's."""

    line: int


def _line(mark: _Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


def _too_deep(line: int | None) -> _Refused:
    return _Refused(
        line,
        f"YAML nested too deeply: over the limit of {MAX_YAML_DEPTH} levels; no fixture nests "
        "more than a few",
    )


class _Refused(Exception):
    """A YAML document refused before its data is built: its line, and why."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _first_alias(text: str) -> yaml.AliasEvent | None:
    """The first alias (`*name`) in a YAML text, found by libyaml's parser without building
    anything; None if it has none (or a syntax error comes first, reported by the parse)."""
    try:
        for event in yaml.parse(text, Loader=_FastSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event
    except yaml.YAMLError:
        return None
    return None


def _nested_too_deeply(text: str) -> _Refused | None:
    """The refusal of a YAML text that nests past MAX_YAML_DEPTH before libyaml's parser
    stops at an error in it, found from that parser's events (in C, building nothing);
    None if it does not. libyaml itself refuses a thousand levels, often before it sends
    the event of the hundred-and-first: that line, then, is its error's, which is the same
    (its scanner reads ahead only within a line)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return _too_deep(_line(event.start_mark))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        if error.problem == "exceeded maximum nesting depth":
            return _too_deep(_line(error.problem_mark))
    except yaml.YAMLError:
        pass
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_tree(root: yaml.Node) -> None:
    """Refuses a node tree whose aliases make it a cycle, or expand it past ALIAS_GROWTH
    times its nodes plus ALIAS_ALLOWANCE, or that nests past MAX_YAML_DEPTH (through its
    aliases too); each node is visited once, so this costs what the text does, whatever the
    aliases describe."""
    sizes: dict[int, int] = {}  # id of a node -> the values it expands to
    heights: dict[int, int] = {}  # id of a node -> the levels of collections it holds
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # not recursive: the depth is known only once the walk is done
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            below = max((heights[id(child)] for child in children), default=0)
            heights[key] = below + isinstance(node, yaml.CollectionNode)
            on_path.discard(key)
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            child_key = id(child)
            if child_key in on_path:
                raise _Refused(
                    child.start_mark.line + 1,
                    "a YAML alias makes this value hold itself; fixtures are trees",
                )
            if child_key in sizes:
                continue
            if isinstance(child, yaml.ScalarNode):
                # Most nodes: measured here rather than pushed, visited and popped again.
                sizes[child_key], heights[child_key] = 1, 0
            else:
                stack.append((child, False))
    written, expanded = len(sizes), sizes[id(root)]
    limit = ALIAS_GROWTH * written + ALIAS_ALLOWANCE
    if expanded > limit:
        raise _Refused(
            None,
            f"YAML aliases expand this document to {expanded:,} values from the {written:,} "
            f"written, over the limit of {limit:,} ({ALIAS_GROWTH} times those written, "
            f"plus {ALIAS_ALLOWANCE:,}): write repeated values out, or repeat them less",
        )
    if heights[id(root)] > MAX_YAML_DEPTH:
        raise _too_deep(_line(_first_too_deep(root, heights).start_mark))


def _first_too_deep(root: yaml.Node, heights: dict[int, int]) -> yaml.Node:
    """The first collection, in the text's order, one level past MAX_YAML_DEPTH: down from
    the root, each step to the first child that holds enough levels below it."""
    node = root
    for level in range(1, MAX_YAML_DEPTH + 1):
        needed = MAX_YAML_DEPTH + 1 - level
        node = next(child for child in _children(node) if heights[id(child)] >= needed)
    return node


class _FastLoader(_Checks, _FastSafeLoader):  # type: ignore[valid-type, misc]
    """`_Loader` over libyaml's parser: the one used, unless a file has a syntax error, which
    `_Loader` then reports in its own words."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = []


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
_FastLoader.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_FastLoader.add_constructor(_AMBIGUOUS, lambda loader, node: Ambiguous(str(node.value)))


def _as_yaml(json_text: str) -> str:
    """A JSON text that YAML reads to the same nodes on the same lines.

    JSON is (nearly) a subset of YAML, so YAML's node tree gives the lines of JSON values
    too. Tabs are the exception: YAML refuses them between tokens, and a valid JSON text has
    them nowhere else (inside strings they must be escaped), so they become spaces.
    """
    return json_text.replace("\t", " ")


def _compose(text: str) -> yaml.Node | None:
    """The node tree of a text, with the mark of every node; None if it does not parse."""
    for loader in (_FastSafeLoader, yaml.SafeLoader):
        with contextlib.suppress(yaml.YAMLError):
            return yaml.compose(text, Loader=loader)
    return None


class LineIndex(Mapping[DataPath, int]):
    """The line of every value of a file, worked out the first time one is asked for.

    Only error messages need lines, so the files of a load that goes through are never
    indexed: composing a node tree with marks costs many times what parsing the data does.
    """

    def __init__(self, text: str, is_json: bool = False) -> None:
        self._text: str | None = text
        self._is_json = is_json
        self._lines: dict[DataPath, int] = {}

    def _index(self) -> dict[DataPath, int]:
        if self._text is not None:
            node = _compose(_as_yaml(self._text) if self._is_json else self._text)
            if node is not None:
                _index(node, (), self._lines)
            self._text = None
        return self._lines

    def __getitem__(self, path: DataPath) -> int:
        return self._index()[path]

    def __iter__(self) -> Iterator[DataPath]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())


@dataclass
class Document:
    """One parsed file: its data, where each value sits, and what was wrong with it."""

    file: str
    data: Any = None
    lines: Mapping[DataPath, int] = field(default_factory=dict)
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


def parse_text(text: str, file: str, aliases: bool = False) -> Document:
    """Parse one fixture file's text; syntax problems land in `Document.errors`. YAML aliases
    are refused unless `aliases` allows them (files read by `parse_file` do): the text of an
    API request has no use for them, and an alias is how a short text describes a huge one."""
    doc = Document(file)
    if file.endswith(".json"):
        _parse_json(text, doc)
        return doc  # JSON has no unquoted words to mistake for booleans
    _parse_yaml(text, doc, aliases)
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
    return parse_text(text, str(path), aliases=True)


def _construct(
    loader_class: type[_Loader] | type[_FastLoader], text: str
) -> tuple[Any, list[tuple[int, str]]]:
    """A YAML text's data and its duplicate keys, or the YAMLError that stopped it."""
    # The reader refuses unprintable characters as soon as it is built.
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_tree(node)  # before the data is built and walked
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    return data, loader.duplicates


def _construct_either(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """`_construct` by libyaml's parser, else by PyYAML's; raises `_Refused`, or the
    YAMLError of PyYAML's parser."""
    try:
        return _construct(_FastLoader, text)
    except yaml.YAMLError:
        # Too deep for libyaml, or too deep before its error: refused without PyYAML's parser,
        # whose scanner's work grows with the depth as well as the length.
        if (refused := _nested_too_deeply(text)) is not None:
            raise refused from None
        # Parsed again by PyYAML's own parser, which words the error as users and tests know
        # it (and has the last word on the rare text the two parsers disagree about).
        return _construct(_Loader, text)


def _parse_yaml(text: str, doc: Document, aliases: bool) -> None:
    if not aliases and (alias := _first_alias(text)) is not None:
        doc.errors.append(
            FixtureError(
                doc.file,
                alias.start_mark.line + 1 if alias.start_mark else None,
                "",
                f"YAML alias *{alias.anchor}: aliases are not accepted in content sent to the "
                "API; write the value out where it is repeated",
            )
        )
        return
    try:
        data, duplicates = _construct_either(text)
    except _Refused as refused:
        doc.errors.append(FixtureError(doc.file, refused.line, "", refused.message))
        return
    except yaml.YAMLError as exc:
        doc.errors.append(_syntax_error(doc.file, text, exc))
        return
    doc.data = data
    doc.lines = LineIndex(text)
    for line, message in duplicates:
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
    except RecursionError:
        # The parser recurses once per level of arrays and objects.
        message = "JSON nested too deeply: no fixture nests a thousand levels"
        doc.errors.append(FixtureError(doc.file, None, "", message))
        return
    except ValueError:
        # Python converts integers of up to sys.get_int_max_str_digits() digits only.
        digits = sys.get_int_max_str_digits()
        message = f"JSON syntax error: a number of more than {digits:,} digits"
        doc.errors.append(FixtureError(doc.file, None, "", message))
        return
    doc.lines = LineIndex(text, is_json=True)
    if duplicated:
        found: list[tuple[int | None, str]] = []
        node = _compose(_as_yaml(text))
        if node is not None:
            found += _duplicate_keys(node)
        for line, message in found or [(None, "duplicate key")]:
            doc.errors.append(FixtureError(doc.file, line, "", message))
