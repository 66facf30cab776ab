"""Country: an ISO 3166 code and a name."""

from tortoise import fields
from tortoise.models import Model


class Country(Model):
    # The ISO code is the natural key; no separate slug is needed.
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=2, unique=True)
    name = fields.CharField(max_length=120)
    # ISO 3166-1's other codes and the official name, where known.
    alpha3 = fields.CharField(max_length=3, null=True)
    numeric = fields.CharField(max_length=3, null=True)
    official_name = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        table = "country"
