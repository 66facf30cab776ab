"""Checking a whole batch of fixture files before anything is written."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

import models
from loader.errors import FixtureError, LoadError
from loader.hints import fields_at, unknown, unknown_field
from loader.parse import (
    Ambiguous,
    DataPath,
    Document,
    PathPart,
    format_path,
    nearest_line,
    parse_file,
)
from loader.records import CandidacyRecord, EndorsementRecord, Record, TallyRecord
from loader.sections import BY_NAME, SECTIONS, Section

# SQLite allows 999 bound parameters per statement in older builds; stay below it.
CHUNK = 500


@dataclass(frozen=True)
class Located:
    """A validated record and where it came from."""

    record: Record
    file: str
    # Where the record sits in its file, and the lines of its file's values, so an error
    # about one field points at that field's line.
    where: DataPath = ()
    lines: Mapping[DataPath, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def line(self) -> int | None:
        # Looked up only for an error message: lines are worked out when first asked for.
        return nearest_line(self.lines, self.where)

    @property
    def path(self) -> str:
        return format_path(self.where)

    def error(self, message: str, *field_path: PathPart) -> FixtureError:
        """An error about this record, or about the field at `field_path` inside it."""
        if not field_path:
            return FixtureError(self.file, self.line, self.path, message)
        where = (*self.where, *field_path)
        line = nearest_line(self.lines, where) or self.line
        return FixtureError(self.file, line, format_path(where), message)


@dataclass
class Batch:
    """Every record of a set of fixture files, by section, in file order."""

    sections: dict[str, list[Located]] = field(default_factory=lambda: defaultdict(list))
    # Natural keys of records that failed their own checks: already reported, so references
    # to them are not reported again as unknown.
    broken: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _keys: dict[str, set[str]] = field(default_factory=dict)

    def records(self, section: str) -> list[Located]:
        return self.sections.get(section, [])

    def keys(self, section: str) -> set[str]:
        # Asked for once per reference: computed once, after the batch is read.
        if section not in self._keys:
            natural_key = BY_NAME[section].natural_key
            records = self.records(section)
            self._keys[section] = {getattr(item.record, natural_key) for item in records}
        return self._keys[section]

    def __len__(self) -> int:
        return sum(len(items) for items in self.sections.values())


def fixture_files(paths: Iterable[Path]) -> list[Path]:
    """The fixture files named, with folders expanded to their .yaml/.yml/.json files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
            )
        else:
            files.append(path)
    return files


def hint(error: Any) -> str:
    if error["type"] == "value_error":
        # A rule of the record's own: its message without pydantic's "Value error, ".
        return str(error["ctx"]["error"])
    message = str(error["msg"])
    if error["type"] in ("string_type", "int_type", "bool_type", "float_type", "date_type"):
        got = error.get("input")
        message += f", got {type(got).__name__} {got!r}"
        if error["type"] == "string_type" and isinstance(got, bool | int | float):
            message += " (an unquoted value in YAML is read as a number or boolean: quote it)"
    return message


def _ambiguous(record: dict[Any, Any], location: tuple[Any, ...]) -> bool:
    """Whether `location` in `record` is, or goes through, an unquoted yes/no/on/off."""
    value: Any = record
    for part in location:
        if isinstance(part, Ambiguous) or isinstance(value, Ambiguous):
            return True
        if isinstance(value, dict):
            if any(isinstance(key, Ambiguous) and key.text == part for key in value):
                return True
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return False
    return isinstance(value, Ambiguous)


