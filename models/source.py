"""Source: where a fact was read: an address, a publisher, a title, a date."""

from tortoise import fields

from models.base import Entity


class Source(Entity):
    url = fields.CharField(max_length=500, null=True)
    publisher = fields.CharField(max_length=200)
    title = fields.CharField(max_length=300, null=True)
    published = fields.DateField(null=True)
    # For a data set: the release read, and the terms it is published under.
    version = fields.CharField(max_length=200, null=True)
    licence = fields.CharField(max_length=100, null=True)

    class Meta:
        table = "source"
