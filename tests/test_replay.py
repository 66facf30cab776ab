"""`elections replay`: an election's tallies created again in publication order in a scratch
copy of the database, served, so that a subscriber sees the night as it went."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

import loader
import models
from curation.replay import publication_order, stages
from service.database import migrate
from service.settings import ROOT
from tests.support.databases import on_database
from tests.support.live import AZ_2024_RESULT, live_client
from tests.support.servers import free_port
from tests.support.world import WORLD

#: The test world's tallies of the 2024 election, in the order they were published: the
#: night's counts (54.47 %, then 93.35 %), the other preliminary figures of the 8th, the
#: CEC's final protocol of the 13th, then the final figures of no known date, by key.
ORDER_2024 = [
    "az-president-2024/preliminary-54",
    "az-president-2024/preliminary-93",
    "az-president-2024/preliminary-seed",
    "az-president-2024/turnout-cec-press-conference",
    "az-president-2024/final-cec",
    "az-president-2024/final-ispd",
    "az-president-2024/turnout-hogan-lovells",
    "az-president-2024/turnout-tag24",
    "az-president-2024/turnout-wikipedia-current",
    "az-president-2024/turnout-wikipedia-th-mirror",
]


def tally(
    key: str, stage: str, as_of: dt.date | None, counted: float | None = None
) -> dict[str, Any]:
    return {"key": key, "stage": stage, "as_of": as_of, "counted_share": counted}


def wait_for_health(url: str, process: subprocess.Popen[str]) -> None:
    """Returns once the server at `url` answers /health; fails if its process ends first."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "the replay ended before serving"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the replay's server did not answer in 60 s"
        time.sleep(0.05)


def test_stages_come_in_publication_order_at_the_speed_asked() -> None:
    night = dt.date(2024, 2, 7)
    records = [
        tally("final", "final", dt.date(2024, 2, 13)),
        tally("undated", "final", None),
        tally("93", "preliminary", night + dt.timedelta(days=1), 93.35),
        tally("54", "preliminary", night, 54.47),
        tally("seed", "preliminary", night + dt.timedelta(days=1)),
    ]
    assert [r["key"] for r in publication_order(records)] == [
        "54",
        "93",
        "seed",
        "final",
        "undated",
    ]
    # At 3600 times: an hour (the least between two) is a second, a day 24 s; at most 10 s.
    planned = stages(records, speed=3600, max_wait=10)
    assert [(s.key, s.wait) for s in planned] == [
        ("54", 1.0),
        ("93", 10.0),
        ("seed", 1.0),
        ("final", 10.0),
        ("undated", 1.0),
    ]


def test_replay_serves_a_copy_and_a_subscriber_sees_the_tallies_in_order(tmp_path: Path) -> None:
    source = f"sqlite://{tmp_path / 'source.sqlite3'}"

    async def load_world() -> int:
        await migrate()
        await loader.load([WORLD])  # a second time changes nothing
        return await models.Tally.filter(election__key="az-president-2024").count()

    assert on_database(source, load_world) == 10
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "service.cli",
        "replay",
        "az-president-2024",
        "--database-url",
        source,
        "--speed",
        "3600",
        "--max-wait",
        "1",
        "--port",
        str(port),
        "--exit",
    ]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Replaying 10 tallies of az-president-2024 into sqlite://")
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, process)
        with live_client(f"{url}/graphql", [AZ_2024_RESULT]) as client:
            seen: list[str | None] = []
            while not seen or seen[-1] != ORDER_2024[-1]:
                event = client.wait_for(lambda e: e["event"] == "next", 30)
                update = event["payload"]["data"]["resultUpdated"]
                seen.append(update["tally"] and update["tally"]["key"])
        output = process.stdout.read()
        assert process.wait(timeout=30) == 0, output
    # Each stage printed as it was created, in order; the subscriber saw some of them (it
    # connected during the replay), always the latest, in that same order, up to the last.
    printed = [line.split(":")[0] for line in output.splitlines() if line.startswith("az-")]
    assert printed == ORDER_2024
    assert output.splitlines()[-1] == "Replay done"
    keys = [key for key in seen if key is not None]
    assert keys == [key for key in ORDER_2024 if key in keys]
    assert len(set(keys)) >= 2
    # The source was only read; the server is gone with its scratch database.
    assert on_database(source, load_world) == 10
    try:
        httpx.get(f"{url}/health", timeout=2)
        stopped = False
    except httpx.TransportError:
        stopped = True
    assert stopped
