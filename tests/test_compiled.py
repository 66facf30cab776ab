"""Compiled lookups (schema/compiled.py): a known query that finds one object per root field
and reads its own fields, and the objects its foreign keys lead to, is answered compiled,
with graphql-core's answer byte for byte, for each type its ID names, with the statements of
the fast path; anything it cannot answer so (a type no run reached, an error, an answer over
the budget) is answered as the fast path or graphql-core answers it.
tests/test_fast_path.py compares a compiled third run of every query it runs."""

from __future__ import annotations

import gc
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from strawberry.relay import to_base64
from tortoise.context import TortoiseContext

from bench.statements import captured
from schema import Schema, build_schema
from schema.context import Context
from service.metrics import Metrics
from service.settings import Limits, Settings
from tests.support.batches import started_batches
from tests.support.statements import table

NODE = """
query N($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Election { key date kind early }
    ... on Country { code name }
  }
}
"""
COUNTRY = "query C($code: String!) { country(code: $code) { code name } }"
SUMMARY = "query E($key: String!) { election(key: $key) { key summary } }"
SCHEDULE = (
    Path(__file__).resolve().parent.parent / "docs" / "queries" / "election-schedule.graphql"
).read_text(encoding="utf-8")
#: Three levels of foreign keys: a candidacy's person, party and election, and its country.
CANDIDACY = """
query C($id: ID!) {
  node(id: $id) {
    ... on Candidacy {
      key
      person { name }
      party { key }
      election { key date country { code name } calledByPerson { key } }
    }
  }
}
"""


