"""Known queries: a query that ran without an error runs again without the schema's
extensions, in-process as over HTTP, with the same answer, and the ordinary way whenever
that could answer otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64
from tortoise.context import TortoiseContext

from schema import Schema, build_schema, limits
from schema.context import Context
from service.settings import Limits, Settings

ELECTION = """
query Election($key: String!) {
  election(key: $key) { key date winner { name share } }
}
"""
AZ_2024 = {
    "election": {
        "key": "az-president-2024",
        "date": "2024-02-07",
        "winner": {"name": "Ilham Aliyev", "share": 92.12},
    }
}


def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations the Validation extension validates from now on, by name."""
    seen: list[str] = []
    original = limits.Validation.on_validate

    def counted(self: limits.Validation) -> Any:
        seen.append("validated")
        return original(self)

    monkeypatch.setattr(limits.Validation, "on_validate", counted)
    return seen


async def test_a_query_that_ran_without_an_error_runs_again_without_the_extensions(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = build_schema()
    seen = validations(monkeypatch)
    first = await schema.execute(ELECTION, {"key": "az-president-2024"}, Context())
    assert (first.data, first.errors, seen) == (AZ_2024, None, ["validated"])
    assert schema.known is not None and schema.known.get(ELECTION, None) is not None
    again = await schema.execute(ELECTION, {"key": "az-president-2024"}, Context())
    assert (again.data, again.errors, seen) == (AZ_2024, None, ["validated"])
    # The same answer as graphql-core's, field by field.
    ordinary = await schema.without_fast_path().execute(
        ELECTION, {"key": "az-president-2024"}, Context()
    )
    assert ordinary.data == again.data


async def test_a_known_query_with_an_error_is_answered_the_ordinary_way(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = build_schema()
    query = "query Country($code: String!) { country(code: $code) { name } }"
    ok = await schema.execute(query, {"code": "AZ"}, Context())
    assert (ok.data, ok.errors) == ({"country": {"name": "Azerbaijan"}}, None)
    seen = validations(monkeypatch)
    refused = await schema.execute(query, {"code": "AZE"}, Context())
    ordinary = await schema.without_fast_path().execute(query, {"code": "AZE"}, Context())
    # The ordinary way ran (validated again), and gave the error in its words.
    assert seen == ["validated", "validated"]
    assert refused.errors is not None and ordinary.errors is not None
    assert [e.formatted for e in refused.errors] == [e.formatted for e in ordinary.errors]
    assert "AZE" in refused.errors[0].message


async def test_a_known_query_over_a_limit_its_variables_set_is_refused_the_ordinary_way(
    world: TortoiseContext,
) -> None:
    schema = build_schema(Settings(limits=Limits(max_list_items=3)))
    query = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    ids = ["RWxlY3Rpb246YXotcHJlc2lkZW50LTIwMjQ="]  # Election:az-president-2024
    assert (await schema.execute(query, {"ids": ids}, Context())).errors is None
    result = await schema.execute(query, {"ids": ids * 4}, Context())
    assert result.data is None
    assert [error.message for error in result.errors or []] == [
        limits.variable_list_error({"ids": ids * 4}, 3).message  # type: ignore[union-attr]
    ]


async def test_only_a_query_with_a_requests_context_and_no_root_value_is_known(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = build_schema()
    await schema.execute(ELECTION, {"key": "az-president-2024"}, Context())
    seen = validations(monkeypatch)
    with_root = await schema.execute(ELECTION, {"key": "az-president-2024"}, Context(), object())
    assert (with_root.data, seen) == (AZ_2024, ["validated"])


@pytest.mark.parametrize(
    ("operation_name", "variables"),
    [(["Election"], None), ({"name": "Election"}, None), (None, [1])],
)
async def test_a_request_whose_name_or_variables_are_no_name_or_variables_goes_the_ordinary_way(
    world: TortoiseContext, operation_name: Any, variables: Any
) -> None:
    schema = build_schema()
    await schema.execute(ELECTION, {"key": "az-president-2024"}, Context())

    async def outcome(engine: Schema) -> tuple[str, list[str]]:
        # Strawberry raises for a name it cannot look up (the view answers 400).
        try:
            result = await engine.execute(
                ELECTION, variables, Context(), operation_name=operation_name
            )
        except Exception as error:
            return type(error).__name__, [str(error)]
        assert result.data is None
        return "errors", [error.message for error in result.errors or []]

    assert await outcome(schema) == await outcome(schema.without_fast_path())


def test_a_schema_with_an_extension_known_queries_would_skip_knows_no_query() -> None:
    from strawberry.extensions import MaskErrors

    built = build_schema()
    assert built.known is not None
    masked = built.configured(
        [*built.extensions, MaskErrors], built.limits, built.field_suggestions, True
    )
    assert masked.known is None
    assert build_schema(Settings(fast_path=False)).known is None


async def test_a_known_query_keeps_how_each_field_is_resolved_and_reads_each_runs_arguments(
    world: TortoiseContext,
) -> None:
    # `winner` is computed, so the query runs on the fast path rather than compiled.
    query = (
        "query Node($id: ID!) { node(id: $id) { ... on Election { key date winner { name } } } }"
    )
    schema = build_schema()
    ids = [to_base64("Election", key) for key in ("az-president-2024", "az-president-2018")]
    await schema.execute(query, {"id": ids[0]}, Context())  # remembered, not yet known
    assert schema.known is not None
    known = schema.known.get(query, None)
    assert known is not None and known.plans == {}
    first = await schema.execute(query, {"id": ids[0]}, Context())
    # One plan per selection the fast path collected: the root, the election, its winner;
    # each with the function that makes its objects from their fields' values.
    kept = {key: (plans, maker) for key, (_grouped, plans, maker) in known.plans.items()}
    assert len(kept) == len(known.collected or {}) == 3
    makers = {tuple(grouped): maker for grouped, _plans, maker in known.plans.values()}
    assert makers.keys() == {("node",), ("key", "date", "winner"), ("name",)}
    assert makers["key", "date", "winner"](1, 2, 3) == {"key": 1, "date": 2, "winner": 3}
    other = await schema.execute(query, {"id": ids[1]}, Context())
    # The same plans and makers, made once; the node's ID is this run's.
    assert known.plans.keys() == kept.keys()
    assert all(
        plans is kept[key][0] and maker is kept[key][1]
        for key, (_grouped, plans, maker) in known.plans.items()
    )
    answers = [(run.data, run.errors) for run in (first, other)]
    assert answers == [
        ({"node": {"key": key, "date": date, "winner": {"name": "Ilham Aliyev"}}}, None)
        for key, date in (("az-president-2024", "2024-02-07"), ("az-president-2018", "2018-04-11"))
    ]
    ordinary = await schema.without_fast_path().execute(query, {"id": ids[1]}, Context())
    assert ordinary.data == other.data
