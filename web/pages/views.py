"""The explorer's pages: each asks the API for its data with its named operations and draws
it as HTML with SVG charts. An unknown key is a 404 page with the search box."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request

from models.search import fold
from web.pages import api, charts, maps
from web.pages.charts import Bar, Event, Group, Series
from web.pages.html import (
    NO_VALUE,
    Cell,
    cell,
    day,
    e,
    layout,
    link,
    number,
    percent,
    points,
    search_form,
    table,
    title_case,
)

#: The longest key or search the pages pass on; anything longer names nothing we hold.
MAX_INPUT = 100
#: Words of a search used to look for near names when nothing matches.
MAX_WORDS = 3

Data = dict[str, Any]

#: How a candidacy without a party was put forward, in words.
NOMINATIONS = {
    "SELF": "self-nominated",
    "INITIATIVE_GROUP": "initiative group",
    "PARTY": "a party",
    "BLOC": "a bloc",
}


@dataclasses.dataclass(frozen=True)
class Page:
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


def not_found(what: str, key: str) -> Page:
    main = (
        f"<h1>No {e(what)} “{e(key[:MAX_INPUT])}”</h1>"
        f"<p>There is no {e(what)} with that key. Search for it by name:</p>"
        f"{search_form(key[:MAX_INPUT] if len(key) <= MAX_INPUT else '')}"
        '<p><a href="/">All countries and recent elections</a></p>'
    )
    return Page(layout(f"No {what} “{key[:MAX_INPUT]}”", main), 404)


def unavailable(error: api.ApiError) -> Page:
    """The page for an operation the API refused: what it said, and the usual cause."""
    main = (
        "<h1>The data for this page is unavailable</h1>"
        f"<p>The API refused the page's query: {e(str(error).rstrip('.'))}.</p>"
        "<p>Where the server runs with PERSISTED_QUERIES=allow-list, its manifest must "
        "register the explorer's operations too (web/pages/operations; see docs/explorer.md)."
        "</p>"
        f"{search_form()}"
    )
    return Page(layout("Data unavailable", main), 503)


# --- The front page and the search -------------------------------------------------------


async def home(request: Request) -> Page:
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
    return Page(layout("Elections explorer", main, description="Election results explorer"))


#: What a kind of statement makes notable, in words.
STATEMENT_NOTES = {"FRAUD_ALLEGATION": "fraud alleged", "BOYCOTT": "boycotted"}


def statement_kinds(election: Mapping[str, Any]) -> set[str]:
    return {s["kind"] for s in nodes(election["statements"])}


COUNTRY_CODE = re.compile(r"[A-Za-z]{2}", re.ASCII)
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


async def search(request: Request, words: str) -> Page:
    """People and parties by the API's search, countries by name, elections of the countries
    found (of a year, if the search names one); nearest names when nothing matches."""
    words = words[:MAX_INPUT]
    year_match = YEAR.search(words)
    year = year_match.group(1) if year_match else None
    name_words = YEAR.sub(" ", words).strip()
    data = await api.run(request.app, "ExplorerSearch", {"words": name_words or words})
    people = nodes(data["people"]) if name_words else []
    parties = nodes(data["organizations"]) if name_words else []
    folded = fold(name_words)
    countries = [
        c
        for c in nodes(data["countries"])
        if folded and (folded in fold(c["name"]) or folded == fold(c["code"]))
    ]
    elections: list[Data] = []
    for country in countries[:5]:
        found = await api.run(request.app, "ExplorerCountry", {"code": country["code"]})
        if found["country"]:
            for election in nodes(found["country"]["elections"]):
                if year is None or election["date"].startswith(year):
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
    return Page(layout(f"Search: {words}", main))


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


#: Offices or bodies drawn, one chart or line each: those with the most elections.
MAX_OFFICES = 3


def by_office(items: Sequence[Data], office: Callable[[Data], str]) -> list[tuple[str, list[Data]]]:
    """Items grouped by office, the office with the most first, at most MAX_OFFICES."""
    groups: dict[str, list[Data]] = {}
    for item in items:
        groups.setdefault(office(item), []).append(item)
    ranked = sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))
    return ranked[:MAX_OFFICES]


#: How a cabinet ended, in words.
TERMINATIONS = {
    "ELECTION_REGULAR": "a scheduled election",
    "ELECTION_DISSOLUTION": "an early election",
    "RESIGNATION_PM": "the prime minister's resignation",
}


def cabinet_parties(cabinet: Mapping[str, Any]) -> str:
    """Its parties, the prime minister's first and marked so in words."""
    ordered = sorted(cabinet["parties"], key=lambda p: not p["primeMinister"])
    return ", ".join(
        link(f"/parties/{p['party']['key']}", p["party"]["shortName"] or p["party"]["name"])
        + (" (prime minister)" if p["primeMinister"] else "")
        for p in ordered
    )


