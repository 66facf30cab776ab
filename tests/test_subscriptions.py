"""Subscriptions with a real client: graphql-ws (tests/live/) against servers in processes of
their own, over WebSocket; server-sent events and multipart over HTTP; the notices, the
limits, a slow consumer, and a server that stops and comes back.

On PostgreSQL a tally created through one server reaches a subscriber of another (NOTIFY);
on SQLite the server is the same process that wrote it (its hub).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from curation import tokens
from models import Scope
from service import notify
from service.manifest import sha256
from service.notify import EVERYTHING, MAX_PAYLOAD_BYTES, Notice, parse, payloads
from service.settings import Live, load_settings
from tests.support.curating import UPDATE_ELECTION
from tests.support.databases import BACKEND, on_database
from tests.support.live import (
    AZ_2024_RESULT,
    ELECTION_CHANGED,
    RESULT_UPDATED,
    Event,
    create_tally,
    live_client,
    masked_frame,
    metric,
    read_to_end,
    unread_websocket,
)
from tests.support.servers import Server, free_port, serving
from tests.support.settings import clean_environment
from web.pages import api

AZ_2024 = AZ_2024_RESULT
#: The latest whole-country tally of the test world's 2024 election, in publication order.
LATEST_2024: dict[str, Any] = {
    "election": {"key": "az-president-2024"},
    "area": None,
    "tally": {
        "key": "az-president-2024/turnout-wikipedia-th-mirror",
        "stage": "FINAL",
        "countedShare": None,
        "lines": [],
    },
}
RECOUNT = {
    "key": "az-president-2024/recount",
    "election": "az-president-2024",
    "stage": "CERTIFIED",
    "asOf": "2024-02-20",
    "sources": ["seed-article-2024-02"],
    "lines": [
        {"candidacy": "az-president-2024/ilham-aliyev", "votes": 4567458, "share": 92.12},
        {"candidacy": "az-president-2024/zahid-oruj", "votes": 107632, "share": 2.17},
    ],
}
RECOUNT_SENT = {
    "election": {"key": "az-president-2024"},
    "area": None,
    "tally": {
        "key": "az-president-2024/recount",
        "stage": "CERTIFIED",
        "countedShare": None,
        "lines": [
            {
                "votes": 4567458,
                "share": 92.12,
                "candidacy": {"key": "az-president-2024/ilham-aliyev"},
            },
            {"votes": 107632, "share": 2.17, "candidacy": {"key": "az-president-2024/zahid-oruj"}},
        ],
    },
}


def write_token(url: str) -> str:
    return on_database(url, lambda: tokens.create("editor", Scope.WRITE))


def is_next(event: Event) -> bool:
    return bool(event["event"] == "next")


def result(event: Event) -> Any:
    assert event["event"] == "next", event
    return event["payload"]["data"]["resultUpdated"]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Polls `check` until true; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not so within {timeout} s")
        time.sleep(0.05)


@contextmanager
def two_servers(url: str, **env: str) -> Iterator[tuple[Server, Server]]:
    """On PostgreSQL two server processes on the database of `url`; on SQLite one, twice
    (its notices stay in the process that wrote)."""
    with ExitStack() as stack:
        first = stack.enter_context(serving(url, **env))
        second = first if BACKEND == "sqlite" else stack.enter_context(serving(url, **env))
        yield first, second


# --- The notices ----------------------------------------------------------------------------


def test_notices_are_split_into_payloads_postgresql_accepts() -> None:
    notices = [Notice(f"xx-election-{i:04}", "XX", f"xx-area-{i}", tally=True) for i in range(400)]
    sent = payloads(notices)
    # 400 notices of 40-odd bytes do not fit in one NOTIFY (under 8000 bytes): three do.
    assert [len(p.encode()) <= MAX_PAYLOAD_BYTES for p in sent] == [True] * len(sent)
    assert len(sent) == 3
    assert [n for p in sent for n in parse(p)] == notices
    assert json.loads(sent[0])[0] == ["xx-election-0000", "XX", "xx-area-0", 1]
    # "Read everything again" says what the others say.
    assert payloads([*notices, EVERYTHING]) == ['"*"']
    assert parse('"*"') == [EVERYTHING]


def test_notices_with_and_without_an_area_go_out_in_one_order() -> None:
    # A load touches an election's facts (no area) and its tallies by area in one transaction.
    notices = [
        Notice("us-president-2020", "US", "CA", tally=True),
        Notice("us-president-2020", "US", None, tally=True),
        Notice("dk-parliament-1932", "DK"),
    ]
    assert [n for p in payloads(notices) for n in parse(p)] == [
        notices[2],
        notices[1],
        notices[0],
    ]


async def test_a_lost_listen_connection_is_opened_again_then_every_subscription_reads_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hub = notify.Hub()
    listener = notify.Listener("postgres://postgres@127.0.0.1:5432/elections", hub)
    subscription = hub.open(lambda notice: False)  # wants no notice of its own
    outcomes: list[str] = ["listening", "refused", "refused", "listening"]
    attempts: list[str] = []

    async def connect() -> None:
        # In place of asyncpg: the first connection, then the server away twice, then back.
        outcome = outcomes[len(attempts)]
        attempts.append(outcome)
        if outcome == "refused":
            raise OSError("Connection refused")
        listener.listening.set()

    monkeypatch.setattr(listener, "_connect", connect)
    monkeypatch.setattr(notify, "RECONNECT_SECONDS", 0)
    changes = subscription.changes()
    await listener.start()
    try:
        assert listener.listening.is_set()
        listener._terminated(None)  # what asyncpg calls when the connection is lost
        # Within 5 s: the connection opened again after two refusals, and the subscription
        # asked to read again, since notices may have gone by meanwhile.
        await asyncio.wait_for(anext(changes), 5)
        assert attempts == outcomes
        assert listener.listening.is_set()
    finally:
        await listener.stop()
        await changes.aclose()
        hub.close(subscription)


async def test_the_hub_is_settled_once_each_subscription_sent_what_was_announced() -> None:
    hub = notify.Hub()
    wanted = Notice("az-president-2024", "AZ", None, tally=True)
    subscription = hub.open(lambda notice: notice == wanted)
    changes = subscription.changes()
    try:
        # A new subscription is sending its first message until it waits for a notice.
        assert await hub.settled(0.05) is False
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        assert await hub.settled(1) is True
        # A notice it does not want leaves it settled; one it wants does not, until the
        # message it woke for was sent and the subscription asked for the next change.
        hub.publish([Notice("az-president-2018", "AZ", None, tally=True)])
        assert await hub.settled(1) is True
        hub.publish([wanted])
        assert subscription.settled is False
        await asyncio.wait_for(first, 1)
        assert await hub.settled(0.05) is False
        second = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        assert await hub.settled(1) is True
        second.cancel()
        with suppress(asyncio.CancelledError):
            await second
    finally:
        await changes.aclose()
        hub.close(subscription)
    assert await hub.settled(0) is True  # no subscriptions: nothing to wait for


# --- From a write to a subscriber -----------------------------------------------------------


def test_a_tally_created_through_one_server_reaches_a_subscriber_of_the_other_within_2_s(
    server_database: str,
) -> None:
    with two_servers(server_database) as (first, second):
        token = write_token(server_database)
        with live_client(f"{first.url}/graphql", [AZ_2024]) as client:
            assert client.next_event(10) == {"event": "connected"}
            # The state at once, then each change.
            assert result(client.next_event(10)) == LATEST_2024
            create_tally(second.url, token, RECOUNT)
            assert result(client.next_event(2)) == RECOUNT_SENT
        assert metric(first.url, "elections_live_messages_total") == 2


def test_a_write_refused_announces_nothing(server_database: str) -> None:
    # At a high rate, so that two notices would be two messages.
    with serving(server_database, LIVE_MESSAGES_PER_SECOND="1000") as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024]) as client:
            assert result(client.wait_for(is_next, 10)) == LATEST_2024
            refused = httpx.post(
                f"{server.url}/graphql",
                json={
                    "query": "mutation($i: CreateTallyInput!) { createTally(input: $i) "
                    "{ errors { field } } }",
                    "variables": {"i": {**RECOUNT, "lines": [{"candidacy": "nobody"}]}},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            assert refused.json() == {
                "data": {"createTally": {"errors": [{"field": "input.lines[0].candidacy"}]}}
            }
            create_tally(server.url, token, RECOUNT)
            # The first message after the state is the recount's: the refusal sent none.
            assert result(client.next_event(2)) == RECOUNT_SENT


def test_election_changed_sends_the_elections_of_one_country_or_all(
    server_database: str,
) -> None:
    changed = {"query": ELECTION_CHANGED, "variables": {}}
    georgian = {"query": ELECTION_CHANGED, "variables": {"country": "ge"}}
    with serving(server_database) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [changed, georgian]) as client:
            assert client.next_event(10) == {"event": "connected"}
            # Subscribed once the server counts both (nothing is sent at once).
            wait_until(
                lambda: metric(server.url, "elections_live_subscriptions") == 2, "subscribed"
            )
            for key, summary in (
                ("az-president-2018", "Moved forward by six months."),
                ("ge-parliament-2024", "Contested by the opposition."),
            ):
                answer = httpx.post(
                    f"{server.url}/graphql",
                    json={
                        "query": UPDATE_ELECTION,
                        "variables": {"key": key, "input": {"summary": summary}},
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.json()["data"]["updateElection"]["errors"] == [], answer.text
            seen = [client.wait_for(is_next, 5) for _ in range(3)]
    by_index = sorted((e["index"], e["payload"]["data"]["electionChanged"]["key"]) for e in seen)
    assert by_index == [
        (0, "az-president-2018"),
        (0, "ge-parliament-2024"),
        (1, "ge-parliament-2024"),
    ]
    assert seen[-1]["payload"]["data"]["electionChanged"]["summary"] in (
        "Contested by the opposition.",
        "Moved forward by six months.",
    )


# --- Limits ---------------------------------------------------------------------------------


def test_limits_refuse_with_messages_naming_their_settings(server_database: str) -> None:
    limits = {"LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION": "2", "LIVE_MAX_SUBSCRIPTIONS": "3"}
    with serving(server_database, **limits) as server:
        url = f"{server.url}/graphql"
        with live_client(url, [AZ_2024, AZ_2024, AZ_2024]) as first:
            answered = ("next", "error")
            events = [first.wait_for(lambda e: e["event"] in answered, 10) for _ in range(3)]
            assert sorted(e["event"] for e in events) == ["error", "next", "next"]
            [refused] = [e for e in events if e["event"] == "error"]
            assert refused == {
                "event": "error",
                "index": 2,
                "error": [
                    {
                        "message": "This connection holds 2 subscriptions, its limit "
                        "(LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION=2): complete one first, or "
                        "open another connection.",
                        "extensions": {"code": "LIVE_LIMIT"},
                    }
                ],
            }
            with live_client(url, [AZ_2024, AZ_2024]) as second:
                events = [second.wait_for(is_next, 10) for _ in range(2)]
                errors = [e["payload"].get("errors") for e in events]
                assert sorted(errors, key=str) == [
                    None,
                    [
                        {
                            "message": "This server holds 3 subscriptions, its limit "
                            "(LIVE_MAX_SUBSCRIPTIONS=3): try again later, or another server.",
                            "extensions": {"code": "LIVE_LIMIT"},
                        }
                    ],
                ]
                assert metric(server.url, "elections_live_subscriptions") == 3
                assert metric(server.url, "elections_live_connections") == 2
        per_connection = 'elections_live_refusals_total{limit="per_connection"}'
        assert metric(server.url, per_connection) == 1
        assert metric(server.url, 'elections_live_refusals_total{limit="per_process"}') == 1
        wait_until(lambda: metric(server.url, "elections_live_subscriptions") == 0, "all closed")


def test_unknown_keys_are_named(server_database: str) -> None:
    asked = [
        {"query": RESULT_UPDATED, "variables": {"election": "az-president-2025"}},
        {"query": RESULT_UPDATED, "variables": {"election": "az-president-2024", "area": "x"}},
        {"query": ELECTION_CHANGED, "variables": {"country": "ZZ"}},
    ]
    with serving(server_database) as server, live_client(f"{server.url}/graphql", asked) as client:
        events = [client.wait_for(is_next, 10) for _ in asked]
    messages = {e["index"]: [error["message"] for error in e["payload"]["errors"]] for e in events}
    assert messages == {
        0: ["There is no election 'az-president-2025' (argument `election`)."],
        1: ["There is no area 'x' (argument `area`)."],
        2: ["There is no country 'ZZ' (argument `country`)."],
    }


def test_several_subscriptions_need_an_operation_name(server_database: str) -> None:
    # As for queries (the GraphQL spec): unnamed, none runs (the first one ran before).
    document = (
        'subscription A { resultUpdated(election: "az-president-2018") { tally { key } } } '
        'subscription B { resultUpdated(election: "az-president-2024") { tally { key } } }'
    )
    asked = [{"query": document}, {"query": document, "operationName": "B"}]
    with serving(server_database) as server, live_client(f"{server.url}/graphql", asked) as client:
        events = [client.wait_for(lambda e: e["event"] in ("next", "error"), 10) for _ in asked]
    by_index = {e["index"]: e for e in events}
    assert by_index[0] == {
        "event": "error",
        "index": 0,
        "error": [
            {
                "message": "The document has 2 operations (A, B): name the one to run in "
                "`operationName`."
            }
        ],
    }
    assert by_index[1] == {
        "event": "next",
        "index": 1,
        "payload": {"data": {"resultUpdated": {"tally": {"key": LATEST_2024["tally"]["key"]}}}},
    }


def test_an_allow_list_holds_over_websocket_too(server_database: str, tmp_path: Path) -> None:
    # The explorer's subscription is registered (`make manifest`): sent with its hash it runs;
    # other text is refused as over HTTP, with or without a hash.
    live = api.operations()["ExplorerResultUpdated"]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({sha256(live): live}))
    by_hash = {"persistedQuery": {"version": 1, "sha256Hash": sha256(live)}}
    unregistered = sha256(RESULT_UPDATED)
    variables = {"election": "az-president-2024"}
    asked: list[dict[str, Any]] = [
        {
            **AZ_2024_RESULT,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": unregistered}},
        },
        AZ_2024_RESULT,
        {"query": live, "variables": variables, "extensions": by_hash},
    ]
    env = {"PERSISTED_QUERIES": "allow-list", "PERSISTED_QUERIES_FILE": str(manifest)}
    with (
        serving(server_database, **env) as server,
        live_client(f"{server.url}/graphql", asked) as client,
    ):
        events = [client.wait_for(lambda e: e["event"] in ("next", "error"), 10) for _ in asked]
    by_index = {e["index"]: e for e in events}
    assert by_index[0]["error"] == [
        {
            "message": "Only registered operations are accepted: no operation is registered "
            f'with sha256Hash "{unregistered}", and this server registers no operation sent to it.',
            "extensions": {"code": "PERSISTED_QUERY_NOT_IN_LIST"},
        }
    ]
    assert by_index[1]["error"] == [
        {
            "message": "Only registered operations are accepted: the request has a query but "
            "no extensions.persistedQuery.sha256Hash naming a registered operation.",
            "extensions": {"code": "PERSISTED_QUERY_ID_REQUIRED"},
        }
    ]
    assert by_index[2]["event"] == "next", by_index[2]
    assert by_index[2]["payload"]["data"]["resultUpdated"] == {
        "tally": {"key": LATEST_2024["tally"]["key"]}
    }


def test_the_server_pings_and_closes_a_client_that_does_not_pong(server_database: str) -> None:
    with serving(server_database, LIVE_PING_INTERVAL="0.3") as server:
        url = f"{server.url}/graphql"
        with (
            live_client(url, [AZ_2024]) as answering,
            live_client(url, [AZ_2024], pong=False) as mute,
        ):
            closed = mute.wait_for(lambda e: e["event"] == "closed", 10)
            assert closed == {
                "event": "closed",
                "code": 4408,
                "reason": "No pong within 0.3 s (LIVE_PING_INTERVAL)",
            }
            # The client that answers has had pings all along, and is still connected.
            answering.wait_for(lambda e: e["event"] == "ping", 5)
            answering.wait_for(lambda e: e["event"] == "ping", 5)
            assert [e for e in answering.seen if e["event"] == "closed"] == []
        assert metric(server.url, 'elections_live_closed_total{why="no_pong"}') == 1


def test_a_client_that_does_not_read_is_disconnected(server_database: str) -> None:
    # Many subscriptions on one connection, each sending its state at once (some 4 kB): far
    # more than the socket buffers of a client whose receive buffer is tiny and that does not
    # read.
    count = 300
    heavy = {
        "query": "subscription($e: String!) { resultUpdated(election: $e) { "
        + " ".join(f"e{i}: election {{ summary reason office }}" for i in range(12))
        + " } }",
        "variables": {"e": "az-president-2024"},
    }
    settings = {
        "LIVE_SEND_TIMEOUT": "1",
        "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(count),
        "LIVE_MESSAGES_PER_SECOND": "1000",
    }
    with serving(server_database, **settings) as server, unread_websocket(server.url) as sock:
        sock.sendall(masked_frame(json.dumps({"type": "connection_init"})))
        for i in range(count):
            subscribe = {"id": str(i), "type": "subscribe", "payload": heavy}
            sock.sendall(masked_frame(json.dumps(subscribe)))
        slow = 'elections_live_closed_total{why="slow"}'
        wait_until(lambda: metric(server.url, slow) == 1, "cut off", timeout=20)
        # Its subscriptions and its connection are gone; what it had not read ends short.
        wait_until(lambda: metric(server.url, "elections_live_subscriptions") == 0, "gone")
        wait_until(lambda: metric(server.url, "elections_live_connections") == 0, "closed")
        received = read_to_end(sock)
    # Each message is over 4,000 bytes: far fewer than all of them were sent.
    assert 0 < received < count * 4000 / 2


def test_on_shutdown_subscriptions_close_with_1001_and_the_client_reconnects(
    server_database: str,
) -> None:
    port = free_port()
    with serving(server_database, port) as server:
        token = write_token(server_database)
        with live_client(f"{server.url}/graphql", [AZ_2024], retry=True) as client:
            assert client.next_event(10) == {"event": "connected"}
            assert result(client.next_event(10)) == LATEST_2024
            server.process.send_signal(signal.SIGTERM)
            closed = client.wait_for(lambda e: e["event"] == "closed", 10)
            assert closed == {
                "event": "closed",
                "code": 1001,
                "reason": "The server is stopping: connect again",
            }
            assert server.process.wait(timeout=20) == 0, server.output()
            with serving(server_database, port) as again:
                client.wait_for(lambda e: e["event"] == "connected", 20)
                # Subscribed again, the client has the state at once: nothing was missed.
                assert result(client.wait_for(is_next, 10)) == LATEST_2024
                create_tally(again.url, token, RECOUNT)
                assert result(client.next_event(2)) == RECOUNT_SENT


# --- Over HTTP ------------------------------------------------------------------------------


def test_server_sent_events_and_multipart_over_http(server_database: str) -> None:
    body = {"query": RESULT_UPDATED, "variables": {"election": "az-president-2024"}}
    with serving(server_database) as server:
        token = write_token(server_database)
        url = f"{server.url}/graphql"
        with httpx.stream(
            "POST", url, json=body, headers={"Accept": "text/event-stream"}, timeout=5
        ) as sse:
            assert sse.headers["content-type"] == "text/event-stream"
            lines = sse.iter_lines()
            events: list[Any] = []
            while len(events) < 2:
                line = next(lines)
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    if len(events) == 1:
                        create_tally(server.url, token, RECOUNT)
        assert [e["data"]["resultUpdated"] for e in events] == [LATEST_2024, RECOUNT_SENT]
        accept = "multipart/mixed;subscriptionSpec=1.0,application/json"
        with httpx.stream("POST", url, json=body, headers={"Accept": accept}, timeout=10) as parts:
            assert parts.headers["content-type"] == (
                "multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json"
            )
            found = None
            for line in parts.iter_lines():
                if line.startswith('{"payload"'):
                    found = json.loads(line)
                    break
        assert found == {"payload": {"data": {"resultUpdated": RECOUNT_SENT}}}


# --- Settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION",
            "0",
            "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION must be a positive number, got 0",
        ),
        (
            "LIVE_MAX_SUBSCRIPTIONS",
            "-1",
            "LIVE_MAX_SUBSCRIPTIONS must be a positive number, got -1",
        ),
        (
            "LIVE_MESSAGES_PER_SECOND",
            "0",
            "LIVE_MESSAGES_PER_SECOND must be a positive number of messages a second, got 0.0",
        ),
        (
            "LIVE_SEND_TIMEOUT",
            "inf",
            "LIVE_SEND_TIMEOUT must be a positive number of seconds, got inf",
        ),
    ],
)
def test_bad_bounds_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    clean_environment(monkeypatch, **{name: value})
    with pytest.raises(ValueError) as refused:
        load_settings(env_file=None)
    assert str(refused.value) == message


def test_bounds_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(
        monkeypatch,
        LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION="3",
        LIVE_MAX_SUBSCRIPTIONS="7",
        LIVE_MESSAGES_PER_SECOND="0.5",
        LIVE_PING_INTERVAL="30",
        LIVE_SEND_TIMEOUT="2.5",
        LIVE_INIT_TIMEOUT="4",
    )
    assert load_settings(env_file=None).live == Live(3, 7, 0.5, 30.0, 2.5, 4.0)
