"""Endorsement: support for a candidacy before the vote, or congratulations after it."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class EndorsementKind(StrEnum):
    ENDORSEMENT = "endorsement"
    CONGRATULATION = "congratulation"


class Channel(StrEnum):
    CALL = "call"
    LETTER = "letter"
    STATEMENT = "statement"
    POST = "post"
    MEETING = "meeting"


class Endorsement(Entity):
    candidacy = fields.ForeignKeyField(
        "models.Candidacy", related_name="endorsements", on_delete=fields.CASCADE, db_index=True
    )
    candidacy_id: int
    kind = fields.CharEnumField(EndorsementKind, max_length=16)
    endorser_person = fields.ForeignKeyField(
        "models.Person",
        related_name="endorsements_given",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    endorser_person_id: int | None
    endorser_organization = fields.ForeignKeyField(
        "models.Organization",
        related_name="endorsements_given",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    endorser_organization_id: int | None
    # The country the endorser speaks for, if any.
    country = fields.ForeignKeyField(
        "models.Country",
        related_name="endorsements_given",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    country_id: int | None
    date = fields.DateField(null=True)
    channel = fields.CharEnumField(Channel, max_length=12, null=True)
    summary = fields.TextField()
    sources = fields.ManyToManyField(
        "models.Source", related_name="endorsements", through="endorsement_source"
    )

    class Meta:
        table = "endorsement"
