"""No N+1: a deeply nested query costs the same number of SQL statements at any data size
(counted from Tortoise's query log: bench/statements.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tortoise.context import TortoiseContext

import loader
from bench.statements import captured
from schema import Schema, build_schema
from schema.context import Context
from service.settings import Limits, Settings
from tests.support.running import nodes
from tests.support.statements import table
from tests.support.world import WORLD

# countries → elections → candidacies → person → endorsements, with each election's winner
# and tallies (lines and sources) and the sources at every level.
NESTED = """
query Nested {
  countries {
    nodes {
      code
      elections {
        nodes {
          key
          turnout
          winner { key }
          sources { key }
          tallies {
            nodes {
              key
              turnout
              sources { url }
              lines { share votes seats }
            }
          }
          candidacies {
            nodes {
              key
              name
              share
              won
              party { key }
              sources { key }
              person {
                key
                endorsementsGiven { nodes { key } }
              }
              endorsements {
                nodes {
                  key
                  channel
                  country { code }
                  endorserPerson { name }
                  endorserOrganization { name }
                  sources { url }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

# countries → elections → tallies → lines → candidacy → person → endorsements: the same
# objects reached through the tally lines.
THROUGH_LINES = """
query ThroughLines {
  countries {
    nodes {
      code
      elections {
        nodes {
          key
          tallies {
            nodes {
              key
              lines {
                share
                candidacy {
                  key
                  person {
                    name
                    endorsementsGiven { nodes { key } }
                  }
                  endorsements { nodes { key sources { url } } }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

# Why two queries and not one with `lines { candidacy }` inside NESTED: there the lines are
# loaded in two batches (those of the preferred tallies, which `candidacies`, `winner` and
# `share` need first, then the rest), and on PostgreSQL both run at once. Whether the
# candidacies they name come back in one statement or two then depends on which returns
# first: 22 or 23 statements, from run to run, at any data size. Each query below reaches
# every loader through one path only, so its count is exact.
#
# The counts: one statement for the countries, then one per loader batch, however many rows
# each level holds (a many-to-many `sources` costs one: the links with their sources), but
# none for rows an earlier statement of the request read: Nested's winners are candidacies
# read with their elections' candidacies, and its endorsements' countries the countries of
# the root list, neither read again by id. A query that has run before
# (schema/known.py) reads the rows it follows a foreign key to with the rows that hold the key
# (schema/joins.py): the second count. A change of any number is a change of the access
# pattern: look at the statements.
QUERIES = {
    "Nested": (NESTED, 17, 13),
    "ThroughLines": (THROUGH_LINES, 10, 9),
}


# These queries walk the whole database on purpose, past the default cost limit that a
# public endpoint keeps, and ThroughLines one level past its depth limit (each connection's
# `nodes` is a level of its own); the statement counts are what is measured here.
UNLIMITED_SETTINGS = Settings(limits=Limits(max_cost=10**12, max_depth=11))


async def run_counted(query: str, schema: Schema) -> tuple[dict[str, Any], list[str]]:
    with captured() as statements:
        result = await schema.execute(query, context_value=Context())
    assert result.errors is None, result.errors
    assert result.data is not None
    data = result.data
    sql = [text for text, _ in statements]
    assert sql, "no statement was logged: has Tortoise's query logging changed?"
    assert all(statement.lstrip().upper().startswith("SELECT") for statement in sql), sql
    return data, sql


def rows_per_level(data: dict[str, Any]) -> dict[str, int]:
    """How many objects the response holds at each level of the nested query."""
    countries = nodes(data["countries"])
    elections = [e for c in countries for e in nodes(c["elections"])]
    tallies = [t for e in elections for t in nodes(e["tallies"])]
    candidacies = [c for e in elections for c in nodes(e["candidacies"])]
    return {
        "countries with elections": sum(1 for c in countries if nodes(c["elections"])),
        "elections": len(elections),
        "tallies": len(tallies),
        "lines": sum(len(t["lines"]) for t in tallies),
        "candidacies": len(candidacies),
        "people": sum(1 for c in candidacies if c["person"] is not None),
        "endorsements": sum(len(nodes(c["endorsements"])) for c in candidacies),
        "sources": sum(len(e["sources"]) for e in elections)
        + sum(len(t["sources"]) for t in tallies)
        + sum(len(c["sources"]) for c in candidacies)
        + sum(len(x["sources"]) for c in candidacies for x in nodes(c["endorsements"])),
    }


def extra_fixture(countries: int = 6, elections: int = 4, candidates: int = 6) -> dict[str, Any]:
    """Made-up countries, each with elections, candidacies, tallies and endorsements.

    Every level of the nested query grows, including the second batches: candidacies that
    appear only in a preliminary tally, and endorsers (people, organizations, countries) that
    nothing else in the query has loaded.
    """
    doc: dict[str, list[dict[str, Any]]] = {
        "sources": [],
        "countries": [],
        "people": [],
        "organizations": [],
        "elections": [],
        "candidacies": [],
        "tallies": [],
        "endorsements": [],
    }
    for c in range(countries):
        code = f"X{chr(ord('A') + c)}"
        prefix = code.lower()
        doc["countries"].append({"code": code, "name": f"Testland {code}"})
        doc["people"].append({"key": f"{prefix}-leader", "name": f"Leader of {code}"})
        doc["organizations"] += [
            {
                "key": f"{prefix}-party",
                "name": f"Party of {code}",
                "kind": "party",
                "country": code,
            },
            {"key": f"{prefix}-government", "name": f"Government of {code}", "kind": "government"},
        ]
        for e in range(elections):
            election = f"{prefix}-president-{2000 + e}"
            source = f"{election}-source"
            doc["sources"].append(
                {"key": source, "url": f"https://example.org/{election}", "publisher": "Example"}
            )
            doc["elections"].append(
                {
                    "key": election,
                    "country": code,
                    "kind": "presidential",
                    "office": f"President of Testland {code}",
                    "date": f"{2000 + e}-05-01",
                    "sources": [source, "seed-article-2024-02"],
                }
            )
            keys = []
            for n in range(candidates):
                person = f"{election}-candidate-{n}"
                key = f"{election}/{person}"
                keys.append(key)
                doc["people"].append({"key": person, "name": f"Candidate {n} of {election}"})
                candidacy: dict[str, Any] = {
                    "key": key,
                    "election": election,
                    "person": person,
                    "sources": [source],
                }
                if n % 2 == 0:
                    candidacy |= {"party": f"{prefix}-party", "nomination": "party"}
                doc["candidacies"].append(candidacy)
                congratulations = [
                    # A candidate of the previous election, or a bundled leader.
                    {
                        "endorser_person": f"{prefix}-president-{1999 + e}-candidate-{n}"
                        if e > 0
                        else "vladimir-putin",
                        "country": "RU" if e == 0 else code,
                        "channel": "call",
                    },
                    # The country's leader for its government: loaded by no other field.
                    {
                        "endorser_person": f"{prefix}-leader",
                        "endorser_organization": f"{prefix}-government",
                        "country": f"X{chr(ord('A') + (c + 1) % countries)}",
                        "channel": "letter",
                    },
                ]
                for m, endorser in enumerate(congratulations):
                    doc["endorsements"].append(
                        {
                            "key": f"{key}/congratulation-{m}",
                            "candidacy": key,
                            "kind": "congratulation",
                            **endorser,
                            "summary": "Congratulations.",
                            "sources": [source, "wikipedia-az-2024"],
                        }
                    )
            for t, (stage, preferred) in enumerate(
                [("preliminary", False), ("final", True), ("final", False)]
            ):
                # The last candidate appears only in the preliminary tally.
                listed = keys if t == 0 else keys[:-1]
                doc["tallies"].append(
                    {
                        "key": f"{election}/tally-{t}",
                        "election": election,
                        "stage": stage,
                        "as_of": f"{2000 + e}-05-0{2 + t}",
                        "registered": 1000000,
                        "cast": 600000 + t,
                        "preferred": preferred,
                        "lines": [
                            {"candidacy": key, "votes": 1000 * (10 - n), "share": 20.0 - 2 * n - t}
                            for n, key in enumerate(listed)
                        ],
                        "sources": [source],
                    }
                )
    return doc


async def run_twice(query: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """The query run as a new one and then as a known one, on a schema that has not seen it:
    the answer (the same both times) and each run's statements."""
    schema = build_schema(UNLIMITED_SETTINGS)
    data, first = await run_counted(query, schema)
    again, known = await run_counted(query, schema)
    assert again == data
    return data, first, known


@pytest.mark.parametrize("name", QUERIES)
async def test_world_costs_the_expected_number_of_statements(
    world: TortoiseContext, name: str
) -> None:
    query, expected, expected_known = QUERIES[name]
    _, sql, known = await run_twice(query)
    assert len(sql) == expected, sql
    assert len(known) == expected_known, known


async def test_a_known_query_reads_the_rows_it_follows_with_the_rows_that_point_at_them(
    world: TortoiseContext,
) -> None:
    _, first, known = await run_twice(NESTED)
    # The people, parties and endorsers are read by the candidacies' and the endorsements'
    # statements; the countries' root list is read as before, and so are the winners'
    # candidacies (read with their elections' candidacies either way).
    alone = [table(sql) for sql in first]
    assert sorted(alone) == sorted(
        [*map(table, known), "person", "organization", "person", "organization"]
    )
    joined = {table(sql): sql for sql in known if "LEFT JOIN" in sql}
    assert sorted(joined) == ["candidacy", "endorsement"]
    assert joined["candidacy"].count("LEFT JOIN") == 2  # party, person
    assert joined["endorsement"].count("LEFT JOIN") == 3  # country, organization, person


async def test_statements_do_not_grow_with_the_rows(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    await loader.load([WORLD])
    small = {name: await run_twice(query) for name, (query, *_) in QUERIES.items()}

    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump(extra_fixture(), allow_unicode=True), encoding="utf-8")
    await loader.load([extra])
    large = {name: await run_twice(query) for name, (query, *_) in QUERIES.items()}

    before, after = rows_per_level(small["Nested"][0]), rows_per_level(large["Nested"][0])
    # Every level holds several times the rows it did, and more than one row to batch.
    for level, count in before.items():
        assert count > 1, level
        assert after[level] >= 3 * count, (level, count, after[level])
    lines_before, lines_after = (
        [
            line["candidacy"]["key"]
            for country in nodes(data["countries"])
            for election in nodes(country["elections"])
            for tally in nodes(election["tallies"])
            for line in tally["lines"]
        ]
        for data in (small["ThroughLines"][0], large["ThroughLines"][0])
    )
    assert len(set(lines_after)) >= 3 * len(set(lines_before)) > 3

    for name, (_, *expected) in QUERIES.items():
        for run, count in enumerate(expected, 1):  # as a new query, then as a known one
            sql_small, sql_large = small[name][run], large[name][run]
            assert len(sql_small) == len(sql_large) == count, (name, sql_small, sql_large)
            # The same statements, only with more parameters: one per table and relation.
            assert sorted(map(table, sql_small)) == sorted(map(table, sql_large)), name
