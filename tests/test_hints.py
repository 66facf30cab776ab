"""Hints: errors that say what to do: a field asked of a connection, a value of the wrong
type with where it is, a date not written YYYY-MM-DD; and the loader's, with the field meant
and records named in the singular or the plural."""

from __future__ import annotations

import httpx
import pytest
from tortoise.context import TortoiseContext

from loader.hints import NOUNS, fields_at, noun, unknown, unknown_field
from loader.records import TallyRecord
from loader.sections import SECTIONS
from tests.support.clients import client
from tests.support.errors import errors_of

#: Every section of the fixture format: each has its noun.
SECTION_NAMES = [section.name for section in SECTIONS]

DATE_FORM = 'write it as YYYY-MM-DD, e.g. "2024-02-07".'


async def test_a_field_of_the_items_asked_of_a_connection(world: TortoiseContext) -> None:
    assert await errors_of("{ elections { key } }") == [
        "Cannot query field 'key' on type 'ElectionConnection': select it of each item: "
        "`nodes { key }` or `edges { node { key } }`."
    ]
    assert await errors_of('{ person(key: "zahid-oruj") { candidacies { name } } }') == [
        "Cannot query field 'name' on type 'CandidacyConnection': select it of each item: "
        "`nodes { name }` or `edges { node { name } }`."
    ]


async def test_a_field_no_item_has_asked_of_a_connection(world: TortoiseContext) -> None:
    assert await errors_of("{ people { nodes { key } colour } }") == [
        "Cannot query field 'colour' on type 'PersonConnection': it holds a page of Person: "
        "select their fields in `nodes { … }` or `edges { node { … } }`."
    ]


async def test_other_types_keep_the_specs_message(world: TortoiseContext) -> None:
    assert await errors_of("{ elections { nodes { colour } } }") == [
        "Cannot query field 'colour' on type 'Election'."
    ]


async def test_the_hint_reaches_graphiql_over_http(world: TortoiseContext) -> None:
    # GraphiQL sends the operation to /graphql, as any client: the rule is the server's.
    async with client() as http:
        response: httpx.Response = await http.post(
            "/graphql", json={"query": "{ elections { key } }"}
        )
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "Cannot query field 'key' on type 'ElectionConnection': select it "
                "of each item: `nodes { key }` or `edges { node { key } }`.",
                "locations": [{"line": 1, "column": 15}],
            }
        ]
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"2024"', f'"2024" is not a date: {DATE_FORM}'),
        ('"20240207"', f'"20240207" is not a date: {DATE_FORM}'),
        ('"7 February 2024"', f'"7 February 2024" is not a date: {DATE_FORM}'),
        ('"2024-02-30"', f'"2024-02-30" is not a date: day is out of range for month; {DATE_FORM}'),
        ("2024", f"int 2024 is not a date: {DATE_FORM}"),
    ],
)
async def test_a_bad_date_names_its_place_and_the_form(
    world: TortoiseContext, value: str, problem: str
) -> None:
    query = f"{{ elections(filter: {{date: {{from: {value}}}}}) {{ totalCount }} }}"
    assert await errors_of(query) == [f"elections(filter.date.from): {problem}"]


async def test_bad_dates_deep_in_a_filter_each_named(world: TortoiseContext) -> None:
    query = """{ endorsements(filter: {or: [{date: {to: "2024-02-08"}},
                                            {not: {date: {from: "x"}}}]}) { totalCount }
               statements(filter: {date: {from: "2024-13-01"}}) { totalCount } }"""
    assert await errors_of(query) == [
        f'endorsements(filter.or[1].not.date.from): "x" is not a date: {DATE_FORM}',
        'statements(filter.date.from): "2024-13-01" is not a date: month must be in 1..12; '
        + DATE_FORM,
    ]


async def test_a_bad_date_in_a_variable_names_its_place(world: TortoiseContext) -> None:
    query = "query ($f: ElectionFilter) { elections(filter: $f) { totalCount } }"
    assert await errors_of(query, {"f": {"date": {"to": "2024"}}}) == [
        f"Variable '$f' has invalid value at .date.to: \"2024\" is not a date: {DATE_FORM}"
    ]


async def test_other_values_of_the_wrong_type_are_placed_too(world: TortoiseContext) -> None:
    assert await errors_of('{ elections(first: "ten") { totalCount } }') == [
        'elections(first): Int cannot represent non-integer value: "ten"'
    ]
    assert await errors_of("{ elections(filter: {kind: MAYORAL}) { totalCount } }") == [
        "elections(filter.kind): Value 'MAYORAL' does not exist in 'ElectionKind' enum."
    ]
    assert await errors_of("{ elections { nodes { key @include(if: 1) } } }") == [
        "@include(if): Boolean cannot represent a non boolean value: 1"
    ]
    query = """query ($f: ElectionFilter = {date: {from: "2024"}}) {
        elections(filter: $f) { totalCount } }"""
    assert await errors_of(query) == [f'$f (default).date.from: "2024" is not a date: {DATE_FORM}']


def test_records_named_in_the_singular_or_the_plural() -> None:
    assert unknown("people", ["nobody"]) == "unknown person 'nobody'"
    assert unknown("people", ["a", "b"]) == "unknown people 'a' and 'b'"
    assert unknown("legal_cases", ["x", "y", "z"]) == "unknown legal cases 'x', 'y' and 'z'"
    assert unknown("countries", ["ZZ"]) == "unknown country 'ZZ'"
    assert [noun(section) for section in SECTION_NAMES] == [
        NOUNS[section][0] for section in SECTION_NAMES
    ]


def test_the_field_meant_is_found_in_nested_records_too() -> None:
    known = fields_at(TallyRecord, ("lines", 0))
    assert known == ["candidacy", "votes", "share", "seats"]
    assert unknown_field("vote", known) == "unknown field 'vote': did you mean 'votes'?"
    assert unknown_field("colour", known) == (
        "unknown field 'colour'; the fields are candidacy, votes, share, seats"
    )
