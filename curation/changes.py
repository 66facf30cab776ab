"""Curation: creating, changing and deleting one record at a time, and loading fixtures, each in
one transaction with its audit entry, checked by the fixture loader's own rules.

A record is given as a fixture record (the fields a fixture file would have, references by
natural key), so the API refuses exactly what a fixture file would be refused for, with the
same messages. What it refuses is a `Refused` listing every problem; nothing is written then.

Deleting a record that others refer to is refused, naming them, rather than cascading: each
row removed then has an audit entry of its own, and no fact disappears as a side effect.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

import loader
import models
from curation import audit, notices
from loader.dump import record as stored_record
from loader.hints import noun
from loader.parse import Document, PathPart, parse_text
from loader.records import Record
from loader.sections import BY_NAME, SECTIONS, Section
from loader.validate import Batch, check_documents
from loader.write import Progress, Report
from models import AuditAction
from service import notify
from service.errors import ClientError
from service.notify import Notice

#: The sections that can be curated one record at a time, and their GraphQL type names.
ENTITIES: dict[str, str] = {
    "elections": "Election",
    "candidacies": "Candidacy",
    "tallies": "Tally",
    "endorsements": "Endorsement",
    "statements": "Statement",
}
#: What a record is called in messages.
_NOUN = {
    "elections": "election",
    "candidacies": "candidacy",
    "tallies": "tally",
    "endorsements": "endorsement",
    "statements": "statement",
}
# How many keys of dependent records a refusal names before "and N more".
_SHOWN = 3


@dataclass(frozen=True)
class Problem:
    """One reason a change was refused: where in the record (empty: the record as a whole,
    or the key it was asked for) and what."""

    path: tuple[PathPart, ...]
    message: str


class Refused(Exception):
    """A change that was refused; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class NotFound(Refused):
    """No record has the key a change names."""


class DatabaseBusy(ClientError):
    """SQLite stayed locked by another writer for longer than its busy timeout."""


BUSY = (
    "The database is locked by another writer and stayed locked past the busy timeout"
    " (SQLITE_BUSY_TIMEOUT). Nothing was changed; try again."
)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction that holds the database's write lock from its start.

    On SQLite a transaction that has read cannot wait for the write lock: SQLite refuses the
    upgrade at once (it could deadlock) with "database is locked". Taking the lock with a
    first statement that writes nothing makes it wait up to the busy timeout instead, and a
    lock held for longer ends as DatabaseBusy. PostgreSQL locks rows, not the database.
    """
    try:
        async with in_transaction() as conn:
            if conn.capabilities.dialect == "sqlite":
                await conn.execute_query('UPDATE "audit_entry" SET "id" = "id" WHERE 0')
            yield conn
    except OperationalError as error:
        if "database is locked" in str(error):
            raise DatabaseBusy(BUSY) from error
        raise


@asynccontextmanager
async def announced_transaction() -> AsyncIterator[tuple[BaseDBAsyncClient, set[Notice]]]:
    """write_transaction, announcing to subscriptions what it wrote: the rows stamped from
    its start, and the notices its body adds (of rows it deletes). On PostgreSQL they are
    sent inside the transaction (NOTIFY goes out at commit, and not at all on a rollback);
    on SQLite they go to this process's subscriptions once it committed."""
    since = dt.datetime.now(dt.UTC)
    found: set[Notice] = set()
    async with write_transaction() as conn:
        yield conn, found
        found |= await notices.changed_since(conn, since)
        await notify.send(conn, found)
    notify.after_commit(conn, found)


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _parts(text: str) -> tuple[PathPart, ...]:
    return tuple(name or int(index) for name, index in _PART.findall(text))


def _problems(error: loader.LoadError, section: str) -> list[Problem]:
    """The loader's errors about the one record of a batch, located inside that record."""
    head = f"{section}[0]"
    found = []
    for problem in error.errors:
        path = problem.path.removeprefix(head) if problem.path.startswith(head) else ""
        found.append(Problem(_parts(path), problem.message))
    return found


