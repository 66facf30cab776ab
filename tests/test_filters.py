"""Filters on the root lists: each field, and/or/not, change feeds, and refused filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import models
from tests.support.errors import error_of
from tests.support.running import run


async def keys(field: str, filter_: str) -> list[str]:
    data = await run(f"{{ {field}(filter: {filter_}) {{ totalCount nodes {{ key }} }} }}")
    connection = data[field]
    found = [node["key"] for node in connection["nodes"]]
    assert connection["totalCount"] == len(found)
    return found


AZ = [f"az-president-{year}" for year in (1992, 1993, 1998, 2003, 2008, 2013, 2018, 2024)]


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ('{country: "az"}', AZ),
        ('{country: "XX"}', []),
        ("{kind: PARLIAMENTARY}", ["ge-parliament-2024"]),
        ('{date: {from: "2003-01-01", to: "2013-12-31"}}', AZ[3:6]),
        ('{date: {from: "2024-02-07"}}', ["az-president-2024", "ge-parliament-2024"]),
        ("{early: true}", ["az-president-1993", "az-president-2018", "az-president-2024"]),
        # Turnout is null where no source gives registered voters and ballots: never in range.
        ("{turnout: {min: 75}}", ["az-president-1993", "az-president-1998", "az-president-2024"]),
        ("{turnout: {max: 75}}", ["az-president-2013"]),
        (
            "{winnerShare: {min: 85, max: 95}}",
            ["az-president-2008", "az-president-2018", "az-president-2024"],
        ),
        ("{winnerShare: {max: 60}}", ["ge-parliament-2024"]),
        (
            "{hasStatement: BOYCOTT}",
            ["az-president-1998", "az-president-2008", "az-president-2018", "az-president-2024"],
        ),
        ('{not: {country: "AZ"}}', ["ge-parliament-2024"]),
        (
            "{or: [{turnout: {min: 90}}, {winnerShare: {max: 60}}]}",
            ["az-president-1993", "ge-parliament-2024"],
        ),
        ("{and: [{early: true}, {not: {hasStatement: BOYCOTT}}]}", ["az-president-1993"]),
        (
            '{country: "AZ", early: false, or: [{turnout: {min: 78}}, {date: {to: "1995-01-01"}}]}',
            ["az-president-1992", "az-president-1998"],
        ),
        ("{or: []}", []),
    ],
)
async def test_election_filters(world: TortoiseContext, filter_: str, expected: list[str]) -> None:
    assert await keys("elections", filter_) == expected


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        (
            '{person: "zahid-oruj"}',
            [f"az-president-{y}/zahid-oruj" for y in (2013, 2018, 2024)],
        ),
        ('{party: "georgian-dream"}', ["ge-parliament-2024/georgian-dream"]),
        (
            "{nomination: SELF}",
            ["az-president-1992/yaqub-mamedov"]
            + [f"az-president-{y}/zahid-oruj" for y in (2013, 2018, 2024)],
        ),
        (
            "{incumbent: true}",
            ["az-president-1998/heydar-aliyev"]
            + [f"az-president-{y}/ilham-aliyev" for y in (2008, 2013, 2018, 2024)],
        ),
        (
            '{won: true, country: "AZ"}',
            [
                "az-president-1992/abulfaz-elchibey",
                "az-president-1993/heydar-aliyev",
                "az-president-1998/heydar-aliyev",
                "az-president-2003/ilham-aliyev",
                "az-president-2008/ilham-aliyev",
                "az-president-2013/ilham-aliyev",
                "az-president-2018/ilham-aliyev",
                "az-president-2024/ilham-aliyev",
            ],
        ),
        (
            '{election: "az-president-2024", won: false, not: {nomination: SELF}}',
            [
                "az-president-2024/f-aliyev",
                "az-president-2024/fazil-mustafa",
                "az-president-2024/gudrat-hasanguliyev",
                "az-president-2024/musayev",
                "az-president-2024/razi-nurullayev",
            ],
        ),
    ],
)
async def test_candidacy_filters(world: TortoiseContext, filter_: str, expected: list[str]) -> None:
    assert await keys("candidacies", filter_) == expected


async def test_losing_candidacies_in_georgia(world: TortoiseContext) -> None:
    data = await run('{ candidacies(filter: {country: "GE", won: false}) { totalCount } }')
    assert data["candidacies"]["totalCount"] == 7


TURKEY = ["az-president-2024/congratulation-turkey", "az-president-2024/congratulation-turkey-mfa"]


async def test_endorsement_filters(world: TortoiseContext) -> None:
    assert await keys("endorsements", '{endorserCountry: "TR"}') == TURKEY
    assert len(await keys("endorsements", "{kind: CONGRATULATION}")) == 12
    assert await keys("endorsements", "{kind: ENDORSEMENT}") == []
    # No source gives the day of a congratulation in the world: none is in any date range.
    assert await keys("endorsements", '{date: {from: "2024-01-01"}}') == []
    assert len(await keys("endorsements", '{not: {date: {from: "2024-01-01"}}}')) == 12
    assert (
        await keys(
            "endorsements",
            '{election: "az-president-2024", endorserCountry: "tr", kind: CONGRATULATION}',
        )
        == TURKEY
    )


async def test_endorsement_date_range_finds_a_dated_one(world_to_write: TortoiseContext) -> None:
    await models.Endorsement.filter(key="az-president-2024/congratulation-turkey").update(
        date=dt.date(2024, 2, 8)
    )
    assert await keys("endorsements", '{date: {from: "2024-02-08", to: "2024-02-08"}}') == [
        "az-president-2024/congratulation-turkey"
    ]
    assert await keys("endorsements", '{date: {to: "2024-02-07"}}') == []


async def test_updated_since_is_a_change_feed(world_to_write: TortoiseContext) -> None:
    before = dt.datetime.now(dt.UTC)
    assert await keys("elections", f'{{updatedSince: "{before.isoformat()}"}}') == []
    election = await models.Election.get(key="az-president-2013")
    election.summary = "Changed for the change feed."
    await election.save()
    since = f'{{updatedSince: "{before.isoformat()}"}}'
    assert await keys("elections", since) == ["az-president-2013"]
    assert await keys("candidacies", since) == []
    assert len(await keys("elections", '{updatedSince: "2000-01-01T00:00:00Z"}')) == 9
    person = await models.Person.get(key="zahid-oruj")
    await person.save()
    assert await keys("people", since) == ["zahid-oruj"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "{ elections(filter: {turnout: {min: 80, max: 50}}) { totalCount } }",
            "filter.turnout: `min` (80.0) is after `max` (50.0).",
        ),
        (
            '{ elections(filter: {and: [{date: {from: "2020-01-01", to: "2010-01-01"}}]}) '
            "{ totalCount } }",
            "filter.and[0].date: `from` (2020-01-01) is after `to` (2010-01-01).",
        ),
        (
            "{ elections(filter: {or: [{early: true}, "
            '{not: {updatedSince: "2024-01-01T00:00:00"}}]}) { totalCount } }',
            "filter.or[1].not.updatedSince: give a time zone, e.g. 2024-02-07T00:00:00Z.",
        ),
        (
            '{ people(filter: {search: "  -- "}) { totalCount } }',
            "filter.search: nothing to search for in '  -- '; give letters or digits.",
        ),
        (
            '{ elections(filter: {date: {from: "2024-13-01"}}) { totalCount } }',
            'elections(filter.date.from): "2024-13-01" is not a date: month must be in 1..12; '
            'write it as YYYY-MM-DD, e.g. "2024-02-07".',
        ),
    ],
)
async def test_bad_filters_are_refused_clearly(
    world: TortoiseContext, query: str, message: str
) -> None:
    assert await error_of(query) == message


async def test_filter_from_variables(world: TortoiseContext) -> None:
    variables: dict[str, Any] = {"filter": {"kind": "PRESIDENTIAL", "turnout": {"min": 90}}}
    data = await run(
        "query ($filter: ElectionFilter) { elections(filter: $filter) { nodes { key turnout } } }",
        variables,
    )
    assert data["elections"]["nodes"] == [{"key": "az-president-1993", "turnout": 97.64}]


async def test_a_country_that_is_no_iso_code_is_refused_with_the_code_meant(
    world: TortoiseContext,
) -> None:
    # A well-formed code no country has matches nothing (above: "XX"); another form is a
    # mistake to name, with where it is.
    assert await error_of('{ elections(filter: {country: "Azerbaijan"}) { totalCount } }') == (
        'filter.country: "Azerbaijan" is not an ISO 3166-1 alpha-2 code; Azerbaijan\'s is "AZ".'
    )
    query = '{ candidacies(filter: {or: [{won: true}, {country: "GEO"}]}) { totalCount } }'
    assert await error_of(query) == (
        'filter.or[1].country: "GEO" is not an ISO 3166-1 alpha-2 code; Georgia\'s is "GE".'
    )
    query = '{ endorsements(filter: {endorserCountry: "AZ\\u0000"}) { totalCount } }'
    assert await error_of(query) == (
        'filter.endorserCountry: "AZ\0" is not an ISO 3166-1 alpha-2 code: give two letters,'
        ' e.g. "AZ" for Azerbaijan.'
    )


async def test_text_no_row_can_hold_matches_nothing(world: TortoiseContext) -> None:
    # PostgreSQL refuses a NUL in a query parameter; no stored key or name holds one.
    variables = {"nul": "AZ\u0000", "long": "a" * 5000}
    data = await run(
        """query ($nul: String!, $long: String!) {
          b: candidacies(filter: {person: $nul}) { totalCount }
          d: endorsements(filter: {election: $nul}) { totalCount }
          e: people(filter: {search: $long}) { totalCount }
        }""",
        variables,
    )
    assert {name: value["totalCount"] for name, value in data.items()} == dict.fromkeys("bde", 0)
    # "AZ\0" folds to "az", as the NUL is no letter: a search for it finds no one by that.
    assert (await run('{ people(filter: {search: "Oruj"}) { totalCount } }'))["people"] == {
        "totalCount": 1
    }
