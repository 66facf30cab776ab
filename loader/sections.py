"""How each fixture section maps onto a model: natural key, references and links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tortoise.models import Model

import models
from loader.consistency import tally_warnings
from loader.records import (
    AreaRecord,
    CabinetRecord,
    CandidacyRecord,
    CountryRecord,
    ElectionRecord,
    EndorsementRecord,
    ExitPollRecord,
    LegalCaseRecord,
    OfficeTermRecord,
    OrganizationLinkRecord,
    OrganizationNameRecord,
    OrganizationRecord,
    PersonRecord,
    PollingStationsRecord,
    Record,
    SourceRecord,
    StatementRecord,
    TallyRecord,
)
from models.search import search_name


@dataclass(frozen=True)
class Lines:
    """Per-candidacy lines nested in a record: a tally's results, an exit poll's estimates."""

    model: type[Model]
    # The line model's foreign key to the record that holds it.
    parent: str
    # Values a line carries besides its candidacy.
    columns: tuple[str, ...]


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
    # the record's `lines`, stored as rows of their own
    lines: Lines | None = None
    # record fields whose names, folded, fill the `search_name` column (models.base.Named)
    search: tuple[str, ...] = ()
    # columns worked out from the whole record (not fields of it), by a function of it
    derived: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    def search_name(self, value: Callable[[str], Any]) -> str:
        """The `search_name` of a record whose fields `value` gives by name."""
        names: list[str | None] = []
        for name in self.search:
            found = value(name)
            names.extend(found if isinstance(found, list) else [found])
        return search_name(names)

    @cached_property
    def columns(self) -> list[str]:
        """Record fields stored as plain columns of the same name."""
        skip = {self.natural_key, *self.refs, *self.links, *(["lines"] if self.lines else [])}
        return [name for name in self.record.model_fields if name not in skip]


_SOURCES = {"sources": "sources"}

# In dependency order: every section names only sections before it (or itself).
SECTIONS: list[Section] = [
    Section("sources", models.Source, SourceRecord),
    Section("countries", models.Country, CountryRecord, natural_key="code"),
    Section(
        "areas",
        models.Area,
        AreaRecord,
        refs={"country": "countries", "parent": "areas"},
        search=("name",),
    ),
    Section(
        "people",
        models.Person,
        PersonRecord,
        links=_SOURCES,
        search=("name", "also_known_as"),
    ),
    Section(
        "organizations",
        models.Organization,
        OrganizationRecord,
        refs={"country": "countries"},
        links={"members": "organizations", **_SOURCES},
        search=("name", "short_name", "also_known_as"),
    ),
    Section(
        "organization_names",
        models.OrganizationName,
        OrganizationNameRecord,
        refs={"organization": "organizations"},
        links=_SOURCES,
    ),
    Section(
        "organization_links",
        models.OrganizationLink,
        OrganizationLinkRecord,
        refs={"predecessor": "organizations", "successor": "organizations"},
        links=_SOURCES,
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
        refs={
            "election": "elections",
            "person": "people",
            "party": "organizations",
            "alliance": "candidacies",
        },
        links=_SOURCES,
    ),
    Section(
        "tallies",
        models.Tally,
        TallyRecord,
        refs={"election": "elections", "area": "areas"},
        links=_SOURCES,
        lines=Lines(models.TallyLine, "tally", ("votes", "share", "seats")),
        derived={"warnings": tally_warnings},
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
    Section(
        "statements",
        models.Statement,
        StatementRecord,
        refs={"election": "elections", "person": "people", "organization": "organizations"},
        links=_SOURCES,
    ),
    Section(
        "exit_polls",
        models.ExitPoll,
        ExitPollRecord,
        refs={
            "election": "elections",
            "pollster": "organizations",
            "commissioned_by": "organizations",
        },
        links=_SOURCES,
        lines=Lines(models.ExitPollLine, "exit_poll", ("share", "share_below", "seats")),
    ),
    Section(
        "legal_cases",
        models.LegalCase,
        LegalCaseRecord,
        refs={"election": "elections", "court": "organizations", "appeal_of": "legal_cases"},
        links={
            "judges": "people",
            "claimant_people": "people",
            "claimant_organizations": "organizations",
            "annulled_areas": "areas",
            **_SOURCES,
        },
    ),
    Section(
        "polling_stations",
        models.PollingStations,
        PollingStationsRecord,
        refs={"election": "elections", "area": "areas"},
        links=_SOURCES,
    ),
    Section(
        "office_terms",
        models.OfficeTerm,
        OfficeTermRecord,
        refs={"person": "people", "country": "countries", "election": "elections"},
        links=_SOURCES,
    ),
    Section(
        "cabinets",
        models.Cabinet,
        CabinetRecord,
        refs={
            "country": "countries",
            "previous_election": "elections",
            "prime_minister_party": "organizations",
        },
        links={"parties": "organizations", **_SOURCES},
    ),
]

BY_NAME: dict[str, Section] = {section.name: section for section in SECTIONS}