async def _checked(section: str, values: Mapping[str, Any]) -> tuple[Batch, Record]:
    """The batch of one record, checked as a fixture file holding it would be."""
    doc = Document("input", data={section: [dict(values)]})
    try:
        batch = await check_documents([doc])
    except loader.LoadError as error:
        raise Refused(_problems(error, section)) from None
    return batch, batch.records(section)[0].record


def _values(section: Section, record: Record) -> dict[str, Any]:
    """A record's values as JSON, for the audit log: the absent ones and the key left out."""
    return {
        name: value
        for name, value in record.model_dump(mode="json").items()
        if name != section.natural_key and value is not None and value != []
    }


async def create(section: str, values: Mapping[str, Any], actor: str) -> str:
    """Create the record `values` (a fixture record with its key); return its key."""
    spec = BY_NAME[section]
    key = values.get(spec.natural_key)
    async with announced_transaction() as (conn, _):
        problems: list[Problem] = []
        checked: tuple[Batch, Record] | None = None
        try:
            checked = await _checked(section, values)
        except Refused as refused:
            problems = refused.problems
        valid_key = isinstance(key, str) and not any(p.path == ("key",) for p in problems)
        if valid_key and await spec.model.filter(key=key).exists():
            problems.append(Problem(("key",), f"{_NOUN[section]} '{key}' already exists"))
        if problems or checked is None:
            raise Refused(problems)
        batch, record = checked
        await loader.write(batch)
        what = audit.changes(None, _values(spec, record))
        await audit.record(conn, actor, AuditAction.CREATE, ENTITIES[section], str(key), what)
    return str(key)


def _fits(spec: Section, key: str) -> bool:
    """Whether `key` fits its model's key column: a longer one names no record, and Tortoise
    refuses it in a filter."""
    column = spec.model._meta.fields_map[spec.natural_key]
    max_length: int | None = getattr(column, "max_length", None)
    return max_length is None or len(key) <= max_length


async def update(section: str, key: str, values: Mapping[str, Any], actor: str) -> audit.Changes:
    """Change the given fields of the record `key` (a null clears one); return what changed,
    which is nothing (and no write, no audit entry) if the values are those stored."""
    spec = BY_NAME[section]
    async with announced_transaction() as (conn, announced):
        current = await stored_record(spec, key) if _fits(spec, key) else None
        if current is None:
            raise NotFound([Problem((), f"there is no {_NOUN[section]} '{key}'")])
        before = spec.record.model_validate(current)
        batch, after = await _checked(section, {**current, **values})
        what = audit.changes(_values(spec, before), _values(spec, after))
        if what:
            # Read before the write: the rows stamped afterwards name only where the record
            # is now, and one moved to another election (or area, or country) changes what
            # the subscribers of the one it left are sent too.
            announced |= await notices.of_record(conn, section, key)
            await loader.write(batch)
            await audit.record(conn, actor, AuditAction.UPDATE, ENTITIES[section], key, what)
    return what


async def _dependents(section: str, key: str) -> list[str]:
    """What refers to the record `key`: a phrase per kind of record, naming some of them."""
    found: list[str] = []

    def phrase(name: str, keys: list[str], how: str = "") -> str:
        shown = ", ".join(f"'{k}'" for k in keys[:_SHOWN])
        more = f" and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else ""
        return f"{len(keys)} {noun(name, len(keys))}{how} ({shown}{more})"

    for other in SECTIONS:
        for name, target in other.refs.items():
            if target == section:
                lookup = {f"{name}__{BY_NAME[section].natural_key}": key}
                keys = (
                    await other.model.filter(**lookup).order_by("key").values_list("key", flat=True)
                )
                if keys:
                    found.append(phrase(other.name, [str(k) for k in keys]))
        if other.lines is not None and section == "candidacies":
            owner = f"{other.lines.parent}__key"
            rows = await other.lines.model.filter(candidacy__key=key).values_list(owner, flat=True)
            if rows:
                lines = sorted(str(k) for k in rows)
                found.append(phrase(other.name, lines, " (by their lines)"))
    return found


