"""GraphiQL that works offline: our own page plus pinned npm release files, served by the app."""

from __future__ import annotations

import functools
import pathlib

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

_HERE = pathlib.Path(__file__).resolve().parent / "assets" / "graphiql"

#: Where `npm ci --prefix web/assets/graphiql` (run by `make setup`) puts the pinned packages.
ASSETS_DIR: pathlib.Path = _HERE / "node_modules"

#: URL prefix under which the asset files are served; page.html hard-codes the same prefix.
STATIC_PREFIX = "/graphiql/static"

#: The only files served from ASSETS_DIR (path relative to it -> content type).
#: Anything else under STATIC_PREFIX is a 404, so node_modules is never browsable.
ASSETS: dict[str, str] = {
    "react/umd/react.production.min.js": "text/javascript; charset=utf-8",
    "react-dom/umd/react-dom.production.min.js": "text/javascript; charset=utf-8",
    "graphiql/graphiql.min.js": "text/javascript; charset=utf-8",
    "graphiql/graphiql.min.css": "text/css; charset=utf-8",
    # Source maps: only fetched when a developer opens the browser's devtools.
    "graphiql/graphiql.min.js.map": "application/json",
    "graphiql/graphiql.min.css.map": "application/json",
}

#: The files the page cannot work without.
REQUIRED_ASSETS: tuple[str, ...] = (
    "react/umd/react.production.min.js",
    "react-dom/umd/react-dom.production.min.js",
    "graphiql/graphiql.min.js",
    "graphiql/graphiql.min.css",
)

CACHE_CONTROL = "public, max-age=31536000, immutable"

MISSING_ASSETS_MESSAGE = (
    "GraphiQL's files are not installed (expected under "
    f"{ASSETS_DIR}).\n"
    "Run `make setup` (it runs `npm ci --prefix web/assets/graphiql`), then reload this page.\n"
    "The GraphQL API itself works without them: POST your queries to this URL.\n"
)


def assets_installed() -> bool:
    """Tell whether every file the GraphiQL page loads is present in ASSETS_DIR."""
    return all((ASSETS_DIR / name).is_file() for name in REQUIRED_ASSETS)


@functools.cache
def _page_html() -> str:
    return (_HERE / "page.html").read_text(encoding="utf-8")


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page, or a plain-text 503 telling how to install the files it needs."""
    if not assets_installed():
        return HTMLResponse(
            MISSING_ASSETS_MESSAGE,
            status_code=503,
            media_type="text/plain; charset=utf-8",
            headers={"Cache-Control": "no-store"},
        )
    return HTMLResponse(_page_html(), headers={"Cache-Control": "no-cache"})


def wants_page(method: str, accept: str) -> bool:
    """Tell whether a request is a browser opening the page: a GET that accepts text/html.

    Unlike strawberry's default test, this holds even with ``?query=`` in the URL, so a link
    like /graphql?query={countries{name}} opens GraphiQL on that query. API clients sending a
    GET query ask for JSON, not HTML, and still get the result.
    """
    return method.upper() == "GET" and "text/html" in accept.lower()


async def _serve_asset(request: Request) -> Response:
    name: str = request.path_params["name"]
    content_type = ASSETS.get(name)
    if content_type is None:
        return PlainTextResponse("Not Found", status_code=404)
    path = ASSETS_DIR / name
    if not path.is_file():
        return PlainTextResponse(
            MISSING_ASSETS_MESSAGE, status_code=503, headers={"Cache-Control": "no-store"}
        )
    return FileResponse(
        path,
        media_type=content_type,
        headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )


routes: list[BaseRoute] = [
    Mount(STATIC_PREFIX, routes=[Route("/{name:path}", _serve_asset, methods=["GET", "HEAD"])]),
]
