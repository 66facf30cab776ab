"""The input types of the curation mutations: records as a fixture file has them.

Fields have the fixture format's meaning: references are natural keys (a country by its ISO
code), dates are ISO text ("2024-02-07", checked as the loader checks them, so a bad one is
an error in the payload naming the field), `sources` are source keys. A create input has every
field; an update input has only those to change: a field left out keeps its value, a field
given as null is cleared, and a list (sources, lines) replaces the stored one whole.
"""

from __future__ import annotations

import strawberry
from strawberry import Maybe

from schema.candidacy import CandidacyStatus, Nomination
from schema.election import ElectionKind
from schema.endorsement import Channel, EndorsementKind
from schema.statement import StatementKind
from schema.tally import Stage

_KEY = 'Natural key: lower-case letters, digits and . / _ -, e.g. "az-president-2024".'
_SOURCES = 'Keys of the sources that report it, at least one, e.g. ["cec-az-news-1285"].'
_SUMMARY = "What happened, in brief, in our own words."


def _date(what: str) -> str:
    return f'{what}: an ISO date, e.g. "2024-02-07".'


# --- Elections ------------------------------------------------------------------------------

_ELECTION = {
    "country": 'The ISO 3166-1 alpha-2 code of the country that holds it, e.g. "AZ".',
    "kind": "What the election chooses.",
    "office": "The office or body elected.",
    "date": _date("Polling day (of the first round)"),
    "early": "Whether it is a snap election, held before due.",
    "originally_due": 'For an early election, when it was due: "2025-10-17", "2025-10" or "2025".',
    "called_on": _date("When it was called"),
    "called_by_person": "Key of the person who called it.",
    "called_by_organization": "Key of the organization that called it.",
    "reason": "Why it was called early, in brief.",
    "term_years": "Length of the term at stake, in years (1-20).",
    "seats": "Seats at stake, for a parliament.",
}


@strawberry.input(description="A new election.")
class CreateElectionInput:
    key: str = strawberry.field(description=_KEY)
    country: str = strawberry.field(description=_ELECTION["country"])
    kind: ElectionKind = strawberry.field(description=_ELECTION["kind"])
    office: str = strawberry.field(description=_ELECTION["office"])
    date: str = strawberry.field(description=_ELECTION["date"])
    sources: list[str] = strawberry.field(description=_SOURCES)
    early: bool = strawberry.field(default=False, description=_ELECTION["early"])
    originally_due: str | None = strawberry.field(
        default=None, description=_ELECTION["originally_due"]
    )
    called_on: str | None = strawberry.field(default=None, description=_ELECTION["called_on"])
    called_by_person: str | None = strawberry.field(
        default=None, description=_ELECTION["called_by_person"]
    )
    called_by_organization: str | None = strawberry.field(
        default=None, description=_ELECTION["called_by_organization"]
    )
    reason: str | None = strawberry.field(default=None, description=_ELECTION["reason"])
    term_years: int | None = strawberry.field(default=None, description=_ELECTION["term_years"])
    seats: int | None = strawberry.field(default=None, description=_ELECTION["seats"])
    summary: str | None = strawberry.field(default=None, description=_SUMMARY)


@strawberry.input(description="Changes to an election: only the fields given change.")
class UpdateElectionInput:
    country: Maybe[str | None] = strawberry.field(description=_ELECTION["country"])
    kind: Maybe[ElectionKind | None] = strawberry.field(description=_ELECTION["kind"])
    office: Maybe[str | None] = strawberry.field(description=_ELECTION["office"])
    date: Maybe[str | None] = strawberry.field(description=_ELECTION["date"])
    sources: Maybe[list[str] | None] = strawberry.field(description=_SOURCES)
    early: Maybe[bool | None] = strawberry.field(description=_ELECTION["early"])
    originally_due: Maybe[str | None] = strawberry.field(description=_ELECTION["originally_due"])
    called_on: Maybe[str | None] = strawberry.field(description=_ELECTION["called_on"])
    called_by_person: Maybe[str | None] = strawberry.field(
        description=_ELECTION["called_by_person"]
    )
    called_by_organization: Maybe[str | None] = strawberry.field(
        description=_ELECTION["called_by_organization"]
    )
    reason: Maybe[str | None] = strawberry.field(description=_ELECTION["reason"])
    term_years: Maybe[int | None] = strawberry.field(description=_ELECTION["term_years"])
    seats: Maybe[int | None] = strawberry.field(description=_ELECTION["seats"])
    summary: Maybe[str | None] = strawberry.field(description=_SUMMARY)