def seat_sum(cabinet: Mapping[str, Any], result: Mapping[str, Any] | None) -> Cell:
    """The seats its parties won at the election before it, against the majority."""
    if result is None:
        return cell(NO_VALUE)
    parties = {p["party"]["key"] for p in cabinet["parties"]}
    lines = [line for line in result["lines"] if line["seats"] is not None]
    if not lines:
        return cell(NO_VALUE)
    total = sum(line["seats"] for line in lines)
    # A list in an electoral alliance counts for the alliance's party (CDU and CSU for
    # CDU/CSU), unless the alliance has a line of its own, which holds the same seats.
    own = {line["candidacy"]["key"] for line in lines}

    def counts(candidacy: Mapping[str, Any]) -> bool:
        alliance = candidacy.get("alliance")
        if alliance and alliance["key"] in own:
            return False
        party_keys = {(candidacy.get("party") or {}).get("key")}
        if alliance and alliance["party"]:
            party_keys.add(alliance["party"]["key"])
        return bool(party_keys & parties)

    held = sum(line["seats"] for line in lines if counts(line["candidacy"]))
    standing = "majority" if held > total / 2 else "minority"
    return cell(f"{held} of {total} ({standing})", True, held)


def with_parties(result: Mapping[str, Any], candidacies: Mapping[str, Data]) -> Data:
    """A result whose lines name their candidacy's party, as the country page's results do."""
    return {
        **result,
        "lines": [
            {
                **line,
                "candidacy": {
                    **line["candidacy"],
                    "party": candidacies.get(line["candidacy"]["key"], {}).get("party"),
                    "alliance": candidacies.get(line["candidacy"]["key"], {}).get("alliance"),
                },
            }
            for line in result["lines"]
        ],
    }


def cabinets_table(
    caption: str, cabinets: Sequence[Mapping[str, Any]], results: Mapping[str, Any]
) -> str:
    """Cabinets with their parties and the seats those held after the election before each.
    `results`: each election's result lines by election key."""
    rows = [
        [
            cell(c["name"] + (" (caretaker)" if c["caretaker"] else ""), sort=c["started"]),
            cell(day(c["started"]), sort=c["started"]),
            cell(
                day(c["ended"]) if c["ended"] else "in office or not known", sort=c["ended"] or ""
            ),
            Cell(cabinet_parties(c)),
            seat_sum(c, results.get((c.get("previousElection") or {}).get("key", ""))),
            cell(TERMINATIONS.get(c.get("termination") or "", NO_VALUE)),
        ]
        for c in cabinets
    ]
    return table(
        caption,
        ["Cabinet", "From", "To", "Parties", "Their seats", "Ended by"],
        rows,
        table_id="cabinets",
    )


# --- A country -----------------------------------------------------------------------------


async def country_page(request: Request) -> Page:
    code = request.path_params["code"]
    if not COUNTRY_CODE.fullmatch(code):
        # Not an ISO 3166-1 alpha-2 code, which the API would refuse: nothing to find.
        return not_found("country", code)
    data = await api.run(request.app, "ExplorerCountry", {"code": code.upper()})
    country = data["country"]
    if country is None:
        return not_found("country", code)
    elections = nodes(country["elections"])
    stats = country["statistics"]
    charts_by_office = []
    for office, held in by_office(elections, lambda x: x["office"]):
        turnout = Series(
            "Turnout", [(x["date"], x["turnout"]) for x in held if x["turnout"] is not None]
        )
        share = Series(
            "Winner's share",
            [(x["date"], x["winnerShare"]) for x in held if x["winnerShare"] is not None],
        )
        if turnout.points or share.points:
            charts_by_office.append(
                f"<h3>{e(office)}</h3>"
                + charts.line_chart(
                    f"Turnout and the winner's share, {office}, election by election",
                    [turnout, share],
                    "Turnout and the winner's share at each election; "
                    "the table below gives the same figures.",
                )
            )
    chart = "".join(charts_by_office) or "<p>No election here has a published result yet.</p>"
    rows = [
        [
            Cell(election_link(x, f"{title_case(x['kind'])}, {day(x['date'])}"), sort=x["date"]),
            cell(x["office"]),
            cell("early" if x["early"] else "scheduled"),
            Cell(
                person_link(x["winner"]["person"], x["winner"]["name"])
                if x["winner"]
                else "no result yet"
            ),
            cell(percent(x["winnerShare"]), True, x["winnerShare"]),
            cell(percent(x["turnout"]), True, x["turnout"]),
        ]
        for x in elections
    ]
    facts = (
        f'<dl class="facts"><dt>Elections</dt><dd>{stats["count"]}</dd>'
        f"<dt>Average turnout</dt><dd>{percent(stats['averageTurnout'])}</dd>"
        f"<dt>Average winner's share</dt><dd>{percent(stats['averageWinnerShare'])}</dd></dl>"
    )
    cabinets = nodes(country["cabinets"])
    results = {x["key"]: x["result"] for x in elections if x["result"]}
    cabinet_html = (
        "<h2>Cabinets</h2>"
        + cabinets_table(
            f"Cabinets of {country['name']}: their parties and the seats those won at the "
            "election before each",
            cabinets,
            results,
        )
        if cabinets
        else ""
    )
    main = (
        f"<h1>{e(country['name'])}</h1>{facts}"
        f"{maps.world_locator(country['code'], country['name'])}"
        f"<h2>Elections over time</h2>{chart}"
        + table(
            f"Elections in {country['name']}: the winner by the rules, their share and turnout",
            ["Election", "Office", "Called", "Winner", "Winner's share", "Turnout"],
            rows,
            table_id="elections",
        )
        + cabinet_html
    )
    return Page(layout(country["name"], main, description=f"Elections in {country['name']}"))


