"""Filters: input objects for the root lists, combined with `and`, `or` and `not`, and
compiled to SQL over the list's table (alias `t`).

Within one filter object every field given must hold; `and` adds filters that must all
hold, `or` filters of which at least one must, `not` one that must not. An unknown key or
code in a filter matches nothing rather than failing, as a list that happens to be empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import strawberry

from models.search import fold
from schema import computed
from schema.candidacy import Nomination
from schema.country_code import alpha_2
from schema.election import ElectionKind
from schema.endorsement import EndorsementKind
from schema.keyset import FALSE, Dialect, Kind, Sql, all_of, any_of, negate
from schema.legal_case import Outcome
from schema.organization import OrganizationKind
from schema.statement import StatementKind
from service.errors import ClientError


@strawberry.input(description="Days from `from` to `to`, both included; either may be left out.")
class DateRange:
    from_: dt.date | None = strawberry.field(name="from", default=None, description="First day.")
    to: dt.date | None = strawberry.field(default=None, description="Last day.")


@strawberry.input(description="Numbers from `min` to `max`, both included; either may be left out.")
class NumberRange:
    min: float | None = strawberry.field(default=None, description="The smallest.")
    max: float | None = strawberry.field(default=None, description="The largest.")


def _between(
    expression: str, bounds: DateRange | NumberRange, kind: Kind, dialect: Dialect, path: str
) -> Sql:
    low: Any
    high: Any
    if isinstance(bounds, DateRange):
        (low, high), names = (bounds.from_, bounds.to), ("from", "to")
    else:
        (low, high), names = (bounds.min, bounds.max), ("min", "max")
    if low is not None and high is not None and low > high:
        raise ClientError(f"{path}: `{names[0]}` ({low}) is after `{names[1]}` ({high}).")
    parts = []
    if low is not None:
        parts.append(Sql(f"{expression} >= ?", (dialect.value(kind, low),)))
    if high is not None:
        parts.append(Sql(f"{expression} <= ?", (dialect.value(kind, high),)))
    # A value that is not there is in no range.
    return all_of([Sql(f"{expression} IS NOT NULL"), *parts])


def _equals(expression: str, value: Any, kind: Kind, dialect: Dialect) -> Sql:
    return Sql(f"{expression} = ?", (dialect.value(kind, value),))


#: No name is longer than this, so a longer search finds nothing; SQLite refuses a LIKE
#: pattern over 50,000 bytes.
LONGEST_SEARCH = 1000


def _stored(value: str, condition: Sql) -> Sql:
    """`condition`, or nothing matched when `value` holds a NUL character: no stored text
    does, and PostgreSQL refuses one in a query parameter."""
    return FALSE if "\0" in value else condition


def _by_key(column: str, table: str, key: str, natural_key: str = "key") -> Sql:
    condition = Sql(f"{column} IN (SELECT r.id FROM {table} r WHERE r.{natural_key} = ?)", (key,))
    return _stored(key, condition)


def _country(column: str, code: str, path: str) -> Sql:
    """Rows of the country with ISO code `code`; a code of another form is refused, naming
    the code meant ("Azerbaijan" is "AZ"), while an unknown one matches nothing."""
    return _by_key(column, "country", alpha_2(code, path), "code")


def _election_country(code: str, path: str) -> Sql:
    """Rows of an election (`t.election_id`) held in the country with ISO code `code`."""
    return Sql(
        "t.election_id IN (SELECT e.id FROM election e JOIN country c "
        "ON c.id = e.country_id WHERE c.code = ?)",
        (alpha_2(code, path),),
    )


def _search(text: str, path: str) -> Sql:
    if len(text.strip()) > LONGEST_SEARCH:
        return FALSE
    folded = fold(text)
    if not folded:
        raise ClientError(f"{path}: nothing to search for in {text!r}; give letters or digits.")
    # Folding keeps letters and digits only, so no NUL, % or _ reaches the pattern.
    return Sql("t.search_name LIKE ?", (f"%{folded}%",))


def _updated_since(since: dt.datetime, dialect: Dialect, path: str) -> Sql:
    if since.tzinfo is None:
        raise ClientError(f"{path}: give a time zone, e.g. 2024-02-07T00:00:00Z.")
    return Sql("t.updated_at >= ?", (dialect.value("datetime", since),))


class Filter(Protocol):
    def sql(self, dialect: Dialect, path: str = "filter") -> Sql: ...


#: The most filter objects one filter may hold through `and`, `or` and `not`, itself
#: included: each becomes conditions in the SQL, and SQLite refuses an expression nested
#: 1,000 deep ("Expression tree is too large").
MAX_FILTERS = 100


def size(filter_: Any) -> int:
    """How many filter objects `filter_` holds through `and`, `or` and `not`, itself
    included, counted up to MAX_FILTERS + 1 at most."""
    count = 0
    stack = [filter_]
    while stack and count <= MAX_FILTERS:  # not recursive: the depth is part of the count
        current = stack.pop()
        count += 1
        stack.extend(getattr(current, "and_", None) or ())
        stack.extend(getattr(current, "or_", None) or ())
        neither = getattr(current, "not_", None)
        if neither is not None:
            stack.append(neither)
    return count


class _Combined:
    """The `and`, `or` and `not` of a filter, around the conditions of its own fields."""

    # Each filter declares `updated_since`, and `and_`, `or_` and `not_` as fields of its
    # own type; they mean the same in every list, so they are compiled here.

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        raise NotImplementedError

    def sql(self, dialect: Dialect, path: str = "filter") -> Sql:
        """The filter as SQL, refused with a ClientError if it holds more than MAX_FILTERS
        filters."""
        if size(self) > MAX_FILTERS:
            raise ClientError(
                f"`{path}` holds more than {MAX_FILTERS} filters through `and`, `or` and "
                f"`not` (itself included), over the limit of {MAX_FILTERS}: combine fewer."
            )
        return self._sql(dialect, path)

    def _sql(self, dialect: Dialect, path: str) -> Sql:
        parts = self.own(dialect, path)
        since: dt.datetime | None = getattr(self, "updated_since", None)
        if since is not None:
            parts.append(_updated_since(since, dialect, f"{path}.updatedSince"))
        every: list[Any] | None = getattr(self, "and_", None)
        some: list[Any] | None = getattr(self, "or_", None)
        neither: Any | None = getattr(self, "not_", None)
        if every is not None:
            parts.extend(f._sql(dialect, f"{path}.and[{i}]") for i, f in enumerate(every))
        if some is not None:
            parts.append(any_of(f._sql(dialect, f"{path}.or[{i}]") for i, f in enumerate(some)))
        if neither is not None:
            parts.append(negate(neither._sql(dialect, f"{path}.not")))
        return all_of(parts)


_AND = "Filters that must all hold as well."
_OR = "Filters of which at least one must hold as well."
_NOT = "A filter that must not hold."
_UPDATED = "Only rows changed at or after this time (with a time zone): a change feed."


@strawberry.input(description="Which elections to list.")
class ElectionFilter(_Combined):
    country: str | None = strawberry.field(default=None, description='ISO code, e.g. "AZ".')
    kind: ElectionKind | None = strawberry.field(default=None, description="What it chose.")
    date: DateRange | None = strawberry.field(default=None, description="Polling day.")
    early: bool | None = strawberry.field(default=None, description="Snap elections, or not.")
    turnout: NumberRange | None = strawberry.field(
        default=None, description="Turnout in percent, from the preferred final tally."
    )
    winner_share: NumberRange | None = strawberry.field(
        default=None, description="The winner's share in percent, from the preferred tally."
    )
    has_statement: StatementKind | None = strawberry.field(
        default=None, description="Only those with at least one statement of this kind."
    )
    popular_vote_leader_won: bool | None = strawberry.field(
        default=None,
        description="Whether the popular-vote leader won by the rules (false: elections won "
        "by someone else, as by electors or seats); elections where either is unknown match "
        "neither.",
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[ElectionFilter] | None = strawberry.field(name="and", default=None, description=_AND)
    or_: list[ElectionFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: ElectionFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.country is not None:
            parts.append(_country("t.country_id", self.country, f"{path}.country"))
        if self.kind is not None:
            parts.append(_equals("t.kind", self.kind.value, "text", dialect))
        if self.date is not None:
            parts.append(_between("t.date", self.date, "date", dialect, f"{path}.date"))
        if self.early is not None:
            parts.append(_equals("t.early", self.early, "bool", dialect))
        if self.turnout is not None:
            parts.append(
                _between(
                    computed.turnout("t.id"), self.turnout, "number", dialect, f"{path}.turnout"
                )
            )
        if self.winner_share is not None:
            parts.append(
                _between(
                    computed.winner_share("t.id"),
                    self.winner_share,
                    "number",
                    dialect,
                    f"{path}.winnerShare",
                )
            )
        if self.has_statement is not None:
            parts.append(
                Sql(
                    "EXISTS (SELECT 1 FROM statement s WHERE s.election_id = t.id AND s.kind = ?)",
                    (self.has_statement.value,),
                )
            )
        if self.popular_vote_leader_won is not None:
            parts.append(
                Sql(
                    f"{computed.popular_vote_leader_won('t.id')} = ?",
                    (int(self.popular_vote_leader_won),),
                )
            )
        return parts


@strawberry.input(description="Which candidacies to list.")
class CandidacyFilter(_Combined):
    election: str | None = strawberry.field(default=None, description="The election's key.")
    country: str | None = strawberry.field(
        default=None, description="The election's country (ISO code)."
    )
    person: str | None = strawberry.field(default=None, description="The candidate's key.")
    party: str | None = strawberry.field(default=None, description="The party list's key.")
    nomination: Nomination | None = strawberry.field(default=None, description="How nominated.")
    incumbent: bool | None = strawberry.field(default=None, description="Held the office, or not.")
    won: bool | None = strawberry.field(
        default=None,
        description="Won by the rules of its election (as `Candidacy.won`), or not; "
        "candidacies whose election decided no one match neither.",
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[CandidacyFilter] | None = strawberry.field(
        name="and", default=None, description=_AND
    )
    or_: list[CandidacyFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: CandidacyFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.election is not None:
            parts.append(_by_key("t.election_id", "election", self.election))
        if self.country is not None:
            parts.append(_election_country(self.country, f"{path}.country"))
        if self.person is not None:
            parts.append(_by_key("t.person_id", "person", self.person))
        if self.party is not None:
            parts.append(_by_key("t.party_id", "organization", self.party))
        if self.nomination is not None:
            parts.append(_equals("t.nomination", self.nomination.value, "text", dialect))
        if self.incumbent is not None:
            parts.append(_equals("t.incumbent", self.incumbent, "bool", dialect))
        if self.won is not None:
            parts.append(Sql(f"{computed.won('t')} = ?", (int(self.won),)))
        return parts


@strawberry.input(description="Which endorsements and congratulations to list.")
class EndorsementFilter(_Combined):
    kind: EndorsementKind | None = strawberry.field(
        default=None, description="Support before the vote, or congratulations after."
    )
    endorser_country: str | None = strawberry.field(
        default=None, description="The country the endorser speaks for (ISO code)."
    )
    date: DateRange | None = strawberry.field(
        default=None, description="When it was given (undated ones are in no range)."
    )
    election: str | None = strawberry.field(default=None, description="The election's key.")
    candidacy: str | None = strawberry.field(default=None, description="The candidacy's key.")
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[EndorsementFilter] | None = strawberry.field(
        name="and", default=None, description=_AND
    )
    or_: list[EndorsementFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: EndorsementFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.kind is not None:
            parts.append(_equals("t.kind", self.kind.value, "text", dialect))
        if self.endorser_country is not None:
            parts.append(_country("t.country_id", self.endorser_country, f"{path}.endorserCountry"))
        if self.date is not None:
            parts.append(_between("t.date", self.date, "date", dialect, f"{path}.date"))
        if self.election is not None:
            condition = Sql(
                "t.candidacy_id IN (SELECT k.id FROM candidacy k JOIN election e "
                "ON e.id = k.election_id WHERE e.key = ?)",
                (self.election,),
            )
            parts.append(_stored(self.election, condition))
        if self.candidacy is not None:
            parts.append(_by_key("t.candidacy_id", "candidacy", self.candidacy))
        return parts


@strawberry.input(description="Which statements to list.")
class StatementFilter(_Combined):
    kind: StatementKind | None = strawberry.field(default=None, description="The stance taken.")
    election: str | None = strawberry.field(default=None, description="The election's key.")
    country: str | None = strawberry.field(
        default=None, description="The election's country (ISO code)."
    )
    person: str | None = strawberry.field(default=None, description="The speaker's key.")
    organization: str | None = strawberry.field(
        default=None, description="The key of the organization that spoke, or was spoken for."
    )
    date: DateRange | None = strawberry.field(
        default=None, description="When it was made (undated ones are in no range)."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[StatementFilter] | None = strawberry.field(
        name="and", default=None, description=_AND
    )
    or_: list[StatementFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: StatementFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.kind is not None:
            parts.append(_equals("t.kind", self.kind.value, "text", dialect))
        if self.election is not None:
            parts.append(_by_key("t.election_id", "election", self.election))
        if self.country is not None:
            parts.append(_election_country(self.country, f"{path}.country"))
        if self.person is not None:
            parts.append(_by_key("t.person_id", "person", self.person))
        if self.organization is not None:
            parts.append(_by_key("t.organization_id", "organization", self.organization))
        if self.date is not None:
            parts.append(_between("t.date", self.date, "date", dialect, f"{path}.date"))
        return parts


@strawberry.input(description="Which exit polls to list.")
class ExitPollFilter(_Combined):
    election: str | None = strawberry.field(default=None, description="The election's key.")
    country: str | None = strawberry.field(
        default=None, description="The election's country (ISO code)."
    )
    pollster: str | None = strawberry.field(default=None, description="The pollster's key.")
    released: DateRange | None = strawberry.field(
        default=None, description="The day it was released."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[ExitPollFilter] | None = strawberry.field(name="and", default=None, description=_AND)
    or_: list[ExitPollFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: ExitPollFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.election is not None:
            parts.append(_by_key("t.election_id", "election", self.election))
        if self.country is not None:
            parts.append(_election_country(self.country, f"{path}.country"))
        if self.pollster is not None:
            parts.append(_by_key("t.pollster_id", "organization", self.pollster))
        if self.released is not None:
            parts.append(_between("t.released", self.released, "date", dialect, f"{path}.released"))
        return parts


@strawberry.input(description="Which legal cases to list.")
class LegalCaseFilter(_Combined):
    election: str | None = strawberry.field(default=None, description="The election's key.")
    country: str | None = strawberry.field(
        default=None, description="The election's country (ISO code)."
    )
    court: str | None = strawberry.field(
        default=None, description="The key of the court (or commission) that decided."
    )
    outcome: Outcome | None = strawberry.field(default=None, description="How it ended.")
    decided: DateRange | None = strawberry.field(
        default=None, description="When it was decided (undecided ones are in no range)."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[LegalCaseFilter] | None = strawberry.field(
        name="and", default=None, description=_AND
    )
    or_: list[LegalCaseFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: LegalCaseFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.election is not None:
            parts.append(_by_key("t.election_id", "election", self.election))
        if self.country is not None:
            parts.append(_election_country(self.country, f"{path}.country"))
        if self.court is not None:
            parts.append(_by_key("t.court_id", "organization", self.court))
        if self.outcome is not None:
            parts.append(_equals("t.outcome", self.outcome.value, "text", dialect))
        if self.decided is not None:
            parts.append(_between("t.decided", self.decided, "date", dialect, f"{path}.decided"))
        return parts


_SEARCH = (
    "Part of a name, in any case, with or without accents, in any usual transliteration "
    '("aliyev" finds Əliyev, "oruç" and "oruc" find Oruj).'
)


@strawberry.input(description="Which people to list.")
class PersonFilter(_Combined):
    search: str | None = strawberry.field(default=None, description=_SEARCH)
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[PersonFilter] | None = strawberry.field(name="and", default=None, description=_AND)
    or_: list[PersonFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: PersonFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.search is not None:
            parts.append(_search(self.search, f"{path}.search"))
        return parts


@strawberry.input(description="Which organizations to list.")
class OrganizationFilter(_Combined):
    search: str | None = strawberry.field(
        default=None, description=f"{_SEARCH[:-2]}; short names too)."
    )
    kind: OrganizationKind | None = strawberry.field(default=None, description="Only this kind.")
    country: str | None = strawberry.field(default=None, description="Based in (ISO code).")
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[OrganizationFilter] | None = strawberry.field(
        name="and", default=None, description=_AND
    )
    or_: list[OrganizationFilter] | None = strawberry.field(
        name="or", default=None, description=_OR
    )
    not_: OrganizationFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.search is not None:
            parts.append(_search(self.search, f"{path}.search"))
        if self.kind is not None:
            parts.append(_equals("t.kind", self.kind.value, "text", dialect))
        if self.country is not None:
            parts.append(_country("t.country_id", self.country, f"{path}.country"))
        return parts


@strawberry.input(description="Which areas to list.")
class AreaFilter(_Combined):
    search: str | None = strawberry.field(default=None, description=_SEARCH)
    country: str | None = strawberry.field(default=None, description="In this country (ISO code).")
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[AreaFilter] | None = strawberry.field(name="and", default=None, description=_AND)
    or_: list[AreaFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: AreaFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        parts = []
        if self.search is not None:
            parts.append(_search(self.search, f"{path}.search"))
        if self.country is not None:
            parts.append(_country("t.country_id", self.country, f"{path}.country"))
        return parts


@strawberry.input(description="Which countries to list.")
class CountryFilter(_Combined):
    has_elections: bool | None = strawberry.field(
        default=None,
        description="Countries that held at least one election here, or (false) none: many "
        "countries appear only as the homes of others, such as congratulating leaders.",
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=_UPDATED)
    and_: list[CountryFilter] | None = strawberry.field(name="and", default=None, description=_AND)
    or_: list[CountryFilter] | None = strawberry.field(name="or", default=None, description=_OR)
    not_: CountryFilter | None = strawberry.field(name="not", default=None, description=_NOT)

    def own(self, dialect: Dialect, path: str) -> list[Sql]:
        if self.has_elections is None:
            return []
        exists = "EXISTS (SELECT 1 FROM election e WHERE e.country_id = t.id)"
        return [Sql(exists if self.has_elections else f"NOT {exists}")]
