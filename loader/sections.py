"""How each fixture section maps onto a model: natural key, references and links."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.models import Model

import models
from loader.records import (
    AreaRecord,
    CandidacyRecord,
    CountryRecord,
    ElectionRecord,
    EndorsementRecord,
    OrganizationRecord,
    PersonRecord,
    Record,
    SourceRecord,
    TallyRecord,
)


@dataclass(frozen=True)
class Section:
    name: str
    model: type[Model]
    record: type[Record]
    natural_key: str = "key"
    # record field -> section it names (a foreign key column `<field>_id`)
    refs: dict[str, str] = field(default_factory=dict)
    # record field -> section it names (a many-to-many relation of the same name)
    links: dict[str, str] = field(default_factory=dict)
    # record fields that are stored elsewhere (tally lines)
    nested: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Record fields stored as plain columns of the same name."""
        skip = {self.natural_key, *self.refs, *self.links, *self.nested}
        return [name for name in self.record.model_fields if name not in skip]


_SOURCES = {"sources": "sources"}

# In dependency order: every section names only sections before it (or itself).
SECTIONS: list[Section] = [
    Section("sources", models.Source, SourceRecord),
    Section("countries", models.Country, CountryRecord, natural_key="code"),
    Section("areas", models.Area, AreaRecord, refs={"country": "countries", "parent": "areas"}),
    Section("people", models.Person, PersonRecord, links=_SOURCES),
    Section(
        "organizations",
        models.Organization,
        OrganizationRecord,
        refs={"country": "countries"},
        links={"members": "organizations"},
    ),
    Section(
        "elections",
        models.Election,
        ElectionRecord,
        refs={
            "country": "countries",
            "called_by_person": "people",
            "called_by_organization": "organizations",
        },
        links=_SOURCES,
    ),
    Section(
        "candidacies",
        models.Candidacy,
        CandidacyRecord,
        refs={"election": "elections", "person": "people", "party": "organizations"},
        links=_SOURCES,
    ),
    Section(
        "tallies",
        models.Tally,
        TallyRecord,
        refs={"election": "elections"},
        links=_SOURCES,
        nested=("lines",),
    ),
    Section(
        "endorsements",
        models.Endorsement,
        EndorsementRecord,
        refs={
            "candidacy": "candidacies",
            "endorser_person": "people",
            "endorser_organization": "organizations",
            "country": "countries",
        },
        links=_SOURCES,
    ),
]

BY_NAME: dict[str, Section] = {section.name: section for section in SECTIONS}
