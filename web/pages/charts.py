"""SVG charts drawn on the server: bars for a result, lines over time, a timeline of dated
events. Each is a figure with a title and a text description; the page puts the same
figures in a table beside it. Colours come from the Okabe-Ito palette, which readers with
any common colour-vision deficiency can tell apart, and every mark also carries its label
as text, so colour never carries meaning alone."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
from collections.abc import Sequence

from web.pages.html import e, percent

#: Okabe & Ito's palette for colour-blind readers, darkest first (black left out: it is the
#: text's colour), each with the text colour that reads on it.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)
#: Everything past the palette, and "others".
GREY = "#999999"


def colour(index: int) -> str:
    return PALETTE[index] if 0 <= index < len(PALETTE) else GREY


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{e(caption)}</figcaption></figure>'


def _svg_open(width: int, height: int, title: str, description: str) -> str:
    # Titles and descriptions need ids unique on the page for aria-labelledby; made from
    # the chart's own words, so the same page is the same bytes (and ETag) every time.
    n = hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:10]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc">'
        f'<title id="chart-{n}-title">{e(title)}</title>'
        f'<desc id="chart-{n}-desc">{e(description)}</desc>'
    )


@dataclasses.dataclass(frozen=True)
class Bar:
    """One bar: what it measures, its value in percent, its colour's index, and a note shown
    after the value (seats, "won")."""

    label: str
    value: float | None
    colour: int
    note: str = ""


def bar_chart(title: str, bars: Sequence[Bar], caption: str) -> str:
    """Horizontal bars from 0 to 100 %, each labelled with its name, its value and its note."""
    label_width, bar_width, row = 230, 330, 30
    width = label_width + bar_width + 170
    height = row * len(bars) + 10
    description = "; ".join(
        f"{bar.label}: {percent(bar.value)}{f' ({bar.note})' if bar.note else ''}" for bar in bars
    )
    parts = [_svg_open(width, height, title, description)]
    for index, bar in enumerate(bars):
        y = 5 + index * row
        length = 0.0 if bar.value is None else max(bar.value, 0) / 100 * bar_width
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        note = f" {bar.note}" if bar.note else ""
        parts.append(
            f'<g class="bar"><text x="{label_width - 8}" y="{y + row / 2 + 5:.0f}" '
            f'text-anchor="end">{e(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour(bar.colour)}" stroke="#222" stroke-width="0.5"></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + row / 2 + 5:.0f}">'
            f"{e(percent(bar.value))}{e(note)}</text></g>"
        )
    parts.append("</svg>")
    return _figure("".join(parts), caption)


@dataclasses.dataclass(frozen=True)
class Series:
    """A line over time: its name and its (ISO date, value in percent) points."""

    name: str
    points: Sequence[tuple[str, float]]


#: Marker shapes and dash patterns, so the series differ in more than colour.
_MARKERS = ("circle", "square", "triangle")
_DASHES = ("", "6 4", "2 3")


def _marker(shape: str, x: float, y: float, fill: str, label: str) -> str:
    title = f"<title>{e(label)}</title>"
    if shape == "square":
        return (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{fill}">'
            f"{title}</rect>"
        )
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} '
            f'{x - 5:.1f},{y + 4:.1f}" '
            f'fill="{fill}">{title}</polygon>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{fill}">{title}</circle>'


def _ordinal(iso: str) -> int:
    return datetime.date.fromisoformat(iso).toordinal()


def line_chart(title: str, series: Sequence[Series], caption: str) -> str:
    """Lines from 0 to 100 % over the years, each with its own colour, marker and dash, and a
    legend naming them."""
    width, height = 720, 300
    left, right, top, bottom = 48, 20, 16, 70
    dates = sorted({_ordinal(d) for s in series for d, _ in s.points})
    first, last = (dates[0], dates[-1]) if dates else (0, 1)
    span = max(last - first, 1)

    def x(iso: str) -> float:
        if first == last:
            return left + (width - left - right) / 2
        return left + (_ordinal(iso) - first) / span * (width - left - right)

    def y(value: float) -> float:
        return top + (100 - value) / 100 * (height - top - bottom)

    description = "; ".join(
        f"{s.name}: " + ", ".join(f"{d[:4]} {percent(v)}" for d, v in s.points) for s in series
    )
    parts = [_svg_open(width, height, title, description)]
    for value in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#ccc"></line><text x="{left - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end" class="tick">{value}\u00a0%</text>'
        )
    years = sorted({d[:4] for s in series for d, _ in s.points})
    step = max(1, len(years) // 8)
    for year in years[::step]:
        at = x(f"{year}-07-01") if first != last else x(f"{year}-01-01")
        at = min(max(at, left), width - right)
        parts.append(
            f'<text x="{at:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'class="tick">{e(year)}</text>'
        )
    for index, s in enumerate(series):
        fill = colour(index)
        shape = _MARKERS[index % len(_MARKERS)]
        dash = _DASHES[index % len(_DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        coordinates = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in s.points)
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{fill}" '
            f'stroke-width="2"{dash_attribute}></polyline>'
        )
        for d, v in s.points:
            parts.append(_marker(shape, x(d), y(v), fill, f"{s.name}, {d}: {percent(v)}"))
        legend_x = left + index * 220
        legend_y = height - 22
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 30}" y1="{legend_y}" y2="{legend_y}" '
            f'stroke="{fill}" stroke-width="2"{dash_attribute}></line>'
            + _marker(shape, legend_x + 15, legend_y, fill, s.name)
            + f'<text x="{legend_x + 38}" y="{legend_y + 4}">{e(s.name)}</text>'
        )
    parts.append("</svg>")
    return _figure("".join(parts), caption)


@dataclasses.dataclass(frozen=True)
class Event:
    """A dated mark on a timeline, with its label."""

    date: str
    label: str


def timeline(title: str, start: str, events: Sequence[Event], caption: str) -> str:
    """Days from `start` (polling day) to the last event, one mark per event, stacked where
    several fall on one day; each mark names its event."""
    dated = [event for event in events if event.date]
    width, row = 720, 16
    left, right = 20, 20
    first = _ordinal(start)
    last = max([first + 1, *(_ordinal(event.date) for event in dated)])
    span = last - first
    per_day: dict[int, int] = {}
    for event in dated:
        offset = _ordinal(event.date) - first
        per_day[offset] = per_day.get(offset, 0) + 1
    height = 50 + row * max(per_day.values(), default=1)
    axis = height - 30

    # Some are dated before polling day (a congratulation on a preliminary count is not).
    lowest = min([0, *per_day])

    def x(offset: int) -> float:
        return left + (offset - lowest) / ((span - lowest) or 1) * (width - left - right)

    description = "; ".join(f"{event.date}: {event.label}" for event in dated)
    parts = [_svg_open(width, height, title, description)]
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{axis}" y2="{axis}" stroke="#444"></line>'
    )
    ticks = sorted({0, span, *per_day})
    for offset in ticks:
        label = "polling day" if offset == 0 else f"day {offset:+d}"
        parts.append(
            f'<line x1="{x(offset):.1f}" x2="{x(offset):.1f}" y1="{axis}" y2="{axis + 5}" '
            f'stroke="#444"></line>'
        )
        if offset in (0, span) or offset in per_day:
            parts.append(
                f'<text x="{x(offset):.1f}" y="{axis + 18}" text-anchor="middle" class="tick">'
                f"{e(label)}</text>"
            )
    stacked: dict[int, int] = {}
    for event in dated:
        offset = _ordinal(event.date) - first
        level = stacked.get(offset, 0)
        stacked[offset] = level + 1
        parts.append(
            f'<circle cx="{x(offset):.1f}" cy="{axis - 10 - level * row}" r="6" '
            f'fill="{colour(0)}" stroke="#fff"><title>{e(event.date)}: {e(event.label)}</title>'
            "</circle>"
        )
    parts.append("</svg>")
    return _figure("".join(parts), caption)


@dataclasses.dataclass(frozen=True)
class Group:
    """Seats of one list in a parliament, with its colour's index."""

    label: str
    seats: int
    colour: int


