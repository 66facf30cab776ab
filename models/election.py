"""Election: one vote in one country for one office or body, regular or early."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class ElectionKind(StrEnum):
    PRESIDENTIAL = "presidential"
    PARLIAMENTARY = "parliamentary"
    REFERENDUM = "referendum"


class Election(Entity):
    country = fields.ForeignKeyField(
        "models.Country", related_name="elections", on_delete=fields.RESTRICT, db_index=True
    )
    country_id: int
    kind = fields.CharEnumField(ElectionKind, max_length=16)
    office = fields.CharField(max_length=200)
    date = fields.DateField(db_index=True)
    early = fields.BooleanField(default=False)
    # ISO 8601 at the precision the sources give ("2025-10" when only the month is known).
    originally_due = fields.CharField(max_length=10, null=True)
    called_on = fields.DateField(null=True)
    called_by_person = fields.ForeignKeyField(
        "models.Person",
        related_name="elections_called",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    called_by_person_id: int | None
    called_by_organization = fields.ForeignKeyField(
        "models.Organization",
        related_name="elections_called",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    called_by_organization_id: int | None
    reason = fields.TextField(null=True)
    term_years = fields.IntField(null=True)
    seats = fields.IntField(null=True)
    summary = fields.TextField(null=True)
    # Publishers' identifiers ({"parlgov": 1096}), so that rows can be joined back to them.
    external_ids = fields.JSONField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="elections", through="election_source"
    )

    class Meta:
        table = "election"
