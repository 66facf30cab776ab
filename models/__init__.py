"""The Tortoise models: one module per stored entity."""

from models.area import Area, AreaKind
from models.candidacy import Candidacy, CandidacyStatus, Nomination
from models.country import Country
from models.election import Election, ElectionKind
from models.endorsement import Channel, Endorsement, EndorsementKind
from models.organization import Organization, OrganizationKind
from models.person import Person
from models.source import Source
from models.tally import Stage, Tally, TallyLine

__models__ = [
    Source,
    Country,
    Area,
    Person,
    Organization,
    Election,
    Candidacy,
    Tally,
    TallyLine,
    Endorsement,
]

__all__ = [
    "Area",
    "AreaKind",
    "Candidacy",
    "CandidacyStatus",
    "Channel",
    "Country",
    "Election",
    "ElectionKind",
    "Endorsement",
    "EndorsementKind",
    "Nomination",
    "Organization",
    "OrganizationKind",
    "Person",
    "Source",
    "Stage",
    "Tally",
    "TallyLine",
]
