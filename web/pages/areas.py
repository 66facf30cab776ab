"""An election's results by area: asked for 15 areas an operation, shown on the map shaded by
who led and by the margin, and in a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request

from models.figures import rounded
from web.pages import api, maps
from web.pages.html import (
    NO_VALUE,
    Cell,
    cell,
    percent,
    points,
    table,
)
from web.pages.page import Data, name_of, shares_of, source_refs

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
    second in points, and the second's key (shares from votes where only votes are given).

    The API gives the lines in models/figures.py's ranking (share, then votes, then seats),
    and the page keeps that order rather than ranking again: lines level on a rounded share
    are then told apart by their votes, as the API tells them. Where only votes are given,
    that order is the order of the shares computed from them."""
    shares, _ = shares_of(tally)
    placed = [
        (share, line["candidacy"]["key"])
        for line, share in zip(tally["lines"], shares, strict=True)
        if share is not None
    ]
    if not placed:
        return None, None, None, None
    first_share, first = placed[0]
    if len(placed) == 1:
        return first, first_share, None, None
    second_share, second = placed[1]
    return first, first_share, rounded(first_share - second_share), second


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
