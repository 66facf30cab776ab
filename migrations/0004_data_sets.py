"""Data sets: ISO codes of countries and areas, publishers' identifiers, sources of
organizations, tallies by area with their consistency warnings, alliances, cabinets, party
names and links, and the digest of the inputs loaded at start.

Written by `tortoise makemigrations` (Tortoise ORM 1.1.9), then formatted with ruff, and
without the JSONField's encoder and decoder (see 0001_initial).
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from models.cabinet import Termination
from models.party_history import LinkKind


class Migration(migrations.Migration):
    dependencies = [("models", "0003_curation")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Cabinet",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "key",
                    fields.CharField(
                        unique=True, description="Natural key, stable across loads", max_length=120
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "updated_at",
                    fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False),
                ),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="cabinets",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("started", fields.DateField(db_index=True)),
                ("ended", fields.DateField(null=True)),
                ("caretaker", fields.BooleanField(default=False)),
                (
                    "termination",
                    fields.CharEnumField(
                        null=True,
                        description="ELECTION_REGULAR: election_regular\nELECTION_DISSOLUTION: election_dissolution\nRESIGNATION_PM: resignation_pm\nRESIGNATION_CABINET: resignation_cabinet\nCHANGE_PM: change_pm\nCHANGE_PARTY: change_party\nCONFIDENCE_VOTE: confidence_vote\nOTHER: other",
                        enum_type=Termination,
                        max_length=24,
                    ),
                ),
                (
                    "previous_election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="previous_election_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="cabinets",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "parties",
                    fields.ManyToManyField(
                        "models.Organization",
                        unique=True,
                        db_constraint=True,
                        through="cabinet_party",
                        forward_key="organization_id",
                        backward_key="cabinet_id",
                        related_name="cabinets",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "prime_minister_party",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="prime_minister_party_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="cabinets_led",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("external_ids", fields.JSONField(null=True)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="cabinet_source",
                        forward_key="source_id",
                        backward_key="cabinet_id",
                        related_name="cabinets",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "cabinet", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Dataset",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(unique=True, max_length=60)),
                ("digest", fields.CharField(max_length=64)),
                ("loaded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "dataset", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OrganizationLink",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "key",
                    fields.CharField(
                        unique=True, description="Natural key, stable across loads", max_length=120
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "updated_at",
                    fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False),
                ),
                (
                    "predecessor",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="predecessor_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="successor_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "successor",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="successor_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="predecessor_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="SPLINTER: splinter\nDIVISION: division\nMERGER: merger\nJOINED: joined\nSUCCESSOR: successor\nPOLITICIAN: politician\nUNSPECIFIED: unspecified",
                        enum_type=LinkKind,
                        max_length=12,
                    ),
                ),
                ("date", fields.DateField()),
                ("external_ids", fields.JSONField(null=True)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="organization_link_source",
                        forward_key="source_id",
                        backward_key="organization_link_id",
                        related_name="organization_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "organization_link",
                "app": "models",
                "pk_attr": "id",
                "table_description": "`successor` came from `predecessor` on `date`, in the way `kind` says.",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="OrganizationName",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "key",
                    fields.CharField(
                        unique=True, description="Natural key, stable across loads", max_length=120
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "updated_at",
                    fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False),
                ),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="organization_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="name_history",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("short_name", fields.CharField(null=True, max_length=60)),
                ("native_name", fields.CharField(null=True, max_length=200)),
                ("since", fields.DateField()),
                ("external_ids", fields.JSONField(null=True)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="organization_name_source",
                        forward_key="source_id",
                        backward_key="organization_name_id",
                        related_name="organization_names",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "organization_name",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A name an organization took on a date and kept until its next one.",
            },
            bases=["Entity"],
        ),
        ops.AddField(
            model_name="Area",
            name="code",
            field=fields.CharField(null=True, max_length=10),
        ),
        ops.AddField(
            model_name="Area",
            name="external_ids",
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name="Candidacy",
            name="alliance",
            field=fields.ForeignKeyField(
                "models.Candidacy",
                source_field="alliance_id",
                null=True,
                db_index=True,
                db_constraint=True,
                to_field="id",
                related_name="allied",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Candidacy",
            name="external_ids",
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name="Country",
            name="alpha3",
            field=fields.CharField(null=True, max_length=3),
        ),
        ops.AddField(
            model_name="Country",
            name="numeric",
            field=fields.CharField(null=True, max_length=3),
        ),
        ops.AddField(
            model_name="Country",
            name="official_name",
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name="Election",
            name="external_ids",
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name="Organization",
            name="also_known_as",
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name="Organization",
            name="external_ids",
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name="Organization",
            name="sources",
            field=fields.ManyToManyField(
                "models.Source",
                unique=True,
                db_constraint=True,
                through="organization_source",
                forward_key="source_id",
                backward_key="organization_id",
                related_name="organizations",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddField(
            model_name="Source",
            name="licence",
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name="Source",
            name="version",
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name="Tally",
            name="area",
            field=fields.ForeignKeyField(
                "models.Area",
                source_field="area_id",
                null=True,
                db_index=True,
                db_constraint=True,
                to_field="id",
                related_name="tallies",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Tally",
            name="explained_warnings",
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name="Tally",
            name="warnings",
            field=fields.JSONField(null=True),
        ),
        # SQLite's ADD COLUMN leaves out the index of a new foreign key; PostgreSQL, which made
        # it, finds it there.
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_candidacy_allianc_c4b221" ON "candidacy" ("alliance_id")',
            reverse_sql='DROP INDEX IF EXISTS "idx_candidacy_allianc_c4b221"',
        ),
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_tally_area_id_434e09" ON "tally" ("area_id")',
            reverse_sql='DROP INDEX IF EXISTS "idx_tally_area_id_434e09"',
        ),
    ]
