"""Connections: pages forward and backward, totals, cursors that survive inserts, bad pages."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import models
from schema.connection import encode_cursor
from tests.support.errors import error_of
from tests.support.running import run

ELECTIONS = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  elections(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { key } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ALL = [
    "az-president-1992",
    "az-president-1993",
    "az-president-1998",
    "az-president-2003",
    "az-president-2008",
    "az-president-2013",
    "az-president-2018",
    "az-president-2024",
    "ge-parliament-2024",
]


async def page(**arguments: Any) -> dict[str, Any]:
    data = await run(ELECTIONS, arguments)
    connection: dict[str, Any] = data["elections"]
    return connection


def keys(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["key"] for edge in connection["edges"]]


async def test_first_page_and_the_next_ones_cover_every_election(world: TortoiseContext) -> None:
    first = await page(first=4)
    assert keys(first) == ALL[:4]
    assert first["totalCount"] == 9
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    second = await page(first=4, after=first["pageInfo"]["endCursor"])
    assert keys(second) == ALL[4:8]
    assert (second["pageInfo"]["hasNextPage"], second["pageInfo"]["hasPreviousPage"]) == (
        True,
        True,
    )
    third = await page(first=4, after=second["pageInfo"]["endCursor"])
    assert keys(third) == ["ge-parliament-2024"]
    assert (third["pageInfo"]["hasNextPage"], third["pageInfo"]["hasPreviousPage"]) == (False, True)
    assert third["totalCount"] == 9


async def test_last_pages_backward(world: TortoiseContext) -> None:
    last = await page(last=2)
    assert keys(last) == ["az-president-2024", "ge-parliament-2024"]
    assert (last["pageInfo"]["hasNextPage"], last["pageInfo"]["hasPreviousPage"]) == (False, True)
    before = await page(last=3, before=last["pageInfo"]["startCursor"])
    assert keys(before) == ["az-president-2008", "az-president-2013", "az-president-2018"]
    assert (before["pageInfo"]["hasNextPage"], before["pageInfo"]["hasPreviousPage"]) == (
        True,
        True,
    )
    start = await page(last=5, before=(await page(first=2))["pageInfo"]["endCursor"])
    assert keys(start) == ["az-president-1992"]
    assert start["pageInfo"]["hasPreviousPage"] is False


async def test_after_and_before_together_bound_the_page(world: TortoiseContext) -> None:
    everything = await page()
    assert keys(everything) == ALL
    cursors = [edge["cursor"] for edge in everything["edges"]]
    between = await page(after=cursors[1], before=cursors[5])
    assert keys(between) == ALL[2:5]


async def test_nested_connection_pages_and_counts(world: TortoiseContext) -> None:
    query = """
    query ($after: String) {
      country(code: "AZ") {
        elections(first: 3, after: $after) {
          totalCount
          nodes { key }
          pageInfo { hasNextPage hasPreviousPage endCursor }
        }
      }
    }
    """
    first = (await run(query))["country"]["elections"]
    assert [n["key"] for n in first["nodes"]] == ALL[:3]
    assert first["totalCount"] == 8
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (True, False)
    rest = (await run(query, {"after": first["pageInfo"]["endCursor"]}))["country"]["elections"]
    assert [n["key"] for n in rest["nodes"]] == ALL[3:6]


async def test_nested_last_page_of_an_elections_candidacies(world: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "az-president-2024") {
            candidacies(last: 2) { totalCount nodes { key share } pageInfo { hasPreviousPage } }
        } }"""
    )
    candidacies = data["election"]["candidacies"]
    assert candidacies == {
        "totalCount": 7,
        "nodes": [
            {"key": "az-president-2024/musayev", "share": 0.66},
            {"key": "az-president-2024/f-aliyev", "share": 0.54},
        ],
        "pageInfo": {"hasPreviousPage": True},
    }


