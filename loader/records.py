"""The fixture format: one pydantic model per section of a fixture file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from models.base import KEY_LENGTH


def _date_text(value: object) -> object:
    # Lax date parsing would read a number as seconds since 1970 (`date: 0` is 1970-01-01).
    if isinstance(value, str | dt.date):
        return value
    raise PydanticCustomError("date_type", "Input should be a valid date")


# Strict types: a fixture that says `votes: "12"` or `name: NO` (YAML 1.1's false) is an
# error to report, not a value to coerce. Dates are parsed from text (YAML and JSON give
# them as strings), but never from numbers.
Date = Annotated[dt.date, BeforeValidator(_date_text)]
Key = Annotated[
    StrictStr, Field(min_length=1, max_length=KEY_LENGTH, pattern=r"^[a-z0-9][a-z0-9./_-]*$")
]
Text = Annotated[StrictStr, Field(min_length=1)]
CountryCode = Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]
Count = Annotated[StrictInt, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100, strict=False)]
Sources = Annotated[list[Key], Field(min_length=1)]
# A publisher's identifiers of a row, by publisher ({"parlgov": 1096}).
ExternalIds = dict[Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$")], StrictInt | StrictStr]


class Record(BaseModel):
    """Fields shared by every record: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRecord(Record):
    key: Key
    url: Annotated[StrictStr, Field(pattern=r"^https?://\S+$")] | None = None
    publisher: Text
    title: Text | None = None
    published: Date | None = None
    # For a data set: the release read, and its licence.
    version: Text | None = None
    licence: Text | None = None

    @model_validator(mode="after")
    def _findable(self) -> SourceRecord:
        if self.url is None and self.title is None:
            raise ValueError("a source without a url needs a title")
        return self


class CountryRecord(Record):
    code: CountryCode
    name: Text
    alpha3: Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")] | None = None
    numeric: Annotated[StrictStr, Field(pattern=r"^[0-9]{3}$")] | None = None
    official_name: Text | None = None


class AreaRecord(Record):
    key: Key
    name: Text
    kind: Literal["region", "district", "municipality", "city", "disputed_territory"]
    country: CountryCode
    parent: Key | None = None
    # The ISO 3166-2 code of a subdivision ("US-GA").
    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    external_ids: ExternalIds | None = None


class PersonRecord(Record):
    key: Key
    name: Text
    also_known_as: list[Text] = []
    birth_date: Date | None = None
    death_date: Date | None = None
    sources: list[Key] = []

    @model_validator(mode="after")
    def _dates(self) -> PersonRecord:
        if self.birth_date and self.death_date and self.death_date < self.birth_date:
            raise ValueError("death_date is before birth_date")
        if self.birth_date and not self.sources:
            raise ValueError("a birth_date needs at least one source")
        return self


class OrganizationRecord(Record):
    key: Key
    name: Text
    short_name: Text | None = None
    kind: Literal[
        "party",
        "bloc",
        "election_commission",
        "court",
        "observer_mission",
        "pollster",
        "media",
        "ngo",
        "government",
        "international",
    ]
    country: CountryCode | None = None
    members: list[Key] = []
    also_known_as: list[Text] | None = None
    external_ids: ExternalIds | None = None
    sources: list[Key] = []


