"""What surrounds an election's count: exit polls against the result, congratulations on a
timeline, statements and verdicts, court cases as chains of appeals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from web.pages import charts
from web.pages.charts import Event
from web.pages.html import (
    NO_VALUE,
    Cell,
    cell,
    day,
    e,
    number,
    percent,
    points,
    table,
    title_case,
)
from web.pages.page import Data, nodes, source_refs


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
        polling_day = dt.date.fromisoformat(election["date"])

        def after(x: Mapping[str, Any]) -> Cell:
            # Days after polling day, as the chart places them; none where no day is known.
            if not when(x):
                return cell(NO_VALUE, True, "")
            days = (dt.date.fromisoformat(when(x)) - polling_day).days
            return cell(days, True, days)

        rows = [
            [
                Cell(f"<strong>{e(who(x))}</strong>"),
                Cell(f'<time datetime="{e(when(x))}">{e(day(when(x)))}</time>')
                if when(x)
                else cell("not reported", sort=""),
                after(x),
                cell(title_case(x["channel"]).lower() if x["channel"] else NO_VALUE),
                Cell(f"{e(x['summary'])} {source_refs(x['sources'])}"),
            ]
            for x in congratulations
        ]
        parts.append(
            '<h2 id="congratulations">Congratulations</h2>'
            + charts.timeline(
                "Congratulations, days after polling day",
                election["date"],
                events,
                "Each mark is a congratulation; the table below names them in order.",
            )
            + table(
                "Congratulations in the order they came, with the day each was made or reported",
                ["Who", "Day", "Days after polling day", "How", "What was said, and where"],
                rows,
            )
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
