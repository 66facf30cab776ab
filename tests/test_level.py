"""Level resolvers: each resolver's level form gives, for a whole level of objects, what the
resolver gives for each object, over every row of the test world (schema/level.py)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from graphql import GraphQLObjectType
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.models import Model

import models
from schema import schema
from schema.context import Context
from schema.exit_poll import ExitPollLine
from schema.level import LevelForm, level_form
from schema.node import ModelNode
from schema.rows import select, table
from service.compat import DEFINITION_BACKREF, StrawberryField

#: The types that are not nodes: the model each shows, and how one is made from a row.
NOT_NODES: dict[str, tuple[type[Model], Callable[[Any], Any]]] = {
    "TallyLine": (models.TallyLine, lambda row: _type("TallyLine").from_model(row)),
    # Its election (which its share is compared in) plays no part in its candidacy.
    "ExitPollLine": (models.ExitPollLine, lambda row: ExitPollLine.from_model(row, 0)),
}


def _type(name: str) -> Any:
    found = schema._schema.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found.extensions["strawberry-definition"].origin


def level_fields() -> list[tuple[str, str, Callable[..., Any], LevelForm]]:
    """Every field of the schema whose resolver has a level form: its type's and its own
    name, the resolver and the form."""
    found: list[tuple[str, str, Callable[..., Any], LevelForm]] = []
    for name, graphql_type in sorted(schema._schema.type_map.items()):
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        for field_name, field_def in graphql_type.fields.items():
            field = field_def.extensions.get(DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or field.base_resolver is None:
                continue
            function = cast(Callable[..., Any], field.base_resolver.wrapped_func)
            form = level_form(function)
            if form is not None:
                found.append((name, field_name, function, form))
    return found


async def rows_of(model: type[Model], sample: int) -> list[Any]:
    """A model's first and last `sample` rows by id (the world's, then the data sets'), as
    the loaders read them."""
    read = table(model)
    connection = connections.get("default")
    rows: dict[int, Any] = {}
    for order in ("", " DESC"):
        text = f'SELECT {read.columns} FROM "{read.name}" ORDER BY "id"{order} LIMIT {sample}'
        rows.update((row.pk, row) for row in read.records(await select(connection, text, [])))
    return [rows[pk] for pk in sorted(rows)]


def test_the_relations_of_the_reference_operations_have_level_forms() -> None:
    named = {(type_name, field_name) for type_name, field_name, _, _ in level_fields()}
    assert {
        ("Candidacy", "party"),
        ("Candidacy", "person"),
        ("Election", "country"),
        ("Endorsement", "country"),
        ("Endorsement", "endorserOrganization"),
        ("Endorsement", "endorserPerson"),
        ("TallyLine", "candidacy"),
    } <= named
    assert len(named) == 35


async def test_each_level_form_gives_what_its_resolver_gives_for_each_object(
    data_sets: TortoiseContext,
) -> None:
    values: dict[str, int] = {}
    for type_name, field_name, resolver, form in level_fields():
        origin = _type(type_name)
        if issubclass(origin, ModelNode):
            model, make = origin.model, origin.from_model
        else:
            model, make = NOT_NODES[type_name]
        objects = [make(row) for row in await rows_of(model, 150)]
        # Each object in a request of its own, as graphql-core would resolve it alone.
        one_by_one = [await resolver(o, SimpleNamespace(context=Context())) for o in objects]
        at_once = await form(objects, SimpleNamespace(context=Context()))
        assert at_once == one_by_one, f"{type_name}.{field_name}"
        values[f"{type_name}.{field_name}"] = sum(value is not None for value in at_once)
    # Every relation was compared over rows that have it, not over nulls alone.
    assert [name for name, count in values.items() if count == 0] == []
    assert values["TallyLine.candidacy"] == 300 and values["Cabinet.country"] == 300


async def test_a_required_relation_with_no_row_is_an_error_naming_the_id(
    world: TortoiseContext,
) -> None:
    (line, *_) = await rows_of(models.TallyLine, 1)
    missing = line._replace(candidacy_id=999_999)
    forms = {(t, f): form for t, f, _, form in level_fields()}
    with pytest.raises(LookupError, match=r"^No Candidacy has the id 999999\.$"):
        await forms["TallyLine", "candidacy"](
            [_type("TallyLine").from_model(missing)], SimpleNamespace(context=Context())
        )


async def test_the_fast_path_calls_a_level_form_once_for_the_level(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = {(t, f): (resolver, form) for t, f, resolver, form in level_fields()}
    resolver, form = forms["Election", "country"]
    calls: list[list[str]] = []

    async def counted(objects: list[Any], info: Any) -> list[Any]:
        calls.append([o.key for o in objects])
        return await form(objects, info)

    monkeypatch.setattr(resolver, "__level__", counted)
    assert level_form(resolver) is counted
    result = await schema.execute(
        "{ elections(first: 3) { nodes { key country { code } } } }", context_value=Context()
    )
    assert result.errors is None and result.data is not None
    keys = [node["key"] for node in result.data["elections"]["nodes"]]
    assert calls == [keys] and len(keys) == 3
    assert [node["country"]["code"] for node in result.data["elections"]["nodes"]] == [
        {"az": "AZ", "ge": "GE"}[key[:2]] for key in keys
    ]