class ElectionRecord(Record):
    key: Key
    country: CountryCode
    kind: Literal["presidential", "parliamentary", "referendum"]
    office: Text
    date: Date
    early: StrictBool = False
    # ISO 8601 at the precision the sources give: "2018-10-17", or "2025-10" when only
    # the month is known.
    originally_due: (
        Annotated[StrictStr, Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")]
        | None
    ) = None
    called_on: Date | None = None
    called_by_person: Key | None = None
    called_by_organization: Key | None = None
    reason: Text | None = None
    term_years: Annotated[StrictInt, Field(ge=1, le=20)] | None = None
    seats: Annotated[StrictInt, Field(ge=1)] | None = None
    summary: Text | None = None
    external_ids: ExternalIds | None = None
    sources: Sources

    @model_validator(mode="after")
    def _schedule(self) -> ElectionRecord:
        if self.originally_due and not self.early:
            raise ValueError("originally_due is only for early elections (set early: true)")
        if self.called_on and self.called_on > self.date:
            raise ValueError("called_on is after the polling date")
        return self


class CandidacyRecord(Record):
    key: Key
    election: Key
    person: Key | None = None
    party: Key | None = None
    # None when no source says how the candidate was nominated.
    nomination: Literal["party", "bloc", "self", "initiative_group"] | None = None
    incumbent: StrictBool = False
    role: Text | None = None
    status: Literal["registered", "withdrawn", "disqualified"] = "registered"
    # The candidacy of the electoral alliance this list ran in (same election).
    alliance: Key | None = None
    external_ids: ExternalIds | None = None
    sources: Sources

    @model_validator(mode="after")
    def _who(self) -> CandidacyRecord:
        if self.person is None and self.party is None:
            raise ValueError("a candidacy needs a person, a party (for a list), or both")
        if self.nomination in ("party", "bloc") and self.party is None:
            raise ValueError(f"nomination '{self.nomination}' needs the nominating party")
        return self


class TallyLineRecord(Record):
    candidacy: Key
    votes: Count | None = None
    share: Percent | None = None
    seats: Count | None = None


#: The consistency warnings a tally can have (loader/consistency.py).
WarningCode = Literal[
    "cast_exceeds_registered",
    "valid_and_invalid_exceed_cast",
    "lines_exceed_valid",
    "shares_exceed_100",
    "share_mismatch",
    "turnout_mismatch",
]


class TallyRecord(Record):
    key: Key
    election: Key
    # The area counted; none for the whole country.
    area: Key | None = None
    round: Annotated[StrictInt, Field(ge=1, le=3)] = 1
    stage: Literal["preliminary", "final", "certified"]
    # None when the source does not say when the figures were published.
    as_of: Date | None = None
    counted_share: Percent | None = None
    stations_reported: Count | None = None
    stations_total: Count | None = None
    registered: Count | None = None
    cast: Count | None = None
    valid: Count | None = None
    invalid: Count | None = None
    against_all: Count | None = None
    turnout_reported: Percent | None = None
    preferred: StrictBool = False
    summary: Text | None = None
    # Warnings this tally has that the sources explain (code -> why): figures that disagree
    # are kept as published, and `elections validate --strict` accepts them.
    explained_warnings: dict[WarningCode, Text] | None = None
    lines: list[TallyLineRecord] = []
    sources: Sources

    @model_validator(mode="after")
    def _consistent(self) -> TallyRecord:
        # Figures that disagree with one another are warnings (loader/consistency.py), since
        # sources do disagree; these rules are about the record itself.
        if (
            self.stations_reported is not None
            and self.stations_total is not None
            and self.stations_reported > self.stations_total
        ):
            raise ValueError("stations_reported exceeds stations_total")
        if self.preferred and self.stage == "preliminary":
            raise ValueError("only a final or certified tally can be preferred")
        seen: set[str] = set()
        for line in self.lines:
            if line.candidacy in seen:
                raise ValueError(f"candidacy '{line.candidacy}' has two lines")
            seen.add(line.candidacy)
        return self


class EndorsementRecord(Record):
    key: Key
    candidacy: Key
    kind: Literal["endorsement", "congratulation"]
    endorser_person: Key | None = None
    endorser_organization: Key | None = None
    country: CountryCode | None = None
    date: Date | None = None
    channel: Literal["call", "letter", "statement", "post", "meeting"] | None = None
    summary: Text
    sources: Sources

    @model_validator(mode="after")
    def _endorser(self) -> EndorsementRecord:
        if not (self.endorser_person or self.endorser_organization or self.country):
            raise ValueError("an endorsement needs an endorser person, organization or country")
        return self


PartialDate = Annotated[
    StrictStr, Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
]


class StatementRecord(Record):
    key: Key
    election: Key
    kind: Literal["recognises", "rejects", "observer_assessment", "fraud_allegation", "boycott"]
    person: Key | None = None
    organization: Key | None = None
    # For actors the sources describe but do not name.
    actor_description: Text | None = None
    date: Date | None = None
    summary: Text
    sources: Sources

    @model_validator(mode="after")
    def _actor(self) -> StatementRecord:
        if self.person is None and self.organization is None and self.actor_description is None:
            raise ValueError("a statement needs a person, an organization, or an actor_description")
        return self


class ExitPollLineRecord(Record):
    candidacy: Key
    share: Percent | None = None
    share_below: Percent | None = None
    seats: Count | None = None


class ExitPollRecord(Record):
    key: Key
    election: Key
    pollster: Key
    commissioned_by: Key | None = None
    released: Date
    released_time: Annotated[StrictStr, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None
    sample_size: Annotated[StrictInt, Field(ge=1)] | None = None
    stations: Annotated[StrictInt, Field(ge=1)] | None = None
    margin_of_error: Annotated[float, Field(gt=0, le=50)] | None = None
    summary: Text | None = None
    lines: Annotated[list[ExitPollLineRecord], Field(min_length=1)]
    sources: Sources

    @model_validator(mode="after")
    def _lines(self) -> ExitPollRecord:
        seen: set[str] = set()
        for line in self.lines:
            if line.candidacy in seen:
                raise ValueError(f"candidacy '{line.candidacy}' has two lines")
            seen.add(line.candidacy)
            if line.share is None and line.share_below is None and line.seats is None:
                raise ValueError(f"the line for '{line.candidacy}' has no share, bound or seats")
        if sum(line.share or 0 for line in self.lines) > 100.5:
            raise ValueError("line shares add up to more than 100")
        return self


class LegalCaseRecord(Record):
    key: Key
    election: Key
    court: Key
    judges: list[Key] = []
    claimant_people: list[Key] = []
    claimant_organizations: list[Key] = []
    appeal_of: Key | None = None
    filed: Date | None = None
    decided: Date | None = None
    subject: Text
    outcome: Literal["granted", "rejected", "refused", "pending"]
    precincts_annulled: Count | None = None
    annulled_areas: list[Key] = []
    summary: Text | None = None
    sources: Sources

    @model_validator(mode="after")
    def _dates(self) -> LegalCaseRecord:
        if self.filed and self.decided and self.decided < self.filed:
            raise ValueError(f"decided ({self.decided}) is before filed ({self.filed})")
        if self.outcome == "pending" and self.decided is not None:
            raise ValueError("a pending case has no decided date")
        if self.appeal_of == self.key:
            raise ValueError("a case cannot appeal itself")
        return self


class PollingStationsRecord(Record):
    key: Key
    election: Key
    area: Key | None = None
    count: Annotated[StrictInt, Field(ge=1)]
    summary: Text | None = None
    sources: Sources


class OfficeTermRecord(Record):
    key: Key
    person: Key
    office: Text
    country: CountryCode
    started: PartialDate
    ended: PartialDate | None = None
    began_by: Literal["elected", "succeeded", "acting"]
    election: Key | None = None
    summary: Text | None = None
    sources: Sources

    @model_validator(mode="after")
    def _order(self) -> OfficeTermRecord:
        if self.ended is not None and self.ended < self.started:
            raise ValueError(f"ended ({self.ended}) is before started ({self.started})")
        if self.began_by == "elected" and self.election is None:
            raise ValueError("a term begun by election names the election")
        return self


class OrganizationNameRecord(Record):
    key: Key
    organization: Key
    name: Text
    short_name: Text | None = None
    native_name: Text | None = None
    since: Date
    external_ids: ExternalIds | None = None
    sources: Sources


class OrganizationLinkRecord(Record):
    key: Key
    predecessor: Key
    successor: Key
    kind: Literal[
        "splinter", "division", "merger", "joined", "successor", "politician", "unspecified"
    ]
    date: Date
    external_ids: ExternalIds | None = None
    sources: Sources

    @model_validator(mode="after")
    def _two(self) -> OrganizationLinkRecord:
        if self.predecessor == self.successor:
            raise ValueError("an organization cannot be its own predecessor")
        return self


class CabinetRecord(Record):
    key: Key
    country: CountryCode
    name: Text
    started: Date
    ended: Date | None = None
    caretaker: StrictBool = False
    termination: (
        Literal[
            "election_regular",
            "election_dissolution",
            "resignation_pm",
            "resignation_cabinet",
            "change_pm",
            "change_party",
            "confidence_vote",
            "other",
        ]
        | None
    ) = None
    previous_election: Key | None = None
    parties: list[Key] = []
    prime_minister_party: Key | None = None
    external_ids: ExternalIds | None = None
    sources: Sources

    @model_validator(mode="after")
    def _order(self) -> CabinetRecord:
        if self.ended is not None and self.ended < self.started:
            raise ValueError(f"ended ({self.ended}) is before started ({self.started})")
        if self.prime_minister_party and self.prime_minister_party not in self.parties:
            raise ValueError("the prime minister's party is not among its parties")
        return self
