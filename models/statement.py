"""Statement: an actor's stance on a whole election: recognition, rejection, verdict, boycott."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class StatementKind(StrEnum):
    RECOGNISES = "recognises"
    REJECTS = "rejects"
    OBSERVER_ASSESSMENT = "observer_assessment"
    FRAUD_ALLEGATION = "fraud_allegation"
    BOYCOTT = "boycott"


class Statement(Entity):
    election = fields.ForeignKeyField(
        "models.Election", related_name="statements", on_delete=fields.CASCADE, db_index=True
    )
    election_id: int
    kind = fields.CharEnumField(StatementKind, max_length=20)
    # Who spoke: a person, an organization, or a person speaking for an organization.
    person = fields.ForeignKeyField(
        "models.Person",
        related_name="statements",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    person_id: int | None
    organization = fields.ForeignKeyField(
        "models.Organization",
        related_name="statements",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    organization_id: int | None
    # For actors the sources describe but do not name ("five opposition leaders").
    actor_description = fields.CharField(max_length=300, null=True)
    date = fields.DateField(null=True)
    summary = fields.TextField()
    sources = fields.ManyToManyField(
        "models.Source", related_name="statements", through="statement_source"
    )

    class Meta:
        table = "statement"