# --- An election ---------------------------------------------------------------------------


def stage_name(tally: Mapping[str, Any]) -> str:
    """ "Preliminary, 54.47 % counted, 7 February 2024"; with the round where there are two."""
    parts = [title_case(tally["stage"])]
    if tally["round"] > 1:
        parts.insert(0, f"Round {tally['round']}")
    if tally["countedShare"] is not None:
        parts.append(f"{percent(tally['countedShare'])} counted")
    if tally["asOf"]:
        parts.append(day(tally["asOf"]))
    return ", ".join(parts)


async def election_page(request: Request) -> Page:
    key = request.path_params["key"]
    if len(key) > MAX_INPUT:
        return not_found("election", key)
    data = await api.run(request.app, "ExplorerElection", {"key": key})
    election = data["election"]
    if election is None:
        return not_found("election", key)
    stories = (await api.run(request.app, "ExplorerElectionStories", {"key": key}))["election"]
    title = election_title(election)
    candidacies = {c["key"]: c for c in nodes(election["candidacies"])}
    tallies = nodes(election["tallies"])
    result_key = (election["result"] or {}).get("key")
    result = next((t for t in tallies if t["key"] == result_key), None)
    # Colours by place in the result, so the winner is always the palette's first.
    order = [line["candidacy"]["key"] for line in (result or {}).get("lines", [])]
    order += [k for k in candidacies if k not in order]
    colour_of = {k: i for i, k in enumerate(order)}

    sections = [f"<h1>{e(title)}</h1>", election_facts(election)]
    sections.append(result_section(election, result, candidacies, colour_of))
    if result is not None and maps.has_map(election["country"]["code"]):
        areas = await area_results(request, key, election["country"]["code"])
        sections.append(areas_section(election, areas, candidacies, colour_of))
    sections.append(stages_section(election, tallies, candidacies))
    formed = nodes(election["cabinets"])
    if formed:
        sections.append(
            '<h2 id="cabinets">Cabinets formed after it</h2>'
            + cabinets_table(
                "Cabinets formed after this election, with the seats their parties won in it",
                [{**c, "previousElection": {"key": election["key"]}} for c in formed],
                {election["key"]: with_parties(result, candidacies)} if result else {},
            )
        )
    sections.append(exit_polls_section(stories))
    sections.append(congratulations_section(election, stories))
    sections.append(statements_section(stories))
    sections.append(court_section(stories))
    sections.append(f'<h2 id="sources">Sources</h2>{source_list(cited(election, stories))}')
    return Page(layout(title, "".join(sections), description=title))


def cited(election: Mapping[str, Any], stories: Mapping[str, Any]) -> list[Data]:
    """Every source the page cites, once each, in the order the page first cites them."""
    found: dict[str, Data] = {}
    things: list[Mapping[str, Any]] = [election, *nodes(election["tallies"])]
    things += nodes(stories["exitPolls"]) + nodes(stories["endorsements"])
    things += nodes(stories["statements"])
    things += [case for chain in nodes(stories["legalCases"]) for case in chain["chain"]]
    for thing in things:
        for source in thing["sources"]:
            found.setdefault(source["key"], source)
    return list(found.values())


def election_facts(election: Mapping[str, Any]) -> str:
    facts = [
        ("Country", link(f"/countries/{election['country']['code']}", election["country"]["name"])),
        ("Office or body", e(election["office"])),
        ("Polling day", e(day(election["date"]))),
    ]
    if election["early"]:
        due = (
            f", originally due {day(election['originallyDue'])}"
            if election["originallyDue"]
            else ""
        )
        facts.append(("Early election", f"yes{e(due)}"))
    if election["calledOn"]:
        facts.append(("Called on", e(day(election["calledOn"]))))
    if election["reason"]:
        facts.append(("Reason", e(election["reason"])))
    if election["seats"]:
        facts.append(("Seats", e(number(election["seats"]))))
    facts.append(("Turnout", e(percent(election["turnout"]))))
    winner = election["winner"]
    if winner:
        facts.append(
            (
                "Winner",
                person_link(winner["person"], winner["name"])
                + (f" with {e(percent(winner['share']))}" if winner["share"] is not None else ""),
            )
        )
        leader = election["popularVoteLeader"]
        if election["popularVoteLeaderWon"] is False and leader:
            facts.append(
                (
                    "Most votes",
                    f"{e(leader['name'])}"
                    + (
                        f" with {e(percent(leader['share']))}"
                        if leader["share"] is not None
                        else ""
                    )
                    + ", who did not win by the rules",
                )
            )
        if election["margin"] is not None:
            facts.append(("Margin over the runner-up", e(points(election["margin"]).lstrip("+"))))
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    summary = f'<p class="summary">{e(election["summary"])}</p>' if election["summary"] else ""
    return f'<dl class="facts">{items}</dl>{summary}'


