"""The Tortoise models: one module per stored entity."""

from models.area import Area, AreaKind
from models.audit import AuditAction, AuditEntry
from models.cabinet import Cabinet, Termination
from models.candidacy import Candidacy, CandidacyStatus, Nomination
from models.country import Country
from models.dataset import Dataset
from models.election import Election, ElectionKind
from models.endorsement import Channel, Endorsement, EndorsementKind
from models.exit_poll import ExitPoll, ExitPollLine
from models.legal_case import LegalCase, Outcome
from models.office_term import OfficeTerm, TermStart
from models.organization import Organization, OrganizationKind
from models.party_history import LinkKind, OrganizationLink, OrganizationName
from models.person import Person
from models.polling_stations import PollingStations
from models.source import Source
from models.statement import Statement, StatementKind
from models.tally import Stage, Tally, TallyLine
from models.token import ApiToken, Scope

__models__ = [
    Source,
    Country,
    Area,
    Person,
    Organization,
    OrganizationName,
    OrganizationLink,
    Election,
    Candidacy,
    Tally,
    TallyLine,
    Endorsement,
    Statement,
    ExitPoll,
    ExitPollLine,
    LegalCase,
    PollingStations,
    OfficeTerm,
    Cabinet,
    ApiToken,
    AuditEntry,
    Dataset,
]

__all__ = [
    "ApiToken",
    "Area",
    "AreaKind",
    "AuditAction",
    "AuditEntry",
    "Cabinet",
    "Candidacy",
    "CandidacyStatus",
    "Channel",
    "Country",
    "Dataset",
    "Election",
    "ElectionKind",
    "Endorsement",
    "EndorsementKind",
    "ExitPoll",
    "ExitPollLine",
    "LegalCase",
    "LinkKind",
    "Nomination",
    "OfficeTerm",
    "Organization",
    "OrganizationKind",
    "OrganizationLink",
    "OrganizationName",
    "Outcome",
    "Person",
    "PollingStations",
    "Scope",
    "Source",
    "Stage",
    "Statement",
    "StatementKind",
    "Tally",
    "TallyLine",
    "TermStart",
    "Termination",
]
