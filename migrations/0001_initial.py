"""Every table, as the models stood when migrations began.

Written by `tortoise makemigrations` (Tortoise ORM 1.1.9), then formatted with ruff, and
without the JSONField's encoder and decoder, which are no part of the schema and which
Tortoise picks by whether orjson is installed.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from models.area import AreaKind
from models.candidacy import CandidacyStatus, Nomination
from models.election import ElectionKind
from models.endorsement import Channel, EndorsementKind
from models.legal_case import Outcome
from models.office_term import TermStart
from models.organization import OrganizationKind
from models.statement import StatementKind
from models.tally import Stage


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Country",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("code", fields.CharField(unique=True, max_length=2)),
                ("name", fields.CharField(max_length=120)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "updated_at",
                    fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False),
                ),
            ],
            options={"table": "country", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Area",
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
                ("name", fields.CharField(max_length=200)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="REGION: region\nDISTRICT: district\nMUNICIPALITY: municipality\nCITY: city\nDISPUTED_TERRITORY: disputed_territory",
                        enum_type=AreaKind,
                        max_length=20,
                    ),
                ),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="areas",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "models.Area",
                        source_field="parent_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="children",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={"table": "area", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Organization",
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
                ("name", fields.CharField(max_length=200)),
                ("short_name", fields.CharField(null=True, max_length=60)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="PARTY: party\nBLOC: bloc\nELECTION_COMMISSION: election_commission\nCOURT: court\nOBSERVER_MISSION: observer_mission\nPOLLSTER: pollster\nMEDIA: media\nNGO: ngo\nGOVERNMENT: government\nINTERNATIONAL: international",
                        enum_type=OrganizationKind,
                        max_length=24,
                    ),
                ),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="organizations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "members",
                    fields.ManyToManyField(
                        "models.Organization",
                        unique=True,
                        db_constraint=True,
                        through="organization_member",
                        forward_key="member_id",
                        backward_key="bloc_id",
                        related_name="member_of",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "organization", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Source",
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
                ("url", fields.CharField(null=True, max_length=500)),
                ("publisher", fields.CharField(max_length=200)),
                ("title", fields.CharField(null=True, max_length=300)),
                ("published", fields.DateField(null=True)),
            ],
            options={"table": "source", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Person",
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
                ("name", fields.CharField(max_length=200)),
                ("also_known_as", fields.JSONField(default=list)),
                ("birth_date", fields.DateField(null=True)),
                ("death_date", fields.DateField(null=True)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="person_source",
                        forward_key="source_id",
                        backward_key="person_id",
                        related_name="people",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "person", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Election",
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
                        related_name="elections",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="PRESIDENTIAL: presidential\nPARLIAMENTARY: parliamentary\nREFERENDUM: referendum",
                        enum_type=ElectionKind,
                        max_length=16,
                    ),
                ),
                ("office", fields.CharField(max_length=200)),
                ("date", fields.DateField(db_index=True)),
                ("early", fields.BooleanField(default=False)),
                ("originally_due", fields.CharField(null=True, max_length=10)),
                ("called_on", fields.DateField(null=True)),
                (
                    "called_by_person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="called_by_person_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="elections_called",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "called_by_organization",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="called_by_organization_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="elections_called",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("reason", fields.TextField(null=True, unique=False)),
                ("term_years", fields.IntField(null=True)),
                ("seats", fields.IntField(null=True)),
                ("summary", fields.TextField(null=True, unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="election_source",
                        forward_key="source_id",
                        backward_key="election_id",
                        related_name="elections",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "election", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Candidacy",
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
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="candidacies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="person_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="candidacies",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "party",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="party_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="candidacies",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "nomination",
                    fields.CharEnumField(
                        null=True,
                        description="PARTY: party\nBLOC: bloc\nSELF: self\nINITIATIVE_GROUP: initiative_group",
                        enum_type=Nomination,
                        max_length=20,
                    ),
                ),
                ("incumbent", fields.BooleanField(default=False)),
                ("role", fields.CharField(null=True, max_length=200)),
                (
                    "status",
                    fields.CharEnumField(
                        default=CandidacyStatus.REGISTERED,
                        description="REGISTERED: registered\nWITHDRAWN: withdrawn\nDISQUALIFIED: disqualified",
                        enum_type=CandidacyStatus,
                        max_length=16,
                    ),
                ),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="candidacy_source",
                        forward_key="source_id",
                        backward_key="candidacy_id",
                        related_name="candidacies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "candidacy", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Endorsement",
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
                    "candidacy",
                    fields.ForeignKeyField(
                        "models.Candidacy",
                        source_field="candidacy_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="endorsements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="ENDORSEMENT: endorsement\nCONGRATULATION: congratulation",
                        enum_type=EndorsementKind,
                        max_length=16,
                    ),
                ),
                (
                    "endorser_person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="endorser_person_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="endorsements_given",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "endorser_organization",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="endorser_organization_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="endorsements_given",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="endorsements_given",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("date", fields.DateField(null=True)),
                (
                    "channel",
                    fields.CharEnumField(
                        null=True,
                        description="CALL: call\nLETTER: letter\nSTATEMENT: statement\nPOST: post\nMEETING: meeting",
                        enum_type=Channel,
                        max_length=12,
                    ),
                ),
                ("summary", fields.TextField(unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="endorsement_source",
                        forward_key="source_id",
                        backward_key="endorsement_id",
                        related_name="endorsements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "endorsement", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="ExitPoll",
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
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="exit_polls",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "pollster",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="pollster_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="exit_polls",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "commissioned_by",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="commissioned_by_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="exit_polls_commissioned",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("released", fields.DateField()),
                ("released_time", fields.CharField(null=True, max_length=5)),
                ("sample_size", fields.IntField(null=True)),
                ("stations", fields.IntField(null=True)),
                ("margin_of_error", fields.FloatField(null=True)),
                ("summary", fields.TextField(null=True, unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="exit_poll_source",
                        forward_key="source_id",
                        backward_key="exit_poll_id",
                        related_name="exit_polls",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "exit_poll", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="ExitPollLine",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "exit_poll",
                    fields.ForeignKeyField(
                        "models.ExitPoll",
                        source_field="exit_poll_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="lines",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "candidacy",
                    fields.ForeignKeyField(
                        "models.Candidacy",
                        source_field="candidacy_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="exit_poll_lines",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("share", fields.FloatField(null=True)),
                ("share_below", fields.FloatField(null=True)),
                ("seats", fields.IntField(null=True)),
            ],
            options={
                "table": "exit_poll_line",
                "app": "models",
                "unique_together": (("exit_poll", "candidacy"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LegalCase",
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
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="legal_cases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "court",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="court_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="cases_decided",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "judges",
                    fields.ManyToManyField(
                        "models.Person",
                        unique=True,
                        db_constraint=True,
                        through="legal_case_judge",
                        forward_key="person_id",
                        backward_key="legal_case_id",
                        related_name="cases_judged",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "claimant_people",
                    fields.ManyToManyField(
                        "models.Person",
                        unique=True,
                        db_constraint=True,
                        through="legal_case_claimant_person",
                        forward_key="person_id",
                        backward_key="legal_case_id",
                        related_name="cases_brought",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "claimant_organizations",
                    fields.ManyToManyField(
                        "models.Organization",
                        unique=True,
                        db_constraint=True,
                        through="legal_case_claimant_organization",
                        forward_key="organization_id",
                        backward_key="legal_case_id",
                        related_name="cases_brought",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "appeal_of",
                    fields.ForeignKeyField(
                        "models.LegalCase",
                        source_field="appeal_of_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="appeals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("filed", fields.DateField(null=True)),
                ("decided", fields.DateField(null=True)),
                ("subject", fields.TextField(unique=False)),
                (
                    "outcome",
                    fields.CharEnumField(
                        description="GRANTED: granted\nREJECTED: rejected\nREFUSED: refused\nPENDING: pending",
                        enum_type=Outcome,
                        max_length=10,
                    ),
                ),
                ("precincts_annulled", fields.IntField(null=True)),
                (
                    "annulled_areas",
                    fields.ManyToManyField(
                        "models.Area",
                        unique=True,
                        db_constraint=True,
                        through="legal_case_area",
                        forward_key="area_id",
                        backward_key="legal_case_id",
                        related_name="annulments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("summary", fields.TextField(null=True, unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="legal_case_source",
                        forward_key="source_id",
                        backward_key="legal_case_id",
                        related_name="legal_cases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "legal_case", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="OfficeTerm",
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
                    "person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="person_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="office_terms",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("office", fields.CharField(db_index=True, max_length=200)),
                (
                    "country",
                    fields.ForeignKeyField(
                        "models.Country",
                        source_field="country_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="office_terms",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("started", fields.CharField(max_length=10)),
                ("ended", fields.CharField(null=True, max_length=10)),
                (
                    "began_by",
                    fields.CharEnumField(
                        description="ELECTED: elected\nSUCCEEDED: succeeded\nACTING: acting",
                        enum_type=TermStart,
                        max_length=10,
                    ),
                ),
                (
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="office_terms",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("summary", fields.TextField(null=True, unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="office_term_source",
                        forward_key="source_id",
                        backward_key="office_term_id",
                        related_name="office_terms",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "office_term", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="PollingStations",
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
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="polling_stations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "area",
                    fields.ForeignKeyField(
                        "models.Area",
                        source_field="area_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="polling_stations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("count", fields.IntField()),
                ("summary", fields.TextField(null=True, unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="polling_stations_source",
                        forward_key="source_id",
                        backward_key="polling_stations_id",
                        related_name="polling_stations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "polling_stations",
                "app": "models",
                "unique_together": (("election", "area"),),
                "pk_attr": "id",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Statement",
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
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="statements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="RECOGNISES: recognises\nREJECTS: rejects\nOBSERVER_ASSESSMENT: observer_assessment\nFRAUD_ALLEGATION: fraud_allegation\nBOYCOTT: boycott",
                        enum_type=StatementKind,
                        max_length=20,
                    ),
                ),
                (
                    "person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="person_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="statements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="organization_id",
                        null=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="statements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("actor_description", fields.CharField(null=True, max_length=300)),
                ("date", fields.DateField(null=True)),
                ("summary", fields.TextField(unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="statement_source",
                        forward_key="source_id",
                        backward_key="statement_id",
                        related_name="statements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "statement", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Tally",
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
                    "election",
                    fields.ForeignKeyField(
                        "models.Election",
                        source_field="election_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="tallies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("round", fields.IntField(default=1)),
                (
                    "stage",
                    fields.CharEnumField(
                        description="PRELIMINARY: preliminary\nFINAL: final\nCERTIFIED: certified",
                        enum_type=Stage,
                        max_length=12,
                    ),
                ),
                ("as_of", fields.DateField(null=True)),
                ("counted_share", fields.FloatField(null=True)),
                ("stations_reported", fields.IntField(null=True)),
                ("stations_total", fields.IntField(null=True)),
                ("registered", fields.BigIntField(null=True)),
                ("cast", fields.BigIntField(null=True)),
                ("valid", fields.BigIntField(null=True)),
                ("invalid", fields.BigIntField(null=True)),
                ("against_all", fields.BigIntField(null=True)),
                ("turnout_reported", fields.FloatField(null=True)),
                ("preferred", fields.BooleanField(default=False)),
                ("summary", fields.TextField(null=True, unique=False)),
                (
                    "sources",
                    fields.ManyToManyField(
                        "models.Source",
                        unique=True,
                        db_constraint=True,
                        through="tally_source",
                        forward_key="source_id",
                        backward_key="tally_id",
                        related_name="tallies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "tally", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="TallyLine",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "tally",
                    fields.ForeignKeyField(
                        "models.Tally",
                        source_field="tally_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="lines",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "candidacy",
                    fields.ForeignKeyField(
                        "models.Candidacy",
                        source_field="candidacy_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="lines",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("votes", fields.BigIntField(null=True)),
                ("share", fields.FloatField(null=True)),
                ("seats", fields.IntField(null=True)),
            ],
            options={
                "table": "tally_line",
                "app": "models",
                "unique_together": (("tally", "candidacy"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
