"""The explorer's HTML: escaping, number formats, tables, and the layout every page shares
(a header with the search box, the main content, a footer)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
from collections.abc import Sequence
from html import escape
from pathlib import Path

#: The stylesheet and the script (an enhancement: sortable tables, the map's caption).
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/explorer/static"
SITE = "Elections explorer"
#: What a table shows for a figure nobody published (an en dash).
NO_VALUE = "\u2013"


def e(value: object) -> str:
    """Text for HTML, quotes included (so it fits an attribute too); None is empty."""
    return "" if value is None else escape(str(value), quote=True)


def percent(value: float | None) -> str:
    """92.12 → "92.12 %" (two decimals at most, as the sources give them); None → NO_VALUE."""
    if value is None:
        return NO_VALUE
    return f"{value:.2f}".rstrip("0").rstrip(".") + "\u00a0%"


def points(value: float | None) -> str:
    """A difference in percentage points, with its sign."""
    if value is None:
        return NO_VALUE
    return f"{value:+.2f}".rstrip("0").rstrip(".") + "\u00a0pts"


def number(value: int | None) -> str:
    return NO_VALUE if value is None else f"{value:,}"


def day(value: str | None) -> str:
    """An ISO date as "7 February 2024"; a partial one ("2025-10", "2025") as it is."""
    if not value:
        return NO_VALUE
    try:
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{parsed.day} {parsed:%B %Y}"


def title_case(enum_value: str) -> str:
    """An enum value for readers: OBSERVER_ASSESSMENT → "Observer assessment"."""
    return enum_value.replace("_", " ").capitalize()


def link(href: str, text: object) -> str:
    return f'<a href="{e(href)}">{e(text)}</a>'


@dataclasses.dataclass(frozen=True)
class Cell:
    """A table cell: its HTML, whether it is a number (right-aligned, sorted as one) and the
    value to sort by."""

    html: str
    numeric: bool = False
    sort: str | float | None = None


def cell(value: object, numeric: bool = False, sort: str | float | None = None) -> Cell:
    """A cell of plain text (escaped here)."""
    return Cell(e(value), numeric, sort)


def table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    table_id: str | None = None,
    sortable: bool = True,
) -> str:
    """A table with a caption and column headers; the first cell of a row heads the row. The
    script makes the headers of a sortable table sort it (it reads data-sort)."""
    id_attribute = f' id="{e(table_id)}"' if table_id else ""
    classes = "data sortable" if sortable else "data"
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    body = []
    for row in rows:
        cells = []
        for index, c in enumerate(row):
            tag = "th" if index == 0 else "td"
            scope = ' scope="row"' if index == 0 else ""
            numeric = ' class="num"' if c.numeric else ""
            sort = f' data-sort="{e(c.sort)}"' if c.sort is not None else ""
            cells.append(f"<{tag}{scope}{numeric}{sort}>{c.html}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="table-wrap"><table class="{classes}"{id_attribute}>'
        f"<caption>{e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


@functools.cache
def static_url(name: str) -> str:
    """A static file's URL, with a hash of its contents, so it may be cached for good."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


def search_form(value: str = "") -> str:
    return (
        '<form class="search" role="search" action="/" method="get">'
        '<label for="q">Search elections, people, parties and countries</label> '
        f'<input id="q" name="q" type="search" value="{e(value)}" maxlength="100" '
        'placeholder="Aliyev, Georgia 2024, Labour…"> '
        '<button type="submit">Search</button></form>'
    )


def layout(title: str, main: str, *, search: str = "", description: str = "") -> str:
    """A whole page: its title, the header with the search box, the content, the footer."""
    meta = f'<meta name="description" content="{e(description)}">' if description else ""
    # "Georgia · Elections explorer"; the front page is the site's name alone.
    full_title = SITE if title == SITE else f"{title} · {SITE}"
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(full_title)}</title>{meta}"
        f'<link rel="icon" href="{static_url("icon.svg")}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{static_url("explorer.css")}">'
        f'<script src="{static_url("explorer.js")}" defer></script>'
        "</head><body>"
        '<a class="skip" href="#content">Skip to the content</a>'
        f'<header class="site"><a class="home" href="/">{SITE}</a>{search_form(search)}</header>'
        f'<main id="content">{main}</main>'
        '<footer class="site"><p>Every figure comes from the public GraphQL API at '
        '<a href="/graphql">/graphql</a>, with its sources. Maps: US Census Bureau '
        "(us-atlas) and Natural Earth (world-atlas).</p></footer>"
        "</body></html>\n"
    )
