"""Candidacy: a person or a party list standing in one election, and how it was nominated."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class Nomination(StrEnum):
    PARTY = "party"
    BLOC = "bloc"
    SELF = "self"
    INITIATIVE_GROUP = "initiative_group"


class CandidacyStatus(StrEnum):
    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"


class Candidacy(Entity):
    election = fields.ForeignKeyField(
        "models.Election", related_name="candidacies", on_delete=fields.CASCADE, db_index=True
    )
    election_id: int
    # A person's candidacy has `person`; a party list has only `party`.
    person = fields.ForeignKeyField(
        "models.Person",
        related_name="candidacies",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    person_id: int | None
    party = fields.ForeignKeyField(
        "models.Organization",
        related_name="candidacies",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    party_id: int | None
    nomination = fields.CharEnumField(Nomination, max_length=20, null=True)
    incumbent = fields.BooleanField(default=False)
    role = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(
        CandidacyStatus, max_length=16, default=CandidacyStatus.REGISTERED
    )
    # The candidacy of the electoral alliance this list ran in, in the same election: its
    # seats and votes are its own, and the alliance's figures are the sum over its members.
    alliance = fields.ForeignKeyField(
        "models.Candidacy",
        related_name="allied",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    alliance_id: int | None
    # Publishers' identifiers ({"parlgov": 6908}: ParlGov's result row).
    external_ids = fields.JSONField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="candidacies", through="candidacy_source"
    )

    class Meta:
        table = "candidacy"
