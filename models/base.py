"""The abstract row every stored entity shares: an integer id, a natural key and timestamps."""

from tortoise import fields
from tortoise.models import Model


class Entity(Model):
    """A row with a natural `key`: fixtures refer to it, global IDs are built from it."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(
        max_length=120, unique=True, description="Natural key, stable across loads"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True
