"""Cabinet: a government of one country, its parties and the prime minister's, and how it ended."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class Termination(StrEnum):
    """Why a cabinet ended, in ParlGov's terms (its cabinet termination codes)."""

    ELECTION_REGULAR = "election_regular"
    ELECTION_DISSOLUTION = "election_dissolution"
    RESIGNATION_PM = "resignation_pm"
    RESIGNATION_CABINET = "resignation_cabinet"
    CHANGE_PM = "change_pm"
    CHANGE_PARTY = "change_party"
    CONFIDENCE_VOTE = "confidence_vote"
    OTHER = "other"


class Cabinet(Entity):
    country = fields.ForeignKeyField(
        "models.Country", related_name="cabinets", on_delete=fields.RESTRICT, db_index=True
    )
    country_id: int
    name = fields.CharField(max_length=200)
    started = fields.DateField(db_index=True)
    # None while it is in office, or when the source does not say.
    ended = fields.DateField(null=True)
    caretaker = fields.BooleanField(default=False)
    termination = fields.CharEnumField(Termination, max_length=24, null=True)
    # The last parliamentary election before it took office.
    previous_election = fields.ForeignKeyField(
        "models.Election",
        related_name="cabinets",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    previous_election_id: int | None
    parties = fields.ManyToManyField(
        "models.Organization",
        related_name="cabinets",
        through="cabinet_party",
        forward_key="organization_id",
        backward_key="cabinet_id",
    )
    prime_minister_party = fields.ForeignKeyField(
        "models.Organization",
        related_name="cabinets_led",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    prime_minister_party_id: int | None
    # Publishers' identifiers ({"parlgov": 1661}).
    external_ids = fields.JSONField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="cabinets", through="cabinet_source"
    )

    class Meta:
        table = "cabinet"