async def delete(section: str, key: str, actor: str) -> None:
    """Delete the record `key`, with its lines and links; refused while others refer to it."""
    spec = BY_NAME[section]
    async with announced_transaction() as (conn, announced):
        current = await stored_record(spec, key) if _fits(spec, key) else None
        if current is None:
            raise NotFound([Problem((), f"there is no {_NOUN[section]} '{key}'")])
        dependents = await _dependents(section, key)
        if dependents:
            message = (
                f"{_NOUN[section]} '{key}' is referred to by {'; '.join(dependents)}:"
                " delete or change those first"
            )
            raise Refused([Problem((), message)])
        before = _values(spec, spec.record.model_validate(current))
        announced |= await notices.of_record(conn, section, key)
        # Its lines and its links to sources go with it (ON DELETE CASCADE).
        await spec.model.filter(key=key).using_db(conn).delete()
        what = audit.changes(before, None)
        await audit.record(conn, actor, AuditAction.DELETE, ENTITIES[section], key, what)


async def load_text(text: str, file: str, actor: str, prune: bool = False) -> Report:
    """Check and load one fixture file's text, as `elections load` would; loader.LoadError
    (nothing written) if it has errors. The load and its audit entry are one transaction."""
    async with announced_transaction() as (conn, announced):
        batch = await check_documents([parse_text(text, file)], prune=prune)
        return await _write(conn, batch, actor, prune, None, announced)


async def load_paths(
    paths: Sequence[Path], actor: str, prune: bool = False, progress: Progress | None = None
) -> Report:
    """`loader.load`, with an audit entry when the load changed something."""
    async with announced_transaction() as (conn, announced):
        batch = await loader.check(paths, prune=prune)
        return await _write(conn, batch, actor, prune, progress, announced)


async def _write(
    conn: BaseDBAsyncClient,
    batch: Batch,
    actor: str,
    prune: bool,
    progress: Progress | None,
    announced: set[Notice],
) -> Report:
    announced |= await notices.moved(conn, batch)
    report = await loader.write(batch, prune=prune, progress=progress)
    if any(counts.deleted for counts in report.sections.values()):
        # The rows pruned are gone, and with them what they belonged to: every subscription
        # reads again (a rare, deliberate act: `elections load --prune`).
        announced.add(notify.EVERYTHING)
    if report.changed:
        what = audit.load_changes(report, prune)
        await audit.record(conn, actor, AuditAction.LOAD, audit.FIXTURES, None, what)
    return report


async def load_batch(batch: Batch, actor: str, progress: Progress | None = None) -> Report:
    """Write a checked batch (an import's), with an audit entry when it changed something."""
    async with announced_transaction() as (conn, announced):
        return await _write(conn, batch, actor, False, progress, announced)


async def load_bundled(
    fixtures: Path, data: Path, actor: str, progress: Progress | None = None
) -> Report | None:
    """The curated fixtures with the bundled data sets, in one transaction with their digest;
    None, and nothing read, when the database holds these very inputs already."""
    from loader import datasets

    folder = datasets.DataFolder(data)
    digest = datasets.bundled_digest(fixtures, folder)
    if await datasets.stored_digest() == digest:
        return None
    batch = await datasets.bundled_batch(fixtures, folder)
    async with announced_transaction() as (conn, announced):
        report = await _write(conn, batch, actor, False, progress, announced)
        await models.Dataset.update_or_create(
            defaults={"digest": digest, "loaded_at": dt.datetime.now(dt.UTC)},
            using_db=conn,
            name=datasets.BUNDLED,
        )
    return report