def name_of(candidacies: Mapping[str, Data], key: str) -> str:
    return str(candidacies[key]["name"]) if key in candidacies else key


def nominated_by(candidacy: Mapping[str, Any]) -> str:
    """The party of a candidacy, or how it was nominated without one."""
    if candidacy.get("party"):
        return party_link(candidacy["party"])
    return e(NOMINATIONS.get(candidacy.get("nomination") or "", NO_VALUE))


def candidate_cell(candidacy: Mapping[str, Any]) -> str:
    if candidacy.get("person"):
        return person_link(candidacy["person"], candidacy["name"])
    if candidacy.get("party"):
        return link(f"/parties/{candidacy['party']['key']}", candidacy["name"])
    return e(candidacy["name"])


#: Bars drawn for a result; the rest are summed into one bar of "others" (all are in the table).
MAX_BARS = 10
#: Candidacies given a column in the table of stages: the first in the result.
MAX_STAGE_COLUMNS = 8


def seat_word(election: Mapping[str, Any]) -> str:
    """What a presidential election's "seats" are: electors."""
    return "electors" if election["kind"] == "PRESIDENTIAL" else "seats"


def shares_of(result: Mapping[str, Any]) -> tuple[list[float | None], str]:
    """Each line's share as published; where a tally publishes votes only, each line's votes
    over the valid ballots (or, without them, over the lines' votes), and a note saying so."""
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
        else round(line["votes"] / base * 100, 2)
        for line in lines
    ]
    return shares, f" The count publishes votes only: shares here are the votes over {over}."


def result_section(
    election: Mapping[str, Any],
    result: Mapping[str, Any] | None,
    candidacies: Mapping[str, Data],
    colour_of: Mapping[str, int],
) -> str:
    if result is None:
        return (
            '<h2 id="result">Result</h2><p class="no-result">No result has been published for '
            "this election yet.</p>"
        )
    winner_key = (election["winner"] or {}).get("key")
    has_seats = any(line["seats"] is not None for line in result["lines"])
    seats = seat_word(election)
    shares, computed = shares_of(result)
    bars = []
    rows = []
    for line, share in zip(result["lines"], shares, strict=True):
        key = line["candidacy"]["key"]
        candidacy = candidacies.get(key, {"name": key})
        won = key == winner_key
        note = ", ".join(
            n
            for n in (
                f"{line['seats']} {seats}" if line["seats"] is not None else "",
                "won" if won else "",
            )
            if n
        )
        bars.append(Bar(candidacy["name"], share, colour_of.get(key, 99), note))
        row = [
            Cell(
                candidate_cell(candidacy) + (' <strong class="won">(won)</strong>' if won else "")
            ),
            Cell(nominated_by(candidacy)),
            cell(number(line["votes"]), True, line["votes"]),
            cell(percent(share), True, share),
        ]
        if has_seats:
            row.append(cell(number(line["seats"]), True, line["seats"]))
        rows.append(row)
    if len(bars) > MAX_BARS:
        rest = bars[MAX_BARS - 1 :]
        total = sum(bar.value or 0 for bar in rest)
        bars = [*bars[: MAX_BARS - 1], Bar(f"{len(rest)} others", round(total, 2), 99)]
    headers = [
        "Candidate or list",
        "Party",
        "Votes",
        "Share",
        *([seats.capitalize()] if has_seats else []),
    ]
    counts = [
        ("Registered voters", number(result["registered"])),
        ("Ballots cast", number(result["cast"])),
        ("Valid", number(result["valid"])),
        ("Invalid", number(result["invalid"])),
        ("Turnout", percent(result["turnout"])),
    ]
    count_items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in counts)
    return (
        f'<h2 id="result">Result</h2><p>{e(stage_name(result))}: the preferred final figures. '
        f"Sources: {source_refs(result['sources'])}</p>"
        + charts.bar_chart(
            f"Result: share of the vote{f' and {seats}' if has_seats else ''}",
            bars,
            "Each bar is a share of the valid vote; the table below gives the same figures."
            + computed,
        )
        + seats_chart(election, result, candidacies, colour_of)
        + table("The result, line by line", headers, rows, table_id="result-table")
        + f'<dl class="facts">{count_items}</dl>'
    )


