"""The data sets bundled with the fixtures: ISO 3166's countries, ParlGov and the MIT Election
Lab's results, read from the repository's data/ folder and checked as one batch with the
curated fixtures, so that `LOAD_FIXTURES=bundled` loads everything in one transaction.

A digest of every input (file contents, and the version of the code that maps them) is kept
in the database (models.Dataset), so a start whose inputs have not changed loads nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

import models
from loader import iso3166, medsl, parlgov
from loader.consistency import unexplained as of_tally
from loader.errors import FixtureError, LoadError
from loader.importing import Collected
from loader.medsl import Curated
from loader.records import CountryRecord, TallyRecord
from loader.validate import Batch, Located, check_batch, fixture_files, read_batch

#: Changed whenever the mapping of the data sets onto records changes, so that a database
#: loaded by an older mapping is loaded again although the files are the same.
MAPPING_VERSION = "2"
#: The name the digest of the bundled inputs is kept under.
BUNDLED = "bundled"


@dataclass(frozen=True)
class DataFolder:
    """The repository's data/ folder: the data sets as published, and our curated files."""

    root: Path

    @property
    def parlgov(self) -> Path:
        return self.root / "parlgov"

    @property
    def medsl(self) -> Path:
        return self.root / "medsl" / "1976-2020-president.csv"

    @property
    def curated(self) -> Curated:
        return Curated.beside(self.root / "us-president")

    @property
    def explanations(self) -> Path:
        return self.root / "explanations.yaml"

    def files(self) -> list[Path]:
        return [
            *parlgov.files(self.parlgov),
            self.medsl,
            *self.curated.files(),
            self.explanations,
        ]


def digest(files: Iterable[Path], root: Path) -> str:
    """SHA-256 of the files' names (relative to `root`) and contents, with the versions of
    the mapping and of pycountry's ISO 3166 lists."""
    sha = hashlib.sha256(f"{MAPPING_VERSION}\0{iso3166.VERSION}\0".encode())
    for path in sorted(files):
        sha.update(str(path.resolve().relative_to(root.resolve())).encode() + b"\0")
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


def bundled_digest(fixtures: Path, data: DataFolder) -> str:
    files = fixture_files([fixtures]) + data.files()
    return digest(files, data.root.parent)


async def stored_digest(name: str = BUNDLED) -> str | None:
    row = await models.Dataset.filter(name=name).first()
    return None if row is None else row.digest


def countries(batch: Batch, stored: Iterable[str] = ()) -> Collected:
    """ISO 3166's countries: those the batch has keep their names and gain ISO's codes;
    those neither the batch nor the database (`stored`) has are added."""
    out = Collected()
    given = {item.record.code: item for item in batch.records("countries")}  # type: ignore[attr-defined]
    skip = set(stored)
    for country in iso3166.countries():
        item = given.pop(country["code"], None)
        if item is not None:
            record = item.record
            assert isinstance(record, CountryRecord)
            merged = {**country, **record.model_dump(exclude_none=True)}
            out.add("countries", merged, item.file, item.line)
        elif country["code"] not in skip:
            out.add("countries", country, "ISO 3166-1 (pycountry)", None)
    for item in given.values():  # codes ISO does not have: kept as given
        out.batch.sections["countries"].append(item)
    return out


def explain(collected: Collected, path: Path, *, others: bool = False) -> None:
    """Attach our explanations (data/explanations.yaml: tally key -> {warning: reason}) to the
    tallies they name. An entry naming no tally of the batch is an error, unless `others` is
    set: an import reads one data set while the file explains the tallies of every data set,
    so there the entries for tallies the import lacks are another data set's, and skipped."""
    try:
        given = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        collected.errors.append(FixtureError(str(path), None, "", f"cannot read: {exc}"))
        return
    if not isinstance(given, dict):
        message = "not a mapping of tally keys to {warning: reason}"
        collected.errors.append(FixtureError(str(path), None, "", message))
        return
    tallies = collected.batch.sections["tallies"]
    index = {item.record.key: i for i, item in enumerate(tallies)}  # type: ignore[attr-defined]
    for key, reasons in given.items():
        if key not in index:
            if not others:
                collected.errors.append(FixtureError(str(path), None, str(key), "no such tally"))
            continue
        if not isinstance(reasons, dict):
            message = "not a mapping of warning codes to reasons"
            collected.errors.append(FixtureError(str(path), None, str(key), message))
            continue
        item = tallies[index[key]]
        record = item.record
        assert isinstance(record, TallyRecord)
        data = record.model_dump(exclude_none=True)
        data["explained_warnings"] = {**(record.explained_warnings or {}), **reasons}
        try:
            updated = TallyRecord.model_validate(data)
        except ValueError as exc:
            collected.errors.append(FixtureError(str(path), None, str(key), str(exc)))
            continue
        tallies[index[key]] = Located(updated, item.file, item.where, item.lines)


def read_data(data: DataFolder) -> Collected:
    """The data sets' records (ParlGov, MEDSL with the curated electoral votes), explained."""
    found = parlgov.read(data.parlgov)
    found.extend(medsl.read(data.medsl, data.curated))
    if not found.errors:
        explain(found, data.explanations)
    return found


async def bundled_batch(fixtures: Path, data: DataFolder) -> Batch:
    """The curated fixtures, ISO 3166's countries and the data sets as one checked batch;
    LoadError (every problem, file:line) if anything is wrong."""
    curated, errors = read_batch([fixtures])
    found = read_data(data)
    iso = countries(curated)
    whole = Collected()
    for name, items in curated.sections.items():
        if name != "countries":
            whole.batch.sections[name] += items
    for name, keys in curated.broken.items():
        whole.batch.broken[name] |= keys
    whole.extend(iso)
    whole.extend(found)
    return await check_batch(whole.batch, errors + whole.errors, prune=False)


async def import_batch(found: Collected) -> Batch:
    """An import's records, with the ISO countries the database lacks, as a checked batch."""
    stored = await models.Country.all().values_list("code", flat=True)
    whole = Collected()
    whole.extend(countries(Batch(), stored=[str(code) for code in stored]))
    whole.extend(found)
    return await check_batch(whole.batch, whole.errors, prune=False)


def unexplained(batch: Batch) -> list[FixtureError]:
    """The warnings of the batch's tallies that no fixture explains, as errors."""
    found = []
    for item in batch.records("tallies"):
        for warning in of_tally(item.record):
            found.append(item.error(f"warning {warning['code']}: {warning['message']}"))
    return found


def refuse_unexplained(batch: Batch) -> None:
    """LoadError listing the batch's unexplained warnings, if it has any."""
    errors = unexplained(batch)
    if errors:
        raise LoadError(errors)
