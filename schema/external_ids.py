"""ExternalIds: the publishers' own identifiers of a row, so that users can join back to the
data sets it was imported from."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(description="An identifier a publisher gives a row, by the publisher's name.")
class ExternalId:
    name: str = strawberry.field(description='Whose identifier, e.g. "parlgov" or "fips".')
    value: str = strawberry.field(description="The identifier, as text.")


@strawberry.type(
    description="The identifiers publishers give a row: ParlGov's for its parties, elections, "
    "results and cabinets; the FIPS and ICPSR codes of US states (MIT Election Lab)."
)
class ExternalIds:
    ids: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="ParlGov's identifier (its table's `id`), if imported from it.")
    def parlgov(self) -> int | None:
        return _whole(self.ids.get("parlgov"))

    @strawberry.field(description="A US state's FIPS code, as the MIT Election Lab gives it.")
    def fips(self) -> int | None:
        return _whole(self.ids.get("fips"))

    @strawberry.field(description="A US state's ICPSR code, as the MIT Election Lab gives it.")
    def icpsr(self) -> int | None:
        return _whole(self.ids.get("icpsr"))

    @strawberry.field(description="Every identifier kept, by the publisher's name.")
    def all(self) -> list[ExternalId]:
        return [ExternalId(name=k, value=str(v)) for k, v in sorted(self.ids.items())]


def _whole(value: Any) -> int | None:
    # A fixture may give an identifier as text; the named fields are the publishers' numbers.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def external_ids_of(row: Any) -> ExternalIds:
    """The identifiers of a model row (or record) with an `external_ids` column."""
    return ExternalIds(ids=dict(row.external_ids or {}))
