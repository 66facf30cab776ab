"""Person: one row per human across every election they took part in."""

from tortoise import fields

from models.base import Named


class Person(Named):
    name = fields.CharField(max_length=200)
    # Other spellings and transliterations, kept for search ("Əliyev", "Aliev").
    also_known_as = fields.JSONField(default=list)
    birth_date = fields.DateField(null=True)
    death_date = fields.DateField(null=True)
    sources = fields.ManyToManyField(
        "models.Source", related_name="people", through="person_source"
    )

    def names(self) -> list[str | None]:
        return [self.name, *self.also_known_as]

    class Meta:
        table = "person"
