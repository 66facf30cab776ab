"""API tokens and the audit log.

Written by `tortoise makemigrations` (Tortoise ORM 1.1.9), then formatted with ruff, and
without the JSONField's encoder and decoder (see 0001_initial).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.audit import AuditAction
from models.token import Scope


class Migration(migrations.Migration):
    dependencies = [("models", "0002_search_names")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(unique=True, max_length=60)),
                ("prefix", fields.CharField(db_index=True, max_length=16)),
                ("digest", fields.CharField(max_length=64)),
                (
                    "scope",
                    fields.CharEnumField(
                        description="READ: read\nWRITE: write", enum_type=Scope, max_length=8
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "api_token", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("actor", fields.CharField(max_length=60)),
                (
                    "action",
                    fields.CharEnumField(
                        description="CREATE: create\nUPDATE: update\nDELETE: delete\nLOAD: load",
                        enum_type=AuditAction,
                        max_length=8,
                    ),
                ),
                ("entity", fields.CharField(db_index=True, max_length=20)),
                ("key", fields.CharField(null=True, db_index=True, max_length=120)),
                ("changes", fields.JSONField()),
            ],
            options={"table": "audit_entry", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
