"""The one conversion from a row to its type (schema/conversion.py) and `ModelNode.load`."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from tortoise.context import TortoiseContext
from tortoise.models import Model

import models
from schema.candidacy import Candidacy, CandidacyStatus, Nomination
from schema.context import Context
from schema.conversion import FromRow, convert, plan
from schema.election import Election, ElectionKind
from schema.exit_poll import ExitPollLine
from schema.node import ModelNode
from schema.person import Person
from schema.rows import table
from schema.source import Source
from schema.tally import TallyLine


def _info() -> Any:
    """What `load` reads of a resolver's info: a request's context and its loaders."""
    return SimpleNamespace(context=Context())


async def _record(model: type[Model], key: str) -> Any:
    """The row of `key` as the loaders read it: a record (schema/rows.py)."""
    (row,) = await table(model).where_in("key", [key])
    return row


async def test_an_enum_is_the_schemas_member_of_the_same_value(world: TortoiseContext) -> None:
    row = await _record(models.Election, "az-president-2024")
    election = Election.from_model(row)
    assert election.kind is ElectionKind.PRESIDENTIAL
    assert election.row is row
    assert election.node_key == election.key == "az-president-2024"
    assert election.early is True


async def test_records_and_model_instances_convert_alike(world: TortoiseContext) -> None:
    key = "az-president-2024/ilham-aliyev"
    from_record = Candidacy.from_model(await _record(models.Candidacy, key))
    from_instance = Candidacy.from_model(await models.Candidacy.get(key=key))
    for made in (from_record, from_instance):
        assert made.nomination is Nomination.PARTY
        assert made.status is CandidacyStatus.REGISTERED
        assert made.key == made.node_key == key
    assert from_record.incumbent is from_instance.incumbent is True


async def test_a_null_enum_stays_null(world: TortoiseContext) -> None:
    instance = await models.Candidacy.filter(nomination__isnull=True).first()
    assert instance is not None
    record = await _record(models.Candidacy, instance.key)
    for row in (instance, record):
        made = Candidacy.from_model(row)
        assert made.nomination is None
        assert made.status is CandidacyStatus(row.status.value)


async def test_a_list_is_copied_not_shared(world: TortoiseContext) -> None:
    row = await models.Person.get(key="etibar-mammadov")
    person = Person.from_model(row)
    assert person.also_known_as == ["Etibar Mamedov"]
    assert person.also_known_as is not row.also_known_as
    person.also_known_as.append("changed")
    assert row.also_known_as == ["Etibar Mamedov"]


async def test_a_node_key_other_than_key_and_a_type_without_row(world: TortoiseContext) -> None:
    from schema.country import Country

    country = Country.from_model(await models.Country.get(code="AZ"))
    assert (country.node_key, country.code, country.name) == ("AZ", "AZ", "Azerbaijan")
    source_row = await models.Source.first()
    assert source_row is not None
    source = Source.from_model(source_row)
    assert (source.node_key, source.publisher) == (source_row.key, source_row.publisher)


async def test_a_field_the_row_lacks_is_given(world: TortoiseContext) -> None:
    line = await models.ExitPollLine.first()
    assert line is not None
    made = ExitPollLine.from_model(line, 42)
    assert (made.election_id, made.share, made.row) == (42, line.share, line)
    with pytest.raises(TypeError):
        convert(ExitPollLine, line)  # its election is not optional


def _made_types() -> list[type[FromRow]]:
    """Every type made from rows by `from_model`, subclasses of subclasses too."""
    found: list[type[FromRow]] = []
    stack = list(FromRow.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls is not ModelNode:  # the types' base, no GraphQL type of its own
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)


async def test_each_type_is_made_as_its_init_makes_it(world: TortoiseContext) -> None:
    # `from_model` sets the fields one by one, as the dataclass's __init__ does, without
    # calling it: the object is the one __init__ makes from the same values, attribute for
    # attribute and in the same order, for a row of each type's model as the loaders read it.
    made_types = _made_types()
    assert [cls.__name__ for cls in made_types] == [
        "Area", "AuditEntry", "Cabinet", "Candidacy", "Country", "Election", "Endorsement",
        "ExitPoll", "LegalCase", "OfficeTerm", "Organization", "OrganizationName", "Person",
        "PollingStations", "Source", "Statement", "Tally", "TallyLine",
    ]  # fmt: skip
    empty: list[str] = []
    for cls in made_types:
        assert "new" in plan(cls).__code__.co_names, f"{cls.__name__} calls __init__"
        model = getattr(models, cls.__name__)
        instance = await model.first()
        if instance is None:  # none in the test world: a row of the model's defaults
            rows: list[Any] = [model()]
            empty.append(cls.__name__)
        else:
            rows = [instance, *await table(model).where_in("id", [instance.pk])]
        for row in rows:
            made = cls.from_model(row)
            names = [f.name for f in dataclasses.fields(made) if f.init]  # type: ignore[arg-type]
            by_init = cls(**{name: getattr(made, name) for name in names})
            assert list(vars(made).items()) == list(vars(by_init).items()), cls.__name__
            assert len(rows) == 1 or getattr(made, "row", row) is row
    assert empty == ["AuditEntry", "Cabinet", "OrganizationName"]


def test_a_type_with_more_than_its_init_is_called() -> None:
    # A type whose __init__ does more than set what it is given is made by calling it.
    @strawberry.type
    class Counted(FromRow):
        row: strawberry.Private[Any]
        key: str

        def __post_init__(self) -> None:
            self.seen = True

    made = Counted.from_model(SimpleNamespace(key="k"))
    assert "new" not in plan(Counted).__code__.co_names
    assert (made.key, made.seen) == ("k", True)


def test_a_data_field_no_column_holds_is_refused() -> None:
    # TallyLine's `candidacy` is a resolver, left out; OrganizationLink's `organization` is an
    # object in a data field, which no column holds: that type is made by hand.
    from schema.organization import OrganizationLink

    assert plan(TallyLine) is plan(TallyLine)  # planned once
    with pytest.raises(TypeError, match=r"OrganizationLink\.organization"):
        plan(OrganizationLink)


async def test_load_none_and_a_missing_id_are_none(world: TortoiseContext) -> None:
    info = _info()
    assert await Person.load(info, None) is None
    assert await Person.load(info, 10**9) is None
    with pytest.raises(LookupError):
        await Person.load_required(info, 10**9)


async def test_load_goes_through_the_requests_loader(world: TortoiseContext) -> None:
    info = _info()
    row = await models.Person.get(key="etibar-mammadov")
    person = await Person.load(info, row.pk)
    assert person is not None
    assert (person.key, person.name) == ("etibar-mammadov", "Etibar Mammadov")
    # The same row again is the loader's, not read anew.
    again = await Person.load(info, row.pk)
    assert again is not None and again.row is person.row
    election_row = await models.Election.get(key="az-president-2024")
    election = await Election.load_required(info, election_row.pk)
    assert election.kind is ElectionKind.PRESIDENTIAL