def seats_chart(
    election: Mapping[str, Any],
    result: Mapping[str, Any],
    candidacies: Mapping[str, Data],
    colour_of: Mapping[str, int],
) -> str:
    """The seats (or electors) of a result as a parliament arch."""
    total = election["seats"]
    groups = [
        Group(
            name_of(candidacies, line["candidacy"]["key"]),
            line["seats"],
            colour_of.get(line["candidacy"]["key"], 99),
        )
        for line in result["lines"]
        if line["seats"]
    ]
    if not groups:
        return ""
    # Where the election does not say how many seats there are (electors), the count's own.
    total = total or sum(group.seats for group in groups)
    word = seat_word(election)
    return charts.hemicycle(
        f"{word.capitalize()}: {sum(g.seats for g in groups)} of {total} given by this count",
        groups,
        total,
        f"One dot per {word[:-1]}, from left to right by place in the result; the "
        "dashed line marks the majority. The table below gives the same figures.",
        word,
    )


#: What a country's map areas are called.
AREA_WORDS = {"US": "state"}

#: Areas asked for in one operation: as many aliases as the API allows.
AREAS_PER_CALL = 15


async def area_results(request: Request, key: str, country: str) -> list[Data]:
    """The election's result in each area of the country's map (those with one), 15 areas
    an operation; the last call repeats its last code to fill its variables."""
    codes = [shape.code for shape in maps.area_shapes(country)]
    found: dict[str, Data] = {}
    for start in range(0, len(codes), AREAS_PER_CALL):
        batch = codes[start : start + AREAS_PER_CALL]
        batch += [batch[-1]] * (AREAS_PER_CALL - len(batch))
        variables = {"key": key, **{f"a{i:02d}": code for i, code in enumerate(batch, 1)}}
        data = await api.run(request.app, "ExplorerElectionAreas", variables)
        election = data["election"] or {}
        for i in range(1, AREAS_PER_CALL + 1):
            tally = election.get(f"a{i:02d}")
            if tally is not None and tally["area"]:
                found[tally["area"]["code"]] = tally
    return [found[code] for code in codes if code in found]


def leading(
    tally: Mapping[str, Any],
) -> tuple[str | None, float | None, float | None, str | None]:
    """Who led an area's count: the first line's candidacy key and share, the margin over the
    second in points, and the second's key (shares from votes where only votes are given)."""
    shares, _ = shares_of(tally)
    ranked = sorted(
        (
            (share, line["candidacy"]["key"])
            for line, share in zip(tally["lines"], shares, strict=True)
            if share is not None
        ),
        reverse=True,
    )
    if not ranked:
        return None, None, None, None
    first_share, first = ranked[0]
    if len(ranked) == 1:
        return first, first_share, None, None
    second_share, second = ranked[1]
    return first, first_share, round(first_share - second_share, 2), second


def areas_section(
    election: Mapping[str, Any],
    areas: Sequence[Mapping[str, Any]],
    candidacies: Mapping[str, Data],
    colour_of: Mapping[str, int],
) -> str:
    """The map shaded by who led each area and by how much, and the same figures as a table."""
    if not areas:
        return ""
    results: dict[str, maps.AreaResult] = {}
    rows = []
    leaders: dict[str, int] = {}
    for tally in areas:
        first, share, margin, second = leading(tally)
        if first is None:
            continue
        code, name = tally["area"]["code"], tally["area"]["name"]
        results[code] = maps.AreaResult(
            code, name, name_of(candidacies, first), colour_of.get(first, 99), share, margin
        )
        leaders[name_of(candidacies, first)] = colour_of.get(first, 99)
        rows.append(
            [
                cell(name, sort=name),
                cell(name_of(candidacies, first)),
                cell(percent(share), True, share),
                cell(points(margin).lstrip("+"), True, margin),
                cell(name_of(candidacies, second) if second else NO_VALUE),
                Cell(source_refs(tally["sources"])),
            ]
        )
    word = AREA_WORDS.get(election["country"]["code"], "area")
    legend = sorted(leaders.items(), key=lambda item: item[1])
    return (
        f'<h2 id="areas">Results by {word}</h2>'
        + maps.results_map(
            election["country"]["code"],
            f"Who led in each {word}, shaded lighter as the margin narrows",
            results,
            legend,
        )
        + table(
            f"The result in each {word}: who led, with what share, and by how much",
            [word.capitalize(), "Led", "Share", "Margin", "Second", "Sources"],
            rows,
            table_id="areas-table",
        )
    )