async def test_cursor_stays_valid_when_rows_are_added_before_it(
    world_to_write: TortoiseContext,
) -> None:
    first = await page(first=3)
    assert keys(first) == ALL[:3]
    azerbaijan = await models.Country.get(code="AZ")
    for year in (1990, 1995):
        await models.Election.create(
            key=f"az-test-{year}",
            country=azerbaijan,
            kind="presidential",
            office="President of Azerbaijan",
            date=dt.date(year, 1, 1),
        )
    following = await page(first=3, after=first["pageInfo"]["endCursor"])
    assert keys(following) == ALL[3:6]
    assert following["totalCount"] == 11
    # The nested list's cursor holds the row's key, so it survives the insert as well.
    nested = """
    query ($after: String) {
      country(code: "AZ") {
        elections(first: 2, after: $after) { nodes { key } pageInfo { endCursor } }
      }
    }
    """
    start = (await run(nested))["country"]["elections"]
    assert [n["key"] for n in start["nodes"]] == ["az-test-1990", "az-president-1992"]
    await models.Election.create(
        key="az-test-1980",
        country=azerbaijan,
        kind="presidential",
        office="President of Azerbaijan",
        date=dt.date(1980, 1, 1),
    )
    after = (await run(nested, {"after": start["pageInfo"]["endCursor"]}))["country"]["elections"]
    assert [n["key"] for n in after["nodes"]] == ["az-president-1993", "az-test-1995"]


async def test_cursor_of_a_deleted_row(world_to_write: TortoiseContext) -> None:
    await models.Election.create(
        key="az-test-1995",
        country=await models.Country.get(code="AZ"),
        kind="presidential",
        office="President of Azerbaijan",
        date=dt.date(1995, 1, 1),
    )
    first = await page(first=3)
    assert keys(first) == ["az-president-1992", "az-president-1993", "az-test-1995"]
    nested = """
    query ($after: String) {
      country(code: "AZ") {
        elections(first: 3, after: $after) { nodes { key } pageInfo { endCursor } }
      }
    }
    """
    start = (await run(nested))["country"]["elections"]
    await models.Election.filter(key="az-test-1995").delete()
    # A root cursor holds the row's place in the order, so the page after it is still known.
    following = await page(first=2, after=first["pageInfo"]["endCursor"])
    assert keys(following) == ["az-president-1998", "az-president-2003"]
    assert following["pageInfo"]["hasPreviousPage"] is True
    # A nested list's cursor holds the row's key: once the row is gone it is refused.
    assert await error_of(nested, {"after": start["pageInfo"]["endCursor"]}) == (
        "`after` points at an item no longer in this list."
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 0", "`first` must be between 1 and 100, got 0."),
        ("first: 101", "`first` must be between 1 and 100, got 101."),
        ("last: -1", "`last` must be between 1 and 100, got -1."),
        ("first: 2, last: 2", "Give `first` or `last`, not both."),
        ('after: "nonsense"', "`after` is not a cursor of this list: 'nonsense'."),
        ('before: "!!"', "`before` is not a cursor of this list: '!!'."),
        # ["elections:date.asc.nl,key.asc.nl","1992-06-07","a\u0000"], base64: a NUL inside.
        (
            "after: "
            '"WyJlbGVjdGlvbnM6ZGF0ZS5hc2Mubmwsa2V5LmFzYy5ubCIsIjE5OTItMDYtMDciLCJhXHUwMDAwIl0"',
            "`after` is not a cursor of this list: "
            "'WyJlbGVjdGlvbnM6ZGF0ZS5hc2Mubmwsa2V5LmFzYy5ubCIsIjE5OTItMDYtMDciLCJhXHUwMDAwIl0'.",
        ),
    ],
)
async def test_bad_page_arguments_are_refused_clearly(
    world: TortoiseContext, arguments: str, message: str
) -> None:
    assert await error_of(f"{{ elections({arguments}) {{ totalCount }} }}") == message
    assert (
        await error_of(
            f'{{ person(key: "ilham-aliyev") {{ candidacies({arguments}) {{ totalCount }} }} }}'
        )
        == message
    )


