"""Maps drawn on the server from the committed shapes of web/assets/maps/static: the US states
shaded by who led and by how much, and a world map that shows where a country is. Every
shaded area can take keyboard focus and names its figures; the page gives them in a table."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pycountry

from web.pages.charts import GREY, colour
from web.pages.html import e, percent, points

#: What web/assets/maps/build.mjs wrote from the npm packages us-atlas and world-atlas.
SHAPES_DIR = Path(__file__).resolve().parent.parent / "assets" / "maps" / "static"

#: Maps of areas by ISO 3166-2 code, by the country they divide.
AREA_MAPS = {"US": "us-states.json"}

#: Margins (points between the first and the second) from which an area is shaded darker.
MARGIN_STEPS: tuple[tuple[float, float, str], ...] = (
    (15.0, 1.0, "15 points or more"),
    (5.0, 0.7, "5 to 15 points"),
    (0.0, 0.4, "under 5 points"),
)


@dataclasses.dataclass(frozen=True)
class Shape:
    code: str | None
    name: str
    d: str


@dataclasses.dataclass(frozen=True)
class Shapes:
    source: str
    width: int
    height: int
    areas: tuple[Shape, ...]


@functools.cache
def shapes(file: str) -> Shapes:
    """A map file, read once."""
    value: dict[str, Any] = json.loads((SHAPES_DIR / file).read_text(encoding="utf-8"))
    return Shapes(
        value["source"],
        value["width"],
        value["height"],
        tuple(Shape(a["code"], a["name"], a["d"]) for a in value["areas"]),
    )


def has_map(country: str) -> bool:
    return country in AREA_MAPS


def area_shapes(country: str) -> tuple[Shape, ...]:
    """The areas of a country's map, by code."""
    return shapes(AREA_MAPS[country]).areas


@dataclasses.dataclass(frozen=True)
class AreaResult:
    """Who led in an area and by how much: the leader's colour index, share and margin."""

    code: str
    name: str
    leader: str
    colour: int
    share: float | None
    margin: float | None


def opacity(margin: float | None) -> float:
    for floor, value, _ in MARGIN_STEPS:
        if margin is not None and margin >= floor:
            return value
    return MARGIN_STEPS[-1][1]


def describe(result: AreaResult) -> str:
    return (
        f"{result.name}: {result.leader} led with {percent(result.share)}, "
        f"a margin of {points(result.margin).lstrip('+')}"
    )


def results_map(
    country: str, title: str, results: Mapping[str, AreaResult], leaders: Sequence[tuple[str, int]]
) -> str:
    """The country's areas, each shaded in its leader's colour, lighter as the margin narrows;
    areas with a result can be focused (Tab) and name their figures (on hover, on focus, and
    to screen readers). `leaders`: the legend, each leader with its colour index."""
    drawn = shapes(AREA_MAPS[country])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {drawn.width} {drawn.height}" '
        f'class="map" role="group" aria-label="{e(title)}">'
    ]
    for shape in drawn.areas:
        result = results.get(shape.code or "")
        if result is None:
            parts.append(
                f'<path d="{shape.d}" fill="#eee" stroke="#fff" stroke-width="0.75">'
                f"<title>{e(shape.name)}: no result</title></path>"
            )
            continue
        label = describe(result)
        parts.append(
            f'<path class="area" d="{shape.d}" fill="{colour(result.colour)}" '
            f'fill-opacity="{opacity(result.margin)}" stroke="#fff" stroke-width="0.75" '
            f'tabindex="0" role="img" aria-label="{e(label)}" data-area="{e(result.code)}">'
            f"<title>{e(label)}</title></path>"
        )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch" data-colour="{index}" aria-hidden="true">'
        f'<svg width="14" height="14"><rect width="14" height="14" fill="{colour(index)}"></rect>'
        f"</svg></span>{e(name)} led</li>"
        for name, index in leaders
    )
    steps = "".join(
        f'<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" '
        f'fill="#555" fill-opacity="{value}"></rect></svg>margin {e(text)}</li>'
        for _, value, text in MARGIN_STEPS
    )
    return (
        f'<figure class="map-figure">{"".join(parts)}'
        f'<p class="map-caption" aria-live="polite" hidden></p>'
        f'<figcaption>{e(title)}. <ul class="legend">{legend}{steps}</ul>'
        f"<small>Shapes: {e(drawn.source)}.</small></figcaption></figure>"
    )


def numeric_code(alpha_2: str) -> str | None:
    """ISO 3166-1 numeric code of a country (world-atlas keys its shapes by it)."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    return None if country is None else str(country.numeric)


#: The numbers of an SVG path, as x, y pairs.
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def bounds(d: str) -> tuple[float, float, float, float]:
    """The smallest box around a path (its points are all absolute: M, L and Z only)."""
    values = [float(n) for n in NUMBER.findall(d)]
    xs, ys = values[0::2], values[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def world_locator(alpha_2: str, name: str) -> str:
    """The country and its neighbours: the map of the world cut to a window around it, the
    country dark and the rest pale; empty where the atlas has no shape for it."""
    numeric = numeric_code(alpha_2)
    drawn = shapes("world-countries.json")
    here = next((shape for shape in drawn.areas if shape.code == numeric and shape.d), None)
    if numeric is None or here is None:
        return ""
    left, top, right, bottom = bounds(here.d)
    # A window three times the country's size, at least a sixth of the world wide, kept
    # within the map, with the map's proportions.
    ratio = drawn.width / drawn.height
    width = max((right - left) * 3, (bottom - top) * 3 * ratio, drawn.width / 6)
    width = min(width, drawn.width)
    height = width / ratio
    x = min(max((left + right) / 2 - width / 2, 0), drawn.width - width)
    y = min(max((top + bottom) / 2 - height / 2, 0), drawn.height - height)
    window = (x, y, x + width, y + height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x:.1f} {y:.1f} {width:.1f} '
        f'{height:.1f}" class="world" role="img" aria-label="{e(name)} and its neighbours '
        'on a map">'
    ]
    stroke = width / 800
    for shape in drawn.areas:
        if not shape.d or not overlaps(bounds(shape.d), window):
            continue
        fill, line = (colour(0), "#000") if shape is here else ("#ddd", "#fff")
        parts.append(
            f'<path d="{shape.d}" fill="{fill}" stroke="{line}" stroke-width="{stroke:.2f}">'
            f"<title>{e(shape.name)}</title></path>"
        )
    parts.append("</svg>")
    return (
        f'<figure class="world-figure">{"".join(parts)}'
        f"<figcaption>{e(name)} (dark, outlined) and its neighbours. "
        f"<small>Shapes: {e(drawn.source)}.</small></figcaption></figure>"
    )


__all__ = ["GREY", "AreaResult", "has_map", "results_map", "world_locator"]
