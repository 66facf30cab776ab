"""Every schema enum made from a model's enum (schema/conversion.py looks each stored member
up by its value) has every value of that model enum: a value stored but missing from the
schema fails here rather than as a KeyError when a request reaches a row holding it.

The pairs are found, not listed: each type made from a row, each of its data fields whose
type is an enum, and the model field of the same name that the conversion reads."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import cast

from strawberry.types import get_object_definition
from tortoise.models import Model

import models
import schema  # noqa: F401 (defines every type, so that FromRow knows its subclasses)
from schema.conversion import FromRow
from service.compat import StrawberryEnumDefinition, StrawberryList, StrawberryOptional

#: (type, field, schema enum, model enum)
Pair = tuple[str, str, type[Enum], type[Enum]]


def _made_from_rows(cls: type) -> Iterator[type]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from _made_from_rows(sub)


def _model_of(cls: type) -> type[Model]:
    """The model a type's rows are: a node's `model`, else the model of the same name (each
    schema module is named as its model, docs/architecture.md)."""
    model = getattr(cls, "model", None) or getattr(models, cls.__name__, None)
    assert isinstance(model, type) and issubclass(model, Model), f"{cls.__name__}: no model"
    return model


def enum_pairs() -> list[Pair]:
    pairs: list[Pair] = []
    for cls in sorted(set(_made_from_rows(FromRow)), key=lambda c: c.__name__):
        definition = get_object_definition(cls, strict=True)
        for field in definition.fields:
            if field.base_resolver is not None:
                continue  # a resolver converts what it returns itself
            field_type = field.type
            while isinstance(field_type, StrawberryOptional | StrawberryList):
                field_type = field_type.of_type
            if not isinstance(field_type, StrawberryEnumDefinition):
                continue
            model_field = _model_of(cls)._meta.fields_map[field.python_name]
            model_enum = getattr(model_field, "enum_type", None)
            assert model_enum is not None, f"{cls.__name__}.{field.python_name}: no model enum"
            schema_enum = cast(type[Enum], field_type.wrapped_cls)
            pairs.append((cls.__name__, field.python_name, schema_enum, model_enum))
    return pairs


def test_the_pairs_are_found() -> None:
    # The enums known when this test was written are among those found, so the discovery
    # cannot pass by finding nothing.
    found = {(type_name, field, s.__name__, m.__name__) for type_name, field, s, m in enum_pairs()}
    assert {
        ("Area", "kind", "AreaKind", "AreaKind"),
        ("AuditEntry", "action", "AuditAction", "AuditAction"),
        ("Cabinet", "termination", "Termination", "Termination"),
        ("Candidacy", "nomination", "Nomination", "Nomination"),
        ("Candidacy", "status", "CandidacyStatus", "CandidacyStatus"),
        ("Election", "kind", "ElectionKind", "ElectionKind"),
        ("Endorsement", "channel", "Channel", "Channel"),
        ("Endorsement", "kind", "EndorsementKind", "EndorsementKind"),
        ("LegalCase", "outcome", "Outcome", "Outcome"),
        ("OfficeTerm", "began_by", "TermStart", "TermStart"),
        ("Organization", "kind", "OrganizationKind", "OrganizationKind"),
        ("Statement", "kind", "StatementKind", "StatementKind"),
        ("Tally", "stage", "Stage", "Stage"),
    } <= found


def test_every_model_value_has_its_schema_member() -> None:
    missing = {
        f"{type_name}.{field}": sorted(
            {m.value for m in model_enum} - {s.value for s in schema_enum}
        )
        for type_name, field, schema_enum, model_enum in enum_pairs()
    }
    assert {where: values for where, values in missing.items() if values} == {}
