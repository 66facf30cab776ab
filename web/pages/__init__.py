"""The results explorer: pages for readers at /, /countries/{code}, /elections/{key},
/people/{key} and /parties/{key}, drawn on the server from the public API's answers to the
named operations in operations/, with the stylesheet and script of static/."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from web import caching
from web.pages import api, country, election, home, party, person
from web.pages.html import STATIC_DIR, STATIC_PREFIX
from web.pages.page import RenderedPage, unavailable

#: Everything from this server, nothing inline: the pages' styles and script are files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

#: How long a browser or shared cache may keep a page before asking again (with its ETag).
MAX_AGE = 60

#: For the static files named with a hash of their contents.
IMMUTABLE = "public, max-age=31536000, immutable"

STATIC_FILES = {
    "explorer.css": "text/css; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}

View = Callable[[Request], Awaitable[RenderedPage]]


def page(view: View) -> Callable[[Request], Awaitable[Response]]:
    """A view as an endpoint: its HTML with the page's headers; a 200 may be cached, with an
    ETag, and answered 304 when the browser holds it already."""

    async def endpoint(request: Request) -> Response:
        try:
            rendered = await view(request)
        except api.ApiError as error:
            rendered = unavailable(error)
        response = HTMLResponse(
            rendered.html,
            status_code=rendered.status,
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff",
            },
        )
        return cached(response, request.headers.get("if-none-match"))

    return endpoint


def cached(response: HTMLResponse, if_none_match: str | None) -> Response:
    """A page of 200 with a strong ETag and `public, max-age`, or 304 Not Modified when the
    browser holds it already; any other status `no-store` (web/caching.py's rules)."""
    if response.status_code != 200:
        response.headers["cache-control"] = caching.NO_STORE
        return response
    headers = {
        "etag": caching.entity_tag(bytes(response.body), response.headers["content-type"]),
        "cache-control": caching.public(MAX_AGE),
    }
    response.headers.update(headers)
    if if_none_match is not None and caching.none_match(if_none_match, headers["etag"]):
        # RFC 9110 15.4.5: a 304 carries the ETag and Cache-Control a 200 would have.
        return Response(status_code=304, headers=headers)
    return response


async def _static(request: Request) -> Response:
    name: str = request.path_params["name"]
    if name not in STATIC_FILES:
        return PlainTextResponse("Not Found", status_code=404)
    # The pages name these files with a hash of their contents (?v=), so a copy never goes
    # stale.
    return FileResponse(
        STATIC_DIR / name,
        media_type=STATIC_FILES[name],
        headers={
            "Cache-Control": IMMUTABLE if "v" in request.query_params else "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


routes: list[BaseRoute] = [
    Route("/", page(home.home), methods=["GET", "HEAD"]),
    Route("/countries/{code}", page(country.country_page), methods=["GET", "HEAD"]),
    Route("/elections/{key:path}", page(election.election_page), methods=["GET", "HEAD"]),
    Route("/people/{key:path}", page(person.person_page), methods=["GET", "HEAD"]),
    Route("/parties/{key:path}", page(party.party_page), methods=["GET", "HEAD"]),
    Route(STATIC_PREFIX + "/{name}", _static, methods=["GET", "HEAD"]),
]
