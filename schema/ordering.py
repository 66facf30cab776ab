"""Ordering: a list of fields, each with a direction and where nulls go, for the root lists.

The natural key always comes last, so the order is total and cursors are exact. Nulls go
last unless asked otherwise, whichever the direction; text is ordered by code point. Both
hold the same on SQLite and PostgreSQL (schema/keyset.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Generic, Protocol, TypeVar

import strawberry

from schema import computed
from schema.keyset import Kind, SortKey


@strawberry.enum(description="Which way a field orders a list.")
class Direction(Enum):
    ASC = strawberry.enum_value(
        "asc", description="Smallest, earliest or first in code point order first."
    )
    DESC = strawberry.enum_value(
        "desc", description="Largest, latest or last in code point order first."
    )


@strawberry.enum(description="Where items without a value go, in either direction.")
class Nulls(Enum):
    FIRST = strawberry.enum_value("first", description="Items without a value before the rest.")
    LAST = strawberry.enum_value("last", description="Items without a value after the rest.")


#: The enum of the fields a list can be ordered by.
F = TypeVar("F", bound=Enum)

_DIRECTION = "Ascending (the default) or descending."
_NULLS = "Where items without a value go: LAST (the default) or FIRST."


@strawberry.enum(description="What elections can be ordered by.")
class ElectionOrderField(Enum):
    DATE = strawberry.enum_value(
        "date", description="The date (polling day; for endorsements, the day given)."
    )
    COUNTRY = strawberry.enum_value("country", description="The country's ISO code.")
    KIND = strawberry.enum_value("kind", description="The kind, by its name.")
    TURNOUT = strawberry.enum_value("turnout", description="Turnout in the preferred final tally.")
    WINNER_SHARE = strawberry.enum_value(
        "winner_share", description="The winner's share in the preferred final tally."
    )
    CALLED_ON = strawberry.enum_value("called_on", description="The day it was called.")
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What candidacies can be ordered by.")
class CandidacyOrderField(Enum):
    ELECTION_DATE = strawberry.enum_value(
        "election_date", description="The election's polling day."
    )
    SHARE = strawberry.enum_value("share", description="The share in the preferred final tally.")
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What endorsements can be ordered by.")
class EndorsementOrderField(Enum):
    DATE = strawberry.enum_value(
        "date", description="The date (polling day; for endorsements, the day given)."
    )
    REPORTED_ON = strawberry.enum_value(
        "reported_on",
        description="The earliest publication date among its sources (`reportedOn`).",
    )
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What statements can be ordered by.")
class StatementOrderField(Enum):
    DATE = strawberry.enum_value("date", description="The day it was made.")
    KIND = strawberry.enum_value("kind", description="The kind, by its name.")
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What exit polls can be ordered by.")
class ExitPollOrderField(Enum):
    RELEASED = strawberry.enum_value("released", description="The day it was released.")
    SAMPLE_SIZE = strawberry.enum_value(
        "sample_size", description="How many respondents were interviewed."
    )
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What legal cases can be ordered by.")
class LegalCaseOrderField(Enum):
    DATE = strawberry.enum_value(
        "date", description="The day it was decided, or filed when not decided."
    )
    FILED = strawberry.enum_value("filed", description="The day the claim was filed.")
    DECIDED = strawberry.enum_value("decided", description="The day it was decided.")
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What people can be ordered by.")
class PersonOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, in code point order.")
    BIRTH_DATE = strawberry.enum_value("birth_date", description="The date of birth.")
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What organizations can be ordered by.")
class OrganizationOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, in code point order.")
    KIND = strawberry.enum_value("kind", description="The kind, by its name.")
    UPDATED_AT = strawberry.enum_value(
        "updated_at", description="When the row was last created or changed."
    )
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What areas can be ordered by.")
class AreaOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, in code point order.")
    KEY = strawberry.enum_value("key", description="The natural key.")


@strawberry.enum(description="What countries can be ordered by.")
class CountryOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, in code point order.")
    CODE = strawberry.enum_value("code", description="The ISO code.")


@strawberry.input(description="One key of an order.")
class OrderKey(Generic[F]):
    """The one shape of every list's order keys; each list names its own below, with the
    fields it can be ordered by."""

    field: F = strawberry.field(description="What to order by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIRECTION)
    nulls: Nulls = strawberry.field(default=Nulls.LAST, description=_NULLS)


@strawberry.input(description="One key of an election order.")
class ElectionOrder(OrderKey[ElectionOrderField]):
    pass


@strawberry.input(description="One key of a candidacy order.")
class CandidacyOrder(OrderKey[CandidacyOrderField]):
    pass


@strawberry.input(description="One key of an endorsement order.")
class EndorsementOrder(OrderKey[EndorsementOrderField]):
    pass


@strawberry.input(description="One key of a statement order.")
class StatementOrder(OrderKey[StatementOrderField]):
    pass


@strawberry.input(description="One key of an exit poll order.")
class ExitPollOrder(OrderKey[ExitPollOrderField]):
    pass


@strawberry.input(description="One key of a legal case order.")
class LegalCaseOrder(OrderKey[LegalCaseOrderField]):
    pass


@strawberry.input(description="One key of a person order.")
class PersonOrder(OrderKey[PersonOrderField]):
    pass


@strawberry.input(description="One key of an organization order.")
class OrganizationOrder(OrderKey[OrganizationOrderField]):
    pass


@strawberry.input(description="One key of an area order.")
class AreaOrder(OrderKey[AreaOrderField]):
    pass


@strawberry.input(description="One key of a country order.")
class CountryOrder(OrderKey[CountryOrderField]):
    pass


class Order(Protocol):
    @property
    def field(self) -> Enum: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def nulls(self) -> Nulls: ...


#: Per list: what each order field means in SQL over `t`, how it compares, and whether it
#: can be null.
EXPRESSIONS: dict[str, dict[str, tuple[str, Kind, bool]]] = {
    "election": {
        "date": ("t.date", "date", False),
        "country": ("(SELECT o.code FROM country o WHERE o.id = t.country_id)", "text", False),
        "kind": ("t.kind", "text", False),
        "turnout": (computed.turnout("t.id"), "number", True),
        "winner_share": (computed.winner_share("t.id"), "number", True),
        "called_on": ("t.called_on", "date", True),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "candidacy": {
        "election_date": (
            "(SELECT o.date FROM election o WHERE o.id = t.election_id)",
            "date",
            False,
        ),
        "share": (computed.share("t"), "number", True),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "endorsement": {
        "date": ("t.date", "date", True),
        "reported_on": (
            "(SELECT MIN(s.published) FROM endorsement_source l JOIN source s "
            "ON s.id = l.source_id WHERE l.endorsement_id = t.id)",
            "date",
            True,
        ),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "statement": {
        "date": ("t.date", "date", True),
        "kind": ("t.kind", "text", False),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "exit_poll": {
        "released": ("t.released", "date", False),
        "sample_size": ("t.sample_size", "number", True),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "legal_case": {
        "date": ("COALESCE(t.decided, t.filed)", "date", True),
        "filed": ("t.filed", "date", True),
        "decided": ("t.decided", "date", True),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "person": {
        "name": ("t.name", "text", False),
        "birth_date": ("t.birth_date", "date", True),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "organization": {
        "name": ("t.name", "text", False),
        "kind": ("t.kind", "text", False),
        "updated_at": ("t.updated_at", "datetime", False),
        "key": ("t.key", "text", False),
    },
    "area": {"name": ("t.name", "text", False), "key": ("t.key", "text", False)},
    "country": {"name": ("t.name", "text", False), "code": ("t.code", "text", False)},
}


def sort_keys(
    table: str, orders: Sequence[Order] | None, default: Sequence[str], natural_key: str = "key"
) -> list[SortKey]:
    """The keys to order `table` by: those asked for (else `default`), then the natural key."""
    expressions: Mapping[str, tuple[str, Kind, bool]] = EXPRESSIONS[table]
    keys = []
    if orders:
        for order in orders:
            expression, kind, nullable = expressions[order.field.value]
            keys.append(
                SortKey(
                    order.field.value,
                    expression,
                    kind,
                    descending=order.direction is Direction.DESC,
                    nulls_first=order.nulls is Nulls.FIRST,
                    nullable=nullable,
                )
            )
    else:
        for name in default:
            expression, kind, nullable = expressions[name]
            keys.append(SortKey(name, expression, kind, nullable=nullable))
    expression, kind, _ = expressions[natural_key]
    keys.append(SortKey(natural_key, expression, kind, nullable=False))
    return keys
