"""An election's page: its facts, the result with its seats, every published stage, and the
sections of areas.py and stories.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request

from models.figures import rounded
from service.manifest import sha256
from web.pages import api, charts, maps
from web.pages.areas import area_results, areas_section
from web.pages.cabinets import cabinets_table, with_parties
from web.pages.charts import Bar, Group
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
    table,
    title_case,
)
from web.pages.page import (
    MAX_INPUT,
    Data,
    RenderedPage,
    election_title,
    name_of,
    nodes,
    not_found,
    party_link,
    person_link,
    shares_of,
    source_list,
    source_refs,
)
from web.pages.stories import (
    congratulations_section,
    court_section,
    exit_polls_section,
    statements_section,
)

#: How a candidacy without a party was put forward, in words.
NOMINATIONS = {
    "SELF": "self-nominated",
    "INITIATIVE_GROUP": "initiative group",
    "PARTY": "a party",
    "BLOC": "a bloc",
}


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


async def election_page(request: Request) -> RenderedPage:
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
    # A page of candidacies holds 100; the counts name the rest (a US election has more).
    for tally in tallies:
        for line in tally["lines"]:
            candidacies.setdefault(line["candidacy"]["key"], line["candidacy"])
    result_key = (election["result"] or {}).get("key")
    result = next((t for t in tallies if t["key"] == result_key), None)
    # Colours by place in the result, so the winner is always the palette's first.
    order = [line["candidacy"]["key"] for line in (result or {}).get("lines", [])]
    order += [k for k in candidacies if k not in order]
    colour_of = {k: i for i, k in enumerate(order)}

    live = [election_facts(election), result_section(election, result, candidacies, colour_of)]
    if result is not None and maps.has_map(election["country"]["code"]):
        areas = await area_results(request, key, election["country"]["code"])
        live.append(areas_section(election, areas, candidacies, colour_of))
    live.append(stages_section(election, tallies, candidacies))
    # What a new tally changes, in one element: the script (static/explorer.js) follows the
    # election's result and swaps this element for the same one of the page fetched again.
    sections = [
        f"<h1>{e(title)}</h1>",
        f'<div id="{LIVE_ID}" data-election="{e(election["key"])}" {live_subscription()}>'
        f"{''.join(live)}</div>",
    ]
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
    return RenderedPage(layout(title, "".join(sections), description=title))


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


#: The element holding the facts, the result, the map and the stages, which the script
#: refreshes when the result changes.
LIVE_ID = "live-result"
#: The subscription the script sends (web/pages/operations/election-live.graphql).
LIVE_OPERATION = "ExplorerResultUpdated"


def live_subscription() -> str:
    """The attributes that give the script its subscription: the text, and its hash, which
    an allow-list of the explorer's operations registers (`make manifest`)."""
    text = api.operations()[LIVE_OPERATION]
    return f'data-subscription="{e(text)}" data-subscription-hash="{sha256(text)}"'


#: Bars drawn for a result; the rest are summed into one bar of "others" (all are in the table).
MAX_BARS = 10


#: Candidacies given a column in the table of stages: the first in the result.
MAX_STAGE_COLUMNS = 8


def seat_word(election: Mapping[str, Any]) -> str:
    """What a presidential election's "seats" are: electors."""
    return "electors" if election["kind"] == "PRESIDENTIAL" else "seats"


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
        candidacy = candidacies[key]
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
        # Rounded by the API's one rule (half up), as every figure the page shows.
        bars = [*bars[: MAX_BARS - 1], Bar(f"{len(rest)} others", rounded(total), 99)]
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
