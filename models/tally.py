"""Tally: one published result of one election at one stage, with a line per candidacy."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.base import Entity


class Stage(StrEnum):
    PRELIMINARY = "preliminary"
    FINAL = "final"
    CERTIFIED = "certified"


class Tally(Entity):
    election = fields.ForeignKeyField(
        "models.Election", related_name="tallies", on_delete=fields.CASCADE, db_index=True
    )
    election_id: int
    # The area counted; None for the whole country.
    area = fields.ForeignKeyField(
        "models.Area", related_name="tallies", null=True, on_delete=fields.RESTRICT, db_index=True
    )
    area_id: int | None
    round = fields.IntField(default=1)
    stage = fields.CharEnumField(Stage, max_length=12)
    # Null when the source does not say when the figures were published.
    as_of = fields.DateField(null=True)
    counted_share = fields.FloatField(null=True)
    stations_reported = fields.IntField(null=True)
    stations_total = fields.IntField(null=True)
    registered = fields.BigIntField(null=True)
    cast = fields.BigIntField(null=True)
    valid = fields.BigIntField(null=True)
    invalid = fields.BigIntField(null=True)
    against_all = fields.BigIntField(null=True)
    # Only when a source gives a percentage without the counts it came from;
    # otherwise turnout is computed from `cast` and `registered`.
    turnout_reported = fields.FloatField(null=True)
    # Among conflicting final figures, the one "the result" means.
    preferred = fields.BooleanField(default=False)
    summary = fields.TextField(null=True)
    # Where its figures disagree with one another ([{"code": …, "message": …}]), worked out by
    # the loader (loader/consistency.py); None when they agree.
    warnings = fields.JSONField(null=True)
    # The warnings its fixture explains ({code: reason}): sources that disagree, kept as given.
    explained_warnings = fields.JSONField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="tallies", through="tally_source"
    )

    class Meta:
        table = "tally"


class TallyLine(Model):
    id = fields.IntField(primary_key=True)
    tally = fields.ForeignKeyField(
        "models.Tally", related_name="lines", on_delete=fields.CASCADE, db_index=True
    )
    tally_id: int
    candidacy = fields.ForeignKeyField(
        "models.Candidacy", related_name="lines", on_delete=fields.CASCADE, db_index=True
    )
    candidacy_id: int
    votes = fields.BigIntField(null=True)
    share = fields.FloatField(null=True)
    seats = fields.IntField(null=True)

    class Meta:
        table = "tally_line"
        unique_together = (("tally", "candidacy"),)
