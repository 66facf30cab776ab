"""Dumping the database to fixture files that load back to the same database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from loader.sections import BY_NAME, SECTIONS, Section


async def _rows(section: Section, keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every row of a section (or those of the natural keys given) as a fixture record, in
    natural-key order."""
    nk = section.natural_key
    refs = {name: f"{name}__{BY_NAME[target].natural_key}" for name, target in section.refs.items()}
    wanted = {} if keys is None else {f"{nk}__in": list(keys)}
    rows = (
        await section.model.filter(**wanted)
        .order_by(nk)
        .values(nk, *section.columns, *refs.values())
    )
    links: dict[str, dict[str, list[str]]] = {}
    for name, target in section.links.items():
        pairs = await section.model.filter(**wanted).values_list(
            nk, f"{name}__{BY_NAME[target].natural_key}"
        )
        linked: dict[str, list[str]] = defaultdict(list)
        for owner, key in pairs:
            if key is not None:
                linked[owner].append(key)
        links[name] = linked
    records = []
    for row in rows:
        record: dict[str, Any] = {nk: row[nk]}
        for name in section.columns:
            record[name] = row[name]
        for name, lookup in refs.items():
            record[name] = row[lookup]
        for name, linked in links.items():
            record[name] = sorted(linked.get(row[nk], []))
        records.append(record)
    if section.lines is not None:
        spec = section.lines
        lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        owner = f"{spec.parent}__{nk}"
        owned = {} if keys is None else {f"{owner}__in": list(keys)}
        rows = (
            await spec.model.filter(**owned)
            .order_by(owner, "candidacy__key")
            .values(owner, "candidacy__key", *spec.columns)
        )
        for line in rows:
            values = {c: line[c] for c in spec.columns}
            lines[line[owner]].append({"candidacy": line["candidacy__key"], **values})
        for record in records:
            record["lines"] = lines.get(record[nk], [])
    return records


def _clean(value: Any) -> Any:
    # Leave out what is absent, so the files stay as short as hand-written ones.
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


async def record(section: Section, key: str) -> dict[str, Any] | None:
    """The stored row of one natural key as a fixture record (absent values left out), or
    None if there is none."""
    found = await _rows(section, [key])
    return _clean(found[0]) if found else None


async def dump(folder: Path) -> list[Path]:
    """Write one YAML file per section into `folder`; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, section in enumerate(SECTIONS, 1):
        records = [_clean(record) for record in await _rows(section)]
        path = folder / f"{number:02d}-{section.name}.yaml"
        text = yaml.safe_dump(
            {section.name: records}, allow_unicode=True, sort_keys=False, width=100
        )
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
