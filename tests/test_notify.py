"""Change notices from each kind of write to the subscribers it concerns, through a server in a
process of its own and the graphql-ws client (tests/live/): a tally changed, deleted or moved
to another election (by a mutation or a fixture load) reaches `resultUpdated` of each election
it concerns; a candidacy, statement or endorsement reaches `electionChanged` of its country
and no other; the rate at which notices are taken together (LIVE_MESSAGES_PER_SECOND) and the
time a WebSocket has to say connection_init (LIVE_INIT_TIMEOUT).

On PostgreSQL the notices come back through the server's LISTEN connection; on SQLite through
its hub (service/notify.py).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.curating import LOAD, UPDATE_ELECTION
from tests.support.live import (
    AZ_2024_RESULT,
    RESULT_UPDATED,
    LiveClient,
    create_tally,
    live_client,
    metric,
    mutate,
    read_frame,
    unread_websocket,
    wait_until,
    write_token,
)
from tests.support.servers import serving

AZ_2018_RESULT = {"query": RESULT_UPDATED, "variables": {"election": "az-president-2018"}}
#: The latest whole-country tally of the test world's 2024 election, in publication order
#: (final stage, undated, last by key), and the one before it.
TH_MIRROR = "az-president-2024/turnout-wikipedia-th-mirror"
CURRENT = "az-president-2024/turnout-wikipedia-current"
SOURCE = "seed-article-2024-02"
ALIYEV_2024 = "az-president-2024/ilham-aliyev"
ZAHID_ORUJ_2024 = "az-president-2024/zahid-oruj"

UPDATE_TALLY = """
mutation($key: String!, $input: UpdateTallyInput!) {
  updateTally(key: $key, input: $input) { errors { field message } }
}
"""
DELETE_TALLY = """
mutation($key: String!) { deleteTally(key: $key) { errors { field message } } }
"""


def messages(client: LiveClient, counts: dict[int, int], timeout: float = 10) -> dict[int, Any]:
    """The data of the messages that come until each subscription `index` of `counts` has
    had its number of them: every message meanwhile, by its subscription's index (one that
    should not have been sent shows here, not skipped)."""
    found: dict[int, list[Any]] = {}
    deadline = time.monotonic() + timeout
    while any(len(found.get(index, [])) < count for index, count in counts.items()):
        event = client.wait_for(lambda e: e["event"] == "next", deadline - time.monotonic())
        assert "errors" not in event["payload"], event
        found.setdefault(event["index"], []).append(event["payload"]["data"])
    return found


def next_of(client: LiveClient, index: int, timeout: float = 10) -> Any:
    """The data of the next message, which must be of the subscription `index`."""
    found = messages(client, {index: 1}, timeout)
    assert list(found) == [index], found
    return found[index][0]


def sent(election: str, tally: str, stage: str = "FINAL", lines: Any = ()) -> dict[str, Any]:
    """A whole-country `resultUpdated` message of RESULT_UPDATED's selection."""
    return {
        "election": {"key": election},
        "area": None,
        "tally": {"key": tally, "stage": stage, "countedShare": None, "lines": list(lines)},
    }


def line(candidacy: str, votes: int, share: float) -> dict[str, Any]:
    """A tally line as RESULT_UPDATED selects it."""
    return {"votes": votes, "share": share, "candidacy": {"key": candidacy}}


# --- resultUpdated: a tally changed, deleted, moved -----------------------------------------


def test_a_tally_changed_sends_its_election_the_latest_tally(server_database: str) -> None:
    with serving(server_database) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024_RESULT]) as client:
            state = next_of(client, 0)["resultUpdated"]
            assert state == sent("az-president-2024", TH_MIRROR)
            mutate(
                server.url,
                token,
                UPDATE_TALLY,
                {
                    "key": TH_MIRROR,
                    "input": {
                        "lines": [
                            {"candidacy": ALIYEV_2024, "votes": 4567458, "share": 92.12},
                            {"candidacy": ZAHID_ORUJ_2024, "votes": 107632, "share": 2.17},
                        ]
                    },
                },
            )
            assert next_of(client, 0, 5)["resultUpdated"] == sent(
                "az-president-2024",
                TH_MIRROR,
                lines=[line(ALIYEV_2024, 4567458, 92.12), line(ZAHID_ORUJ_2024, 107632, 2.17)],
            )


