"""The abstract row every stored entity shares: an integer id, a natural key and timestamps."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.search import search_name

#: The longest natural key: the fixture format (loader/records.py) and lookups by key read it.
KEY_LENGTH = 120


class Entity(Model):
    """A row with a natural `key`: fixtures refer to it, global IDs are built from it.

    Each model declares the column attribute of each of its foreign keys beside it
    (`election_id: int` after `election`): Tortoise sets it on every row, and the declaration
    lets the type checker see it, so that a misspelt one is an error."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(
        max_length=KEY_LENGTH, unique=True, description="Natural key, stable across loads"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Named(Entity):
    """An entity found by name search: `search_name` holds its names folded (search.py)."""

    # Nullable only so that SQLite can add it to a table that has rows (its ALTER TABLE
    # refuses NOT NULL without a database default); every row gets a value.
    search_name = fields.TextField(null=True, default="")

    def names(self) -> list[str | None]:
        """The names searched: the name, and any other spellings."""
        return [getattr(self, "name", None)]

    async def save(self, *args: Any, **kwargs: Any) -> None:
        # Rows made by the loader get it from there; rows saved one by one get it here.
        self.search_name = search_name(self.names())
        await super().save(*args, **kwargs)

    class Meta:
        abstract = True
