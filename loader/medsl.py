"""The MIT Election Data and Science Lab's U.S. presidential results by state, as published,
with the electoral votes curated beside them, as records.

Each election (`us-president-{year}`) gets a tally per state (area `us-ga`, ISO 3166-2
`US-GA`) with the state's popular votes (MEDSL) and its electors as the lines' seats (our
curated file, each row with its source), and a national tally whose figures are the sums of
the states'. The electoral votes are checked against the published national totals; a year
whose sums differ is an error, and nothing is written.

MEDSL names people "LAST FIRST" in capitals; the people who received electoral votes get the
names they are known by from data/us-president/people.csv, the others keep MEDSL's, in its
order, in title case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.importing import BadInput, Collected, CsvError, Row, read_csv, slug, text, whole
from loader.iso3166 import area_key, subdivisions

SOURCE = "medsl-president-1976-2020"
SOURCE_RECORD = {
    "key": SOURCE,
    "url": "https://doi.org/10.7910/DVN/42MVDX",
    "publisher": "MIT Election Data and Science Lab",
    "title": "U.S. President 1976\u20132020",
    "licence": "CC0 1.0",
}
COLUMNS = ("year", "state", "state_po", "state_fips", "state_cen", "state_ic", "office",
           "candidate", "party_detailed", "writein", "candidatevotes", "totalvotes", "version",
           "notes", "party_simplified")  # fmt: skip
ELECTORAL_COLUMNS = ("year", "state_po", "candidate", "electoral_votes", "note", "source_url")
TOTAL_COLUMNS = ("year", "candidate", "electoral_votes", "source_url")
PEOPLE_COLUMNS = ("medsl_name", "name")
#: The parties MEDSL's simplified party names stand for.
PARTIES = {
    "DEMOCRAT": ("us-democratic-party", "Democratic Party"),
    "REPUBLICAN": ("us-republican-party", "Republican Party"),
    "LIBERTARIAN": ("us-libertarian-party", "Libertarian Party"),
}
OFFICE = "President of the United States"


@dataclass(frozen=True)
class Curated:
    """The curated files beside MEDSL's: electoral votes by state, national totals, names."""

    electoral_votes: Path
    national_totals: Path
    people: Path

    @classmethod
    def beside(cls, folder: Path) -> Curated:
        return cls(
            folder / "electoral-votes.csv", folder / "national-totals.csv", folder / "people.csv"
        )

    def files(self) -> list[Path]:
        return [self.electoral_votes, self.national_totals, self.people]


def election_day(year: int) -> dt.date:
    """The Tuesday after the first Monday in November: the day of every election here."""
    first = dt.date(year, 11, 1)
    monday = first + dt.timedelta(days=(0 - first.weekday()) % 7)
    return monday + dt.timedelta(days=1)


def source_key(url: str) -> str:
    """A source's key from its address: the same address gives the same key."""
    return "src-" + hashlib.sha256(url.encode()).hexdigest()[:12]


def _rows(out: Collected, path: Path, columns: tuple[str, ...]) -> list[Row]:
    try:
        return list(read_csv(path, columns))
    except CsvError as exc:
        out.errors.append(exc.error)
        return []


