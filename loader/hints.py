"""Hints: the loader's messages that say what was meant: the known field closest to an
unknown one, and records named in the singular or the plural as their number asks."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

#: Each section's record in the singular ("unknown person 'x'") and in the plural.
NOUNS: dict[str, tuple[str, str]] = {
    "sources": ("source", "sources"),
    "countries": ("country", "countries"),
    "areas": ("area", "areas"),
    "people": ("person", "people"),
    "organizations": ("organization", "organizations"),
    "organization_names": ("organization name", "organization names"),
    "organization_links": ("organization link", "organization links"),
    "elections": ("election", "elections"),
    "candidacies": ("candidacy", "candidacies"),
    "tallies": ("tally", "tallies"),
    "endorsements": ("endorsement", "endorsements"),
    "statements": ("statement", "statements"),
    "exit_polls": ("exit poll", "exit polls"),
    "legal_cases": ("legal case", "legal cases"),
    "polling_stations": ("polling station count", "polling station counts"),
    "office_terms": ("office term", "office terms"),
    "cabinets": ("cabinet", "cabinets"),
}


def noun(section: str, count: int = 1) -> str:
    """The name of `count` records of `section`: "person", "people"."""
    one, many = NOUNS.get(section, (section, section))
    return one if count == 1 else many


def listed(keys: Sequence[str]) -> str:
    """'a'; 'a' and 'b'; 'a', 'b' and 'c'."""
    quoted = [f"'{key}'" for key in keys]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def unknown(section: str, keys: Sequence[str]) -> str:
    """The message for references to records of `section` that are not there."""
    return f"unknown {noun(section, len(keys))} {listed(keys)}"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds: `Line`, `list[Line]`, `Line | None`…"""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is None:
        return []
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    found: list[type[BaseModel]] = []
    if origin in (list, tuple, typing.Union, types.UnionType, dict):
        for argument in typing.get_args(annotation):
            found += _models_in(argument)
    return found


def fields_at(model: type[BaseModel], location: Iterable[str | int]) -> list[str]:
    """The fields of the record at `location` within a `model` (list indexes skipped);
    empty if the location leads to no record."""
    current = model
    for part in location:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        inner = _models_in(field.annotation) if field is not None else []
        if not inner:
            return []
        current = inner[0]
    return list(current.model_fields)


def unknown_field(name: str, known: Sequence[str]) -> str:
    """The message for a field no record of its kind has: the closest known one, or them all."""
    if not known:
        return f"unknown field '{name}'"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown field '{name}': did you mean '{close[0]}'?"
    return f"unknown field '{name}'; the fields are {', '.join(known)}"
