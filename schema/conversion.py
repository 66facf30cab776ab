"""One conversion from a model row to the GraphQL type that shows it, planned once per type."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, Self, TypeVar

from strawberry.types import get_object_definition, has_object_definition

from service.compat import (
    StrawberryEnumDefinition,
    StrawberryList,
    StrawberryOptional,
    StrawberryType,
    is_private,
)

T = TypeVar("T")
Convert = Callable[[Any], Any]


def convert(cls: type[T], row: Any, **extra: Any) -> T:
    """An object of the Strawberry type `cls` with its data fields read from `row`.

    Each field that is not a resolver is read from the row attribute of the same Python
    name; an enum becomes the schema's member of the same value, and a list is copied. The
    type's `row` (a private field) is the row itself and a node's `node_key` its natural key.
    Private fields the row does not give are passed as `extra` (ExitPollLine's election).
    """
    made: T = _PLANS[cls](row, **extra)
    return made


class FromRow:
    """A type made from a model row by `convert`: `Type.from_model(row)`."""

    @classmethod
    def from_model(cls, row: Any) -> Self:
        made: Self = _PLANS[cls](row)
        return made


class _Plans(dict[type, Callable[..., Any]]):
    """Each type's `plan`, made on first use (a dict lookup: functools.cache took longer)."""

    def __missing__(self, cls: type) -> Callable[..., Any]:
        found = self[cls] = _written(cls)
        return found


_PLANS = _Plans()


def plan(cls: type[T]) -> Callable[..., T]:
    """The function that makes `cls` from a row (and its other private fields, by keyword)."""
    found: Callable[..., T] = _PLANS[cls]
    return found


def _written(cls: type[T]) -> Callable[..., T]:
    """The function that makes `cls` from a row, written out once per type as the
    hand-written conversions were, e.g. for Candidacy:

        def from_row(row):
            return make(row=row, node_key=row.key, key=row.key,
                        nomination=to_nomination(row.nomination), incumbent=row.incumbent,
                        role=row.role, status=to_status(row.status))

    Private fields other than `row` and `node_key` are its keyword-only parameters. It is
    compiled, as dataclasses compiles `__init__`, because it runs for every object of every
    nested list: a loop over the fields building a dict of keywords took twice as long.
    """
    definition = get_object_definition(cls, strict=True)
    private = {f.python_name for f in definition.fields if is_private(f.type)}
    values: dict[str, str] = {}  # each field's value, as source
    namespace: dict[str, Any] = {"make": cls, "new": object.__new__}
    given = sorted(private - {"row", "node_key"})  # what the row does not hold
    values.update((name, name) for name in given)
    if "row" in private:
        values["row"] = "row"
    if "node_key" in private:
        values["node_key"] = f"row.{getattr(cls, 'natural_key')}"  # noqa: B009 (a node's)
    for field in definition.fields:
        name = field.python_name
        if field.base_resolver is not None or name in private:
            continue
        to_schema = _converter(field.type, f"{cls.__name__}.{name}")
        if to_schema is None:
            values[name] = f"row.{name}"
        else:
            namespace[f"to_{name}"] = to_schema
            values[name] = f"to_{name}(row.{name})"
    parameters = ", ".join(["row", *(["*", *given] if given else [])])
    order = _set_by_init(cls, values)
    if order is None:
        arguments = ", ".join(f"{name}={value}" for name, value in values.items())
        body = f"    return make({arguments})\n"
    else:
        # What the dataclass's __init__ does, without the call: its keyword arguments
        # parsed cost twice the rest of making the object (BENCHMARKS.md).
        body = "    made = new(make)\n"
        body += "".join(f"    made.{name} = {values[name]}\n" for name in order)
        body += "    return made\n"
    source = f"def from_row({parameters}):\n{body}"
    exec(source, namespace)  # names from the class definition, never from a request
    from_row: Callable[..., T] = namespace["from_row"]
    return from_row


def _set_by_init(cls: type, values: dict[str, str]) -> list[str] | None:
    """The fields the dataclass's __init__ sets, in its order, if it only sets each field to
    the value it is given, all of them given (no default, no `__post_init__`, no `__init__`,
    `__new__` or `__setattr__` of the type's own): then setting them one by one makes the same
    object. None otherwise, and the type is called."""
    params = getattr(cls, "__dataclass_params__", None)
    init = cls.__dict__.get("__init__")
    fields = [f.name for f in dataclasses.fields(cls) if f.init] if params is not None else []
    plain = (
        params is not None
        and params.init
        and not params.frozen
        and not hasattr(cls, "__post_init__")
        and type(cls).__call__ is type.__call__
        and not any("__new__" in vars(base) for base in cls.__mro__[:-1])
        and not any("__setattr__" in vars(base) for base in cls.__mro__[:-1])
        # written by dataclasses (compiled from its source), not by hand
        and getattr(getattr(init, "__code__", None), "co_filename", None) == "<string>"
        and sorted(fields) == sorted(values)
    )
    return fields if plain else None


def _converter(field_type: Any, where: str) -> Convert | None:
    """How a row's value becomes the field's (None stays None); None: as it is."""
    optional = isinstance(field_type, StrawberryOptional)
    if optional:
        field_type = field_type.of_type
    if isinstance(field_type, StrawberryEnumDefinition):
        return _ByValue(field_type.wrapped_cls).__getitem__
    if isinstance(field_type, StrawberryList):
        # A copy: the row's list is not shared with the object.
        item = _converter(field_type.of_type, where)
        if item is None and not optional:
            return list
        if item is None:
            return lambda values: None if values is None else list(values)
        return lambda values: None if values is None else [item(v) for v in values]
    if isinstance(field_type, StrawberryType) or has_object_definition(field_type):
        # An object, a union, a lazy type: no column holds one, so the type converts its
        # rows itself (and `plan` refuses it rather than copying something half made).
        raise TypeError(f"{where}: a row holds no {field_type!r}; convert this type by hand")
    return None  # a scalar: str, int, float, bool, a date, JSON


class _ByValue(dict[Any, Enum | None]):
    """A schema enum's members by the model's (and None by None), in one dict lookup: a model
    member is looked up by its value the first time, then kept under itself."""

    def __init__(self, schema_enum: Iterable[Enum]) -> None:
        super().__init__((member.value, member) for member in schema_enum)
        self[None] = None

    def __missing__(self, member: Enum) -> Enum | None:
        found = self[member] = self[member.value]
        return found