def stages_section(
    election: Mapping[str, Any],
    tallies: Sequence[Mapping[str, Any]],
    candidacies: Mapping[str, Data],
) -> str:
    if not tallies:
        return ""
    # The first in the result (the order of `candidacies`) get a column each.
    shown = list(candidacies)[:MAX_STAGE_COLUMNS]
    headers = [
        "Stage",
        "Turnout",
        *[name_of(candidacies, k) for k in shown],
        "Sources",
    ]
    rows = []
    for tally in tallies:
        shares = {line["candidacy"]["key"]: line["share"] for line in tally["lines"]}
        name = stage_name(tally) + (" (preferred)" if tally["preferred"] else "")
        rows.append(
            [
                cell(name, sort=tally["asOf"] or ""),
                cell(percent(tally["turnout"]), True, tally["turnout"]),
                *[cell(percent(shares.get(k)), True, shares.get(k)) for k in shown],
                Cell(source_refs(tally["sources"])),
            ]
        )
    moved = [m for m in election["stageMovement"] if len(m["shares"]) > 1]
    movement = ""
    if moved:
        items = "".join(
            f"<li>{e(name_of(candidacies, m['candidacy']['key']))}: "
            + " → ".join(e(percent(s)) for s in m["shares"])
            + f" (moved {e(points(m['spread']).lstrip('+'))})</li>"
            for m in moved
        )
        movement = f'<h3>How the shares moved</h3><ul class="movement">{items}</ul>'
    return (
        '<h2 id="stages">Every published stage</h2>'
        + table(
            "Each published count, stage by stage, with each candidate's share"
            if len(shown) == len(candidacies)
            else f"Each published count, stage by stage, with the shares of the first "
            f"{len(shown)} in the result",
            headers,
            rows,
            table_id="stages-table",
            sortable=False,
        )
        + movement
    )


def exit_polls_section(stories: Mapping[str, Any]) -> str:
    polls = nodes(stories["exitPolls"])
    if not polls:
        return ""
    parts = ['<h2 id="exit-polls">Exit polls against the result</h2>']
    for poll in polls:
        heading = f"{poll['pollster']['name']}, released {day(poll['released'])}"
        if poll["commissionedBy"]:
            heading += f", for {poll['commissionedBy']['name']}"
        rows = [
            [
                cell(line["candidacy"]["name"]),
                cell(percent(line["share"]), True, line["share"]),
                cell(percent(line["officialShare"]), True, line["officialShare"]),
                cell(points(line["discrepancy"]), True, line["discrepancy"]),
            ]
            for line in poll["lines"]
        ]
        details = []
        if poll["sampleSize"]:
            details.append(f"sample {number(poll['sampleSize'])}")
        if poll["marginOfError"] is not None:
            details.append(f"margin of error ±{poll['marginOfError']}")
        if poll["meanAbsoluteDiscrepancy"] is not None:
            details.append(
                f"mean gap to the count {points(poll['meanAbsoluteDiscrepancy']).lstrip('+')}"
            )
        parts.append(
            f"<h3>{e(heading)}</h3><p>{e('; '.join(details))}. "
            f"Sources: {source_refs(poll['sources'])}</p>"
            + table(
                f"{poll['pollster']['name']}'s estimate against the official result",
                ["Candidate or list", "Exit poll", "Official", "Gap"],
                rows,
            )
        )
    return "".join(parts)


def congratulations_section(election: Mapping[str, Any], stories: Mapping[str, Any]) -> str:
    endorsements = nodes(stories["endorsements"])
    congratulations = [x for x in endorsements if x["kind"] == "CONGRATULATION"]
    before = [x for x in endorsements if x["kind"] == "ENDORSEMENT"]
    if not endorsements:
        return ""

    def who(x: Mapping[str, Any]) -> str:
        named = x["endorserPerson"] or x["endorserOrganization"]
        if named is None:
            # A government's congratulation, the sources naming no one: the country speaks.
            return str(x["country"]["name"]) if x["country"] else "unnamed"
        return f"{named['name']} ({x['country']['name']})" if x["country"] else str(named["name"])

    def when(x: Mapping[str, Any]) -> str:
        return str(x["date"] or x["reportedOn"] or "")

    # Dated ones by date, then those whose day no source gives.
    congratulations.sort(key=lambda x: (when(x) == "", when(x)))
    parts = []
    if congratulations:
        events = [Event(when(x), who(x)) for x in congratulations]
        items = "".join(
            (
                f'<li><time datetime="{e(when(x))}">{e(day(when(x)))}</time>: '
                if when(x)
                else "<li>Day not reported: "
            )
            + f"<strong>{e(who(x))}</strong>"
            + (f" by {e(title_case(x['channel']).lower())}" if x["channel"] else "")
            + f" — {e(x['summary'])} {source_refs(x['sources'])}</li>"
            for x in congratulations
        )
        parts.append(
            '<h2 id="congratulations">Congratulations</h2>'
            + charts.timeline(
                "Congratulations, days after polling day",
                election["date"],
                events,
                "Each mark is a congratulation; the list below names them in order.",
            )
            + f'<ol class="timeline">{items}</ol>'
        )
    if before:
        items = "".join(
            f"<li>{e(day(x['date']))}: <strong>{e(who(x))}</strong> endorsed "
            f"{e(x['candidacy']['name'])} — {e(x['summary'])} {source_refs(x['sources'])}</li>"
            for x in before
        )
        parts.append(f'<h2 id="endorsements">Endorsements before the vote</h2><ol>{items}</ol>')
    return "".join(parts)