def read(file: Path, curated: Curated) -> Collected:
    """The records of MEDSL's file and the curated ones, and the errors of their rows."""
    out = Collected()
    rows = _rows(out, file, COLUMNS)
    electors = _rows(out, curated.electoral_votes, ELECTORAL_COLUMNS)
    totals = _rows(out, curated.national_totals, TOTAL_COLUMNS)
    known = {row["medsl_name"].strip(): row["name"].strip() for row in
             _rows(out, curated.people, PEOPLE_COLUMNS)}  # fmt: skip
    if out.errors:
        return out

    versions = sorted({row["version"].strip() for row in rows})
    source = dict(SOURCE_RECORD, version=f"{', '.join(versions)} (the file's version column)")
    out.add("sources", source, str(file), None)

    # Votes per year, state and person (New York's fusion lines and write-in rows add up).
    votes: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    total: dict[tuple[int, str], int] = {}
    party_votes: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    first_row: dict[tuple[int, str], Row] = {}
    state_ids: dict[str, dict[str, int]] = {}
    for row in rows:
        try:
            year = whole(row, "year", minimum=1789)
            po = (text(row, "state_po") or "").upper()
            if year is None or len(po) != 2:
                raise BadInput(row, "year and state_po are needed")
            if row["office"].strip() != "US PRESIDENT":
                raise BadInput(row, f"office: {row['office']!r} is not US PRESIDENT")
            count = whole(row, "candidatevotes")
            state_total = whole(row, "totalvotes")
            if count is None or state_total is None:
                raise BadInput(row, "candidatevotes and totalvotes are needed")
            if total.setdefault((year, po), state_total) != state_total:
                raise BadInput(row, f"totalvotes {state_total} differs from the state's other rows")
            first_row.setdefault((year, po), row)
            fips, icpsr = whole(row, "state_fips"), whole(row, "state_ic")
            state_ids[po] = {k: v for k, v in (("fips", fips), ("icpsr", icpsr)) if v is not None}
            name = text(row, "candidate")
            if name is None:
                continue  # write-ins and "other" without a name: counted in the state's total
            name = name.replace('""', '"')
            votes[(year, po)][name] += count
            party_votes[(year, name)][row["party_simplified"].strip()] += count
        except BadInput as exc:
            out.errors.append(exc.error)

    electoral: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    notes: dict[tuple[int, str], list[str]] = defaultdict(list)
    urls: dict[tuple[int, str], list[str]] = defaultdict(list)
    elector_urls: dict[str, set[str]] = defaultdict(set)  # by the person voted for
    for row in electors:
        try:
            year, po = whole(row, "year", minimum=1789), row["state_po"].strip().upper()
            count = whole(row, "electoral_votes", minimum=1)
            url = text(row, "source_url")
            if year is None or count is None or url is None:
                raise BadInput(row, "year, electoral_votes and source_url are needed")
            if (year, po) not in total:
                raise BadInput(row, f"{po} {year} has no results in {file.name}")
            electoral[(year, po)][row["candidate"].strip()] += count
            elector_urls[row["candidate"].strip()].add(url)
            if url not in urls[(year, po)]:
                urls[(year, po)].append(url)
            if row["note"].strip():
                notes[(year, po)].append(row["note"].strip())
        except BadInput as exc:
            out.errors.append(exc.error)
    published: dict[int, Counter[str]] = defaultdict(Counter)
    published_urls: dict[int, list[str]] = defaultdict(list)
    for row in totals:
        try:
            year, count = whole(row, "year", minimum=1789), whole(row, "electoral_votes", 1)
            if year is None or count is None:
                raise BadInput(row, "year and electoral_votes are needed")
            published[year][row["candidate"].strip()] += count
            if row["source_url"].strip() not in published_urls[year]:
                published_urls[year].append(row["source_url"].strip())
        except BadInput as exc:
            out.errors.append(exc.error)
    if out.errors:
        return out

    for url in sorted({u for found in (*urls.values(), *published_urls.values()) for u in found}):
        out.add(
            "sources",
            {"key": source_key(url), "url": url, "publisher": _publisher(url)},
            str(curated.electoral_votes),
            None,
        )

    # Areas: the subdivisions of the US in ISO 3166-2, the states and DC with MEDSL's ids.
    iso = {area["code"]: area for area in subdivisions("US")}
    for po in sorted(state_ids):
        if f"US-{po}" not in iso:
            row = first_row[next(k for k in total if k[1] == po)]
            message = f"state_po {po!r}: US-{po} is not an ISO 3166-2 subdivision of the US"
            out.errors.append(row.error(message))
    for code, area in sorted(iso.items()):
        ids = state_ids.get(code.removeprefix("US-"))
        out.add("areas", {**area, "external_ids": ids or None}, str(file), None)

    people: dict[str, str] = {}
    names_seen = sorted({name for counts in votes.values() for name in counts} |
                        {c for counts in electoral.values() for c in counts if c})  # fmt: skip
    for name in names_seen:
        shown = known.get(name) or name.title()
        people[name] = slug(shown)
    # Each person cites where they are found: MEDSL's file, or for the few it does not name
    # (the choices of faithless electors), the sources of their electoral votes.
    in_medsl = {name for counts in votes.values() for name in counts}
    cited: dict[str, set[str]] = defaultdict(set)
    for name in names_seen:
        found = {SOURCE} if name in in_medsl else {source_key(u) for u in elector_urls[name]}
        cited[people[name]] |= found
    for key, shown in sorted({(people[n], known.get(n) or n.title()) for n in names_seen}):
        person = {"key": key, "name": shown, "sources": sorted(cited[key])}
        out.add("people", person, str(curated.people), None)
    for party_key, party_name in PARTIES.values():
        party = {"key": party_key, "name": party_name, "kind": "party", "country": "US",
                 "sources": [SOURCE]}  # fmt: skip
        out.add("organizations", party, str(file), None)

    for year in sorted({year for year, _ in total}):
        _election(out, year, votes, total, electoral, notes, urls, people, party_votes,
                  first_row, published, published_urls, file)  # fmt: skip
    return out