def _records(doc: Document, batch: Batch) -> list[FixtureError]:
    """Check each record of a parsed file on its own; add the good ones to `batch`."""
    errors: list[FixtureError] = []

    def error(path: DataPath, message: str) -> None:
        errors.append(FixtureError(doc.file, doc.line(path), format_path(path), message))

    if doc.data is None:
        return errors
    if not isinstance(doc.data, dict):
        errors.append(FixtureError(doc.file, 1, "", "a fixture file is a mapping of sections"))
        return errors
    for name, items in doc.data.items():
        if isinstance(name, Ambiguous):
            continue  # reported by the parser
        if name not in BY_NAME:
            error((str(name),), f"unknown section (known: {', '.join(BY_NAME)})")
            continue
        if not isinstance(items, list):
            error((name,), "a section is a list of records")
            continue
        section = BY_NAME[name]
        for i, item in enumerate(items):
            path: DataPath = (name, i)
            if not isinstance(item, dict):
                error(path, "a record is a mapping")
                continue
            try:
                record = section.record.model_validate(item)
            except pydantic.ValidationError as exc:
                for problem in exc.errors():
                    location = problem["loc"]
                    if _ambiguous(item, location):
                        continue  # an unquoted yes/no/on/off: reported by the parser
                    if problem["type"] == "extra_forbidden":
                        known = fields_at(section.record, location[:-1])
                        error((*path, *location), unknown_field(str(location[-1]), known))
                    else:
                        error((*path, *location), hint(problem))
                if isinstance(key := item.get(section.natural_key), str):
                    batch.broken[name].add(key)
                continue
            located = Located(record, doc.file, path, doc.lines)
            batch.sections[name].append(located)
    return errors


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch is read, checked and written.

    A batch is millions of dicts, lists and records that live until it is written; every
    few hundred allocations the collector would scan them again for cycles they do not have
    (plain data). That took a third of a load's time. Reference counting still frees what
    is dropped, and the collector runs again when the block ends (nested blocks leave it as
    they found it).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_batch(paths: Sequence[Path]) -> tuple[Batch, list[FixtureError]]:
    """Parse and check each record on its own; cross-record checks come after."""
    with collector_paused():
        return _read_batch(paths)


def _read_batch(paths: Sequence[Path]) -> tuple[Batch, list[FixtureError]]:
    batch = Batch()
    errors: list[FixtureError] = []
    files = fixture_files(paths)
    if not files:
        named = ", ".join(map(str, paths)) or "-"
        errors.append(FixtureError(named, None, "", "no fixture files found"))
    for path in files:
        if not path.exists():
            errors.append(FixtureError(str(path), None, "", "no such file"))
            continue
        doc = parse_file(path)
        errors += doc.errors
        if doc.data is None:
            continue  # not read at all (a syntax error): nothing more to check
        # Read despite its errors (an unquoted NO, a duplicate key): its records are checked
        # too, so that one load reports them all; the errors refuse the batch either way.
        errors += _records(doc, batch)
    return batch, errors


@dataclass
class _Stored:
    """What the database already holds that the batch refers to but does not contain."""

    keys: dict[str, set[str]] = field(default_factory=dict)
    candidacy_election: dict[str, str] = field(default_factory=dict)
    election_date: dict[str, dt.date] = field(default_factory=dict)
    case_election: dict[str, str] = field(default_factory=dict)
    # (election key, round, area key) -> keys of stored preferred tallies
    preferred: dict[tuple[str, int, str | None], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # (section, field) -> key -> key it refers to, for references within one section
    self_refs: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)


