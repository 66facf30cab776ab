"""The results explorer in headless Chromium, cut off from any other origin, on a real server
with the test world: each page type shows its facts, asks nothing of another origin and logs
no error; the election page with all it loads stays under 500 KB; the script sorts tables
and redraws an election page when a tally is entered while it is open.
Screenshots of each page type go to tests/artifacts/explorer/ (gitignored).

Without Chromium at /usr/bin/chromium these tests are skipped with that reason, unless
REQUIRE_BROWSER=1 (as in CI) makes that a failure.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from curation import tokens
from models import Scope
from tests.support.browser import ARTIFACTS, CHROMIUM_ARGS, Visit, chromium_or_skip
from tests.support.data_sets import DATA
from tests.support.databases import on_database
from tests.support.live import create_tally
from tests.support.servers import running_server
from tests.support.world import WORLD

SCREENSHOTS = ARTIFACTS / "explorer"


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip("load the explorer's pages in a browser")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real app under uvicorn, with the test world."""
    database = tmp_path_factory.mktemp("explorer") / "e.sqlite3"
    with running_server(f"sqlite://{database}") as server:
        yield server.url


#: The explorer's icon, which every page links to.
ICON = "/explorer/static/icon.svg"


def open_page(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, url
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def test_each_page_type_shows_its_facts_offline(chromium: str, server_url: str) -> None:
    visit = Visit(server_url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = visit.new_page(browser)

            open_page(page, f"{server_url}/")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Elections, their results and what surrounded them"
            )
            expect(page.get_by_role("link", name="Azerbaijan", exact=True)).to_be_visible()
            screenshot(page, "home")

            open_page(page, f"{server_url}/elections/az-president-2024")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Azerbaijan presidential election, 7 February 2024"
            )
            result = page.get_by_role("table", name="The result, line by line")
            first = result.get_by_role("row").nth(1)
            expect(first.get_by_role("rowheader")).to_have_text("Ilham Aliyev (won)")
            expect(first.get_by_role("cell").nth(2)).to_have_text("92.12\u00a0%")
            stages = page.get_by_role(
                "table", name="Each published count, stage by stage, with each candidate's share"
            )
            expect(stages.get_by_role("rowheader").first).to_have_text(
                "Preliminary, 54.47\u00a0% counted, 7 February 2024"
            )
            chart = page.get_by_role("img", name="Result: share of the vote")
            expect(chart).to_be_visible()
            description = page.locator("figure.chart desc").first.text_content() or ""
            assert description.startswith("Ilham Aliyev: 92.12\u00a0% (won); Zahid Oruj: 2.17")
            screenshot(page, "election")
            # The result, as docs/images/explorer-election.png shows it (docs/explorer.md).
            page.set_viewport_size({"width": 1100, "height": 1000})
            page.evaluate("window.scrollTo(0, document.getElementById('result').offsetTop - 20)")
            page.screenshot(path=SCREENSHOTS / "election-result.png")
            page.set_viewport_size({"width": 1200, "height": 900})

            open_page(page, f"{server_url}/countries/AZ")
            expect(page.get_by_role("heading", level=1)).to_have_text("Azerbaijan")
            expect(
                page.get_by_role("img", name="Azerbaijan and its neighbours on a map")
            ).to_be_visible()
            expect(
                page.get_by_role(
                    "img",
                    name="Turnout and the winner's share, President of Azerbaijan, election by "
                    "election",
                )
            ).to_be_visible()
            screenshot(page, "country")

            open_page(page, f"{server_url}/people/ilham-aliyev")
            expect(page.get_by_role("heading", level=1)).to_have_text("Ilham Aliyev")
            candidacies = page.get_by_role(
                "table", name="Ilham Aliyev's candidacies: share, outcome and age at the election"
            )
            last = candidacies.get_by_role("row").last
            expect(last.get_by_role("cell").nth(1)).to_have_text("92.12\u00a0%")
            expect(last.get_by_role("cell").nth(3)).to_have_text("62")
            screenshot(page, "person")

            open_page(page, f"{server_url}/parties/georgian-dream")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Georgian Dream \N{EN DASH} Democratic Georgia"
            )
            expect(page.get_by_role("cell", name="89 of 150")).to_be_visible()
            screenshot(page, "party")

            open_page(page, f"{server_url}/?q=putn")
            expect(page.get_by_role("link", name="Vladimir Putin")).to_be_visible()
            screenshot(page, "search")

            open_page(page, f"{server_url}/elections/az-president-2025", status=404)
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "No election “az-president-2025”"
            )
            expect(page.get_by_role("search")).to_have_count(2)
            screenshot(page, "not-found")
        finally:
            browser.close()
    visit.stayed_home(not_found=(f"{server_url}/elections/az-president-2025",))
    shots = ("home", "election", "election-result", "country", "person", "party", "search")
    for name in (*shots, "not-found"):
        assert (SCREENSHOTS / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name


def test_an_election_page_with_everything_it_loads_weighs_at_most_500_kb(
    chromium: str, server_url: str
) -> None:
    visit = Visit(server_url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = visit.new_page(browser)
            # Chromium asks for the page's icon when it gets to it, which may be after the
            # load event: waited for, so that the icon is weighed on every run.
            with page.expect_response(lambda response: ICON in response.url):
                open_page(page, f"{server_url}/elections/ge-parliament-2024")
                page.wait_for_load_state("load")
            sizes: dict[str, int] = {}
            for request in visit.requests:
                response = request.response()
                assert response is not None and response.status == 200, request.url
                sizes[request.url] = len(response.body())
        finally:
            browser.close()
    visit.stayed_home()
    loaded = sorted(url.removeprefix(server_url).split("?")[0] for url in sizes)
    assert loaded == [
        "/elections/ge-parliament-2024",
        "/explorer/static/explorer.css",
        "/explorer/static/explorer.js",
        ICON,
    ]
    assert sum(sizes.values()) <= 500 * 1024, sizes


def test_the_script_sorts_a_table_by_the_header_clicked(chromium: str, server_url: str) -> None:
    visit = Visit(server_url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = visit.new_page(browser)
            open_page(page, f"{server_url}/elections/az-president-2024")
            result = page.get_by_role("table", name="The result, line by line")
            share = result.get_by_role("button", name="Share")
            share.click()
            expect(result.get_by_role("columnheader", name="Share")).to_have_attribute(
                "aria-sort", "ascending"
            )
            expect(result.get_by_role("rowheader").first).to_have_text("F. Aliyev")
            # From the keyboard too: the header is a button.
            share.focus()
            page.keyboard.press("Enter")
            expect(result.get_by_role("rowheader").first).to_have_text("Ilham Aliyev (won)")
        finally:
            browser.close()
    visit.stayed_home()


def test_the_us_2020_page_draws_a_state_map_that_the_keyboard_reaches(
    chromium: str, tmp_path: Path
) -> None:
    # The test world and the MIT Election Lab's results by state, loaded as a user would.
    database = f"sqlite://{tmp_path / 'e.sqlite3'}"
    elections = Path(sys.executable).parent / "elections"
    commands: list[list[str | Path]] = [
        [elections, "load", WORLD, "--database-url", database],
        [elections, "import", "medsl", DATA.medsl, "--database-url", database],
    ]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}{done.stderr}"
    with running_server(database, LOAD_FIXTURES="") as server:
        visit = Visit(server.url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = visit.new_page(browser)
                open_page(page, f"{server.url}/elections/us-president-2020")
                states = page.locator("svg.map path.area")
                expect(states).to_have_count(51)
                georgia = page.get_by_role(
                    "img",
                    name="Georgia: Joe Biden led with 49.47\u00a0%, a margin of 0.23\u00a0pts",
                )
                expect(georgia).to_be_visible()
                # Tab reaches the states; focus writes the state's figures under the map.
                states.first.focus()
                page.keyboard.press("Tab")
                focused = page.evaluate("document.activeElement.getAttribute('data-area')")
                assert focused is not None and focused.startswith("US-")
                caption = page.locator(".map-caption")
                expect(caption).to_be_visible()
                label = page.evaluate("document.activeElement.getAttribute('aria-label')")
                expect(caption).to_have_text(label)
                georgia.hover()
                expect(caption).to_have_text(
                    "Georgia: Joe Biden led with 49.47\u00a0%, a margin of 0.23\u00a0pts"
                )
                table = page.get_by_role(
                    "table",
                    name="The result in each state: who led, with what share, and by how much",
                )
                expect(table.get_by_role("row")).to_have_count(52)
                screenshot(page, "election-map")
                page.locator(".map-figure").screenshot(path=SCREENSHOTS / "election-map-only.png")
            finally:
                browser.close()
        visit.stayed_home()


#: What an election page says once its subscription has sent the result as it stands.
FOLLOWING = "Live: the figures below change as tallies are entered."
#: A stage the test world lacks, entered while the 2024 Azerbaijani page is open.
SEVENTY_FIVE = {
    "key": "az-president-2024/preliminary-75",
    "election": "az-president-2024",
    "stage": "PRELIMINARY",
    "asOf": "2024-02-07",
    "countedShare": 75.5,
    "sources": ["seed-article-2024-02"],
    "lines": [
        {"candidacy": "az-president-2024/ilham-aliyev", "votes": 3500000, "share": 91.8},
        {"candidacy": "az-president-2024/zahid-oruj", "votes": 85000, "share": 2.23},
    ],
}


def test_an_open_election_page_shows_a_new_stage_without_reloading(
    chromium: str, tmp_path: Path
) -> None:
    database = f"sqlite://{tmp_path / 'e.sqlite3'}"
    with running_server(database) as server:
        token = on_database(database, lambda: tokens.create("editor", Scope.WRITE))
        visit = Visit(server.url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = visit.new_page(browser)
                page.goto(f"{server.url}/elections/az-president-2024")
                stages = page.locator("#stages-table")
                row = stages.get_by_role("row", name="Preliminary, 75.5\u00a0% counted")
                expect(row).to_have_count(0)
                # Subscribed once the server has sent the state at once; then the tally.
                expect(page.get_by_role("status")).to_have_text(FOLLOWING)
                create_tally(server.url, token, SEVENTY_FIVE)
                page.wait_for_function(
                    "() => document.getElementById('stages-table').textContent"
                    ".includes('Preliminary, 75.5\u00a0% counted, 7 February 2024')",
                    timeout=5000,
                )
                cells = row.get_by_role("cell")
                expect(cells.nth(1)).to_have_text("91.8\u00a0%")
                expect(cells.nth(2)).to_have_text("2.23\u00a0%")
                expect(page.get_by_role("status")).to_have_text(re.compile(r"^Result updated at "))
                # The redrawn result is enhanced as the first was: its headers sort.
                result = page.get_by_role("table", name="The result, line by line")
                expect(result.get_by_role("button", name="Share")).to_have_count(1)
                expect(page.get_by_role("heading", name="Every published stage")).to_have_count(1)
            finally:
                browser.close()
        visit.stayed_home()
        assert visit.sockets == [server.url.replace("http://", "ws://") + "/graphql"]
