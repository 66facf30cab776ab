"""Names folded for search (search.py) on people, organizations and areas.

Written by `tortoise makemigrations` (Tortoise ORM 1.1.9), then formatted with ruff; the
last operation, which fills the new column for rows that existed before, by hand.
"""

import json
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.search import search_name

# table -> the columns holding its names; also_known_as is a JSON list of more.
_NAMES = {
    "area": ("name",),
    "organization": ("name", "short_name"),
    "person": ("name", "also_known_as"),
}


async def fill(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    mark = "$1" if client.capabilities.dialect == "postgres" else "?"
    other = "$2" if mark == "$1" else "?"
    for table, columns in _NAMES.items():
        for row in await client.execute_query_dict(f"SELECT id, {', '.join(columns)} FROM {table}"):
            names: list[str | None] = []
            for column in columns:
                value = row[column]
                if column == "also_known_as":
                    names.extend(json.loads(value) if isinstance(value, str) else value or [])
                else:
                    names.append(value)
            await client.execute_query(
                f"UPDATE {table} SET search_name = {mark} WHERE id = {other}",
                [search_name(names), row["id"]],
            )


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Area",
            name="search_name",
            field=fields.TextField(null=True, default="", unique=False),
        ),
        ops.AddField(
            model_name="Organization",
            name="search_name",
            field=fields.TextField(null=True, default="", unique=False),
        ),
        ops.AddField(
            model_name="Person",
            name="search_name",
            field=fields.TextField(null=True, default="", unique=False),
        ),
        ops.RunPython(fill, ops.RunPython.noop),
    ]
