"""AuditEntry: one change made through the API or a fixture load: who, when, what, before/after."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.base import KEY_LENGTH


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOAD = "load"


class AuditEntry(Model):
    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    # The token's name, or a name in parentheses for changes made outside the API.
    actor = fields.CharField(max_length=60)
    action = fields.CharEnumField(AuditAction, max_length=8)
    # The GraphQL type changed ("Election"), or "Fixtures" for a load.
    entity = fields.CharField(max_length=20, db_index=True)
    # The natural key of the record changed (any entity's, hence KEY_LENGTH); None for a load.
    key = fields.CharField(max_length=KEY_LENGTH, null=True, db_index=True)
    # Field name -> {"before": …, "after": …}, in the fixture format's names and values;
    # for a load, the counts per section.
    changes = fields.JSONField()

    class Meta:
        table = "audit_entry"
