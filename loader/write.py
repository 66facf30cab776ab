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

import models
from loader.records import TallyRecord
from loader.sections import BY_NAME, SECTIONS, Section
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
        self.now = dt.datetime.now(dt.UTC)

    async def ids_for(self, section: Section, keys: Iterable[str]) -> dict[str, int]:
        known = self.ids[section.name]
        missing = sorted(set(keys) - known.keys())
        for chunk in _chunks(missing):
            lookup = {f"{section.natural_key}__in": chunk}
            rows = await section.model.filter(**lookup).using_db(self.conn).values_list(
                section.natural_key, "id"
            )
            known.update(dict(rows))
        return known

    async def write(self) -> None:
        for section in SECTIONS:
            items = self.batch.records(section.name)
            if not items:
                continue
            await self.upsert(section)
            if section.name == "tallies":
                await self.write_lines()
            for name, target in section.links.items():
                await self.write_links(section, name, BY_NAME[target])

    def desired(self, section: Section, record: Any, deferred: bool) -> dict[str, Any]:
        values = {} if deferred else {name: getattr(record, name) for name in section.columns}
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
                await self.ids_for(BY_NAME[target], {k for i in items if (k := getattr(i.record, name))})
        nk = section.natural_key
        columns = section.columns + [
            f"{name}_id" for name, target in section.refs.items() if target != section.name
        ]
        existing: dict[str, dict[str, Any]] = {}
        keys = [getattr(i.record, nk) for i in items]
        for chunk in _chunks(keys):
            for row in await section.model.filter(**{f"{nk}__in": chunk}).using_db(self.conn).values(
                "id", nk, *columns
            ):
                existing[row[nk]] = row
        new: list[Model] = []
        changed = 0
        for done, item in enumerate(items, 1):
            key = getattr(item.record, nk)
            values = self.desired(section, item.record, deferred=False)
            row = existing.get(key)
            if row is None:
                new.append(section.model(**{nk: key, **values}))
            else:
                diff = {c: v for c, v in values.items() if row[c] != v}
                if diff:
                    await section.model.filter(id=row["id"]).using_db(self.conn).update(
                        **diff, updated_at=self.now
                    )
                    changed += 1
                self.ids[section.name][key] = row["id"]
            if self.progress and (done % 1000 == 0 or done == len(items)):
                self.progress(section.name, done, len(items))
        for chunk in _chunks(new):
            await section.model.bulk_create(chunk, using_db=self.conn)
        await self.ids_for(section, [getattr(m, nk) for m in new])
        counts.created += len(new)
        counts.updated += changed
        counts.unchanged += len(items) - len(new) - changed
        if any(target == section.name for target in section.refs.values()):
            await self.write_self_refs(section)

    async def write_self_refs(self, section: Section) -> None:
        columns = [f"{n}_id" for n, target in section.refs.items() if target == section.name]
        ids = self.ids[section.name]
        current: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(sorted(ids.values())):
            for row in await section.model.filter(id__in=chunk).using_db(self.conn).values("id", *columns):
                current[row["id"]] = row
        for item in self.batch.records(section.name):
            id_ = ids[getattr(item.record, section.natural_key)]
            values = self.desired(section, item.record, deferred=True)
            diff = {c: v for c, v in values.items() if current[id_][c] != v}
            if diff:
                await section.model.filter(id=id_).using_db(self.conn).update(**diff)

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
            sql = f'INSERT INTO "{through}" ("{own}", "{other}") VALUES ({_placeholders(self.conn, 2)})'
            await self.conn.execute_many(sql, [list(pair) for pair in add])
        if remove:
            first, second = _placeholders(self.conn, 2).split(", ")
            sql = f'DELETE FROM "{through}" WHERE "{own}" = {first} AND "{other}" = {second}'
            await self.conn.execute_many(sql, [list(pair) for pair in remove])
        touched = sorted({owner for owner, _ in add} | {owner for owner, _ in remove})
        await self.touch(section, touched)

    async def touch(self, section: Section, ids: list[int]) -> None:
        """Mark rows whose links or lines changed as updated, so change feeds see them."""
        for chunk in _chunks(ids):
            await section.model.filter(id__in=chunk).using_db(self.conn).update(updated_at=self.now)

    async def write_lines(self) -> None:
        items = self.batch.records("tallies")
        candidacy_keys = {line.candidacy for i in items for line in i.record.lines}  # type: ignore[attr-defined]
        candidacies = await self.ids_for(BY_NAME["candidacies"], candidacy_keys)
        desired: dict[tuple[int, int], dict[str, Any]] = {}
        for item in items:
            tally = item.record
            assert isinstance(tally, TallyRecord)
            tally_id = self.ids["tallies"][tally.key]
            for line in tally.lines:
                desired[(tally_id, candidacies[line.candidacy])] = {
                    "votes": line.votes,
                    "share": line.share,
                    "seats": line.seats,
                }
        tally_ids = sorted(self.ids["tallies"][i.record.key] for i in items)  # type: ignore[attr-defined]
        current: dict[tuple[int, int], dict[str, Any]] = {}
        for chunk in _chunks(tally_ids):
            for row in await models.TallyLine.filter(tally_id__in=chunk).using_db(self.conn).values(
                "id", "tally_id", "candidacy_id", "votes", "share", "seats"
            ):
                current[(row["tally_id"], row["candidacy_id"])] = row
        touched: set[int] = set()
        new = []
        for pair, values in desired.items():
            row = current.get(pair)
            if row is None:
                new.append(models.TallyLine(tally_id=pair[0], candidacy_id=pair[1], **values))
                touched.add(pair[0])
            elif any(row[c] != v for c, v in values.items()):
                await models.TallyLine.filter(id=row["id"]).using_db(self.conn).update(**values)
                touched.add(pair[0])
        for chunk in _chunks(new):
            await models.TallyLine.bulk_create(chunk, using_db=self.conn)
        obsolete = [row["id"] for pair, row in current.items() if pair not in desired]
        for chunk in _chunks(obsolete):
            await models.TallyLine.filter(id__in=chunk).using_db(self.conn).delete()
        touched |= {pair[0] for pair, _ in current.items() if pair not in desired}
        await self.touch(BY_NAME["tallies"], sorted(touched))

    async def prune(self) -> None:
        """Delete every row the batch does not contain, children before parents."""
        for section in reversed(SECTIONS):
            keep = self.batch.keys(section.name)
            stored = await section.model.all().using_db(self.conn).values_list("id", section.natural_key)
            gone = [id_ for id_, key in stored if key not in keep]
            if section.name == "areas":
                # Areas refer to areas: detach before deleting so the order inside does not matter.
                for chunk in _chunks(gone):
                    await models.Area.filter(id__in=chunk).using_db(self.conn).update(parent_id=None)
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
