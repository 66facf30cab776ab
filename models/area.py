"""Area: a region, district, municipality, city or disputed territory inside a country."""

from enum import StrEnum

from tortoise import fields

from models.base import Named


class AreaKind(StrEnum):
    REGION = "region"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    CITY = "city"
    DISPUTED_TERRITORY = "disputed_territory"


class Area(Named):
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(AreaKind, max_length=20)
    country = fields.ForeignKeyField(
        "models.Country", related_name="areas", on_delete=fields.RESTRICT, db_index=True
    )
    country_id: int
    parent = fields.ForeignKeyField(
        "models.Area", related_name="children", null=True, on_delete=fields.RESTRICT, db_index=True
    )
    parent_id: int | None
    # The ISO 3166-2 code ("US-GA") of a subdivision that has one.
    code = fields.CharField(max_length=10, null=True)
    # Publishers' identifiers ({"fips": 13}), so that rows can be joined back to them.
    external_ids = fields.JSONField(null=True)

    class Meta:
        table = "area"