def actor(statement: Mapping[str, Any]) -> str:
    """Who made a statement: a person, an organisation, or the sources' description."""
    named = statement["person"] or statement["organization"]
    if named:
        return str(named["name"])
    return str(statement["actorDescription"] or "unnamed")


def statements_section(stories: Mapping[str, Any]) -> str:
    statements = nodes(stories["statements"])
    if not statements:
        return ""
    by_kind: dict[str, list[Data]] = {}
    for s in statements:
        by_kind.setdefault(s["kind"], []).append(s)
    parts = ['<h2 id="statements">Statements and observers\' verdicts</h2>']
    for kind, items in by_kind.items():
        entries = "".join(
            f"<li>{e(day(s['date']))}: <strong>"
            f"{e(actor(s))}"
            f"</strong> — {e(s['summary'])} {source_refs(s['sources'])}</li>"
            for s in items
        )
        parts.append(f"<h3>{e(title_case(kind))}</h3><ul>{entries}</ul>")
    return "".join(parts)


def court_section(stories: Mapping[str, Any]) -> str:
    cases = nodes(stories["legalCases"])
    if not cases:
        return ""
    chains: dict[str, list[Data]] = {}
    for case in cases:
        chain = case["chain"]
        chains.setdefault(chain[0]["key"], chain)
    parts = ['<h2 id="courts">Court cases</h2>']
    for chain in chains.values():
        steps = "".join(
            f"<li><strong>{e(c['court']['name'])}</strong>"
            + (f", decided {e(day(c['decided']))}" if c["decided"] else "")
            + f": {e(c['subject'])} — <em>{e(title_case(c['outcome']).lower())}</em>"
            + (f", {c['precinctsAnnulled']} precincts annulled" if c["precinctsAnnulled"] else "")
            + (" (on appeal)" if c["appealOf"] else "")
            + (f". {e(c['summary'])}" if c["summary"] else "")
            + f" {source_refs(c['sources'])}</li>"
            for c in chain
        )
        parts.append(f'<ol class="chain" aria-label="A case and its appeals">{steps}</ol>')
    return "".join(parts)


# --- A person ------------------------------------------------------------------------------


async def person_page(request: Request) -> Page:
    key = request.path_params["key"]
    if len(key) > MAX_INPUT:
        return not_found("person", key)
    person = (await api.run(request.app, "ExplorerPerson", {"key": key}))["person"]
    if person is None:
        return not_found("person", key)
    candidacies = nodes(person["candidacies"])
    terms = nodes(person["officeTerms"])
    stats = person["statistics"]
    facts = [("Born", day(person["birthDate"]))]
    if person["deathDate"]:
        facts.append(("Died", day(person["deathDate"])))
    if person["alsoKnownAs"]:
        facts.append(("Also written", ", ".join(person["alsoKnownAs"])))
    facts += [
        ("Candidacies", str(stats["candidacies"])),
        ("Won", str(stats["wins"])),
        ("Average share", percent(stats["averageShare"])),
    ]
    fact_items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    shares = Series(
        "Share of the vote",
        [(c["election"]["date"], c["share"]) for c in candidacies if c["share"] is not None],
    )
    chart = (
        charts.line_chart(
            f"{person['name']}'s share of the vote, election by election",
            [shares],
            "The share of the vote at each candidacy; the table below gives the same figures.",
        )
        if shares.points
        else ""
    )
    rows = [
        [
            Cell(election_link(c["election"]), sort=c["election"]["date"]),
            Cell(party_link(c["party"])),
            cell(percent(c["share"]), True, c["share"]),
            cell("won" if c["won"] else "lost" if c["won"] is False else "no result yet"),
            cell(
                c["ageAtElection"] if c["ageAtElection"] is not None else NO_VALUE,
                True,
                c["ageAtElection"],
            ),
            cell("yes" if c["incumbent"] else "no"),
        ]
        for c in candidacies
    ]
    term_rows = [
        [
            cell(t["office"]),
            cell(day(t["started"]), sort=t["started"]),
            cell(day(t["ended"]) if t["ended"] else "in office", sort=t["ended"] or "9999"),
            cell(title_case(t["beganBy"]).lower()),
            cell(t["consecutiveTerm"], True, t["consecutiveTerm"]),
            cell(f"{t['yearsInOffice']:.1f}", True, t["yearsInOffice"]),
            Cell(
                link(f"/elections/{t['election']['key']}", "election")
                if t["election"]
                else NO_VALUE
            ),
        ]
        for t in terms
    ]
    main = f'<h1>{e(person["name"])}</h1><dl class="facts">{fact_items}</dl>'
    if candidacies:
        main += (
            "<h2>Candidacies</h2>"
            + chart
            + table(
                f"{person['name']}'s candidacies: share, outcome and age at the election",
                ["Election", "Party", "Share", "Outcome", "Age", "Incumbent"],
                rows,
                table_id="candidacies",
            )
        )
    if terms:
        main += "<h2>Terms of office</h2>" + table(
            f"{person['name']}'s terms of office",
            ["Office", "From", "To", "Began by", "Consecutive term", "Years", "Election"],
            term_rows,
            table_id="terms",
        )
    if person["sources"]:
        main += f"<h2>Sources</h2>{source_list(person['sources'])}"
    return Page(layout(person["name"], main, description=person["name"]))


