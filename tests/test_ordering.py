"""Ordering of the root lists: several keys, directions, null placement, the same on both
databases."""

from __future__ import annotations

from tortoise.context import TortoiseContext

from tests.support.running import run

# Polling day and turnout of each bundled election; turnout is null where no source gives it.
TURNOUT = {
    "az-president-1992": None,
    "az-president-1993": 97.64,
    "az-president-1998": 78.9,
    "az-president-2003": None,
    "az-president-2008": None,
    "az-president-2013": 71.62,
    "az-president-2018": None,
    "az-president-2024": 76.43,
    "ge-parliament-2024": None,
}
UNKNOWN = [key for key, value in TURNOUT.items() if value is None]


async def election_keys(order: str) -> list[str]:
    data = await run(f"{{ elections(orderBy: {order}) {{ nodes {{ key }} }} }}")
    return [node["key"] for node in data["elections"]["nodes"]]


async def test_turnout_descending_nulls_last_by_default(world: TortoiseContext) -> None:
    assert await election_keys("[{field: TURNOUT, direction: DESC}]") == [
        "az-president-1993",
        "az-president-1998",
        "az-president-2024",
        "az-president-2013",
        *UNKNOWN,
    ]


async def test_turnout_ascending_nulls_first(world: TortoiseContext) -> None:
    assert await election_keys("[{field: TURNOUT, nulls: FIRST}]") == [
        *UNKNOWN,
        "az-president-2013",
        "az-president-2024",
        "az-president-1998",
        "az-president-1993",
    ]


async def test_nulls_first_descending_puts_nulls_first_still(world: TortoiseContext) -> None:
    keys = await election_keys("[{field: TURNOUT, direction: DESC, nulls: FIRST}]")
    assert keys[:5] == UNKNOWN
    assert keys[5:] == [
        "az-president-1993",
        "az-president-1998",
        "az-president-2024",
        "az-president-2013",
    ]


async def test_several_keys(world: TortoiseContext) -> None:
    assert await election_keys(
        "[{field: COUNTRY, direction: DESC}, {field: DATE, direction: DESC}]"
    ) == [
        "ge-parliament-2024",
        *[f"az-president-{y}" for y in (2024, 2018, 2013, 2008, 2003, 1998, 1993, 1992)],
    ]
    assert await election_keys("[{field: KIND}, {field: WINNER_SHARE}]") == [
        "ge-parliament-2024",
        *[f"az-president-{y}" for y in (1992, 2003, 1998, 2013, 2018, 2008, 2024, 1993)],
    ]


async def test_paging_through_an_order_with_nulls(world: TortoiseContext) -> None:
    query = """
    query ($after: String) {
      elections(orderBy: [{field: TURNOUT, direction: DESC}], first: 3, after: $after) {
        nodes { key } pageInfo { endCursor hasNextPage }
      }
    }
    """
    seen: list[str] = []
    after = None
    while True:
        data = (await run(query, {"after": after}))["elections"]
        seen.extend(node["key"] for node in data["nodes"])
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == await election_keys("[{field: TURNOUT, direction: DESC}]")
    # Backward through the same order, from its end.
    query = query.replace("first: 3, after: $after", "last: 3, before: $after")
    back: list[str] = []
    before = None
    while True:
        data = (
            await run(
                query.replace("hasNextPage", "hasPreviousPage startCursor"), {"after": before}
            )
        )["elections"]
        back = [node["key"] for node in data["nodes"]] + back
        if not data["pageInfo"]["hasPreviousPage"]:
            break
        before = data["pageInfo"]["startCursor"]
    assert back == seen


async def test_people_by_name_in_code_point_order(world: TortoiseContext) -> None:
    data = await run("{ people { totalCount nodes { key name } } }")
    people = data["people"]["nodes"]
    assert data["people"]["totalCount"] == len(people) == 46
    # Byte order of UTF-8 is code point order, which SQLite and PostgreSQL ("C") both use.
    assert people == sorted(people, key=lambda p: (p["name"].encode(), p["key"]))
    assert people[0] == {"key": "abulfaz-elchibey", "name": "Abulfaz Elchibey"}


async def test_people_by_birth_date_then_key(world: TortoiseContext) -> None:
    data = await run(
        "{ people(orderBy: [{field: BIRTH_DATE, direction: DESC}], first: 3) "
        "{ nodes { key birthDate } } }"
    )
    assert data["people"]["nodes"] == [
        {"key": "ilham-aliyev", "birthDate": "1961-12-24"},
        {"key": "abulfaz-elchibey", "birthDate": None},
        {"key": "alexander-lukashenko", "birthDate": None},
    ]


async def test_candidacies_by_share(world: TortoiseContext) -> None:
    data = await run(
        '{ candidacies(filter: {election: "az-president-2024"}, '
        "orderBy: [{field: SHARE, direction: DESC}], first: 3) { nodes { key share } } }"
    )
    assert data["candidacies"]["nodes"] == [
        {"key": "az-president-2024/ilham-aliyev", "share": 92.12},
        {"key": "az-president-2024/zahid-oruj", "share": 2.17},
        {"key": "az-president-2024/fazil-mustafa", "share": 1.99},
    ]


async def test_countries_by_code_descending(world: TortoiseContext) -> None:
    data = await run(
        "{ countries(orderBy: [{field: CODE, direction: DESC}], first: 3) { nodes { code } } }"
    )
    assert [c["code"] for c in data["countries"]["nodes"]] == ["VE", "UZ", "US"]
