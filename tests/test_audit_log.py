"""The audit log: an entry per change (mutations and fixture loads) with who, when and what,
newest first, and the `auditLog` field's arguments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import models
from curation import audit, changes
from service import cli
from tests.support.curating import (
    CREATE_ELECTION,
    DELETE_ELECTION,
    LOAD,
    UPDATE_ELECTION,
    XX_TEST,
    Tokens,
)
from tests.support.databases import new_database_url, on_database
from tests.support.running import execute, run_as
from tests.support.world import WORLD

LOG = """
query Log($first: Int, $entity: String, $key: String, $since: DateTime) {
  auditLog(first: $first, entity: $entity, key: $key, since: $since) {
    nodes { at actor action entity key changes }
  }
}
"""


async def log(token: str, **arguments: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await run_as(token, LOG, arguments))["auditLog"]["nodes"]
    return entries


def without_times(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in entry.items() if k != "at"} for entry in entries]


async def test_create_update_delete_are_logged_with_before_and_after(tokens: Tokens) -> None:
    started = dt.datetime.now(dt.UTC)
    await run_as(tokens.write, CREATE_ELECTION, {"input": XX_TEST})
    await run_as(tokens.write, UPDATE_ELECTION, {"key": "xx-test", "input": {"date": "2029-05-02"}})
    await run_as(tokens.write, DELETE_ELECTION, {"key": "xx-test"})
    finished = dt.datetime.now(dt.UTC)

    entries = await log(tokens.read)
    assert without_times(entries) == [
        {
            "actor": "editor",
            "action": "DELETE",
            "entity": "Election",
            "key": "xx-test",
            "changes": {
                "country": {"before": "AZ", "after": None},
                "date": {"before": "2029-05-02", "after": None},
                "early": {"before": False, "after": None},
                "kind": {"before": "presidential", "after": None},
                "office": {"before": "President", "after": None},
                "sources": {"before": ["seed-article-2024-02"], "after": None},
            },
        },
        {
            "actor": "editor",
            "action": "UPDATE",
            "entity": "Election",
            "key": "xx-test",
            "changes": {"date": {"before": "2029-04-11", "after": "2029-05-02"}},
        },
        {
            "actor": "editor",
            "action": "CREATE",
            "entity": "Election",
            "key": "xx-test",
            "changes": {
                "country": {"before": None, "after": "AZ"},
                "date": {"before": None, "after": "2029-04-11"},
                "early": {"before": None, "after": False},
                "kind": {"before": None, "after": "presidential"},
                "office": {"before": None, "after": "President"},
                "sources": {"before": None, "after": ["seed-article-2024-02"]},
            },
        },
    ]
    times = [dt.datetime.fromisoformat(entry["at"]) for entry in entries]
    assert started <= times[2] <= times[1] <= times[0] <= finished


async def test_a_tallys_lines_are_logged_as_one_field(tokens: Tokens) -> None:
    await run_as(
        tokens.write,
        'mutation { updateTally(key: "az-president-2024/final-cec", input: {turnoutReported: 76.5,'
        ' lines: [{candidacy: "az-president-2024/ilham-aliyev", votes: 4567458, share: 92.12}]})'
        " { errors { field message } } }",
    )
    (entry,) = await log(tokens.write, entity="Tally")
    assert entry["key"] == "az-president-2024/final-cec"
    assert entry["changes"]["turnout_reported"] == {"before": 76.43, "after": 76.5}
    lines = entry["changes"]["lines"]
    assert lines["after"] == [
        {
            "candidacy": "az-president-2024/ilham-aliyev",
            "votes": 4567458,
            "share": 92.12,
            "seats": None,
        }
    ]
    assert len(lines["before"]) == 7
    assert lines["before"][-1] == {
        "candidacy": "az-president-2024/zahid-oruj",
        "votes": 107632,
        "share": 2.17,
        "seats": None,
    }
    assert set(entry["changes"]) == {"turnout_reported", "lines"}


async def test_refused_and_empty_changes_leave_no_entry(tokens: Tokens) -> None:
    bad = {**XX_TEST, "country": "QQ"}
    answer = await execute(CREATE_ELECTION, {"input": bad}, tokens.write)
    assert answer["data"]["createElection"]["errors"] != []
    same = {"key": "az-president-2024", "input": {"date": "2024-02-07"}}
    await run_as(tokens.write, UPDATE_ELECTION, same)
    await execute(CREATE_ELECTION, {"input": XX_TEST}, tokens.read)  # refused: read scope
    assert await log(tokens.read) == []


async def test_fixture_loads_are_logged_with_their_counts(tokens: Tokens) -> None:
    content = (
        'elections:\n  - key: "xx-test"\n    country: "AZ"\n    kind: "presidential"\n'
        '    office: "President"\n    date: 2029-04-11\n    sources: ["seed-article-2024-02"]\n'
    )
    await run_as(tokens.write, LOAD, {"content": content})
    await run_as(tokens.write, LOAD, {"content": content})  # changes nothing: no entry
    assert without_times(await log(tokens.read, entity="Fixtures")) == [
        {
            "actor": "editor",
            "action": "LOAD",
            "entity": "Fixtures",
            "key": None,
            "changes": {
                "prune": False,
                "sections": {
                    "elections": {"created": 1, "updated": 0, "unchanged": 0, "deleted": 0}
                },
            },
        }
    ]


async def test_the_arguments_filter_and_bound_the_list(tokens: Tokens) -> None:
    for number in range(1, 4):
        given = {**XX_TEST, "key": f"xx-test-{number}"}
        await run_as(tokens.write, CREATE_ELECTION, {"input": given})
    await run_as(tokens.write, DELETE_ELECTION, {"key": "xx-test-2"})

    assert [e["key"] for e in await log(tokens.read)] == [
        "xx-test-2",
        "xx-test-3",
        "xx-test-2",
        "xx-test-1",
    ]
    assert [e["key"] for e in await log(tokens.read, first=2)] == ["xx-test-2", "xx-test-3"]
    assert [e["action"] for e in await log(tokens.read, key="xx-test-2")] == ["DELETE", "CREATE"]
    assert await log(tokens.read, entity="Tally") == []
    assert len(await log(tokens.read, entity="Election")) == 4
    third = (await log(tokens.read))[1]["at"]
    assert [e["key"] for e in await log(tokens.read, since=third)] == ["xx-test-2", "xx-test-3"]
    # A time without an offset is UTC.
    naive = dt.datetime.fromisoformat(third).replace(tzinfo=None).isoformat()
    assert [e["key"] for e in await log(tokens.read, since=naive)] == ["xx-test-2", "xx-test-3"]
    assert await log(tokens.read, since="2999-01-01T00:00:00+00:00") == []

    refusals: list[tuple[dict[str, Any], str]] = [
        ({"first": 0}, "`first` must be between 1 and 100, got 0."),
        ({"first": 101}, "`first` must be between 1 and 100, got 101."),
        (
            {"entity": "Elections"},
            "entity must be one of Candidacy, Election, Endorsement, Fixtures, Statement, Tally;"
            " got 'Elections'",
        ),
    ]
    for arguments, message in refusals:
        assert await execute(LOG, arguments, tokens.read) == {"data": None, "errors": [message]}


async def test_a_load_from_the_command_line_or_at_start_is_logged(
    empty_db: TortoiseContext,
) -> None:
    report = await changes.load_paths([WORLD], audit.AT_START)
    assert report.changed == 414
    (entry,) = await models.AuditEntry.all()
    assert (entry.actor, entry.action, entry.entity, entry.key) == (
        "(LOAD_FIXTURES at start)",
        models.AuditAction.LOAD,
        "Fixtures",
        None,
    )
    assert entry.changes["sections"]["elections"] == {
        "created": 9,  # every Azerbaijani presidential election and Georgia's of 2024
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
    }


def test_elections_load_is_logged_as_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    async def entries() -> list[tuple[str, str]]:
        rows = await models.AuditEntry.all().order_by("id")
        return [(row.actor, row.action.value) for row in rows]

    with new_database_url(tmp_path, "cli_audit") as url:
        assert cli.main(["load", str(WORLD), "--database-url", url]) == 0
        # The second load changes nothing, so it has no entry.
        assert cli.main(["load", str(WORLD), "--database-url", url]) == 0
        capsys.readouterr()
        assert on_database(url, entries) == [("(command line)", "load")]
