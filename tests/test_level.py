"""Level forms (schema/level.py): over rows of the data sets, each field's level form gives
for a whole level what it gives for each object alone (a relation's, what its resolver
gives), and the fast path calls it once per level. What each value should be is checked by
the tests of its type; here, that asking for many at once mixes nothing up.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from graphql import FieldNode, GraphQLObjectType, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.models import Model

import models
from bench.operations import OPERATIONS, SMALL_OPERATION
from schema import schema
from schema.connection import Connection
from schema.context import Context
from schema.exit_poll import ExitPollLine
from schema.level import LevelForm, in_places, level_form
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


#: Fields of the reference operations whose resolvers wait and have no level form, and why.
WITHOUT_LEVEL_FORMS = {
    # A country's elections: the operation reads one country.
    "Country.elections",
}


def waiting_fields(query: str) -> set[str]:
    """The fields of a query below its roots whose resolvers wait (coroutine functions)."""
    graphql_schema = schema._schema
    info = TypeInfo(graphql_schema)
    found: set[str] = set()

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            parent, field_def = info.get_parent_type(), info.get_field_def()
            if parent is graphql_schema.query_type or field_def is None:
                return  # a root: one object
            field = field_def.extensions.get(DEFINITION_BACKREF)
            resolver = getattr(field, "base_resolver", None)
            if resolver is not None and inspect.iscoroutinefunction(resolver.wrapped_func):
                found.add(f"{getattr(parent, 'name', '')}.{node.name.value}")

    visit(parse(query), TypeInfoVisitor(info, Fields()))
    return found


def test_every_waiting_resolver_of_the_reference_operations_has_a_level_form() -> None:
    forms = {f"{t}.{f}" for t, f, _, _ in level_fields()}
    waiting = set().union(*(waiting_fields(op.query) for op in [*OPERATIONS, SMALL_OPERATION]))
    assert waiting - forms == WITHOUT_LEVEL_FORMS
    # What the operations wait on the most: the relations, the figures and the lists.
    assert {
        "Candidacy.name",
        "Candidacy.party",
        "Candidacy.share",
        "Candidacy.votes",
        "Candidacy.won",
        "Candidacy.endorsements",
        "Election.candidacies",
        "Election.tallies",
        "Election.turnout",
        "Election.margin",
        "Election.winner",
        "Endorsement.sources",
        "Tally.lines",
        "TallyLine.candidacy",
    } <= waiting


def comparable(value: Any) -> Any:
    """A value as its resolver gave it, with a connection's page as plain data (its
    cursors' parts are a function, made only when a client asks for edges)."""
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, Connection):
        return (value.items, [list(p) for p in value.positions()], value.tag, value.page_info)
    return value


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
        # A list's page as the defaults give it, and a page of its own.
        pages: list[dict[str, Any]] = [{}]
        if "first" in inspect.signature(resolver).parameters:
            pages.append({"first": 2, "last": None})
        for arguments in pages:
            # Each object in a request of its own, as graphql-core would resolve it alone.
            one_by_one = [
                comparable(await resolver(o, SimpleNamespace(context=Context()), **arguments))
                for o in objects
            ]
            at_once = await form(objects, SimpleNamespace(context=Context()), **arguments)
            assert comparable(at_once) == one_by_one, f"{type_name}.{field_name} {arguments}"
        values[f"{type_name}.{field_name}"] = sum(
            value not in (None, []) and not (isinstance(value, Connection) and not value.items)
            for value in at_once
        )
    # Every field was compared over rows that have a value, not over nulls alone.
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


async def test_a_level_form_that_gives_a_column_of_another_length_is_not_believed(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A form one value short, in a level where it is the only field: the fast path must not
    # make one object fewer, on a query's first run or a known one's; graphql-core answers.
    forms = {(t, f): (resolver, form) for t, f, resolver, form in level_fields()}
    resolver, form = forms["Election", "country"]

    async def short(objects: list[Any], info: Any) -> list[Any]:
        return (await form(objects, info))[:-1]

    monkeypatch.setattr(resolver, "__level__", short)
    query = "{ elections(first: 3) { nodes { country { code } } } }"
    expected = await schema.without_fast_path().execute(query, context_value=Context())
    assert expected.errors is None and expected.data is not None
    assert len(expected.data["elections"]["nodes"]) == 3
    for _run in ("first", "known"):
        result = await schema.execute(query, context_value=Context())
        assert (result.data, result.errors) == (expected.data, None)


def test_what_a_level_made_goes_back_to_the_places_of_its_keys() -> None:
    assert in_places([7, None, 9, None], ["seven", "nine"]) == ["seven", None, "nine", None]
    assert in_places([None, None], []) == [None, None]
    made = ["seven", "nine"]
    assert in_places([7, 9], made) is made  # no null key: the list as it was made
