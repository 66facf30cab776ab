"""The Tortoise models: one module per stored entity."""

from models.area import Area, AreaKind
from models.audit import AuditAction, AuditEntry
from models.candidacy import Candidacy, CandidacyStatus, Nomination
from models.country import Country
from models.election import Election, ElectionKind
from models.endorsement import Channel, Endorsement, EndorsementKind
from models.exit_poll import ExitPoll, ExitPollLine
from models.legal_case import LegalCase, Outcome
from models.office_term import OfficeTerm, TermStart
from models.organization import Organization, OrganizationKind
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
    ApiToken,
    AuditEntry,
]

__all__ = [
    "ApiToken",
    "Area",
    "AreaKind",
    "AuditAction",
    "AuditEntry",
    "Candidacy",
    "CandidacyStatus",
    "Channel",
    "Country",
    "Election",
    "ElectionKind",
    "Endorsement",
    "EndorsementKind",
    "ExitPoll",
    "ExitPollLine",
    "LegalCase",
    "Nomination",
    "OfficeTerm",
    "Organization",
    "OrganizationKind",
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
]
