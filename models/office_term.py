"""OfficeTerm: a person's time in an office, how it began, and the election behind it."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class TermStart(StrEnum):
    ELECTED = "elected"
    SUCCEEDED = "succeeded"
    ACTING = "acting"


class OfficeTerm(Entity):
    person = fields.ForeignKeyField(
        "models.Person", related_name="office_terms", on_delete=fields.RESTRICT, db_index=True
    )
    person_id: int
    office = fields.CharField(max_length=200, db_index=True)
    country = fields.ForeignKeyField(
        "models.Country", related_name="office_terms", on_delete=fields.RESTRICT, db_index=True
    )
    country_id: int
    # ISO 8601 at the precision the sources give ("2003-10" when only the month is known).
    started = fields.CharField(max_length=10)
    ended = fields.CharField(max_length=10, null=True)
    began_by = fields.CharEnumField(TermStart, max_length=10)
    election = fields.ForeignKeyField(
        "models.Election",
        related_name="office_terms",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    election_id: int | None
    summary = fields.TextField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="office_terms", through="office_term_source"
    )

    class Meta:
        table = "office_term"