# --- Candidacies ----------------------------------------------------------------------------

_CANDIDACY = {
    "election": "Key of the election stood in.",
    "person": "Key of the candidate; null for a party list.",
    "party": "Key of the nominating party or bloc, or of the party whose list this is.",
    "nomination": "How it was put forward; null when no source says.",
    "incumbent": "Whether the candidate held the office.",
    "role": "The candidate's position at the time.",
    "status": "Whether it was on the ballot.",
}


@strawberry.input(
    description="A new candidacy: a person, or a party list, standing in an election."
)
class CreateCandidacyInput:
    key: str = strawberry.field(description=_KEY)
    election: str = strawberry.field(description=_CANDIDACY["election"])
    sources: list[str] = strawberry.field(description=_SOURCES)
    person: str | None = strawberry.field(default=None, description=_CANDIDACY["person"])
    party: str | None = strawberry.field(default=None, description=_CANDIDACY["party"])
    nomination: Nomination | None = strawberry.field(
        default=None, description=_CANDIDACY["nomination"]
    )
    incumbent: bool = strawberry.field(default=False, description=_CANDIDACY["incumbent"])
    role: str | None = strawberry.field(default=None, description=_CANDIDACY["role"])
    status: CandidacyStatus = strawberry.field(
        default=CandidacyStatus.REGISTERED, description=_CANDIDACY["status"]
    )


@strawberry.input(description="Changes to a candidacy: only the fields given change.")
class UpdateCandidacyInput:
    election: Maybe[str | None] = strawberry.field(description=_CANDIDACY["election"])
    sources: Maybe[list[str] | None] = strawberry.field(description=_SOURCES)
    person: Maybe[str | None] = strawberry.field(description=_CANDIDACY["person"])
    party: Maybe[str | None] = strawberry.field(description=_CANDIDACY["party"])
    nomination: Maybe[Nomination | None] = strawberry.field(description=_CANDIDACY["nomination"])
    incumbent: Maybe[bool | None] = strawberry.field(description=_CANDIDACY["incumbent"])
    role: Maybe[str | None] = strawberry.field(description=_CANDIDACY["role"])
    status: Maybe[CandidacyStatus | None] = strawberry.field(description=_CANDIDACY["status"])


# --- Tallies --------------------------------------------------------------------------------

_TALLY = {
    "election": "Key of the election counted.",
    "round": "Round of voting, 1 to 3.",
    "stage": "How far along the count the figures are.",
    "as_of": _date("When the figures were published"),
    "counted_share": "Percent of ballots or protocols counted when published.",
    "stations_reported": "Polling stations reported when published.",
    "stations_total": "Polling stations in all.",
    "registered": "Registered voters.",
    "cast": "Ballots cast.",
    "valid": "Valid ballots.",
    "invalid": "Invalid ballots.",
    "against_all": "Votes against all candidates, where the ballot had that line.",
    "turnout_reported": "Turnout in percent, only when the source gives no counts.",
    "preferred": 'Whether this is the final tally that "the result" means (one per round).',
    "lines": "A line per candidacy; in an update, the new lines replace the stored ones.",
}
_LINE = {
    "candidacy": "Key of the candidacy, of the tally's election.",
    "votes": "Votes received.",
    "share": "Share of the vote in percent.",
    "seats": "Seats won.",
}


@strawberry.input(description="One line of a tally: a candidacy's votes, share and seats.")
class TallyLineInput:
    candidacy: str = strawberry.field(description=_LINE["candidacy"])
    votes: int | None = strawberry.field(default=None, description=_LINE["votes"])
    share: float | None = strawberry.field(default=None, description=_LINE["share"])
    seats: int | None = strawberry.field(default=None, description=_LINE["seats"])


