"""The front page (search box, recent and notable elections, countries) and the search, with
the nearest names when nothing matches."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from models import title as titles
from models.search import fold
from web.pages import api
from web.pages.html import (
    NO_VALUE,
    SITE,
    Cell,
    cell,
    day,
    e,
    layout,
    link,
    percent,
    search_form,
    table,
    title_case,
)
from web.pages.page import (
    MAX_INPUT,
    MAX_WORDS,
    Data,
    RenderedPage,
    election_link,
    nodes,
    person_link,
)


async def home(request: Request) -> RenderedPage:
    words = request.query_params.get("q", "").strip()
    if words:
        return await search(request, words)
    data = await api.run(request.app, "ExplorerHome", {})
    recent = nodes(data["elections"])
    rows = [
        [
            Cell(election_link(x), sort=x["date"]),
            cell(title_case(x["kind"])),
            Cell(
                person_link(x["winner"]["person"], x["winner"]["name"])
                if x["winner"]
                else "no result yet"
            ),
            cell(
                percent(x["winner"]["share"]) if x["winner"] else NO_VALUE,
                True,
                x["winner"] and x["winner"]["share"],
            ),
            cell(percent(x["turnout"]), True, x["turnout"]),
        ]
        for x in recent
    ]
    notable = nodes(data["contested"])
    notable_items = "".join(
        f"<li>{election_link(x)}: "
        + e(
            ", ".join(
                sorted({STATEMENT_NOTES[k] for k in statement_kinds(x) if k in STATEMENT_NOTES})
            )
        )
        + "</li>"
        for x in notable
    )
    countries = [c for c in nodes(data["countries"]) if c["statistics"]["count"]]
    country_items = "".join(
        f"<li>{link('/countries/' + c['code'], c['name'])} "
        f'<span class="count">({c["statistics"]["count"]} elections)</span></li>'
        for c in countries
    )
    main = (
        "<h1>Elections, their results and what surrounded them</h1>"
        "<p>Results stage by stage, exit polls, congratulations, observers' verdicts and court "
        "cases, each with its sources.</p>"
        f"{search_form()}"
        "<h2>Recent elections</h2>"
        + table(
            "The most recent elections, with the winner by the rules and turnout",
            ["Election", "Kind", "Winner", "Winner's share", "Turnout"],
            rows,
        )
        + (
            "<h2>Notable elections</h2><p>Those with allegations of fraud or a boycott on "
            f"record.</p><ul>{notable_items}</ul>"
            if notable
            else ""
        )
        + f'<h2>Countries</h2><ul class="columns">{country_items}</ul>'
    )
    return RenderedPage(layout(SITE, main, description="Election results explorer"))


#: What a kind of statement makes notable, in words.
STATEMENT_NOTES = {"FRAUD_ALLEGATION": "fraud alleged", "BOYCOTT": "boycotted"}


def statement_kinds(election: Mapping[str, Any]) -> set[str]:
    return {s["kind"] for s in nodes(election["statements"])}


YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


#: Words of an election's title that a search may hold in the plural, or leave out (folded,
#: as the search compares them).
_ANY_ELECTION = frozenset(fold(word) for word in ("election", "elections"))


def _naming(country: Data, folded: str) -> list[str] | None:
    """The words of a search (folded, its year taken out) that are left to match a
    country's elections' titles, if the search names the country: by part of its name ("aze"),
    its code, or among other words by its name, the adjective of its elections' titles or
    the place they name ("georgian parliamentary", "2024 United Kingdom general election");
    None if it does not name it."""
    if not folded:
        return None
    if folded in fold(country["name"]) or folded == fold(country["code"]):
        return []
    naming = titles.naming(country["code"], country["name"])
    padded = f" {folded} "
    for term in sorted(
        {fold(country["name"]), fold(naming.adjective), fold(naming.place.removeprefix("the "))},
        key=len,
        reverse=True,  # "united kingdom" before a shorter name held in it
    ):
        if term and f" {term} " in padded:
            rest = padded.replace(f" {term} ", " ", 1).split()
            return [word for word in rest if word not in _ANY_ELECTION]
    return None


async def search(request: Request, words: str) -> RenderedPage:
    """People and parties by the API's search, countries by name, elections of the countries
    found (of a year, if the search names one, and whose titles hold the search's other
    words: "georgian parliamentary 2024"); nearest names when nothing matches."""
    words = words[:MAX_INPUT]
    year_match = YEAR.search(words)
    year = year_match.group(1) if year_match else None
    name_words = YEAR.sub(" ", words).strip()
    data = await api.run(request.app, "ExplorerSearch", {"words": name_words or words})
    people = nodes(data["people"]) if name_words else []
    parties = nodes(data["organizations"]) if name_words else []
    folded = fold(name_words)
    # Each country the words name, with the words left to match its elections' titles.
    named = [
        (c, rest) for c in nodes(data["countries"]) if (rest := _naming(c, folded)) is not None
    ]
    countries = [country for country, _ in named]
    elections: list[Data] = []
    for country, rest in named[:5]:
        found = await api.run(request.app, "ExplorerCountry", {"code": country["code"]})
        if found["country"]:
            for election in nodes(found["country"]["elections"]):
                title = fold(election["title"])
                if (year is None or election["date"].startswith(year)) and all(
                    word in title for word in rest
                ):
                    elections.append(
                        {**election, "country": {"code": country["code"], "name": country["name"]}}
                    )
    sections = []
    if elections:
        items = "".join(f"<li>{election_link(x)}</li>" for x in elections[:50])
        sections.append(f"<h2>Elections</h2><ul>{items}</ul>")
    if countries:
        items = "".join(f"<li>{link('/countries/' + c['code'], c['name'])}</li>" for c in countries)
        sections.append(f"<h2>Countries</h2><ul>{items}</ul>")
    if people:
        items = "".join(
            f"<li>{link('/people/' + p['key'], p['name'])}"
            + (f" (born {day(p['birthDate'])})" if p["birthDate"] else "")
            + "</li>"
            for p in people
        )
        sections.append(f"<h2>People</h2><ul>{items}</ul>")
    if parties:
        items = "".join(
            f"<li>{link('/parties/' + o['key'], o['name'])} ({e(title_case(o['kind']).lower())}"
            + (f", {e(o['country']['name'])}" if o["country"] else "")
            + ")</li>"
            for o in parties
        )
        sections.append(f"<h2>Parties and organisations</h2><ul>{items}</ul>")
    if not sections:
        suggestions = await nearest_names(request, name_words or words, data)
        if suggestions:
            items = "".join(f"<li>{link(href, name)}</li>" for name, href in suggestions)
            sections.append(
                f"<p>Nothing matches “{e(words)}”. Did you mean:</p>"
                f'<ul class="suggestions">{items}</ul>'
            )
        else:
            sections.append(f"<p>Nothing matches “{e(words)}”, and no name is near it.</p>")
    main = f"<h1>Search: “{e(words)}”</h1>{search_form(words)}{''.join(sections)}"
    return RenderedPage(layout(f"Search: {words}", main))


async def nearest_names(
    request: Request, words: str, data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The names closest to a search that matched nothing: candidates are the countries and
    the people and parties whose names share a word's first three letters (a few searches
    through the API, never a scan), ranked by similarity."""
    candidates: dict[str, str] = {
        c["name"]: f"/countries/{c['code']}" for c in nodes(data["countries"])
    }
    for word in fold(words).split()[:MAX_WORDS]:
        if len(word) < 3:
            continue
        found = await api.run(request.app, "ExplorerSearch", {"words": word[:3]})
        for p in nodes(found["people"]):
            candidates.setdefault(p["name"], f"/people/{p['key']}")
        for o in nodes(found["organizations"]):
            candidates.setdefault(o["name"], f"/parties/{o['key']}")
    by_folded = {fold(name): name for name in candidates}
    target = fold(words)
    close = difflib.get_close_matches(target, list(by_folded), n=5, cutoff=0.5)
    if not close:
        # A word against each word of the names: "putn" is near Putin in "Vladimir Putin".
        scored = []
        for folded_name, name in by_folded.items():
            best = max(
                difflib.SequenceMatcher(None, target, part).ratio()
                for part in folded_name.split() or [folded_name]
            )
            if best >= 0.6:
                scored.append((-best, name))
        return [(name, candidates[name]) for _, name in sorted(scored)[:5]]
    return [(by_folded[f], candidates[by_folded[f]]) for f in close]
