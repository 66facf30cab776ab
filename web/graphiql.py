"""GraphiQL that works offline: our page around the committed GraphiQL build, opening with the
operations of docs/queries as tabs, and the routes serving the build's files."""

from __future__ import annotations

import dataclasses
import functools
import json
import string
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from service.settings import ROOT

#: web/assets/graphiql: the page, the npm lock, build.mjs and the build itself.
SOURCE_DIR = Path(__file__).resolve().parent / "assets" / "graphiql"

#: The files `node build.mjs` wrote (see the Makefile's `graphiql` target), committed, so that
#: serving needs no node_modules; tests/test_graphiql.py rebuilds them to check each byte.
ASSETS_DIR = SOURCE_DIR / "static"

#: Names the build's files, the page's script and stylesheet among them.
MANIFEST = ASSETS_DIR / "manifest.json"

#: The licences of everything bundled; the one built file whose name has no content hash.
LICENCES = "THIRD-PARTY-LICENSES.txt"

#: URL prefix under which the built files are served.
STATIC_PREFIX = "/graphiql/static"

#: The example operations the page opens with, one tab per .graphql file.
QUERIES_DIR = ROOT / "docs" / "queries"

#: The line of a docs/queries file that gives example variables, as a JSON object.
EXAMPLE_PREFIX = "# Example:"

CONTENT_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

#: For names with a hash of the contents: a new build has new names, so a copy never goes stale.
IMMUTABLE = "public, max-age=31536000, immutable"

#: The page's Content-Security-Policy: everything from this server, nothing inline but styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Monaco's workers are the build's own files, started with `new Worker(url)`.
        "worker-src 'self'",
        # GraphiQL and Monaco set styles from script: <style> elements and style attributes.
        "style-src 'self' 'unsafe-inline'",
        # GraphiQL's stylesheet embeds its fonts (Roboto, Fira Code, Monaco's codicons) and a
        # few icons as data: URLs; nothing is fetched from elsewhere.
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


@dataclasses.dataclass(frozen=True)
class Build:
    """What build.mjs wrote: the page's script and stylesheet, and every file it may load."""

    script: str
    stylesheet: str
    files: frozenset[str]


@functools.cache
def build() -> Build:
    """The committed build, as its manifest names it (read once)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return Build(
        script=manifest["script"],
        stylesheet=manifest["stylesheet"],
        files=frozenset(manifest["files"]),
    )


@dataclasses.dataclass(frozen=True)
class Example:
    """A docs/queries operation as the page offers it: its text and its example variables."""

    file: str
    query: str
    #: The `# Example: {…}` line's object, as JSON for GraphiQL's variables editor, or None.
    variables: str | None


def example_variables(path: Path, text: str) -> str | None:
    """The JSON object after the first `# Example:` line of a query file, indented, or None
    without such a line. ValueError names the file and line when the object is not valid."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(EXAMPLE_PREFIX):
            continue
        rest = line.removeprefix(EXAMPLE_PREFIX).lstrip()
        try:
            value, _ = json.JSONDecoder().raw_decode(rest)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path}:{number}: the {EXAMPLE_PREFIX} line must start with the operation's "
                f'variables as a JSON object, e.g. {EXAMPLE_PREFIX} {{"key": "…"}}; '
                f"{error.msg} at column {len(line) - len(rest) + error.pos + 1}"
            ) from error
        if not isinstance(value, dict):
            raise ValueError(
                f"{path}:{number}: the {EXAMPLE_PREFIX} line must start with the operation's "
                f"variables as a JSON object, not a {type(value).__name__}"
            )
        return json.dumps(value, indent=2, ensure_ascii=False)
    return None


def read_examples(folder: Path) -> list[Example]:
    """The .graphql files of a folder, by file name, each with its example variables."""
    examples = []
    for path in sorted(folder.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        examples.append(Example(path.name, text, example_variables(path, text)))
    return examples


def script_json(value: object) -> str:
    """JSON that can stand inside a <script> element: no `<`, `>` or `&` (so no `</script>`
    or `<!--`), and only ASCII (so no U+2028 or U+2029 either)."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(examples: list[Example]) -> str:
    """The page's HTML, loading the committed build and carrying the examples as JSON."""
    files = build()
    template = string.Template((SOURCE_DIR / "page.html").read_text(encoding="utf-8"))
    return template.substitute(
        script=f"{STATIC_PREFIX}/{files.script}",
        stylesheet=f"{STATIC_PREFIX}/{files.stylesheet}",
        examples=script_json(
            [{"query": example.query, "variables": example.variables} for example in examples]
        ),
    )


@functools.cache
def _page_html() -> str:
    return render_page(read_examples(QUERIES_DIR))


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page, with the docs/queries operations read once, at its first request."""
    return HTMLResponse(
        _page_html(),
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )


def wants_page(method: str, accept: str) -> bool:
    """Tell whether a request is a browser opening the page: a GET that accepts text/html.

    Unlike strawberry's default test, this holds even with ``?query=`` in the URL, so a link
    like /graphql?query={countries{name}} opens GraphiQL on that query. API clients sending a
    GET query ask for JSON, not HTML, and still get the result.
    """
    return method.upper() == "GET" and "text/html" in accept.lower()


async def _serve_asset(request: Request) -> Response:
    # Only the build's files, by exact name: nothing else under ASSETS_DIR (the manifest) nor
    # any other path is reachable.
    name: str = request.path_params["name"]
    if name not in build().files:
        return PlainTextResponse("Not Found", status_code=404)
    path = ASSETS_DIR / name
    return FileResponse(
        path,
        media_type=CONTENT_TYPES[path.suffix],
        headers={
            "Cache-Control": "no-cache" if name == LICENCES else IMMUTABLE,
            "X-Content-Type-Options": "nosniff",
        },
    )


routes: list[BaseRoute] = [
    Mount(STATIC_PREFIX, routes=[Route("/{name:path}", _serve_asset, methods=["GET", "HEAD"])]),
]
