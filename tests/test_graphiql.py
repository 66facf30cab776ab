"""GraphiQL opens at /graphql in headless Chromium with the network cut off, and runs a query.

The browser test needs Chromium at /usr/bin/chromium (Debian's `chromium` package); without it
the test is skipped with that reason, unless REQUIRE_BROWSER=1 (as in CI) makes it a failure.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)
from playwright.sync_api import Request as Request_
from playwright.sync_api import Route as BrowserRoute
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.servers import running_server
from web import graphiql

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CSS_URL = "/graphiql/static/graphiql/graphiql.min.css"


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium to drive; skips the test without one, or fails it if REQUIRE_BROWSER=1."""
    if not Path(CHROMIUM).is_file():
        reason = (
            f"no Chromium at {CHROMIUM} (install Debian's `chromium` package) to load GraphiQL "
            "in a browser"
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def graphiql_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT) of the real app under uvicorn, with the test world."""
    database = tmp_path_factory.mktemp("graphiql") / "e.sqlite3"
    with running_server(f"sqlite://{database}") as server:
        yield server.url


def test_graphiql_runs_a_query_with_the_network_cut_off(
    chromium: str, graphiql_server_url: str
) -> None:
    server_host = urllib.parse.urlsplit(graphiql_server_url).netloc
    blocked: list[str] = []
    requested: list[Request_] = []
    problems: list[str] = []

    def cut_off_the_network(route: BrowserRoute) -> None:
        if urllib.parse.urlsplit(route.request.url).netloc == server_host:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def offline_page(browser: Browser) -> Page:
        """A page in a fresh context (no stored GraphiQL tabs) that reaches only the server."""
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route("**/*", cut_off_the_network)
        context.on("request", lambda request: requested.append(request))
        context.on("console", on_console)
        context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
        page = context.new_page()
        page.on("websocket", lambda ws: blocked.append(ws.url))
        return page

    def open_graphiql(page: Page, path: str) -> Locator:
        response = page.goto(graphiql_server_url + path)
        assert response is not None
        assert response.status == 200, response.text()
        assert response.headers["content-type"].startswith("text/html")
        editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(editor).to_be_visible(timeout=10_000)
        return editor

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            # A link with ?query= opens on that query; the run button runs it.
            page = offline_page(browser)
            query = 'query Offline { election(key: "az-president-2024") { winner { name } } }'
            editor = open_graphiql(page, f"/graphql?query={urllib.parse.quote(query)}")
            expect(editor).to_contain_text("query Offline")
            page.locator(".graphiql-execute-button").click()
            response = page.locator(".graphiql-response")
            expect(response).to_contain_text('"name": "Ilham Aliyev"')

            # Plain /graphql opens on the default query; Ctrl+Enter in the editor runs it.
            page = offline_page(browser)
            editor = open_graphiql(page, "/graphql")
            expect(editor).to_contain_text('election(key: "az-president-2024")')
            editor.click()
            page.keyboard.press("Control+Enter")
            response = page.locator(".graphiql-response")
            expect(response).to_contain_text('"name": "Ilham Aliyev"')
            expect(response).to_contain_text('"share": 92.12')
        finally:
            browser.close()

    assert blocked == [], f"the page tried to reach beyond the server: {blocked}"
    urls = [request.url for request in requested]
    assert all(urllib.parse.urlsplit(url).netloc == server_host for url in urls), urls
    assert f"{graphiql_server_url}{CSS_URL}" in urls
    posts = [request for request in requested if request.method == "POST"]
    assert posts, "GraphiQL sent no query"
    for post in posts:
        assert post.url == f"{graphiql_server_url}/graphql"
        assert post.headers["content-type"] == "application/json"
        assert post.headers["accept"] == "application/graphql-response+json, application/json"
    assert problems == []


def test_assets_are_served_from_an_allow_list(graphiql_server_url: str) -> None:
    with httpx.Client(base_url=graphiql_server_url) as client:
        for name, content_type in graphiql.ASSETS.items():
            response = client.get(f"/graphiql/static/{name}")
            assert response.status_code == 200, name
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert response.headers["content-type"] == content_type
            assert response.content == (graphiql.ASSETS_DIR / name).read_bytes()

        for path in (
            "/graphiql/static/graphiql/package.json",
            "/graphiql/static/react/umd/react.development.js",
            "/graphiql/static/react/",
            "/graphiql/static/",
            "/graphiql/static/%2e%2e/package.json",
            "/graphiql/static/graphiql%2Fgraphiql.min.js/../../package.json",
        ):
            assert client.get(path).status_code == 404, path

    # Sent byte for byte, without the client resolving the dot segments first.
    host, port = urllib.parse.urlsplit(graphiql_server_url).netloc.split(":")
    for path in ("/graphiql/static/../package.json", "/graphiql/static/graphiql/../../page.html"):
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            connection.request("GET", path)
            assert connection.getresponse().status == 404, path
        finally:
            connection.close()


def test_page_loads_nothing_from_elsewhere() -> None:
    html = bytes(graphiql.graphiql_page().body).decode()
    assert not re.search(r"(?i)(?:https?:|wss?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+", html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert scripts and styles
    for url in scripts + styles:
        assert url.startswith(graphiql.STATIC_PREFIX + "/"), url
        assert url.removeprefix(graphiql.STATIC_PREFIX + "/") in graphiql.REQUIRED_ASSETS


def test_installed_versions_match_the_pins() -> None:
    wanted = json.loads(Path(graphiql.ASSETS_DIR.parent, "package.json").read_text())
    for package, version in wanted["dependencies"].items():
        installed = json.loads((graphiql.ASSETS_DIR / package / "package.json").read_text())
        assert installed["version"] == version, f"{package}: run `make setup` again"


async def test_missing_assets_answer_503_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(graphiql, "ASSETS_DIR", tmp_path)
    assert not graphiql.assets_installed()
    page = graphiql.graphiql_page()
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/plain")
    assert b"make setup" in page.body

    async def graphql_page(request: Request) -> Response:
        return graphiql.graphiql_page()

    app = Starlette(routes=[*graphiql.routes, Route("/graphql", graphql_page)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for path in ("/graphql", CSS_URL):
            response = await client.get(path, headers={"Accept": "text/html"})
            assert response.status_code == 503, path
            assert "make setup" in response.text
