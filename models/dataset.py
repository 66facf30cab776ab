"""Dataset: a set of inputs loaded at start, with the digest of its contents, so that a start
whose inputs have not changed since need not load them again."""

from tortoise import fields
from tortoise.models import Model


class Dataset(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60, unique=True)
    # SHA-256 of the inputs (file contents and the version of the code that maps them).
    digest = fields.CharField(max_length=64)
    loaded_at = fields.DatetimeField()

    class Meta:
        table = "dataset"
