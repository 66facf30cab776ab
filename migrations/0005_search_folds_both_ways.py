"""Names folded for search again: ş and sh, ç, ch, c and j, and ə, e and a now fold alike
(models/search.py), so the `search_name` of every row already there is written anew.

Written by hand: no column changes, only the values the fold gives.
"""

import json
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.search import search_name

# table -> the columns holding its names; also_known_as is a JSON list of more.
_NAMES = {
    "area": ("name",),
    "organization": ("name", "short_name"),
    "person": ("name", "also_known_as"),
}


async def refold(apps: Any, schema_editor: Any) -> None:
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
    dependencies = [("models", "0004_data_sets")]

    initial = False

    operations = [ops.RunPython(refold, ops.RunPython.noop)]