@strawberry.input(description="A new tally: one published result of an election, with its lines.")
class CreateTallyInput:
    key: str = strawberry.field(description=_KEY)
    election: str = strawberry.field(description=_TALLY["election"])
    stage: Stage = strawberry.field(description=_TALLY["stage"])
    sources: list[str] = strawberry.field(description=_SOURCES)
    round: int = strawberry.field(default=1, description=_TALLY["round"])
    as_of: str | None = strawberry.field(default=None, description=_TALLY["as_of"])
    counted_share: float | None = strawberry.field(
        default=None, description=_TALLY["counted_share"]
    )
    stations_reported: int | None = strawberry.field(
        default=None, description=_TALLY["stations_reported"]
    )
    stations_total: int | None = strawberry.field(
        default=None, description=_TALLY["stations_total"]
    )
    registered: int | None = strawberry.field(default=None, description=_TALLY["registered"])
    cast: int | None = strawberry.field(default=None, description=_TALLY["cast"])
    valid: int | None = strawberry.field(default=None, description=_TALLY["valid"])
    invalid: int | None = strawberry.field(default=None, description=_TALLY["invalid"])
    against_all: int | None = strawberry.field(default=None, description=_TALLY["against_all"])
    turnout_reported: float | None = strawberry.field(
        default=None, description=_TALLY["turnout_reported"]
    )
    preferred: bool = strawberry.field(default=False, description=_TALLY["preferred"])
    summary: str | None = strawberry.field(default=None, description=_SUMMARY)
    lines: list[TallyLineInput] = strawberry.field(
        default_factory=list, description=_TALLY["lines"]
    )


@strawberry.input(description="Changes to a tally: only the fields given change.")
class UpdateTallyInput:
    election: Maybe[str | None] = strawberry.field(description=_TALLY["election"])
    stage: Maybe[Stage | None] = strawberry.field(description=_TALLY["stage"])
    sources: Maybe[list[str] | None] = strawberry.field(description=_SOURCES)
    round: Maybe[int | None] = strawberry.field(description=_TALLY["round"])
    as_of: Maybe[str | None] = strawberry.field(description=_TALLY["as_of"])
    counted_share: Maybe[float | None] = strawberry.field(description=_TALLY["counted_share"])
    stations_reported: Maybe[int | None] = strawberry.field(description=_TALLY["stations_reported"])
    stations_total: Maybe[int | None] = strawberry.field(description=_TALLY["stations_total"])
    registered: Maybe[int | None] = strawberry.field(description=_TALLY["registered"])
    cast: Maybe[int | None] = strawberry.field(description=_TALLY["cast"])
    valid: Maybe[int | None] = strawberry.field(description=_TALLY["valid"])
    invalid: Maybe[int | None] = strawberry.field(description=_TALLY["invalid"])
    against_all: Maybe[int | None] = strawberry.field(description=_TALLY["against_all"])
    turnout_reported: Maybe[float | None] = strawberry.field(description=_TALLY["turnout_reported"])
    preferred: Maybe[bool | None] = strawberry.field(description=_TALLY["preferred"])
    summary: Maybe[str | None] = strawberry.field(description=_SUMMARY)
    lines: Maybe[list[TallyLineInput] | None] = strawberry.field(description=_TALLY["lines"])


# --- Endorsements ---------------------------------------------------------------------------

_ENDORSEMENT = {
    "candidacy": "Key of the candidacy supported or congratulated.",
    "kind": "Support before the vote, or congratulations after it.",
    "endorser_person": "Key of the person who gave it.",
    "endorser_organization": "Key of the organization that gave it.",
    "country": 'ISO code of the country the endorser speaks for, e.g. "RU".',
    "date": _date("When it was given"),
    "channel": "How it was delivered.",
    "summary": "What was said, in brief, in our own words.",
}