def _publisher(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url


def _election(
    out: Collected,
    year: int,
    votes: dict[tuple[int, str], Counter[str]],
    total: dict[tuple[int, str], int],
    electoral: dict[tuple[int, str], Counter[str]],
    notes: dict[tuple[int, str], list[str]],
    urls: dict[tuple[int, str], list[str]],
    people: dict[str, str],
    party_votes: dict[tuple[int, str], Counter[str]],
    first_row: dict[tuple[int, str], Row],
    published: dict[int, Counter[str]],
    published_urls: dict[int, list[str]],
    file: Path,
) -> None:
    key = f"us-president-{year}"
    states = sorted(po for y, po in total if y == year)
    anchor = first_row[(year, states[0])]
    out.add(
        "elections",
        {"key": key, "country": "US", "kind": "presidential", "office": OFFICE,
         "date": election_day(year), "term_years": 4, "sources": [SOURCE]},
        anchor.file, anchor.line,
    )  # fmt: skip
    candidacies: dict[str, str] = {}
    names = sorted({n for po in states for n in votes[(year, po)]} |
                   {c for po in states for c in electoral[(year, po)] if c})  # fmt: skip
    for name in names:
        candidacy = f"{key}/{people[name]}"
        if candidacy in candidacies.values():
            candidacies[name] = candidacy  # another spelling of the same person
            continue
        candidacies[name] = candidacy
        main = party_votes[(year, name)].most_common(1)
        party = PARTIES.get(main[0][0]) if main else None
        out.add(
            "candidacies",
            {"key": candidacy, "election": key, "person": people[name],
             "party": party[0] if party else None, "nomination": "party" if party else None,
             "sources": [SOURCE]},
            anchor.file, anchor.line,
        )  # fmt: skip
    national_votes: Counter[str] = Counter()
    national_seats: Counter[str] = Counter()
    abstained = 0
    for po in states:
        lines: dict[str, dict[str, Any]] = {}
        for name, count in votes[(year, po)].items():
            line = lines.setdefault(candidacies[name], {"candidacy": candidacies[name]})
            line["votes"] = line.get("votes", 0) + count
        for name, seats in electoral[(year, po)].items():
            if not name:
                abstained += seats
                continue
            line = lines.setdefault(candidacies[name], {"candidacy": candidacies[name]})
            line["seats"] = line.get("seats", 0) + seats
        for line in lines.values():
            national_votes[line["candidacy"]] += line.get("votes", 0)
            national_seats[line["candidacy"]] += line.get("seats", 0)
        row = first_row[(year, po)]
        out.add(
            "tallies",
            {"key": f"{key}/{po.lower()}", "election": key, "area": area_key(f"US-{po}"),
             "stage": "final", "preferred": True, "valid": total[(year, po)],
             "summary": "; ".join(notes[(year, po)]) or None,
             "lines": sorted(lines.values(), key=lambda line: line["candidacy"]),
             "sources": [SOURCE, *(source_key(url) for url in urls[(year, po)])]},
            row.file, row.line,
        )  # fmt: skip
    # The national figures are the sums of the states', and its electors must be the totals
    # published for the year.
    seats_by_name = Counter({name: 0 for name in published[year]})
    for name, candidacy in candidacies.items():
        if national_seats[candidacy] and name in published[year]:
            seats_by_name[name] = national_seats[candidacy]
    summed = {candidacies.get(n, n): s for n, s in published[year].items() if n}
    got = {c: s for c, s in national_seats.items() if s}
    if abstained != published[year].get("", 0) or got != summed:
        out.errors.append(
            anchor.error(
                f"{year}: the electoral votes by state add up to {dict(sorted(got.items()))}"
                f" (and {abstained} abstaining), not the published national totals"
                f" {dict(sorted(summed.items()))}"
            )
        )
    national = [
        {"candidacy": c, "votes": national_votes[c] or None, "seats": national_seats[c] or None}
        for c in sorted(set(candidacies.values()))
    ]
    summary = f"{abstained} elector abstained." if abstained else None
    out.add(
        "tallies",
        {"key": f"{key}/national", "election": key, "stage": "final", "preferred": True,
         "valid": sum(total[(year, po)] for po in states), "summary": summary,
         "lines": [line for line in national if line["votes"] or line["seats"]],
         "sources": [SOURCE, *(source_key(url) for url in published_urls[year])]},
        anchor.file, anchor.line,
    )  # fmt: skip
