"""Party history: an organization's earlier names, and dated links to its predecessors and
successors (splits, mergers, successor parties)."""

from enum import StrEnum

from tortoise import fields

from models.base import Entity


class LinkKind(StrEnum):
    """How one organization came from another, in ParlGov's terms (its party change types)."""

    SPLINTER = "splinter"
    DIVISION = "division"
    MERGER = "merger"
    JOINED = "joined"
    SUCCESSOR = "successor"
    POLITICIAN = "politician"
    # ParlGov records the link without saying which kind it is.
    UNSPECIFIED = "unspecified"


class OrganizationName(Entity):
    """A name an organization took on a date and kept until its next one."""

    organization = fields.ForeignKeyField(
        "models.Organization", related_name="name_history", on_delete=fields.CASCADE, db_index=True
    )
    organization_id: int
    name = fields.CharField(max_length=200)
    short_name = fields.CharField(max_length=60, null=True)
    native_name = fields.CharField(max_length=200, null=True)
    since = fields.DateField()
    external_ids = fields.JSONField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="organization_names", through="organization_name_source"
    )

    class Meta:
        table = "organization_name"


class OrganizationLink(Entity):
    """`successor` came from `predecessor` on `date`, in the way `kind` says."""

    predecessor = fields.ForeignKeyField(
        "models.Organization",
        related_name="successor_links",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    predecessor_id: int
    successor = fields.ForeignKeyField(
        "models.Organization",
        related_name="predecessor_links",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    successor_id: int
    kind = fields.CharEnumField(LinkKind, max_length=12)
    date = fields.DateField()
    external_ids = fields.JSONField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="organization_links", through="organization_link_source"
    )

    class Meta:
        table = "organization_link"
