"""Writing a checked batch in one transaction: upsert by natural key, prune only when asked."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import Field
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model
from tortoise.transactions import in_transaction
from tortoise.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

from loader.sections import BY_NAME, SECTIONS, Lines, Section
from loader.validate import CHUNK, Batch

Progress = Callable[[str, int, int], None]
#: How many changed rows of a section a report describes field by field.
DETAILS = 100


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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
    # section -> natural key -> field -> {"before", "after"}: what changed in rows that were
    # there already (up to DETAILS rows a section), for the audit log.
    details: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))

    def note(self, section: str, key: str, changes: dict[str, Any]) -> None:
        found = self.details[section]
        if key in found or len(found) < DETAILS:
            found.setdefault(key, {}).update(
                {
                    name: {"before": _plain(b), "after": _plain(a)}
                    for name, (b, a) in changes.items()
                }
            )

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


def _table(model: type[Model]) -> str:
    return f'"{model._meta.db_table}"'


def _column(model: type[Model], name: str) -> str:
    return f'"{model._meta.fields_db_projection[name]}"'


def _binder(model: type[Model], name: str) -> Callable[[Any], Any]:
    """What turns a column's value into what the driver binds: the field's own conversion,
    checks included (a CharField's max_length, an IntField's range), as Tortoise does it.

    The values a load binds are mostly of the field's own type and within its limits; those
    pass a check done here inline, the same check Tortoise's validators make, and bind as
    they are. Anything else goes through the field, which converts it or raises its error.
    """
    field_ = model._meta.fields_map[name]
    to_db = field_.to_db_value

    def convert(value: Any) -> Any:
        return to_db(value, model)

    if isinstance(field_, CharEnumFieldInstance):
        limit = field_.max_length
        members = {str(m.value) for m in field_.enum_type if len(str(m.value)) <= limit}
        return lambda value: value if type(value) is str and value in members else convert(value)
    if type(field_).to_db_value is not Field.to_db_value:
        return convert  # a conversion of its own (JSON, dates, times)
    kind = field_.field_type
    longest: int | None = None
    low = high = None
    for validator in field_.validators:
        if type(validator) is MaxLengthValidator:
            longest = validator.max_length
        elif type(validator) is MinValueValidator:
            low = validator.min_value
        elif type(validator) is MaxValueValidator:
            high = validator.max_value
        else:
            return convert
    if longest is not None and low is None and high is None:
        n = longest
        return lambda value: value if type(value) is kind and len(value) <= n else convert(value)
    if longest is None and low is not None and high is not None:
        lo, hi = low, high
        return lambda value: value if type(value) is kind and lo <= value <= hi else convert(value)
    if longest is None and low is None and high is None:
        return lambda value: value if type(value) is kind else convert(value)
    return convert


def _to_db(
    model: type[Model], columns: Iterable[str], rows: Iterable[Iterable[Any]]
) -> list[list[Any]]:
    """Rows of values as the driver binds them (None as it is)."""
    binders = [_binder(model, name) for name in columns]
    return [
        [v if v is None else bind(v) for bind, v in zip(binders, row, strict=False)] for row in rows
    ]


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
        # section -> ids of rows created by this load: they have no links or lines yet
        self.created: dict[str, set[int]] = defaultdict(set)
        self.now = dt.datetime.now(dt.UTC)
        # section -> the highest id its table had before this load wrote it
        self.last: dict[str, int | None] = {}

    async def ids_for(self, section: Section, keys: Iterable[str]) -> dict[str, int]:
        known = self.ids[section.name]
        missing = sorted(set(keys) - known.keys())
        nk = _column(section.model, section.natural_key)
        for chunk in _chunks(missing):
            marks = _placeholders(self.conn, len(chunk))
            sql = f'SELECT {nk}, "id" FROM {_table(section.model)} WHERE {nk} IN ({marks})'
            known.update((row[0], row[1]) for row in (await self.conn.execute_query(sql, chunk))[1])
        return known

    async def insert(
        self, model: type[Model], rows: list[dict[str, Any]], stamped: bool = False
    ) -> None:
        """Insert rows that all have the same columns: one statement, run for every row.
        `stamped`: with created_at and updated_at, the time of this load."""
        if not rows:
            return
        columns = list(rows[0])
        values = _to_db(model, columns, (row.values() for row in rows))
        if stamped:
            columns += ["created_at", "updated_at"]
            # The same for every row: converted once, and on SQLite also adapted once (the
            # driver would call its adapter for datetimes, isoformat, on every row).
            stamps = _to_db(model, columns[-2:], [[self.now, self.now]])[0]
            if self.conn.capabilities.dialect == "sqlite":
                stamps = [sqlite3.adapt(stamp, sqlite3.PrepareProtocol) for stamp in stamps]
            values = [[*row, *stamps] for row in values]
        names = ", ".join(_column(model, name) for name in columns)
        marks = _placeholders(self.conn, len(columns))
        sql = f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})"
        await self.conn.execute_many(sql, values)

    async def last_ids(self) -> dict[str, int | None]:
        """The highest id in each table the batch writes (None for an empty one), in one
        statement: each table is written only by its own section, once, so these stay
        right until then."""
        names = [section.name for section in SECTIONS if self.batch.records(section.name)]
        if not names:
            return {}
        tables = [_table(BY_NAME[name].model) for name in names]
        sql = "SELECT " + ", ".join(f'(SELECT MAX("id") FROM {table})' for table in tables)
        row = (await self.conn.execute_query(sql))[1][0]
        return {name: row[i] for i, name in enumerate(names)}

    async def create(self, section: Section, rows: list[dict[str, Any]], last: int | None) -> None:
        """Insert a section's new rows and note their ids; `last` is the table's last id."""
        if not rows:
            return
        table, nk = _table(section.model), section.natural_key
        await self.insert(section.model, rows, stamped=True)
        # New rows get ids above every id there was, so one statement finds them all; rows
        # other transactions committed meanwhile may come too, and are not ours to note.
        mine = {row[nk] for row in rows}
        known = self.ids[section.name]
        mark = _placeholders(self.conn, 1)
        sql = f'SELECT {_column(section.model, nk)}, "id" FROM {table} WHERE "id" > {mark}'
        for key, id_ in (await self.conn.execute_query(sql, [last or 0]))[1]:
            if key in mine:
                known[key] = id_
                self.created[section.name].add(id_)

    async def select(
        self, model: type[Model], columns: list[str], where: str, values: list[Any]
    ) -> list[dict[str, Any]]:
        """The rows whose column `where` is one of `values`, as dicts of Python values (what
        Tortoise's values() gives), in statements of CHUNK values each."""
        fields = model._meta.fields_map
        names = ", ".join(_column(model, name) for name in columns)
        convert = [fields[name].to_python_value for name in columns]
        found = []
        for chunk in _chunks(values):
            marks = _placeholders(self.conn, len(chunk))
            sql = f"SELECT {names} FROM {_table(model)} WHERE {_column(model, where)} IN ({marks})"
            for row in (await self.conn.execute_query(sql, chunk))[1]:
                found.append(
                    {
                        name: None if value is None else to_python(value)
                        for name, to_python, value in zip(columns, convert, row, strict=True)
                    }
                )
        return found

    async def update(
        self, model: type[Model], changes: dict[tuple[str, ...], list[list[Any]]]
    ) -> None:
        """Update rows by id. `changes` maps the columns changed to a list of [*values, id],
        one per row: each set of columns is one statement, run for every row."""
        for columns, rows in changes.items():
            marks = _placeholders(self.conn, len(columns) + 1).split(", ")
            assignments = ", ".join(
                f"{_column(model, name)} = {mark}"
                for name, mark in zip(columns, marks, strict=False)
            )
            sql = f'UPDATE {_table(model)} SET {assignments} WHERE "id" = {marks[-1]}'
            await self.conn.execute_many(sql, _to_db(model, [*columns, "id"], rows))

    async def write(self) -> None:
        self.last = await self.last_ids()
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
        if not deferred:
            for name, derive in section.derived.items():
                values[name] = derive(record)
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
        columns += list(section.derived)
        existing: dict[str, dict[str, Any]] = {}
        last = self.last[section.name]
        if last is not None:  # an empty table has nothing to look up
            wanted = [getattr(i.record, nk) for i in items]
            for row in await self.select(section.model, ["id", nk, *columns], nk, wanted):
                existing[row[nk]] = row
        new: list[dict[str, Any]] = []
        # changed columns -> [*their new values, updated_at, id] of each row changed so
        changes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        changed = 0
        for done, item in enumerate(items, 1):
            key = getattr(item.record, nk)
            values = self.desired(section, item.record, deferred=False)
            found = existing.get(key)
            if found is None:
                new.append({nk: key, **values})
            else:
                diff = {c: v for c, v in values.items() if found[c] != v}
                if diff:
                    changes[(*diff, "updated_at")].append([*diff.values(), self.now, found["id"]])
                    self.report.note(section.name, key, {c: (found[c], v) for c, v in diff.items()})
                    self.changed[section.name].add(found["id"])
                    changed += 1
                self.ids[section.name][key] = found["id"]
            if self.progress and (done % 1000 == 0 or done == len(items)):
                self.progress(section.name, done, len(items))
        await self.update(section.model, changes)
        await self.create(section, new, last)
        ids = self.ids[section.name]
        self.changed[section.name].update(ids[row[nk]] for row in new)
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
        for row in await self.select(section.model, ["id", *columns], "id", sorted(owners)):
            current[row["id"]] = row
        touched: list[int] = []
        changes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        for item, id_ in zip(items, owners, strict=True):
            values = self.desired(section, item.record, deferred=True)
            diff = {c: v for c, v in values.items() if current[id_][c] != v}
            if diff:
                changes[tuple(diff)].append([*diff.values(), id_])
                touched.append(id_)
        await self.update(section.model, changes)
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
        created = self.created[section.name]
        for chunk in _chunks(sorted(owner for owner, _ in keyed if owner not in created)):
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
        columns = ["id", parent, "candidacy_id", *spec.columns]
        stored = [owner for owner in owners if owner not in self.created[section.name]]
        for row in await self.select(spec.model, columns, parent, stored):
            current[(row[parent], row["candidacy_id"])] = row
        touched: set[int] = set()
        new: list[dict[str, Any]] = []
        changes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        key_of = {id_: key for key, id_ in ids.items()}
        candidacy_key = {id_: key for key, id_ in candidacies.items()}
        for pair, values in desired.items():
            found = current.get(pair)
            if found is None:
                new.append({parent: pair[0], "candidacy_id": pair[1], **values})
                touched.add(pair[0])
            elif any(found[c] != v for c, v in values.items()):
                changes[tuple(values)].append([*values.values(), found["id"]])
                touched.add(pair[0])
                owner_key = key_of.get(pair[0]) or str(pair[0])
                line_key = candidacy_key.get(pair[1]) or str(pair[1])
                self.report.note(
                    section.name,
                    owner_key,
                    {
                        f"lines[{line_key}].{c}": (found[c], v)
                        for c, v in values.items()
                        if found[c] != v
                    },
                )
        await self.update(spec.model, changes)
        await self.insert(spec.model, new)
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