@pytest.mark.parametrize(
    "values",
    [
        ["1992-06-07", None],  # no key, which every row has
        ["1992-06-07", 7],  # a key that is a number
        ["not a date", "az-president-1992"],
    ],
)
async def test_a_cursor_made_by_hand_is_refused(world: TortoiseContext, values: list[Any]) -> None:
    # Made for this list and order, but with values no row has: refused before any SQL.
    cursor = encode_cursor("elections:date.asc.nl,key.asc.nl", values)
    assert await error_of(ELECTIONS, {"after": cursor}) == "`after` is not a cursor of this list."


TURNOUT = "elections:turnout.asc.nl,key.asc.nl"
BY_TURNOUT = """query ($after: String) {
  elections(orderBy: [{field: TURNOUT}], after: $after) { nodes { key turnout } }
}"""


@pytest.mark.parametrize(
    "number",
    [
        10**30,  # beyond the 64 bits either database binds (SQLite raised OverflowError)
        -(2**63) - 1,
        float("inf"),  # Python's JSON reads `Infinity` and `NaN`
        float("nan"),
        True,
    ],
)
async def test_a_cursor_number_out_of_range_is_refused(world: TortoiseContext, number: Any) -> None:
    cursor = encode_cursor(TURNOUT, [number, "az-president-2013"])
    assert await error_of(BY_TURNOUT, {"after": cursor}) == "`after` is not a cursor of this list."
    # The largest integer is a position like any other: past every turnout, where only the
    # elections without one follow (nulls last).
    cursor = encode_cursor(TURNOUT, [2**63 - 1, "az-president-2013"])
    data = await run(BY_TURNOUT, {"after": cursor})
    assert [node["key"] for node in data["elections"]["nodes"]] == [
        "az-president-1992",
        "az-president-2003",
        "az-president-2008",
        "az-president-2018",
        "ge-parliament-2024",
    ]
    assert {node["turnout"] for node in data["elections"]["nodes"]} == {None}


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "text",
    [
        '["elections:date.asc.nl,key.asc.nl",{"a":1},"az-president-1992"]',  # an object
        '["elections:date.asc.nl,key.asc.nl",["1992-06-07"],"az-president-1992"]',  # a list
        "[" * 100_000 + "]" * 100_000,  # the parser recursed until Python's limit (a 500)
        '["elections:date.asc.nl,key.asc.nl","1992-06-07",' + "1" * 5000 + "]",  # 5,000 digits
    ],
)
async def test_a_cursor_that_is_no_list_of_values_is_refused(
    world: TortoiseContext, text: str
) -> None:
    cursor = raw_cursor(text)
    shown = cursor if len(cursor) <= 100 else cursor[:100] + "…"
    assert await error_of(ELECTIONS, {"after": cursor}) == (
        f"`after` is not a cursor of this list: {shown!r}."
    )


async def test_a_cursor_of_another_list_or_order_is_refused(world: TortoiseContext) -> None:
    people = await run("{ people(first: 1) { pageInfo { endCursor } } }")
    cursor = people["people"]["pageInfo"]["endCursor"]
    assert await error_of(ELECTIONS, {"after": cursor}) == (
        f"`after` is not a cursor of this list: {cursor!r}."
    )
    by_date = (await page(first=1))["pageInfo"]["endCursor"]
    ordered = f'{{ elections(orderBy: [{{field: TURNOUT}}], after: "{by_date}") {{ totalCount }} }}'
    assert await error_of(ordered) == f"`after` is not a cursor of this list: {by_date!r}."


async def test_nested_cursor_of_another_parent_is_refused(world: TortoiseContext) -> None:
    az = await run('{ country(code: "AZ") { elections(first: 1) { pageInfo { endCursor } } } }')
    cursor = az["country"]["elections"]["pageInfo"]["endCursor"]
    query = f'{{ country(code: "GE") {{ elections(after: "{cursor}") {{ totalCount }} }} }}'
    assert await error_of(query) == "`after` points at an item no longer in this list."


async def test_empty_page_has_no_cursors(world: TortoiseContext) -> None:
    data = await run(
        '{ elections(filter: {country: "US"}) { totalCount edges { cursor } '
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    )
    assert data["elections"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
