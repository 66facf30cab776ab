"""PollingStations: how many polling stations an election had, in all or in one area."""

from tortoise import fields

from models.base import Entity


class PollingStations(Entity):
    election = fields.ForeignKeyField(
        "models.Election", related_name="polling_stations", on_delete=fields.CASCADE, db_index=True
    )
    election_id: int
    # None: the whole country.
    area = fields.ForeignKeyField(
        "models.Area",
        related_name="polling_stations",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    area_id: int | None
    count = fields.IntField()
    summary = fields.TextField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="polling_stations", through="polling_stations_source"
    )

    class Meta:
        table = "polling_stations"
        unique_together = (("election", "area"),)