# --- A party -------------------------------------------------------------------------------


async def party_page(request: Request) -> Page:
    key = request.path_params["key"]
    if len(key) > MAX_INPUT:
        return not_found("party", key)
    party = (await api.run(request.app, "ExplorerParty", {"key": key}))["organization"]
    if party is None:
        return not_found("party", key)
    candidacies = sorted(nodes(party["candidacies"]), key=lambda c: c["election"]["date"])
    # One line per office or body (a parliament, the European Parliament): their shares do
    # not follow one another.
    series = [
        Series(
            office,
            [(c["election"]["date"], c["share"]) for c in held if c["share"] is not None],
        )
        for office, held in by_office(candidacies, lambda c: c["election"]["office"])
    ]
    series = [line for line in series if line.points]
    chart = (
        charts.line_chart(
            f"{party['name']}'s share of the vote, election by election",
            series,
            "The share of the vote at each election, a line for each office or body; "
            "the table below gives the same figures.",
        )
        if series
        else ""
    )
    rows = []
    for c in candidacies:
        seats = (c["result"] or {}).get("seats")
        of = c["election"]["seats"]
        rows.append(
            [
                Cell(election_link(c["election"]), sort=c["election"]["date"]),
                cell(c["partyNameThen"] or c["name"]),
                cell(percent(c["share"]), True, c["share"]),
                cell(
                    f"{seats} of {of}" if seats is not None and of else number(seats), True, seats
                ),
                cell("first" if c["won"] else NO_VALUE),
            ]
        )
    facts = [("Kind", title_case(party["kind"]))]
    if party["shortName"]:
        facts.append(("Short name", party["shortName"]))
    fact_html = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    if party["country"]:
        country = party["country"]
        fact_html += (
            f"<dt>Country</dt><dd>{link('/countries/' + country['code'], country['name'])}</dd>"
        )
    main = f'<h1>{e(party["name"])}</h1><dl class="facts">{fact_html}</dl>'
    if candidacies:
        main += (
            "<h2>Results and seats over time</h2>"
            + chart
            + table(
                f"{party['name']}'s results: share and seats at each election",
                ["Election", "Candidate or list", "Share", "Seats", "Place"],
                rows,
                table_id="results",
            )
        )
    else:
        main += "<p>No candidacy of this organisation is recorded.</p>"
    if party["names"]:
        items = "".join(
            f"<li>{e(n['name'])}"
            + (f" ({e(n['shortName'])})" if n["shortName"] else "")
            + f", from {e(day(n['since']))}</li>"
            for n in party["names"]
        )
        main += f"<h2>Names over time</h2><ol>{items}</ol>"
    for heading, links in (
        ("Came from", party["predecessors"]),
        ("Led to", party["successors"]),
    ):
        if links:
            items = "".join(
                f"<li>{link('/parties/' + x['organization']['key'], x['organization']['name'])}"
                f" ({e(title_case(x['kind']).lower())}, {e(day(x['date']))})</li>"
                for x in links
            )
            main += f"<h2>{heading}</h2><ul>{items}</ul>"
    cabinets = nodes(party["cabinets"])
    if cabinets:
        rows = [
            [
                cell(c["name"] + (" (caretaker)" if c["caretaker"] else ""), sort=c["started"]),
                cell(day(c["started"]), sort=c["started"]),
                cell(day(c["ended"]) if c["ended"] else "in office or not known"),
                Cell(cabinet_parties(c)),
            ]
            for c in cabinets
        ]
        main += "<h2>Cabinets</h2>" + table(
            f"Cabinets {party['name']} sat in",
            ["Cabinet", "From", "To", "Parties"],
            rows,
            table_id="cabinets",
        )
    if party["memberOf"]:
        items = "".join(
            f"<li>{link('/parties/' + m['key'], m['name'])}</li>" for m in party["memberOf"]
        )
        main += f"<h2>Member of</h2><ul>{items}</ul>"
    members = nodes(party["members"])
    if members:
        items = "".join(f"<li>{link('/parties/' + m['key'], m['name'])}</li>" for m in members)
        main += f"<h2>Members</h2><ul>{items}</ul>"
    return Page(layout(party["name"], main, description=party["name"]))


__all__ = [
    "Page",
    "country_page",
    "election_page",
    "home",
    "not_found",
    "party_page",
    "person_page",
]
