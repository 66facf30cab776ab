"""Checking a whole batch of fixture files before anything is written."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

import models
from loader.errors import FixtureError, LoadError
from loader.parse import DataPath, Document, format_path, parse_file
from loader.records import CandidacyRecord, EndorsementRecord, Record, TallyRecord
from loader.sections import BY_NAME, SECTIONS, Section

# SQLite allows 999 bound parameters per statement in older builds; stay below it.
CHUNK = 500


@dataclass(frozen=True)
class Located:
    """A validated record and where it came from."""

    record: Record
    file: str
    line: int | None
    path: str

    def error(self, message: str, field_name: str = "") -> FixtureError:
        path = f"{self.path}.{field_name}" if field_name else self.path
        return FixtureError(self.file, self.line, path, message)


@dataclass
class Batch:
    """Every record of a set of fixture files, by section, in file order."""

    sections: dict[str, list[Located]] = field(default_factory=lambda: defaultdict(list))
    _keys: dict[str, set[str]] = field(default_factory=dict)

    def records(self, section: str) -> list[Located]:
        return self.sections.get(section, [])

    def keys(self, section: str) -> set[str]:
        # Asked for once per reference: computed once, after the batch is read.
        if section not in self._keys:
            natural_key = BY_NAME[section].natural_key
            self._keys[section] = {getattr(item.record, natural_key) for item in self.records(section)}
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


def _hint(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] in ("string_type", "int_type", "bool_type", "float_type", "date_type"):
        got = error.get("input")
        message += f", got {type(got).__name__} {got!r}"
        if error["type"] == "string_type" and isinstance(got, bool | int | float):
            message += " (an unquoted value in YAML is read as a number or boolean: quote it)"
    return message


def _records(doc: Document) -> tuple[list[tuple[str, Located]], list[FixtureError]]:
    found: list[tuple[str, Located]] = []
    errors: list[FixtureError] = []
    if doc.data is None:
        return found, errors
    if not isinstance(doc.data, dict):
        errors.append(FixtureError(doc.file, 1, "", "a fixture file is a mapping of sections"))
        return found, errors
    for name, items in doc.data.items():
        if name not in BY_NAME:
            known = ", ".join(BY_NAME)
            errors.append(FixtureError(doc.file, doc.line((str(name),)), str(name), f"unknown section (known: {known})"))
            continue
        if not isinstance(items, list):
            errors.append(FixtureError(doc.file, doc.line((name,)), name, "a section is a list of records"))
            continue
        record_type = BY_NAME[name].record
        for i, item in enumerate(items):
            path: DataPath = (name, i)
            if not isinstance(item, dict):
                errors.append(FixtureError(doc.file, doc.line(path), format_path(path), "a record is a mapping"))
                continue
            try:
                record = record_type.model_validate(item)
            except pydantic.ValidationError as exc:
                for problem in exc.errors():
                    where = (*path, *problem["loc"])
                    errors.append(FixtureError(doc.file, doc.line(where), format_path(where), _hint(problem)))
                continue
            found.append((name, Located(record, doc.file, doc.line(path), format_path(path))))
    return found, errors


def read_batch(paths: Sequence[Path]) -> tuple[Batch, list[FixtureError]]:
    """Parse and check each record on its own; cross-record checks come after."""
    batch = Batch()
    errors: list[FixtureError] = []
    files = fixture_files(paths)
    if not files:
        errors.append(FixtureError(", ".join(map(str, paths)) or "-", None, "", "no fixture files found"))
    for path in files:
        if not path.exists():
            errors.append(FixtureError(str(path), None, "", "no such file"))
            continue
        doc = parse_file(path)
        errors += doc.errors
        if doc.errors:
            continue
        found, problems = _records(doc)
        errors += problems
        for name, located in found:
            batch.sections[name].append(located)
    return batch, errors


@dataclass
class _Stored:
    """What the database already holds that the batch refers to but does not contain."""

    keys: dict[str, set[str]] = field(default_factory=dict)
    candidacy_election: dict[str, str] = field(default_factory=dict)
    election_date: dict[str, dt.date] = field(default_factory=dict)
    # (election key, round) -> keys of stored preferred tallies
    preferred: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))


async def _stored_keys(section: Section, keys: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        lookup = {f"{section.natural_key}__in": chunk}
        found.update(await section.model.filter(**lookup).values_list(section.natural_key, flat=True))
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
            if isinstance(item.record, TallyRecord):
                wanted["candidacies"].update(line.candidacy for line in item.record.lines)
    return {name: keys - batch.keys(name) for name, keys in wanted.items() if keys - batch.keys(name)}


async def _load_stored(batch: Batch) -> _Stored:
    stored = _Stored()
    for name, keys in _wanted(batch).items():
        stored.keys[name] = await _stored_keys(BY_NAME[name], keys)
    candidacies = sorted(stored.keys.get("candidacies", set()))
    for start in range(0, len(candidacies), CHUNK):
        rows = await models.Candidacy.filter(key__in=candidacies[start : start + CHUNK]).values_list(
            "key", "election__key"
        )
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
    for key, election, round_ in await models.Tally.filter(
        preferred=True, election__key__in=sorted(touched)
    ).values_list("key", "election__key", "round"):
        if key not in batch_tallies:
            stored.preferred[(election, round_)].add(key)
    return stored


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
        return key in batch.keys(target) or key in stored.keys.get(target, set())

    for section in SECTIONS:
        for item in batch.records(section.name):
            for name, target in section.refs.items():
                value = getattr(item.record, name)
                if value is not None and not known(target, value):
                    errors.append(item.error(f"unknown {target} '{value}'", name))
            for name, target in section.links.items():
                for i, value in enumerate(getattr(item.record, name)):
                    if not known(target, value):
                        errors.append(item.error(f"unknown {target} '{value}'", f"{name}[{i}]"))
            if isinstance(item.record, TallyRecord):
                for i, line in enumerate(item.record.lines):
                    if not known("candidacies", line.candidacy):
                        errors.append(
                            item.error(f"unknown candidacies '{line.candidacy}'", f"lines[{i}].candidacy")
                        )
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

    preferred: dict[tuple[str, int], list[str]] = defaultdict(list)
    for (election, round_), keys in stored.preferred.items():
        preferred[(election, round_)] += sorted(keys)
    for item in batch.records("tallies"):
        tally = item.record
        assert isinstance(tally, TallyRecord)
        for i, line in enumerate(tally.lines):
            election = candidacy_election.get(line.candidacy)
            if election is not None and election != tally.election:
                errors.append(
                    item.error(
                        f"candidacy '{line.candidacy}' belongs to election '{election}', "
                        f"not '{tally.election}'",
                        f"lines[{i}].candidacy",
                    )
                )
        date = election_date.get(tally.election)
        if date is not None and tally.as_of < date:
            errors.append(item.error(f"as_of {tally.as_of} is before the polling date {date}", "as_of"))
        if tally.preferred:
            others = preferred[(tally.election, tally.round)]
            if others:
                errors.append(
                    item.error(
                        f"election '{tally.election}' round {tally.round} already has a preferred "
                        f"tally '{others[0]}'",
                        "preferred",
                    )
                )
            others.append(tally.key)

    for item in batch.records("endorsements"):
        endorsement = item.record
        assert isinstance(endorsement, EndorsementRecord)
        election = candidacy_election.get(endorsement.candidacy)
        date = election_date.get(election) if election else None
        if endorsement.date is None or date is None:
            continue
        if endorsement.kind == "congratulation" and endorsement.date < date:
            errors.append(item.error(f"a congratulation dated {endorsement.date} precedes the vote on {date}", "date"))
        if endorsement.kind == "endorsement" and endorsement.date > date:
            errors.append(item.error(f"an endorsement dated {endorsement.date} follows the vote on {date}", "date"))

    for item in batch.records("candidacies"):
        candidacy = item.record
        assert isinstance(candidacy, CandidacyRecord)
        born = birth.get(candidacy.person) if candidacy.person else None
        date = election_date.get(candidacy.election)
        if born is not None and date is not None and born >= date:
            errors.append(item.error(f"person '{candidacy.person}' was born after the vote on {date}", "person"))
    return errors


async def check(paths: Sequence[Path], prune: bool = False) -> Batch:
    """Read and check a batch; raise LoadError listing every problem, or return the batch.

    With `prune` the files must stand alone: rows they do not contain will be deleted, so
    references to stored rows outside the batch are errors too.
    """
    batch, errors = read_batch(paths)
    errors += _check_unique(batch)
    stored = _Stored() if prune else await _load_stored(batch)
    errors += _check_references(batch, stored)
    errors += _check_consistency(batch, stored)
    if errors:
        raise LoadError(errors)
    return batch
