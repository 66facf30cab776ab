"""Date: the scalar for a day, written YYYY-MM-DD, refused with the form to use when not."""

from __future__ import annotations

import datetime as dt
import re

from strawberry.exceptions import StrawberryInputCoercionError

from service.compat import ScalarDefinition

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

#: What the errors offer as an example.
EXAMPLE = "2024-02-07"


def parse_date(value: object) -> dt.date:
    """A day from its ISO 8601 text, YYYY-MM-DD and nothing else: Python also reads
    "20240207" and "2024-W06-3", which the form the API speaks does not hold."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise StrawberryInputCoercionError(
            f'{_shown(value)} is not a date: write it as YYYY-MM-DD, e.g. "{EXAMPLE}".'
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:  # a day that is not in the calendar: "2024-02-30"
        raise StrawberryInputCoercionError(
            f'"{value}" is not a date: {error}; write it as YYYY-MM-DD, e.g. "{EXAMPLE}".'
        ) from None


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f'"{value[:40]}…"' if len(value) > 40 else f'"{value}"'
    return f"{type(value).__name__} {value!r}"[:60]


Date = ScalarDefinition(
    name="Date",
    description='A day, as ISO 8601 writes it: YYYY-MM-DD, e.g. "2024-02-07".',
    specified_by_url=None,
    serialize=dt.date.isoformat,
    parse_value=parse_date,
    parse_literal=None,
    origin=dt.date,
)
