"""Country: an ISO 3166 code and a name."""

from tortoise import fields
from tortoise.models import Model


class Country(Model):
    # The ISO code is the natural key; no separate slug is needed.
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=2, unique=True)
    name = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        table = "country"
