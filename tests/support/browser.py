"""Headless Chromium for the browser tests: the browser to drive (a missing one skips the
test, or fails it under REQUIRE_BROWSER=1, as in CI), and a visit that lets requests reach
only the server under test while it records every request, response and console error."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page
from playwright.sync_api import Request as BrowserRequest
from playwright.sync_api import Response as BrowserResponse
from playwright.sync_api import Route as BrowserRoute
from playwright.sync_api import WebSocket as BrowserWebSocket

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where browser tests leave what a reader may want to look at after a run (gitignored).
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def chromium_or_skip(what: str) -> str:
    """The Chromium to drive; skips the test without one, or fails it if REQUIRE_BROWSER=1."""
    if not Path(CHROMIUM).is_file():
        reason = f"no Chromium at {CHROMIUM} (install Debian's `chromium` package) to {what}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


def origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


@dataclass
class Visit:
    """What a browser did on one server: the requests it made, the responses with their sizes,
    what it was kept from reaching, the WebSockets it opened, and the errors its console and
    pages reported."""

    server_url: str
    requests: list[BrowserRequest] = field(default_factory=list)
    statuses: dict[BrowserRequest, int] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def cut_off(self, route: BrowserRoute) -> None:
        """Lets requests through to the server only."""
        if origin(route.request.url) == origin(self.server_url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def response(self, response: BrowserResponse) -> None:
        self.statuses[response.request] = response.status

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.location['url']}: {message.text}")

    def new_page(self, browser: Browser, width: int = 1200, height: int = 900) -> Page:
        """A page in a fresh context (an empty cache) that reaches only the server."""
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route("**/*", self.cut_off)
        context.on("request", lambda request: self.requests.append(request))
        context.on("response", self.response)
        context.on("console", self.console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        page = context.new_page()
        page.on("websocket", self.websocket)
        return page

    def websocket(self, socket: BrowserWebSocket) -> None:
        """Records a WebSocket: to the server's own origin (ws: for http:) among `sockets`,
        to any other among `blocked`."""
        scheme, netloc = origin(socket.url)
        if (scheme.replace("ws", "http", 1), netloc) == origin(self.server_url):
            self.sockets.append(socket.url)
        else:
            self.blocked.append(socket.url)

    def urls(self) -> list[str]:
        return [request.url for request in self.requests]

    def stayed_home(self, not_found: tuple[str, ...] = ()) -> None:
        """Asserts that nothing left for another origin and nothing went wrong in the page.
        `not_found`: pages opened on purpose for their 404, which Chromium logs as an error."""
        assert self.blocked == []
        assert all(origin(url) == origin(self.server_url) for url in self.urls()), self.urls()
        expected = [
            f"{url}: Failed to load resource: the server responded with a status of 404 (Not Found)"
            for url in not_found
        ]
        assert self.console_errors == expected
        assert self.page_errors == []
