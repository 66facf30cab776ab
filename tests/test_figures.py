"""Figures (models/figures.py): one rounding rule, half up, and the SQL that filters, ordering
and statistics use gives the numbers the Python gives, halves included, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

import loader
from models.figures import mean, percent, percent_sql, rounded, spread
from tests.support.running import run

#: A made-up election of 970 ballots cast of 8,000 registered: turnout 12.125 % exactly.
HALF = """
elections:
  - key: "az-test-half-turnout"
    country: "AZ"
    kind: "presidential"
    office: "President of Azerbaijan"
    date: 2030-01-01
    sources: ["wikimili-az-1993"]

tallies:
  - key: "az-test-half-turnout/final"
    election: "az-test-half-turnout"
    stage: "final"
    registered: 8000
    cast: 970
    preferred: true
    sources: ["wikimili-az-1993"]
"""


def exact(part: int, whole: int) -> float:
    """The rule written out: 100 * part / whole as a fraction, to 2 places, half up."""
    value = Fraction(100 * part, whole)
    hundredths = value * 100
    floor = hundredths.numerator // hundredths.denominator
    up = hundredths - floor >= Fraction(1, 2)
    return (floor + up) / 100


def halves() -> list[tuple[int, int]]:
    """Counts whose percentage lies exactly halfway between two hundredths."""
    found: list[tuple[int, int]] = []
    for whole in (8, 40, 80, 400, 800, 8000, 20000, 160000):
        found += [
            (part, whole) for part in range(whole + 1) if (20000 * part) % (2 * whole) == whole
        ][:60]
    return found


def generated() -> list[tuple[int, int]]:
    """Halves, the ends (none and all), and random counts up to a country's size."""
    randomly = random.Random(18)
    pairs = [
        *halves(),
        (0, 1),
        (1, 1),
        (0, 4_000_000),
        (4_000_000, 4_000_000),
        (201, 20000),
        (970, 8000),
    ]
    for _ in range(600):
        whole = randomly.choice((3, 7, 101, 999, 8000, 123_457, 4_062_053, 99_999_999))
        pairs.append((randomly.randint(0, whole), whole))
    return pairs


def test_the_rounding_rule_is_half_up() -> None:
    assert percent(970, 8000) == 12.13  # 12.125: Python's round() gave 12.12
    assert percent(201, 20000) == 1.01  # 1.005, whose nearest float is below it
    assert percent(1, 800) == 0.13
    assert percent(1, 3) == 33.33
    assert percent(2, 3) == 66.67
    assert percent(0, 8000) == 0.0
    assert percent(8000, 8000) == 100.0
    assert rounded(1.005) == 1.01
    assert rounded(2.675) == 2.68
    assert rounded(0.125) == 0.13
    assert rounded(-0.125) == -0.13  # away from zero, as SQL's ROUND
    assert rounded(12.12) == 12.12
    assert rounded(Decimal("45.1250000000")) == 45.13
    assert rounded(0.05, places=1) == 0.1
    assert mean([1.0, 1.01]) == 1.01  # 1.005
    assert mean([]) is None
    assert spread([92.12, 91.5, 92.0]) == 0.62


def test_python_follows_the_rule_on_generated_counts() -> None:
    pairs = generated()
    assert len(halves()) > 200
    assert [percent(p, w) for p, w in pairs] == [exact(p, w) for p, w in pairs]


async def test_sql_gives_what_python_gives_on_generated_counts(world: TortoiseContext) -> None:
    pairs = generated()
    values = ", ".join(f"({i}, {p}, {w})" for i, (p, w) in enumerate(pairs))
    rows = await connections.get("default").execute_query_dict(
        f"WITH v(i, p, w) AS (VALUES {values}) "
        f"SELECT i, {percent_sql('v.p', 'v.w')} AS percent FROM v ORDER BY i"
    )
    # SQLite gives a float, PostgreSQL a decimal; as a float each is Python's.
    in_sql = [float(row["percent"]) for row in rows]
    assert len(in_sql) == len(pairs)
    mismatches = [
        (p, w, sql, percent(p, w))
        for (p, w), sql in zip(pairs, in_sql, strict=True)
        if sql != percent(p, w)
    ]
    assert mismatches == []
    assert in_sql[pairs.index((970, 8000))] == 12.13


async def test_a_half_turnout_reads_and_filters_alike(
    world_to_write: TortoiseContext, tmp_path: Path
) -> None:
    fixture = tmp_path / "half.yaml"
    fixture.write_text(HALF)
    assert (await loader.load([fixture])).changed == 2
    data = await run(
        '{ election(key: "az-test-half-turnout") { turnout turnoutComputed: result '
        "{ turnoutComputed } } "
        "exactly: elections(filter: {turnout: {min: 12.13, max: 12.13}}) { nodes { key } } "
        "below: elections(filter: {turnout: {min: 12.12, max: 12.125}}) { nodes { key } } }"
    )
    assert data == {
        "election": {"turnout": 12.13, "turnoutComputed": {"turnoutComputed": True}},
        "exactly": {"nodes": [{"key": "az-test-half-turnout"}]},
        "below": {"nodes": []},
    }
    ordered = await run(
        "{ elections(orderBy: {field: TURNOUT, direction: ASC}, first: 1) "
        "{ nodes { key turnout } } }"
    )
    assert ordered == {"elections": {"nodes": [{"key": "az-test-half-turnout", "turnout": 12.13}]}}


@pytest.mark.parametrize(("part", "whole"), [(970, 8000), (201, 20000), (1, 800)])
def test_each_half_is_rounded_up(part: int, whole: int) -> None:
    hundredths = Decimal(100 * part) / Decimal(whole)
    assert percent(part, whole) == float(hundredths.quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert percent(part, whole) > round(100 * part / whole, 2)  # Python's round: to even
