"""What every page shares: its rendered form, links to the other pages, sources, and the
pages for a key that names nothing and for data the API refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from models.figures import percent
from web.pages import api
from web.pages.html import (
    NO_VALUE,
    day,
    e,
    layout,
    link,
    search_form,
    title_case,
)

#: The longest key or search the pages pass on; anything longer names nothing we hold.
MAX_INPUT = 100


#: Words of a search used to look for near names when nothing matches.
MAX_WORDS = 3


Data = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class RenderedPage:
    """A rendered page and its HTTP status."""

    html: str
    status: int = 200


def nodes(connection: Mapping[str, Any] | None) -> list[Data]:
    return [edge["node"] for edge in (connection or {}).get("edges", [])]


def election_title(election: Mapping[str, Any]) -> str:
    """ "Azerbaijan presidential election, 7 February 2024"."""
    kind = title_case(election["kind"]).lower()
    return f"{election['country']['name']} {kind} election, {day(election['date'])}"


def election_link(election: Mapping[str, Any], text: str | None = None) -> str:
    return link(f"/elections/{election['key']}", text or election_title(election))


def person_link(person: Mapping[str, Any] | None, text: str) -> str:
    return link(f"/people/{person['key']}", text) if person else e(text)


def party_link(party: Mapping[str, Any] | None) -> str:
    return link(f"/parties/{party['key']}", party["name"]) if party else NO_VALUE


def source_list(sources: Sequence[Mapping[str, Any]]) -> str:
    """Sources as a list, each with an anchor the figures link to."""
    items = []
    for source in sources:
        title = source.get("title") or source["key"]
        name = link(source["url"], title) if source.get("url") else e(title)
        when = f", {day(source['published'])}" if source.get("published") else ""
        items.append(
            f'<li id="source-{e(source["key"])}">{name} ({e(source["publisher"])}{when})</li>'
        )
    return f'<ol class="sources">{"".join(items)}</ol>'


def source_refs(sources: Sequence[Mapping[str, Any]]) -> str:
    """Links to the page's list of sources, numbered as the sources are named there."""
    return " ".join(
        f'<a class="ref" href="#source-{e(s["key"])}">{e(s.get("publisher") or s["key"])}</a>'
        for s in sources
    )


def not_found(what: str, key: str) -> RenderedPage:
    main = (
        f"<h1>No {e(what)} “{e(key[:MAX_INPUT])}”</h1>"
        f"<p>There is no {e(what)} with that key. Search for it by name:</p>"
        f"{search_form(key[:MAX_INPUT] if len(key) <= MAX_INPUT else '')}"
        '<p><a href="/">All countries and recent elections</a></p>'
    )
    return RenderedPage(layout(f"No {what} “{key[:MAX_INPUT]}”", main), 404)


def unavailable(error: api.ApiError) -> RenderedPage:
    """The page for an operation the API refused: what it said, and the usual cause."""
    main = (
        "<h1>The data for this page is unavailable</h1>"
        f"<p>The API refused the page's query: {e(str(error).rstrip('.'))}.</p>"
        "<p>Where the server runs with PERSISTED_QUERIES=allow-list, its manifest must "
        "register the explorer's operations too (web/pages/operations; see docs/explorer.md)."
        "</p>"
        f"{search_form()}"
    )
    return RenderedPage(layout("Data unavailable", main), 503)


#: Offices or bodies drawn, one chart or line each: those with the most elections.
MAX_OFFICES = 3


def by_office(items: Sequence[Data], office: Callable[[Data], str]) -> list[tuple[str, list[Data]]]:
    """Items grouped by office, the office with the most first, at most MAX_OFFICES."""
    groups: dict[str, list[Data]] = {}
    for item in items:
        groups.setdefault(office(item), []).append(item)
    ranked = sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))
    return ranked[:MAX_OFFICES]


def name_of(candidacies: Mapping[str, Data], key: str) -> str:
    return str(candidacies[key]["name"]) if key in candidacies else key


def shares_of(result: Mapping[str, Any]) -> tuple[list[float | None], str]:
    """Each line's share as published; where a tally publishes votes only, each line's votes
    over the valid ballots (or, without them, over the lines' votes), and a note saying so.
    Computed by models/figures.py's `percent`, on the counts, half up: the API's rule, so a
    share here never reads a hundredth away from the same share there."""
    lines = result["lines"]
    if all(line["share"] is not None or line["votes"] is None for line in lines):
        return [line["share"] for line in lines], ""
    base = result["valid"] or sum(line["votes"] or 0 for line in lines)
    if not base:
        return [line["share"] for line in lines], ""
    over = "the valid ballots" if result["valid"] else "the votes of all lines"
    shares = [
        line["share"]
        if line["share"] is not None
        else None
        if line["votes"] is None
        else percent(line["votes"], base)
        for line in lines
    ]
    return shares, f" The count publishes votes only: shares here are the votes over {over}."
