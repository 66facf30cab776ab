"""Titles: an election's name as people write it, "2024 Azerbaijani presidential election".

The rule, for every country and kind:

    presidential       {year} {adjective} presidential election
    parliamentary      {year} {adjective} {name of a parliament's election} election
    European Parliament {year} European Parliament election in {place}
    referendum         {year} {adjective} referendum

where the adjective, the name a country gives its parliament's election ("general" in the
United Kingdom, "federal" in Germany, "legislative" in France) and the place come from the
table below, in the form the press and the encyclopedias use. When a country held two
elections of the same body in one year (the United Kingdom in 1974), each title starts with
its month: "February 1974 United Kingdom general election".

A country missing from the table is named by its name, with "parliamentary" for its
parliament: readable, if not always idiomatic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Naming:
    """How one country's elections are named."""

    #: Before the kind of election: "Azerbaijani", "United Kingdom".
    adjective: str
    #: What an election of its parliament is called, before "election".
    parliament: str = "parliamentary"
    #: After "European Parliament election in": "Germany", "the Netherlands".
    place: str = ""


#: By ISO 3166-1 alpha-2 code: every country with elections in the bundled data.
NAMINGS: dict[str, Naming] = {
    "AT": Naming("Austrian", "legislative", "Austria"),
    "AU": Naming("Australian", "federal", "Australia"),
    "AZ": Naming("Azerbaijani", place="Azerbaijan"),
    "BE": Naming("Belgian", "federal", "Belgium"),
    "BG": Naming("Bulgarian", place="Bulgaria"),
    "CA": Naming("Canadian", "federal", "Canada"),
    "CH": Naming("Swiss", "federal", "Switzerland"),
    "CY": Naming("Cypriot", "legislative", "Cyprus"),
    "CZ": Naming("Czech", "legislative", "the Czech Republic"),
    "DE": Naming("German", "federal", "Germany"),
    "DK": Naming("Danish", "general", "Denmark"),
    "EE": Naming("Estonian", place="Estonia"),
    "ES": Naming("Spanish", "general", "Spain"),
    "FI": Naming("Finnish", place="Finland"),
    "FR": Naming("French", "legislative", "France"),
    "GB": Naming("United Kingdom", "general", "the United Kingdom"),
    "GE": Naming("Georgian", place="Georgia"),
    "GR": Naming("Greek", "legislative", "Greece"),
    "HR": Naming("Croatian", place="Croatia"),
    "HU": Naming("Hungarian", place="Hungary"),
    "IE": Naming("Irish", "general", "Ireland"),
    "IL": Naming("Israeli", "legislative", "Israel"),
    "IS": Naming("Icelandic", place="Iceland"),
    "IT": Naming("Italian", "general", "Italy"),
    "JP": Naming("Japanese", "general", "Japan"),
    "LT": Naming("Lithuanian", place="Lithuania"),
    "LU": Naming("Luxembourg", "general", "Luxembourg"),
    "LV": Naming("Latvian", place="Latvia"),
    "MT": Naming("Maltese", "general", "Malta"),
    "NL": Naming("Dutch", "general", "the Netherlands"),
    "NO": Naming("Norwegian", place="Norway"),
    "NZ": Naming("New Zealand", "general", "New Zealand"),
    "PL": Naming("Polish", place="Poland"),
    "PT": Naming("Portuguese", "legislative", "Portugal"),
    "RO": Naming("Romanian", "legislative", "Romania"),
    "SE": Naming("Swedish", "general", "Sweden"),
    "SI": Naming("Slovenian", place="Slovenia"),
    "SK": Naming("Slovak", place="Slovakia"),
    "TR": Naming("Turkish", place="Turkey"),
    "US": Naming("United States", place="the United States"),
}

#: The office of an election to the European Parliament, as the importer names it.
EUROPEAN_PARLIAMENT = "European Parliament"


def naming(code: str, name: str) -> Naming:
    """How the country with ISO code `code` and name `name` names its elections."""
    return NAMINGS.get(code) or Naming(name, place=name)


def title(country: Naming, kind: str, office: str, date: dt.date, same_year: bool = False) -> str:
    """The title of an election of `kind` ("presidential", "parliamentary", "referendum")
    for `office` on `date` in the country named by `country`; `same_year` when the country
    held another election of the same office that year, so that the month tells them apart."""
    when = f"{date:%B} {date.year}" if same_year else str(date.year)
    if office == EUROPEAN_PARLIAMENT:
        return f"{when} European Parliament election in {country.place}"
    if kind == "presidential":
        return f"{when} {country.adjective} presidential election"
    if kind == "referendum":
        return f"{when} {country.adjective} referendum"
    return f"{when} {country.adjective} {country.parliament} election"