@strawberry.input(description="A new endorsement or congratulation of a candidacy.")
class CreateEndorsementInput:
    key: str = strawberry.field(description=_KEY)
    candidacy: str = strawberry.field(description=_ENDORSEMENT["candidacy"])
    kind: EndorsementKind = strawberry.field(description=_ENDORSEMENT["kind"])
    summary: str = strawberry.field(description=_ENDORSEMENT["summary"])
    sources: list[str] = strawberry.field(description=_SOURCES)
    endorser_person: str | None = strawberry.field(
        default=None, description=_ENDORSEMENT["endorser_person"]
    )
    endorser_organization: str | None = strawberry.field(
        default=None, description=_ENDORSEMENT["endorser_organization"]
    )
    country: str | None = strawberry.field(default=None, description=_ENDORSEMENT["country"])
    date: str | None = strawberry.field(default=None, description=_ENDORSEMENT["date"])
    channel: Channel | None = strawberry.field(default=None, description=_ENDORSEMENT["channel"])


@strawberry.input(description="Changes to an endorsement: only the fields given change.")
class UpdateEndorsementInput:
    candidacy: Maybe[str | None] = strawberry.field(description=_ENDORSEMENT["candidacy"])
    kind: Maybe[EndorsementKind | None] = strawberry.field(description=_ENDORSEMENT["kind"])
    summary: Maybe[str | None] = strawberry.field(description=_ENDORSEMENT["summary"])
    sources: Maybe[list[str] | None] = strawberry.field(description=_SOURCES)
    endorser_person: Maybe[str | None] = strawberry.field(
        description=_ENDORSEMENT["endorser_person"]
    )
    endorser_organization: Maybe[str | None] = strawberry.field(
        description=_ENDORSEMENT["endorser_organization"]
    )
    country: Maybe[str | None] = strawberry.field(description=_ENDORSEMENT["country"])
    date: Maybe[str | None] = strawberry.field(description=_ENDORSEMENT["date"])
    channel: Maybe[Channel | None] = strawberry.field(description=_ENDORSEMENT["channel"])


# --- Statements -----------------------------------------------------------------------------

_STATEMENT = {
    "election": "Key of the election it is about.",
    "kind": "The stance it takes.",
    "person": "Key of the person who made it.",
    "organization": "Key of the organization that made it, or that the person spoke for.",
    "actor_description": 'Who made it, when the sources do not name them: "five opposition'
    ' leaders".',
    "date": _date("When it was made"),
    "summary": "What was said, in brief, in our own words.",
}


@strawberry.input(description="A new statement: an actor's stance on a whole election.")
class CreateStatementInput:
    key: str = strawberry.field(description=_KEY)
    election: str = strawberry.field(description=_STATEMENT["election"])
    kind: StatementKind = strawberry.field(description=_STATEMENT["kind"])
    summary: str = strawberry.field(description=_STATEMENT["summary"])
    sources: list[str] = strawberry.field(description=_SOURCES)
    person: str | None = strawberry.field(default=None, description=_STATEMENT["person"])
    organization: str | None = strawberry.field(
        default=None, description=_STATEMENT["organization"]
    )
    actor_description: str | None = strawberry.field(
        default=None, description=_STATEMENT["actor_description"]
    )
    date: str | None = strawberry.field(default=None, description=_STATEMENT["date"])


@strawberry.input(description="Changes to a statement: only the fields given change.")
class UpdateStatementInput:
    election: Maybe[str | None] = strawberry.field(description=_STATEMENT["election"])
    kind: Maybe[StatementKind | None] = strawberry.field(description=_STATEMENT["kind"])
    summary: Maybe[str | None] = strawberry.field(description=_STATEMENT["summary"])
    sources: Maybe[list[str] | None] = strawberry.field(description=_SOURCES)
    person: Maybe[str | None] = strawberry.field(description=_STATEMENT["person"])
    organization: Maybe[str | None] = strawberry.field(description=_STATEMENT["organization"])
    actor_description: Maybe[str | None] = strawberry.field(
        description=_STATEMENT["actor_description"]
    )
    date: Maybe[str | None] = strawberry.field(description=_STATEMENT["date"])
