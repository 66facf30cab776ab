"""Writing a checked batch in one transaction: upsert by natural key, prune only when asked."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from loader.sections import BY_NAME, SECTIONS, Lines, Section
from loader.validate import CHUNK, Batch

Progress = Callable[[str, int, int], None]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class Report:
    """What a load did, per section."""

    sections: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated + c.deleted for c in self.sections.values())

    def __str__(self) -> str:
        lines = []
        for name, c in self.sections.items():
            lines.append(
                f"{name}: {c.created} created, {c.updated} updated, "
                f"{c.unchanged} unchanged, {c.deleted} deleted"
            )
        return "\n".join(lines)


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _placeholders(conn: BaseDBAsyncClient, count: int) -> str:
    if conn.capabilities.dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" for _ in range(count))


class _Writer:
    def __init__(self, conn: BaseDBAsyncClient, batch: Batch, progress: Progress | None) -> None:
        self.conn = conn
        self.batch = batch
        self.progress = progress
        self.report = Report()
        # section -> natural key -> id, for every key written or referred to
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)
        # section -> ids of rows created or updated by this load, each counted once
        self.changed: dict[str, set[int]] = defaultdict(set)
        self.now = dt.datetime.now(dt.UTC)

    async def ids_for(self, section: Section, keys: Iterable[str]) -> dict[str, int]:
        known = self.ids[section.name]
        missing = sorted(set(keys) - known.keys())
        for chunk in _chunks(missing):
            lookup = {f"{section.natural_key}__in": chunk}
            rows = (
                await section.model.filter(**lookup)
                .using_db(self.conn)
                .values_list(section.natural_key, "id")
            )
            known.update(dict(rows))
        return known

    async def write(self) -> None:
        for section in SECTIONS:
            items = self.batch.records(section.name)
            if not items:
                continue
            await self.upsert(section)
            if section.lines is not None:
                await self.write_lines(section, section.lines)
            for name, target in section.links.items():
                await self.write_links(section, name, BY_NAME[target])

    def desired(self, section: Section, record: Any, deferred: bool) -> dict[str, Any]:
        values = {} if deferred else {name: getattr(record, name) for name in section.columns}
        if section.search and not deferred:
            values["search_name"] = section.search_name(lambda name: getattr(record, name))
        for name, target in section.refs.items():
            # A reference to the same section waits until all of its rows exist.
            if (target == section.name) != deferred:
                continue
            key = getattr(record, name)
            values[f"{name}_id"] = None if key is None else self.ids[target][key]
        return values

    async def upsert(self, section: Section) -> None:
        items = self.batch.records(section.name)
        counts = self.report.sections[section.name]
        for name, target in section.refs.items():
            if target != section.name:
                keys = {k for i in items if (k := getattr(i.record, name))}
                await self.ids_for(BY_NAME[target], keys)
        nk = section.natural_key
        columns = section.columns + [
            f"{name}_id" for name, target in section.refs.items() if target != section.name
        ]
        if section.search:
            columns.append("search_name")
        existing: dict[str, dict[str, Any]] = {}
        for chunk in _chunks([getattr(i.record, nk) for i in items]):
            query = section.model.filter(**{f"{nk}__in": chunk}).using_db(self.conn)
            for row in await query.values("id", nk, *columns):
                existing[row[nk]] = row
        new: list[Model] = []
        changed = 0
        for done, item in enumerate(items, 1):
            key = getattr(item.record, nk)
            values = self.desired(section, item.record, deferred=False)
            found = existing.get(key)
            if found is None:
                new.append(section.model(**{nk: key, **values}))
            else:
                diff = {c: v for c, v in values.items() if found[c] != v}
                if diff:
                    await (
                        section.model.filter(id=found["id"])
                        .using_db(self.conn)
                        .update(**diff, updated_at=self.now)
                    )
                    self.changed[section.name].add(found["id"])
                    changed += 1
                self.ids[section.name][key] = found["id"]
            if self.progress and (done % 1000 == 0 or done == len(items)):
                self.progress(section.name, done, len(items))
        for chunk in _chunks(new):
            await section.model.bulk_create(chunk, using_db=self.conn)
        ids = await self.ids_for(section, [getattr(m, nk) for m in new])
        self.changed[section.name].update(ids[getattr(m, nk)] for m in new)
        counts.created += len(new)
        counts.updated += changed
        counts.unchanged += len(items) - len(new) - changed
        if any(target == section.name for target in section.refs.values()):
            await self.write_self_refs(section)

    async def write_self_refs(self, section: Section) -> None:
        own = [name for name, target in section.refs.items() if target == section.name]
        columns = [f"{name}_id" for name in own]
        # The row referred to may be stored already rather than in the batch (the parent of a
        # new area, the case a new appeal is of): look its id up too.
        items = self.batch.records(section.name)
        referred = {k for item in items for name in own if (k := getattr(item.record, name))}
        ids = await self.ids_for(section, referred)
        owners = [ids[getattr(item.record, section.natural_key)] for item in items]
        current: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(sorted(owners)):
            query = section.model.filter(id__in=chunk).using_db(self.conn)
            for row in await query.values("id", *columns):
                current[row["id"]] = row
        touched: list[int] = []
        for item, id_ in zip(items, owners, strict=True):
            values = self.desired(section, item.record, deferred=True)
            diff = {c: v for c, v in values.items() if current[id_][c] != v}
            if diff:
                await section.model.filter(id=id_).using_db(self.conn).update(**diff)
                touched.append(id_)
        await self.touch(section, touched)

    async def write_links(self, section: Section, name: str, target: Section) -> None:
        field_ = section.model._meta.fields_map[name]
        through, own, other = field_.through, field_.backward_key, field_.forward_key  # type: ignore[attr-defined]
        items = self.batch.records(section.name)
        wanted_keys = {k for i in items for k in getattr(i.record, name)}
        target_ids = await self.ids_for(target, wanted_keys)
        owners = self.ids[section.name]
        keyed = [(owners[getattr(i.record, section.natural_key)], i.record) for i in items]
        desired = {(owner, target_ids[k]) for owner, record in keyed for k in getattr(record, name)}
        current: set[tuple[int, int]] = set()
        for chunk in _chunks(sorted(owner for owner, _ in keyed)):
            marks = _placeholders(self.conn, len(chunk))
            sql = f'SELECT "{own}", "{other}" FROM "{through}" WHERE "{own}" IN ({marks})'
            for row in (await self.conn.execute_query(sql, chunk))[1]:
                current.add((row[own], row[other]))
        add = sorted(desired - current)
        remove = sorted(current - desired)
        if add:
            marks = _placeholders(self.conn, 2)
            sql = f'INSERT INTO "{through}" ("{own}", "{other}") VALUES ({marks})'
            await self.conn.execute_many(sql, [list(pair) for pair in add])
        if remove:
            first, second = _placeholders(self.conn, 2).split(", ")
            sql = f'DELETE FROM "{through}" WHERE "{own}" = {first} AND "{other}" = {second}'
            await self.conn.execute_many(sql, [list(pair) for pair in remove])
        touched = sorted({owner for owner, _ in add} | {owner for owner, _ in remove})
        await self.touch(section, touched)

    async def touch(self, section: Section, ids: list[int]) -> None:
        """Mark rows whose links, lines or self-references changed as updated.

        Change feeds see them by `updated_at`, and the report counts them as updated; a row
        already created or updated by this load is neither touched nor counted again.
        """
        fresh = sorted(set(ids) - self.changed[section.name])
        for chunk in _chunks(fresh):
            await section.model.filter(id__in=chunk).using_db(self.conn).update(updated_at=self.now)
        self.changed[section.name].update(fresh)
        counts = self.report.sections[section.name]
        counts.updated += len(fresh)
        counts.unchanged -= len(fresh)

    async def write_lines(self, section: Section, spec: Lines) -> None:
        items = self.batch.records(section.name)
        candidacy_keys = {line.candidacy for i in items for line in i.record.lines}  # type: ignore[attr-defined]
        candidacies = await self.ids_for(BY_NAME["candidacies"], candidacy_keys)
        parent = f"{spec.parent}_id"
        desired: dict[tuple[int, int], dict[str, Any]] = {}
        for item in items:
            owner = self.ids[section.name][getattr(item.record, section.natural_key)]
            for line in item.record.lines:  # type: ignore[attr-defined]
                values = {c: getattr(line, c) for c in spec.columns}
                desired[(owner, candidacies[line.candidacy])] = values
        ids = self.ids[section.name]
        owners = sorted(ids[getattr(i.record, section.natural_key)] for i in items)
        current: dict[tuple[int, int], dict[str, Any]] = {}
        for chunk in _chunks(owners):
            rows = (
                await spec.model.filter(**{f"{parent}__in": chunk})
                .using_db(self.conn)
                .values("id", parent, "candidacy_id", *spec.columns)
            )
            for row in rows:
                current[(row[parent], row["candidacy_id"])] = row
        touched: set[int] = set()
        new: list[Model] = []
        for pair, values in desired.items():
            found = current.get(pair)
            if found is None:
                new.append(spec.model(**{parent: pair[0], "candidacy_id": pair[1]}, **values))
                touched.add(pair[0])
            elif any(found[c] != v for c, v in values.items()):
                await spec.model.filter(id=found["id"]).using_db(self.conn).update(**values)
                touched.add(pair[0])
        for chunk in _chunks(new):
            await spec.model.bulk_create(chunk, using_db=self.conn)
        obsolete = [row["id"] for pair, row in current.items() if pair not in desired]
        for chunk in _chunks(obsolete):
            await spec.model.filter(id__in=chunk).using_db(self.conn).delete()
        touched |= {pair[0] for pair in current if pair not in desired}
        await self.touch(section, sorted(touched))

    async def prune(self) -> None:
        """Delete every row the batch does not contain, children before parents."""
        for section in reversed(SECTIONS):
            keep = self.batch.keys(section.name)
            query = section.model.all().using_db(self.conn)
            stored = await query.values_list("id", section.natural_key)
            gone = [id_ for id_, key in stored if key not in keep]
            # Rows that refer to rows of their own section (an area's parent, the case an
            # appeal is of) are detached before deleting, so the order inside does not matter:
            # SQLite checks RESTRICT row by row.
            own = [name for name, target in section.refs.items() if target == section.name]
            detach = {f"{name}_id": None for name in own}
            if detach:
                for chunk in _chunks(gone):
                    await section.model.filter(id__in=chunk).using_db(self.conn).update(**detach)
            for chunk in _chunks(gone):
                await section.model.filter(id__in=chunk).using_db(self.conn).delete()
            self.report.sections[section.name].deleted += len(gone)


async def write(batch: Batch, prune: bool = False, progress: Progress | None = None) -> Report:
    """Write a checked batch in one transaction; an exception rolls all of it back."""
    async with in_transaction() as conn:
        writer = _Writer(conn, batch, progress)
        await writer.write()
        if prune:
            await writer.prune()
    return writer.report
