"""A party's page: results and seats over time, names, where it came from and what came of
it, its cabinets."""

from __future__ import annotations

from starlette.requests import Request

from web.pages import api, charts
from web.pages.cabinets import cabinet_parties
from web.pages.charts import Series
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
    table,
    title_case,
)
from web.pages.page import MAX_INPUT, RenderedPage, by_office, election_link, nodes, not_found


async def party_page(request: Request) -> RenderedPage:
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
    return RenderedPage(layout(party["name"], main, description=party["name"]))
