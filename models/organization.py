"""Organization: parties, blocs, commissions, courts, missions, pollsters, media, governments."""

from enum import StrEnum

from tortoise import fields

from models.base import Named


class OrganizationKind(StrEnum):
    PARTY = "party"
    BLOC = "bloc"
    ELECTION_COMMISSION = "election_commission"
    COURT = "court"
    OBSERVER_MISSION = "observer_mission"
    POLLSTER = "pollster"
    MEDIA = "media"
    NGO = "ngo"
    GOVERNMENT = "government"
    INTERNATIONAL = "international"


class Organization(Named):
    name = fields.CharField(max_length=200)
    short_name = fields.CharField(max_length=60, null=True)
    # Other names: in the party's own language, transliterated, in another script.
    also_known_as = fields.JSONField(null=True)
    kind = fields.CharEnumField(OrganizationKind, max_length=24)
    # None for international bodies such as OSCE/ODIHR.
    country = fields.ForeignKeyField(
        "models.Country",
        related_name="organizations",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    country_id: int | None
    # A bloc's component parties.
    members = fields.ManyToManyField(
        "models.Organization",
        related_name="member_of",
        through="organization_member",
        forward_key="member_id",
        backward_key="bloc_id",
    )

    # Publishers' identifiers ({"parlgov": 1573}), so that rows can be joined back to them.
    external_ids = fields.JSONField(null=True)
    # Where its facts (a bloc's members) were read.
    sources = fields.ManyToManyField(
        "models.Source", related_name="organizations", through="organization_source"
    )

    def names(self) -> list[str | None]:
        return [self.name, self.short_name, *(self.also_known_as or [])]

    class Meta:
        table = "organization"