async def _stored_keys(section: Section, keys: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        lookup = {f"{section.natural_key}__in": chunk}
        rows = await section.model.filter(**lookup).values_list(section.natural_key, flat=True)
        found.update(str(key) for key in rows)
    return found


def _wanted(batch: Batch) -> dict[str, set[str]]:
    """Keys each section is referred to by, that the batch itself lacks."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for section in SECTIONS:
        for item in batch.records(section.name):
            for name, target in section.refs.items():
                if (value := getattr(item.record, name)) is not None:
                    wanted[target].add(value)
            for name, target in section.links.items():
                wanted[target].update(getattr(item.record, name))
            if section.lines is not None:
                wanted["candidacies"].update(line.candidacy for line in item.record.lines)  # type: ignore[attr-defined]
    missing = {name: keys - batch.keys(name) - batch.broken[name] for name, keys in wanted.items()}
    return {name: keys for name, keys in missing.items() if keys}


async def _load_stored(batch: Batch) -> _Stored:
    stored = _Stored()
    for name, keys in _wanted(batch).items():
        stored.keys[name] = await _stored_keys(BY_NAME[name], keys)
    cases = sorted(stored.keys.get("legal_cases", set()))
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        rows = await models.LegalCase.filter(key__in=chunk).values_list("key", "election__key")
        stored.case_election.update(dict(rows))
    candidacies = sorted(stored.keys.get("candidacies", set()))
    for start in range(0, len(candidacies), CHUNK):
        chunk = candidacies[start : start + CHUNK]
        rows = await models.Candidacy.filter(key__in=chunk).values_list("key", "election__key")
        stored.candidacy_election.update(dict(rows))
    elections = sorted(
        (stored.keys.get("elections", set()) | set(stored.candidacy_election.values()))
        - batch.keys("elections")
    )
    for start in range(0, len(elections), CHUNK):
        chunk = elections[start : start + CHUNK]
        stored.election_date.update(
            dict(await models.Election.filter(key__in=chunk).values_list("key", "date"))
        )
    touched = {item.record.election for item in batch.records("tallies")}  # type: ignore[attr-defined]
    batch_tallies = batch.keys("tallies")
    for key, election, round_, area in await models.Tally.filter(
        preferred=True, election__key__in=sorted(touched)
    ).values_list("key", "election__key", "round", "area__key"):
        if key not in batch_tallies:
            stored.preferred[(election, round_, area)].add(key)
    for section in SECTIONS:
        for name in _self_refs(section):
            # Only a record that refers to another can close a loop through stored rows.
            if any(getattr(item.record, name) for item in batch.records(section.name)):
                nk = section.natural_key
                query = section.model.filter(**{f"{name}_id__isnull": False})
                rows = await query.values_list(nk, f"{name}__{nk}")
                stored.self_refs[(section.name, name)] = {str(k): str(v) for k, v in rows}
    return stored


def _self_refs(section: Section) -> list[str]:
    """Fields of a section's records that name another record of the same section."""
    return [name for name, target in section.refs.items() if target == section.name]


def _check_loops(batch: Batch, stored: _Stored) -> list[FixtureError]:
    """A chain of references within one section (parents, appeals) must not come back."""
    errors: list[FixtureError] = []
    for section in SECTIONS:
        nk = section.natural_key
        items = batch.records(section.name)
        for name in _self_refs(section):
            step = dict(stored.self_refs.get((section.name, name), {}))
            for item in items:
                key, value = getattr(item.record, nk), getattr(item.record, name)
                step.pop(key, None)
                if value is not None:
                    step[key] = value
            for item in items:
                start = getattr(item.record, nk)
                chain = [start]
                current = step.get(start)
                while current is not None and current not in chain:
                    chain.append(current)
                    current = step.get(current)
                if current == start:
                    loop = " -> ".join([*chain, start])
                    errors.append(item.error(f"{name} makes a loop: {loop}", name))
    return errors


def _check_unique(batch: Batch) -> list[FixtureError]:
    errors: list[FixtureError] = []
    for section in SECTIONS:
        first: dict[str, Located] = {}
        for item in batch.records(section.name):
            key = getattr(item.record, section.natural_key)
            if key in first:
                other = first[key]
                errors.append(
                    item.error(
                        f"duplicate {section.natural_key} '{key}' "
                        f"(also at {other.file}:{other.line} {other.path})",
                        section.natural_key,
                    )
                )
            else:
                first[key] = item
    return errors


def _check_references(batch: Batch, stored: _Stored) -> list[FixtureError]:
    errors: list[FixtureError] = []

    def known(target: str, key: str) -> bool:
        return (
            key in batch.keys(target)
            or key in batch.broken[target]
            or key in stored.keys.get(target, set())
        )

    for section in SECTIONS:
        for item in batch.records(section.name):
            for name, target in section.refs.items():
                value = getattr(item.record, name)
                if value is not None and not known(target, value):
                    errors.append(item.error(unknown(target, [value]), name))
            for name, target in section.links.items():
                for i, value in enumerate(getattr(item.record, name)):
                    if not known(target, value):
                        errors.append(item.error(unknown(target, [value]), name, i))
            if section.lines is not None:
                for i, line in enumerate(item.record.lines):  # type: ignore[attr-defined]
                    if not known("candidacies", line.candidacy):
                        message = unknown("candidacies", [line.candidacy])
                        errors.append(item.error(message, "lines", i, "candidacy"))
    return errors


def _check_consistency(batch: Batch, stored: _Stored) -> list[FixtureError]:
    """Rules that span records: lines and endorsements must fit their election."""
    errors: list[FixtureError] = []
    candidacy_election = dict(stored.candidacy_election)
    election_date = dict(stored.election_date)
    for item in batch.records("candidacies"):
        assert isinstance(item.record, CandidacyRecord)
        candidacy_election[item.record.key] = item.record.election
    for item in batch.records("elections"):
        election_date[item.record.key] = item.record.date  # type: ignore[attr-defined]
    birth = {
        item.record.key: item.record.birth_date  # type: ignore[attr-defined]
        for item in batch.records("people")
    }

    preferred: dict[tuple[str, int, str | None], list[str]] = defaultdict(list)
    for pair, keys in stored.preferred.items():
        preferred[pair] += sorted(keys)
    for section in SECTIONS:
        if section.lines is None:
            continue
        for item in batch.records(section.name):
            holder: Any = item.record
            for i, line in enumerate(holder.lines):
                other = candidacy_election.get(line.candidacy)
                if other is not None and other != holder.election:
                    message = (
                        f"candidacy '{line.candidacy}' belongs to election '{other}', "
                        f"not '{holder.election}'"
                    )
                    errors.append(item.error(message, "lines", i, "candidacy"))
    case_election = dict(stored.case_election)
    case_election.update({i.record.key: i.record.election for i in batch.records("legal_cases")})  # type: ignore[attr-defined]
    for item in batch.records("legal_cases"):
        case: Any = item.record
        other = case_election.get(case.appeal_of) if case.appeal_of else None
        if other is not None and other != case.election:
            message = f"appeals '{case.appeal_of}' of election '{other}', not '{case.election}'"
            errors.append(item.error(message, "appeal_of"))
    for item in batch.records("tallies"):
        tally = item.record
        assert isinstance(tally, TallyRecord)
        date = election_date.get(tally.election)
        if date is not None and tally.as_of is not None and tally.as_of < date:
            message = f"as_of {tally.as_of} is before the polling date {date}"
            errors.append(item.error(message, "as_of"))
        if tally.preferred:
            others = preferred[(tally.election, tally.round, tally.area)]
            if others:
                where = f" area '{tally.area}'" if tally.area else ""
                errors.append(
                    item.error(
                        f"election '{tally.election}' round {tally.round}{where} already has a "
                        f"preferred tally '{others[0]}'",
                        "preferred",
                    )
                )
            others.append(tally.key)

    for item in batch.records("endorsements"):
        endorsement = item.record
        assert isinstance(endorsement, EndorsementRecord)
        voted = candidacy_election.get(endorsement.candidacy)
        date = election_date.get(voted) if voted else None
        if endorsement.date is None or date is None:
            continue
        if endorsement.kind == "congratulation" and endorsement.date < date:
            message = f"a congratulation dated {endorsement.date} precedes the vote on {date}"
            errors.append(item.error(message, "date"))
        if endorsement.kind == "endorsement" and endorsement.date > date:
            message = f"an endorsement dated {endorsement.date} follows the vote on {date}"
            errors.append(item.error(message, "date"))

    for item in batch.records("candidacies"):
        candidacy = item.record
        assert isinstance(candidacy, CandidacyRecord)
        allied = candidacy_election.get(candidacy.alliance) if candidacy.alliance else None
        if allied is not None and allied != candidacy.election:
            message = (
                f"alliance '{candidacy.alliance}' belongs to election '{allied}', "
                f"not '{candidacy.election}'"
            )
            errors.append(item.error(message, "alliance"))
        born = birth.get(candidacy.person) if candidacy.person else None
        date = election_date.get(candidacy.election)
        if born is not None and date is not None and born >= date:
            message = f"person '{candidacy.person}' was born after the vote on {date}"
            errors.append(item.error(message, "person"))
    return errors


async def check(paths: Sequence[Path], prune: bool = False) -> Batch:
    """Read and check a batch; raise LoadError listing every problem, or return the batch.

    With `prune` the files must stand alone: rows they do not contain will be deleted, so
    references to stored rows outside the batch are errors too.
    """
    batch, errors = read_batch(paths)
    return await check_batch(batch, errors, prune)


async def check_documents(docs: Sequence[Document], prune: bool = False) -> Batch:
    """`check` for fixture data already in memory (parsed with `parse_text`, or records
    built by the API): the same rules, the same errors, located by each document's name."""
    batch = Batch()
    errors: list[FixtureError] = []
    for doc in docs:
        errors += doc.errors
        if not doc.errors:
            errors += _records(doc, batch)
    return await check_batch(batch, errors, prune)


async def check_batch(batch: Batch, errors: list[FixtureError], prune: bool) -> Batch:
    errors += _check_unique(batch)
    stored = _Stored() if prune else await _load_stored(batch)
    errors += _check_references(batch, stored)
    errors += _check_consistency(batch, stored)
    errors += _check_loops(batch, stored)
    if errors:
        raise LoadError(errors)
    return batch
