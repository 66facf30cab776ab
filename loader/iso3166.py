"""Countries and their subdivisions from ISO 3166, as pycountry publishes it, as records."""

from __future__ import annotations

from typing import Any

import pycountry

#: What the records say they come from (pycountry's copy of the ISO 3166 lists).
VERSION = f"pycountry {pycountry.__version__}"
#: ISO 3166-2 subdivision types, as area kinds.
_KINDS = {"District": "district", "Municipality": "municipality", "City": "city"}


def countries() -> list[dict[str, Any]]:
    """Every ISO 3166-1 country: its codes, its common name (else its ISO name), its official
    name."""
    found = []
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        found.append(
            {
                "code": country.alpha_2,
                "name": name,
                "alpha3": country.alpha_3,
                "numeric": country.numeric,
                "official_name": getattr(country, "official_name", None),
            }
        )
    return sorted(found, key=lambda c: c["code"])


def area_key(code: str) -> str:
    """The natural key of the area of an ISO 3166-2 code: "US-GA" is "us-ga"."""
    return code.lower()


def subdivisions(country: str) -> list[dict[str, Any]]:
    """The ISO 3166-2 subdivisions of one country, parents before their children."""
    found = []
    found_here: Any = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    for sub in found_here or []:
        found.append(
            {
                "key": area_key(sub.code),
                "code": sub.code,
                "name": sub.name,
                "kind": _KINDS.get(sub.type, "region"),
                "country": country,
                "parent": area_key(sub.parent_code) if sub.parent_code else None,
            }
        )
    return sorted(found, key=lambda a: (a["parent"] is not None, a["key"]))
