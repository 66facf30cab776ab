"""LegalCase: a court's or commission's decision about an election, and the case it appeals."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class Outcome(StrEnum):
    GRANTED = "granted"
    REJECTED = "rejected"
    REFUSED = "refused"
    PENDING = "pending"


class LegalCase(Entity):
    election = fields.ForeignKeyField(
        "models.Election", related_name="legal_cases", on_delete=fields.CASCADE, db_index=True
    )
    election_id: int
    # The court, or the election commission for an administrative decision.
    court = fields.ForeignKeyField(
        "models.Organization",
        related_name="cases_decided",
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    court_id: int
    judges = fields.ManyToManyField(
        "models.Person", related_name="cases_judged", through="legal_case_judge"
    )
    claimant_people = fields.ManyToManyField(
        "models.Person", related_name="cases_brought", through="legal_case_claimant_person"
    )
    claimant_organizations = fields.ManyToManyField(
        "models.Organization",
        related_name="cases_brought",
        through="legal_case_claimant_organization",
    )
    appeal_of = fields.ForeignKeyField(
        "models.LegalCase",
        related_name="appeals",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    appeal_of_id: int | None
    filed = fields.DateField(null=True)
    decided = fields.DateField(null=True)
    subject = fields.TextField()
    outcome = fields.CharEnumField(Outcome, max_length=10)
    # Results annulled by this decision: how many precincts, and in which areas.
    precincts_annulled = fields.IntField(null=True)
    annulled_areas = fields.ManyToManyField(
        "models.Area", related_name="annulments", through="legal_case_area"
    )
    summary = fields.TextField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="legal_cases", through="legal_case_source"
    )

    class Meta:
        table = "legal_case"