def test_a_tally_deleted_sends_its_election_the_tally_latest_after_it(
    server_database: str,
) -> None:
    with serving(server_database) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024_RESULT]) as client:
            assert next_of(client, 0)["resultUpdated"] == sent("az-president-2024", TH_MIRROR)
            mutate(server.url, token, DELETE_TALLY, {"key": TH_MIRROR})
            # The one before it in publication order is now the latest.
            assert next_of(client, 0, 5)["resultUpdated"] == sent("az-president-2024", CURRENT)


#: What subscribers of the 2024 and the 2018 election are sent at once: their latest tallies.
BOTH_AT_ONCE = {
    0: [{"resultUpdated": sent("az-president-2024", TH_MIRROR)}],
    1: [
        {
            "resultUpdated": sent(
                "az-president-2018",
                "az-president-2018/final",
                lines=[
                    line("az-president-2018/ilham-aliyev", 3394898, 86.02),
                    line("az-president-2018/zahid-oruj", 122956, 3.12),
                ],
            )
        }
    ],
}


def test_a_tally_moved_to_another_election_is_announced_to_both(server_database: str) -> None:
    tallies = """
    subscription($country: String) {
      electionChanged(country: $country) { key tallies { totalCount } }
    }
    """
    followed = [
        AZ_2024_RESULT,
        AZ_2018_RESULT,
        {"query": tallies, "variables": {"country": "AZ"}},
    ]
    with serving(server_database) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", followed) as client:
            assert messages(client, {0: 1, 1: 1}) == BOTH_AT_ONCE
            # An undated final tally without lines: it may belong to either election, and it
            # is the latest of each in turn (its key sorts after 2018's final).
            mutate(
                server.url,
                token,
                UPDATE_TALLY,
                {"key": TH_MIRROR, "input": {"election": "az-president-2018"}},
            )
            assert messages(client, {0: 1, 1: 1, 2: 2}, 5) == {
                # The election it left has a new latest tally too, and is told so.
                0: [{"resultUpdated": sent("az-president-2024", CURRENT)}],
                1: [{"resultUpdated": sent("az-president-2018", TH_MIRROR)}],
                # One election a message, in key order: both have changed.
                2: [
                    {"electionChanged": {"key": "az-president-2018", "tallies": {"totalCount": 3}}},
                    {"electionChanged": {"key": "az-president-2024", "tallies": {"totalCount": 9}}},
                ],
            }


def test_a_tally_moved_by_a_fixture_load_is_announced_to_both(server_database: str) -> None:
    # The tally as a fixture file holds it, placed in 2018's election.
    moved = f"""
tallies:
  - key: {TH_MIRROR}
    election: az-president-2018
    stage: final
    registered: 6478840
    turnout_reported: 76.68
    sources: [hmong-th-az-2024]
"""
    with serving(server_database) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024_RESULT, AZ_2018_RESULT]) as client:
            assert messages(client, {0: 1, 1: 1}) == BOTH_AT_ONCE
            assert mutate(server.url, token, LOAD, {"content": moved})["loadFixtures"] == {
                "changed": 1,
                "sections": [
                    {"section": "tallies", "created": 0, "updated": 1, "unchanged": 0, "deleted": 0}
                ],
                "errors": [],
            }
            assert messages(client, {0: 1, 1: 1}, 5) == {
                0: [{"resultUpdated": sent("az-president-2024", CURRENT)}],
                1: [{"resultUpdated": sent("az-president-2018", TH_MIRROR)}],
            }


# --- electionChanged: an election's other facts ---------------------------------------------

