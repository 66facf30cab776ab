"""The audit log: one entry per change made through the API or by a fixture load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from loader.write import Report
from models import AuditAction, AuditEntry

#: Actors of changes made without a token (token names cannot start with a parenthesis).
COMMAND_LINE = "(command line)"
AT_START = "(LOAD_FIXTURES at start)"
#: The entity of a fixture load's entry.
FIXTURES = "Fixtures"

Changes = dict[str, dict[str, Any]]


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Changes:
    """`{field: {"before": …, "after": …}}` for every field whose value differs; a field
    missing on one side (a record created or deleted) is null there."""
    before, after = before or {}, after or {}
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


def load_changes(report: Report, prune: bool) -> dict[str, Any]:
    """What a load changed: its counts per section, and whether it pruned."""
    sections = {
        name: {
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "deleted": counts.deleted,
        }
        for name, counts in report.sections.items()
    }
    details = {name: dict(found) for name, found in report.details.items() if found}
    return {"prune": prune, "sections": sections, **({"changed": details} if details else {})}


async def record(
    conn: BaseDBAsyncClient,
    actor: str,
    action: AuditAction,
    entity: str,
    key: str | None,
    what: Mapping[str, Any],
) -> AuditEntry:
    """Add an entry, on `conn`: the change's own transaction, so both are kept or neither."""
    return await AuditEntry.create(
        at=dt.datetime.now(dt.UTC),
        actor=actor,
        action=action,
        entity=entity,
        key=key,
        changes=dict(what),
        using_db=conn,
    )
