"""The audit log in GraphQL: its entries, and the `auditLog` root field (a token needed)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

import models
from curation.audit import FIXTURES
from curation.changes import ENTITIES
from curation.tokens import require
from models import Scope
from schema.connection import After, Before, Connection, First, Last, Page
from schema.conversion import FromRow
from schema.keyset import Dialect, SortKey, Sql, all_of
from schema.rows import table_connection
from service.database import default_client
from service.errors import ClientError

#: The entities an entry can be about.
AUDITED = sorted([*ENTITIES.values(), FIXTURES])


@strawberry.enum(description="What a change did.")
class AuditAction(Enum):
    CREATE = strawberry.enum_value("create", description="Created a record.")
    UPDATE = strawberry.enum_value("update", description="Changed fields of a record.")
    DELETE = strawberry.enum_value("delete", description="Deleted a record.")
    LOAD = strawberry.enum_value("load", description="Loaded fixtures.")


@strawberry.type(description="One change to the data: who made it, when, and what it changed.")
class AuditEntry(FromRow):
    at: dt.datetime = strawberry.field(description="When the change was committed (UTC).")
    actor: str = strawberry.field(
        description="The name of the token that made it, or, in parentheses, what made it "
        'without one: "(command line)" for `elections load`, "(LOAD_FIXTURES at start)".'
    )
    action: AuditAction = strawberry.field(description="What the change did.")
    entity: str = strawberry.field(
        description=f"The type changed: {', '.join(AUDITED)} (a fixture load)."
    )
    key: str | None = strawberry.field(
        description="The natural key of the record changed; null for a fixture load."
    )
    changes: JSON = strawberry.field(
        description='What changed: `{"field": {"before": …, "after": …}}` for each field that '
        "changed, in the fixture format's names and values (null before a create, after a "
        'delete); for a load, `{"prune": …, "sections": {"elections": {"created": …, '
        '"updated": …, "unchanged": …, "deleted": …}, …}}`.'
    )


@strawberry.type(description="The audit log's root field.")
class AuditLogQuery:
    @strawberry.field(
        description="Changes to the data, newest first. Needs `Authorization: Bearer <token>` "
        "with a token of read or write scope."
    )
    async def audit_log(
        self,
        info: Info,
        entity: Annotated[
            str | None,
            strawberry.argument(description=f"Only changes to this type: {', '.join(AUDITED)}."),
        ] = None,
        key: Annotated[
            str | None, strawberry.argument(description="Only changes to the record of this key.")
        ] = None,
        since: Annotated[
            dt.datetime | None,
            strawberry.argument(
                description="Only changes at or after this time (ISO 8601; UTC if no offset)."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AuditEntry]:
        require(await info.context.identity(), Scope.READ, "The audit log")
        page = Page.of(first, after, last, before)
        dialect = Dialect(default_client())
        parts = []
        if entity is not None:
            if entity not in AUDITED:
                raise ClientError(f"entity must be one of {', '.join(AUDITED)}; got {entity!r}")
            parts.append(Sql("t.entity = ?", (entity,)))
        if key is not None:
            parts.append(Sql("t.key = ?", (key,)))
        if since is not None:
            moment = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
            parts.append(Sql("t.at >= ?", (dialect.value("datetime", moment),)))
        # Newest first; the id orders the entries of one instant as they were written.
        keys = [
            SortKey("at", "t.at", "datetime", descending=True, nullable=False),
            SortKey("id", "t.id", "number", descending=True, nullable=False),
        ]
        return await table_connection(
            models.AuditEntry,
            AuditEntry.from_model,
            all_of(parts),
            keys,
            "auditLog",
            page,
            info.context.loaders.rows,
        )
