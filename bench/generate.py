"""Deterministic synthetic election data in the fixture format: same seed, same data."""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

Doc = dict[str, list[dict[str, Any]]]

#: Every section a generated file may hold, in the loader's dependency order.
SECTIONS = (
    "sources",
    "countries",
    "people",
    "organizations",
    "elections",
    "candidacies",
    "tallies",
    "endorsements",
)

#: The reference country: the same 12 elections at every size, so its history is comparable.
REFERENCE_ELECTIONS = 12
#: All two-letter codes, AA to ZZ: the most countries a data set can have.
CODES = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
GIVEN = ["Anar", "Leyla", "Giorgi", "Nino", "Rashad", "Tamar", "Elnur", "Mariam", "Vusal", "Ana"]
FAMILY = [
    "Aliyev",
    "Beridze",
    "Guliyev",
    "Kapanadze",
    "Mammadov",
    "Lomidze",
    "Huseynov",
    "Tsiklauri",
]
CHANNELS = ["call", "letter", "statement", "post", "meeting"]
EPOCH = dt.date(1950, 1, 1)
SPAN_DAYS = 75 * 365


@dataclass(frozen=True)
class Plan:
    """How a data set of `candidacies` candidacies is laid out."""

    candidacies: int
    seed: int

    @property
    def countries(self) -> int:
        # About 12 elections of 8 candidacies per country, at least 10 countries, at most 676.
        return max(10, min(len(CODES), self.candidacies // 96))

    @property
    def reference_code(self) -> str:
        return CODES[0]

    def reference_election(self) -> str:
        """The key of the reference country's last election: the "one election page"."""
        last = REFERENCE_ELECTIONS - 1
        return election_key(self, last, self.reference_code, _when(self, last)[0])


def _rng(plan: Plan, *parts: object) -> random.Random:
    # A string seed is hashed with SHA-512: the same on every run and machine.
    return random.Random(":".join(str(p) for p in (plan.seed, *parts)))


def _when(plan: Plan, index: int) -> tuple[dt.date, str]:
    rng = _rng(plan, "election", index)
    date = EPOCH + dt.timedelta(days=rng.randrange(SPAN_DAYS))
    return date, "presidential" if rng.random() < 0.7 else "parliamentary"


def election_key(plan: Plan, index: int, code: str, date: dt.date) -> str:
    return f"{code.lower()}-{date.year}-{index:06d}"


def _country_of(plan: Plan, index: int) -> int:
    if index < REFERENCE_ELECTIONS:
        return 0
    return 1 + (index - REFERENCE_ELECTIONS) % (plan.countries - 1)


def _size_of(plan: Plan, index: int) -> int:
    return 4 + _rng(plan, "size", index).randrange(9)


def _elections(plan: Plan) -> list[tuple[int, int]]:
    """(election index, number of candidacies), adding up to exactly `plan.candidacies`."""
    out: list[tuple[int, int]] = []
    left = plan.candidacies
    index = 0
    while left > 0:
        size = min(_size_of(plan, index), left)
        out.append((index, size))
        left -= size
        index += 1
    return out


def world(plan: Plan) -> Doc:
    """Countries, their leaders and governments, and the sources everything may cite."""
    doc: Doc = {name: [] for name in SECTIONS}
    doc["sources"].append(
        {
            "key": "bench-wire",
            "url": "https://example.org/wire",
            "publisher": "Example Wire Service",
            "title": "Election results worldwide",
        }
    )
    for code in CODES[: plan.countries]:
        prefix = code.lower()
        doc["countries"].append({"code": code, "name": f"Testland {code}"})
        doc["people"].append({"key": f"{prefix}-leader", "name": f"Leader of Testland {code}"})
        doc["organizations"].append(
            {
                "key": f"{prefix}-government",
                "name": f"Government of Testland {code}",
                "short_name": f"GOV-{code}",
                "kind": "government",
                "country": code,
            }
        )
    return doc


def _person_name(code: str, n: int) -> str:
    return f"{GIVEN[n % len(GIVEN)]} {FAMILY[(n // len(GIVEN)) % len(FAMILY)]} {code}{n}"


def _election(plan: Plan, doc: Doc, index: int, size: int, local: int, people: set[str]) -> None:
    """One election with its candidacies, tallies (with lines) and endorsements."""
    country = _country_of(plan, index)
    code = CODES[country]
    prefix = code.lower()
    date, kind = _when(plan, index)
    rng = _rng(plan, "detail", index)
    key = election_key(plan, index, code, date)
    source = f"{key}/cec"
    doc["sources"].append(
        {
            "key": source,
            "url": f"https://example.org/{prefix}/{index}",
            "publisher": f"Central Election Commission of Testland {code}",
            "title": f"Protocol of the {kind} election of {date.isoformat()}",
            "published": (date + dt.timedelta(days=7)).isoformat(),
        }
    )
    election: dict[str, Any] = {
        "key": key,
        "country": code,
        "kind": kind,
        "office": f"President of Testland {code}"
        if kind == "presidential"
        else f"Assembly of Testland {code}",
        "date": date.isoformat(),
        "sources": [source, "bench-wire"],
    }
    if kind == "parliamentary":
        election["seats"] = 100 + rng.randrange(101)
    else:
        election["term_years"] = 5 + rng.randrange(3)
    if rng.random() < 0.15:
        election |= {
            "early": True,
            "originally_due": f"{date.year + 1}-{1 + rng.randrange(12):02d}",
            "reason": "Called early after a constitutional change.",
        }
    if index % 2 == 0:
        election["summary"] = f"Election number {index} of the benchmark data."
    doc["elections"].append(election)

    candidacies: list[str] = []
    for j in range(size):
        party = f"{prefix}-party-{(local + j) % 12}"
        record: dict[str, Any] = {"key": "", "election": key, "sources": [source]}
        if kind == "parliamentary":
            record |= {"key": f"{key}/{party}", "party": party, "nomination": "party"}
        else:
            person = f"{prefix}-p{(local // 3) * 12 + j}"
            if person not in people:
                people.add(person)
                doc["people"].append(
                    {"key": person, "name": _person_name(code, (local // 3) * 12 + j)}
                )
            record |= {"key": f"{key}/{person}", "person": person}
            if j % 3 == 0:
                record |= {"party": party, "nomination": "party"}
            else:
                record["nomination"] = "self" if j % 3 == 1 else "initiative_group"
            if j == 0 and rng.random() < 0.5:
                record |= {"incumbent": True, "role": f"President of Testland {code}"}
        if rng.random() < 0.03:
            record["status"] = "withdrawn"
        candidacies.append(record["key"])
        doc["candidacies"].append(record)

    registered = 100_000 + rng.randrange(5_000_000)
    cast = int(registered * rng.uniform(0.4, 0.9))
    invalid = int(cast * rng.uniform(0.005, 0.03))
    valid = cast - invalid
    weights = [rng.random() ** 2 + 0.01 for _ in range(size)]
    total = sum(weights)
    votes = [int(valid * w / total) for w in weights]
    seats = election.get("seats")
    final_lines = []
    for cand, v in zip(candidacies, votes, strict=True):
        line: dict[str, Any] = {"candidacy": cand, "votes": v, "share": round(100 * v / valid, 2)}
        if seats is not None:
            line["seats"] = int(seats * v / valid)
        final_lines.append(line)
    counted = round(rng.uniform(30, 80), 2)
    early_votes = [int(v * counted / 100 * rng.uniform(0.9, 1.1)) for v in votes]
    early_total = sum(early_votes) or 1
    stations = 500 + rng.randrange(5000)
    tallies: list[dict[str, Any]] = [
        {
            "key": f"{key}/preliminary",
            "election": key,
            "stage": "preliminary",
            "as_of": (date + dt.timedelta(days=1)).isoformat(),
            "counted_share": counted,
            "stations_reported": int(stations * counted / 100),
            "stations_total": stations,
            "lines": [
                {"candidacy": c, "votes": v, "share": round(100 * v / early_total, 2)}
                for c, v in zip(candidacies, early_votes, strict=True)
            ],
            "sources": [source],
        },
        {
            "key": f"{key}/final",
            "election": key,
            "stage": "final",
            "as_of": (date + dt.timedelta(days=5 + rng.randrange(10))).isoformat(),
            "registered": registered,
            "cast": cast,
            "valid": valid,
            "invalid": invalid,
            "preferred": True,
            "summary": "Final protocol of the central commission.",
            "lines": final_lines,
            "sources": [source, "bench-wire"],
        },
    ]
    if index % 4 == 0:
        # Conflicting figures: a certified tally published later, with other turnout.
        tallies.append(
            {
                "key": f"{key}/certified",
                "election": key,
                "stage": "certified",
                "as_of": (date + dt.timedelta(days=20)).isoformat(),
                "turnout_reported": round(100 * cast / registered + 1.5, 2),
                "lines": [
                    {"candidacy": c, "share": line["share"]}
                    for c, line in zip(candidacies, final_lines, strict=True)
                ],
                "sources": ["bench-wire"],
            }
        )
    doc["tallies"] += tallies

    winner = max(range(size), key=lambda j: (votes[j], -j))
    for m in range(3):
        other = CODES[(country + 1 + m) % plan.countries]
        endorsement: dict[str, Any] = {
            "key": f"{candidacies[winner]}/congratulation-{m}",
            "candidacy": candidacies[winner],
            "kind": "congratulation",
            "endorser_person": f"{other.lower()}-leader",
            "country": other,
            "date": (date + dt.timedelta(days=1 + m)).isoformat(),
            "channel": CHANNELS[(index + m) % len(CHANNELS)],
            "summary": f"The leader of Testland {other} congratulated the winner.",
            "sources": ["bench-wire", source] if m == 0 else ["bench-wire"],
        }
        if m == 1:
            endorsement["endorser_organization"] = f"{other.lower()}-government"
        doc["endorsements"].append(endorsement)
    for j in range(1, size, 2):
        if j == winner:
            continue
        doc["endorsements"].append(
            {
                "key": f"{candidacies[j]}/endorsement",
                "candidacy": candidacies[j],
                "kind": "endorsement",
                "endorser_organization": f"{prefix}-party-{(local + j + 1) % 12}",
                "date": (date - dt.timedelta(days=10 + j)).isoformat(),
                **({"channel": "statement"} if j % 4 == 1 else {}),
                "summary": "The party called on its voters to support this candidate.",
                "sources": [source],
            }
        )


def country_docs(plan: Plan) -> Iterator[tuple[str, Doc]]:
    """One document per country holding everything of its elections, in country order."""
    by_country: dict[int, list[tuple[int, int]]] = {}
    for index, size in _elections(plan):
        by_country.setdefault(_country_of(plan, index), []).append((index, size))
    for country in range(plan.countries):
        code = CODES[country]
        doc: Doc = {name: [] for name in SECTIONS}
        doc["organizations"] = [
            {
                "key": f"{code.lower()}-party-{p}",
                "name": f"Party {p} of Testland {code}",
                "short_name": f"P{p}-{code}",
                "kind": "party",
                "country": code,
            }
            for p in range(12)
        ]
        people: set[str] = set()
        for local, (index, size) in enumerate(by_country.get(country, [])):
            _election(plan, doc, index, size, local, people)
        yield code, doc


def documents(plan: Plan) -> Iterator[tuple[str, Doc]]:
    """(file name, document) pairs in the order the loader reads the files (sorted names)."""
    yield "0000-world.json", world(plan)
    for n, (code, doc) in enumerate(country_docs(plan), 1):
        yield f"{n:04d}-{code.lower()}.json", doc


def write_fixtures(plan: Plan, folder: Path) -> list[Path]:
    """Write the data set as JSON fixture files in `folder`; return them in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    paths = []
    for name, doc in documents(plan):
        path = folder / name
        path.write_bytes(
            orjson.dumps({k: v for k, v in doc.items() if v}, option=orjson.OPT_INDENT_2)
        )
        paths.append(path)
    return paths


def count(plan: Plan) -> dict[str, int]:
    """Records per section, and lines, of the whole data set."""
    totals: dict[str, int] = {name: 0 for name in SECTIONS}
    totals["tally lines"] = 0
    for _, doc in documents(plan):
        for name, items in doc.items():
            totals[name] += len(items)
        totals["tally lines"] += sum(len(t["lines"]) for t in doc["tallies"])
    return totals