FACTS = """
subscription($country: String) {
  electionChanged(country: $country) {
    key candidacies { totalCount } statements { totalCount } endorsements { totalCount }
  }
}
"""
CREATE_CANDIDACY = """
mutation($input: CreateCandidacyInput!) { createCandidacy(input: $input) { errors { field } } }
"""
UPDATE_CANDIDACY = """
mutation($key: String!, $input: UpdateCandidacyInput!) {
  updateCandidacy(key: $key, input: $input) { errors { field } }
}
"""
CREATE_STATEMENT = """
mutation($input: CreateStatementInput!) { createStatement(input: $input) { errors { field } } }
"""
UPDATE_STATEMENT = """
mutation($key: String!, $input: UpdateStatementInput!) {
  updateStatement(key: $key, input: $input) { errors { field } }
}
"""
CREATE_ENDORSEMENT = """
mutation($input: CreateEndorsementInput!) {
  createEndorsement(input: $input) { errors { field } }
}
"""
UPDATE_ENDORSEMENT = """
mutation($key: String!, $input: UpdateEndorsementInput!) {
  updateEndorsement(key: $key, input: $input) { errors { field } }
}
"""
#: For each kind of fact: a record of az-president-2024 to create, then a change to it, and
#: the counts of the election's candidacies, statements and endorsements once it exists
#: (the test world holds 7, 6 and 12).
KINDS: dict[str, tuple[str, dict[str, Any], str, dict[str, Any], tuple[int, int, int]]] = {
    "candidacy": (
        CREATE_CANDIDACY,
        {
            "key": "az-president-2024/sardar-jalaloglu",
            "election": "az-president-2024",
            "person": "sardar-jalaloglu",
            "nomination": "SELF",
            "sources": [SOURCE],
        },
        UPDATE_CANDIDACY,
        {"status": "WITHDRAWN"},
        (8, 6, 12),
    ),
    "statement": (
        CREATE_STATEMENT,
        {
            "key": "az-president-2024/test-statement",
            "election": "az-president-2024",
            "kind": "REJECTS",
            "organization": "azerbaijani-popular-front-party",
            "summary": "A statement written for a test.",
            "sources": [SOURCE],
        },
        UPDATE_STATEMENT,
        {"summary": "A statement changed for a test."},
        (7, 7, 12),
    ),
    "endorsement": (
        CREATE_ENDORSEMENT,
        {
            "key": "az-president-2024/congratulation-test",
            "candidacy": ALIYEV_2024,
            "kind": "CONGRATULATION",
            "endorserPerson": "vladimir-putin",
            "country": "RU",
            "date": "2024-02-08",
            "channel": "LETTER",
            "summary": "A congratulation written for a test.",
            "sources": [SOURCE],
        },
        UPDATE_ENDORSEMENT,
        {"channel": "CALL"},
        (7, 6, 13),
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_fact_created_or_changed_reaches_the_subscribers_of_its_country_only(
    server_database: str, kind: str
) -> None:
    create, record, update, change, (candidacies, statements, endorsements) = KINDS[kind]
    expected = {
        "key": "az-president-2024",
        "candidacies": {"totalCount": candidacies},
        "statements": {"totalCount": statements},
        "endorsements": {"totalCount": endorsements},
    }
    followed = [
        {"query": FACTS, "variables": {"country": "AZ"}},
        {"query": FACTS, "variables": {"country": "GE"}},
    ]
    with serving(server_database) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", followed) as client:
            assert client.next_event(10) == {"event": "connected"}
            # Nothing is sent at once: subscribed once the server counts both.
            wait_until(
                lambda: metric(server.url, "elections_live_subscriptions") == 2, "subscribed"
            )
            mutate(server.url, token, create, {"input": record})
            assert next_of(client, 0, 5)["electionChanged"] == expected
            mutate(server.url, token, update, {"key": record["key"], "input": change})
            assert next_of(client, 0, 5)["electionChanged"] == expected
            # Georgia's subscriber was sent neither: its first message is of a Georgian change.
            mutate(
                server.url,
                token,
                UPDATE_ELECTION,
                {"key": "ge-parliament-2024", "input": {"reason": "A test."}},
            )
            assert next_of(client, 1, 5)["electionChanged"] == {
                "key": "ge-parliament-2024",
                "candidacies": {"totalCount": 8},
                "statements": {"totalCount": 7},
                "endorsements": {"totalCount": 0},
            }


# --- Bounds ---------------------------------------------------------------------------------

RECOUNT: dict[str, Any] = {
    "election": "az-president-2024",
    "stage": "CERTIFIED",
    "sources": [SOURCE],
    "lines": [{"candidacy": ALIYEV_2024, "votes": 4567458, "share": 92.12}],
}
BURST = """
mutation($second: CreateTallyInput!, $third: CreateTallyInput!, $lines: [TallyLineInput!]) {
  second: createTally(input: $second) { errors { field message } }
  third: createTally(input: $third) { errors { field message } }
  changed: updateTally(key: "az-president-2024/recount-3", input: {lines: $lines}) {
    errors { field message }
  }
}
"""


def test_notices_faster_than_the_rate_are_one_message_with_the_latest_state(
    server_database: str,
) -> None:
    # One message every 2 s at most: far longer than the three writes of one request take.
    with serving(server_database, LIVE_MESSAGES_PER_SECOND="0.5") as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024_RESULT]) as client:
            assert next_of(client, 0)["resultUpdated"] == sent("az-president-2024", TH_MIRROR)
            # The first notice is sent at once...
            create_tally(
                server.url,
                token,
                {**RECOUNT, "key": "az-president-2024/recount-1", "asOf": "2024-02-20"},
            )
            assert next_of(client, 0, 5)["resultUpdated"] == sent(
                "az-president-2024",
                "az-president-2024/recount-1",
                stage="CERTIFIED",
                lines=[line(ALIYEV_2024, 4567458, 92.12)],
            )
            first = time.monotonic()
            # ...and the three of a burst that follows within the interval are one message,
            # which reads the state after all three: the third tally, with its lines changed.
            mutate(
                server.url,
                token,
                BURST,
                {
                    "second": {
                        **RECOUNT,
                        "key": "az-president-2024/recount-2",
                        "asOf": "2024-02-21",
                    },
                    "third": {
                        **RECOUNT,
                        "key": "az-president-2024/recount-3",
                        "asOf": "2024-02-22",
                    },
                    "lines": [{"candidacy": ZAHID_ORUJ_2024, "votes": 107632, "share": 2.17}],
                },
            )
            assert next_of(client, 0, 5)["resultUpdated"] == sent(
                "az-president-2024",
                "az-president-2024/recount-3",
                stage="CERTIFIED",
                lines=[line(ZAHID_ORUJ_2024, 107632, 2.17)],
            )
            # Not sooner than the rate allows (less the client's own delay in reading the
            # first), and counted as one: the state, the first notice, the burst.
            assert time.monotonic() - first > 1.5
            assert metric(server.url, "elections_live_messages_total") == 3
            # Nothing of the burst is left to send: the next message is the next change's.
            mutate(server.url, token, DELETE_TALLY, {"key": "az-president-2024/recount-3"})
            assert next_of(client, 0, 5)["resultUpdated"] == sent(
                "az-president-2024",
                "az-president-2024/recount-2",
                stage="CERTIFIED",
                lines=[line(ALIYEV_2024, 4567458, 92.12)],
            )
            assert metric(server.url, "elections_live_messages_total") == 4


def test_a_websocket_that_never_sends_connection_init_is_closed_after_the_timeout(
    server_database: str,
) -> None:
    with serving(server_database, LIVE_INIT_TIMEOUT="0.5") as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024_RESULT]) as client:
            assert next_of(client, 0)["resultUpdated"] == sent("az-president-2024", TH_MIRROR)
            # Timed from before the connection: the server's wait starts once it accepted it.
            opened = time.monotonic()
            with unread_websocket(server.url) as sock:
                opcode, payload = read_frame(sock)
                waited = time.monotonic() - opened
            # A close frame with graphql-transport-ws's code for it, once the time was up.
            assert (opcode, int.from_bytes(payload[:2]), payload[2:]) == (
                0x8,
                4408,
                b"Connection initialisation timeout",
            )
            assert waited >= 0.5
            # A client that said connection_init in time is held past it, and sent changes.
            create_tally(server.url, token, {**RECOUNT, "key": "az-president-2024/recount"})
            assert next_of(client, 0, 5)["resultUpdated"] == sent(
                "az-president-2024",
                "az-president-2024/recount",
                stage="CERTIFIED",
                lines=[line(ALIYEV_2024, 4567458, 92.12)],
            )
            assert [e for e in client.seen if e["event"] == "closed"] == []