class Counted:
    """A schema with known queries, as an app's, counting which path answered each run."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.metrics = Metrics()
        self.schema = build_schema(settings, fast_path_counts=self.metrics.fast_path_counts)
        self.ordinary = build_schema(
            Settings(fast_path=False, limits=(settings or Settings()).limits)
        )

    def paths(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for family in self.metrics.registry.collect():
            for sample in family.samples:
                if sample.name == "elections_graphql_fast_path_total":
                    counted[sample.labels["outcome"]] += int(sample.value)
        return counted

    async def run(self, query: str, variables: dict[str, Any]) -> tuple[str, list[str]]:
        """The run's answer as the view writes it (the same as graphql-core's alone, or the
        test fails), and the paths that ran it."""
        before = self.paths()
        answer = await _answer(self.schema, query, variables)
        ran = sorted((self.paths() - before).elements())
        assert answer == await _answer(self.ordinary, query, variables), (query, variables)
        return answer, ran


async def _answer(schema: Schema, query: str, variables: dict[str, Any]) -> str:
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [error.formatted for error in result.errors]
    return json.dumps(out, ensure_ascii=False)


async def test_node_is_compiled_for_each_type_an_id_names(world: TortoiseContext) -> None:
    counted = Counted()
    election = {"id": to_base64("Election", "az-president-2018")}
    country = {"id": to_base64("Country", "GE")}
    runs = [election, election, election, country, country, election]
    answers = [await counted.run(NODE, variables) for variables in runs]
    # The first run makes the query known; the second, a known run on the fast path,
    # compiles it for the one type it reached; a Country then goes the fast path's way once,
    # which compiles the query again for both.
    assert [paths for _answer, paths in answers] == [
        ["fast"],
        ["fast"],
        ["compiled"],
        ["fast"],
        ["compiled"],
        ["compiled"],
    ]
    assert json.loads(answers[2][0]) == {
        "data": {
            "node": {
                "__typename": "Election",
                "id": election["id"],
                "key": "az-president-2018",
                "date": "2018-04-11",
                "kind": "PRESIDENTIAL",
                "early": True,
            }
        }
    }
    assert json.loads(answers[4][0]) == {
        "data": {
            "node": {"__typename": "Country", "id": country["id"], "code": "GE", "name": "Georgia"}
        }
    }
    assert answers[5] == answers[2]


async def test_a_compiled_query_gives_errors_in_graphql_cores_words(
    world: TortoiseContext,
) -> None:
    counted = Counted()
    for _ in range(2):  # known, then compiled by its known run
        await counted.run(COUNTRY, {"code": "GE"})
    # A name where a code belongs (the resolver refuses it), a number for a String, no
    # variable, an ID that names no type: each an error, as graphql-core gives it.
    refusals: list[tuple[str, dict[str, Any], str]] = [
        (COUNTRY, {"code": "Georgia"}, "country(code:)"),
        (COUNTRY, {"code": 5}, "String cannot represent a non string value: 5"),
        (COUNTRY, {}, "Expected a value of non-null type 'String!' to be provided."),
    ]
    for query, variables, words in refusals:
        answer, paths = await counted.run(query, variables)
        errors = json.loads(answer)["errors"]
        assert len(errors) == 1 and words in errors[0]["message"], (variables, errors)
        assert "compiled" not in paths, variables
    answer, paths = await counted.run(COUNTRY, {"code": "az"})
    assert (json.loads(answer), paths) == (
        {"data": {"country": {"code": "AZ", "name": "Azerbaijan"}}},
        ["compiled"],
    )
    # Two lookups, the second refused after the first has begun (its coroutine is closed,
    # unawaited, with no warning: warnings fail the tests).
    pair = "query P($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }"
    election = to_base64("Election", "az-president-2018")
    for _ in range(2):
        await counted.run(pair, {"a": election, "b": election})
    answer, paths = await counted.run(pair, {"a": election, "b": to_base64("Node", "x")})
    assert "GlobalID requires a GraphQL Node type" in json.loads(answer)["errors"][0]["message"]
    assert "compiled" not in paths
    gc.collect()


async def test_a_compiled_answer_over_the_budget_is_refused_alike(world: TortoiseContext) -> None:
    # What the answer of each election counts: a field each (root, key, summary) and the
    # texts (schema/budget.py).
    plain = build_schema(Settings())
    weights = {}
    for key in ("az-president-2018", "az-president-2024"):
        found = json.loads(await _answer(plain, SUMMARY, {"key": key}))["data"]["election"]
        weights[key] = 300 + len(found["key"]) + len(found["summary"])
    short, long = sorted(weights, key=weights.__getitem__)
    assert weights[short] < weights[long]
    # Just enough for the shorter one.
    counted = Counted(Settings(limits=Limits(max_answer_bytes=weights[short])))
    for _ in range(2):
        await counted.run(SUMMARY, {"key": short})
    answer, paths = await counted.run(SUMMARY, {"key": short})
    assert paths == ["compiled"] and json.loads(answer)["data"]["election"]["key"] == short
    answer, _paths = await counted.run(SUMMARY, {"key": long})
    assert json.loads(answer) == {
        "data": None,
        "errors": [
            {
                "message": f"The answer would take more than the limit of {weights[short]:,} "
                "bytes (MAX_ANSWER_BYTES) to make: ask for fewer items (`first`), fewer "
                "fields, or fewer IDs at a time.",
            }
        ],
    }


async def test_the_objects_foreign_keys_lead_to_are_compiled_level_by_level(
    world: TortoiseContext,
) -> None:
    counted = Counted()
    variables = {"id": to_base64("Candidacy", "az-president-2024/ilham-aliyev")}
    runs = [await counted.run(CANDIDACY, variables) for _ in range(3)]
    assert [paths for _answer, paths in runs] == [["fast"], ["fast"], ["compiled"]]
    node = json.loads(runs[2][0])["data"]["node"]
    assert node["person"] == {"name": "Ilham Aliyev"}
    assert node["election"] == {
        "key": "az-president-2024",
        "date": "2024-02-07",
        "country": {"code": "AZ", "name": "Azerbaijan"},
        "calledByPerson": {"key": "ilham-aliyev"},
    }
    # The docs' schedule query: a person who called the election, and no organization.
    schedule = [await counted.run(SCHEDULE, {"key": "az-president-2024"}) for _ in range(3)]
    assert schedule[2][1] == ["compiled"]
    election = json.loads(schedule[2][0])["data"]["election"]
    assert (election["early"], election["calledByPerson"], election["calledByOrganization"]) == (
        True,
        {"name": "Ilham Aliyev"},
        None,
    )


async def test_a_compiled_run_reads_what_a_known_run_reads(world: TortoiseContext) -> None:
    schema = build_schema(Settings())
    variables = {"id": to_base64("Candidacy", "az-president-2024/ilham-aliyev")}
    statements = []
    for _ in range(3):  # new, known (which compiles), compiled
        with captured() as sql:
            result = await schema.execute(CANDIDACY, variables, context_value=Context())
        assert result.errors is None
        statements.append([text for text, _ in sql])
    # The candidacy with its election, party and person joined in (schema/joins.py), then
    # the election's country; the person who called the election was read already, as the
    # candidate. The same statements as the known run's.
    assert statements[2] == statements[1]
    assert [table(sql) for sql in statements[2]] == ["candidacy", "country"]
    assert statements[2][0].count("LEFT JOIN") == 3


async def test_a_lookup_alone_is_read_in_its_own_task_and_two_share_one_statement(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = started_batches(monkeypatch)
    schema = build_schema(Settings())
    first, other = (
        to_base64("Election", "az-president-2018"),
        to_base64("Election", "az-president-2024"),
    )
    pair = "query P($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }"
    runs: dict[str, list[tuple[int, list[str], Any]]] = {}
    for name, query, variables in [
        ("one", NODE, {"id": first}),
        ("two", pair, {"a": first, "b": other}),
    ]:
        for _ in range(3):  # new, known (which compiles), compiled
            started.clear()
            with captured() as sql:
                result = await schema.execute(query, variables, context_value=Context())
            assert result.errors is None
            runs.setdefault(name, []).append((len(started), [t for t, _ in sql], result.data))
    # One lookup alone: its one statement read from the run's own task, no batch started.
    one = runs["one"][2]
    assert (one[0], [table(t) for t in one[1]]) == (0, ["election"])
    assert one[2] == {
        "node": {
            "__typename": "Election",
            "id": first,
            "key": "az-president-2018",
            "date": "2018-04-11",
            "kind": "PRESIDENTIAL",
            "early": True,
        }
    }
    # Two: both keys in one statement, from one batch, as the known run read them.
    two = runs["two"][2]
    assert (two[0], two[1]) == (1, runs["two"][1][1])
    assert len(two[1]) == 1 and two[2] == {"a": {"id": first}, "b": {"id": other}}


async def test_a_field_with_a_resolver_or_a_list_is_not_compiled(
    world: TortoiseContext,
) -> None:
    counted = Counted()
    queries = [
        '{ election(key: "az-president-2024") { key turnout } }',  # a resolver of its own
        '{ election(key: "az-president-2024") { key winner { key } } }',  # not a foreign key
        '{ election(key: "az-president-2024") { key sources { key } } }',  # a list
        "{ countries(first: 1) { nodes { code } } }",  # a page
    ]
    for query in queries:
        paths = [(await counted.run(query, {}))[1] for _ in range(3)]
        assert paths == [["fast"], ["fast"], ["fast"]], query