def hemicycle(
    title: str, groups: Sequence[Group], total: int, caption: str, unit: str = "seats"
) -> str:
    """A parliament arch: one dot per seat in concentric rows, the lists from left to right in
    the order given, and the majority line through the middle, with its figure in words."""
    width, height = 520, 290
    centre_x, centre_y, outer = width / 2, height - 30, 240.0
    rows = max(2, math.ceil(math.sqrt(total / 4)))
    radii = [outer * (0.4 + 0.6 * i / (rows - 1)) for i in range(rows)]
    per_row = [round(total * r / sum(radii)) for r in radii]
    per_row[-1] += total - sum(per_row)
    seats: list[tuple[float, float, float]] = []
    for radius, count in zip(radii, per_row, strict=True):
        for j in range(count):
            angle = math.pi / 2 if count == 1 else math.pi * (1 - j / (count - 1))
            seats.append((angle, radius, 0.0))
    # Left to right across the arch, inner rows first at each angle.
    seats.sort(key=lambda seat: (-round(seat[0], 6), seat[1]))
    dot = min(0.42 * (radii[1] - radii[0]), 0.42 * math.pi * radii[0] / max(per_row[0], 1))
    majority = total // 2 + 1
    description = "; ".join(f"{g.label}: {g.seats}" for g in groups)
    description += f". A majority is {majority} of {total} {unit}."
    parts = [_svg_open(width, height, title, description)]
    seat = 0
    for group in groups:
        dots = []
        for _ in range(group.seats):
            if seat >= len(seats):
                break
            angle, radius, _unused = seats[seat]
            seat += 1
            x = centre_x + radius * math.cos(angle)
            y = centre_y - radius * math.sin(angle)
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot:.1f}"></circle>')
        parts.append(
            f'<g fill="{colour(group.colour)}" stroke="#222" stroke-width="0.4">'
            f"<title>{e(group.label)}: {group.seats} {unit}</title>{''.join(dots)}</g>"
        )
    parts.append(
        f'<line x1="{centre_x}" x2="{centre_x}" y1="{centre_y - outer - 12}" y2="{centre_y}" '
        f'stroke="#000" stroke-dasharray="4 3"></line>'
        f'<text x="{centre_x}" y="{centre_y + 22}" text-anchor="middle">'
        f"Majority: {majority} of {total}</text>"
    )
    parts.append("</svg>")
    return _figure("".join(parts), caption)
