"""A country's page: where it is, its elections over time, its cabinets."""

from __future__ import annotations

import re

from starlette.requests import Request

from schema.country_code import assigned
from web.pages import api, charts, maps
from web.pages.cabinets import cabinets_table
from web.pages.charts import Series
from web.pages.html import (
    Cell,
    cell,
    day,
    e,
    layout,
    percent,
    table,
    title_case,
)
from web.pages.page import RenderedPage, by_office, election_link, nodes, not_found, person_link

COUNTRY_CODE = re.compile(r"[A-Za-z]{2}", re.ASCII)


async def country_page(request: Request) -> RenderedPage:
    code = request.path_params["code"]
    if not COUNTRY_CODE.fullmatch(code) or not assigned(code.upper()):
        # Not an ISO 3166-1 alpha-2 code of a country, which the API would refuse: nothing
        # to find.
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
    return RenderedPage(
        layout(country["name"], main, description=f"Elections in {country['name']}")
    )
