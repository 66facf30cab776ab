"""ExitPoll: a pollster's estimate of the result on polling day, one line per candidacy."""

from tortoise import fields
from tortoise.models import Model

from models.base import Entity


class ExitPoll(Entity):
    election = fields.ForeignKeyField(
        "models.Election", related_name="exit_polls", on_delete=fields.CASCADE, db_index=True
    )
    election_id: int
    pollster = fields.ForeignKeyField(
        "models.Organization", related_name="exit_polls", on_delete=fields.RESTRICT, db_index=True
    )
    pollster_id: int
    commissioned_by = fields.ForeignKeyField(
        "models.Organization",
        related_name="exit_polls_commissioned",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    commissioned_by_id: int | None
    released = fields.DateField()
    # Local time of release as published ("20:00"), when the source gives it.
    released_time = fields.CharField(max_length=5, null=True)
    sample_size = fields.IntField(null=True)
    stations = fields.IntField(null=True)
    margin_of_error = fields.FloatField(null=True)
    summary = fields.TextField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="exit_polls", through="exit_poll_source"
    )

    class Meta:
        table = "exit_poll"


class ExitPollLine(Model):
    id = fields.IntField(primary_key=True)
    exit_poll = fields.ForeignKeyField(
        "models.ExitPoll", related_name="lines", on_delete=fields.CASCADE, db_index=True
    )
    exit_poll_id: int
    candidacy = fields.ForeignKeyField(
        "models.Candidacy", related_name="exit_poll_lines", on_delete=fields.CASCADE, db_index=True
    )
    candidacy_id: int
    share = fields.FloatField(null=True)
    # "under 5 %" and the like: the poll gave only a bound.
    share_below = fields.FloatField(null=True)
    seats = fields.IntField(null=True)

    class Meta:
        table = "exit_poll_line"
        unique_together = (("exit_poll", "candidacy"),)
