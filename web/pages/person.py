"""A person's page: candidacies with shares and ages, terms of office."""

from __future__ import annotations

from starlette.requests import Request

from web.pages import api, charts
from web.pages.charts import Series
from web.pages.html import (
    NO_VALUE,
    Cell,
    cell,
    day,
    e,
    layout,
    link,
    percent,
    table,
    title_case,
)
from web.pages.page import (
    MAX_INPUT,
    RenderedPage,
    election_link,
    nodes,
    not_found,
    party_link,
    source_list,
)


async def person_page(request: Request) -> RenderedPage:
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
    return RenderedPage(layout(person["name"], main, description=person["name"]))
