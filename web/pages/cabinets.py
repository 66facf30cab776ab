"""Cabinets as the pages show them: their parties, the prime minister's marked, and the seats
those parties won at the election before each against the majority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from web.pages.html import (
    NO_VALUE,
    Cell,
    cell,
    day,
    link,
    table,
)
from web.pages.page import Data

#: How a cabinet ended, in words.
TERMINATIONS = {
    "ELECTION_REGULAR": "a scheduled election",
    "ELECTION_DISSOLUTION": "an early election",
    "RESIGNATION_PM": "the prime minister's resignation",
}


def cabinet_parties(cabinet: Mapping[str, Any]) -> str:
    """Its parties, the prime minister's first and marked so in words."""
    ordered = sorted(cabinet["parties"], key=lambda p: not p["primeMinister"])
    return ", ".join(
        link(f"/parties/{p['party']['key']}", p["party"]["shortName"] or p["party"]["name"])
        + (" (prime minister)" if p["primeMinister"] else "")
        for p in ordered
    )


def seat_sum(cabinet: Mapping[str, Any], result: Mapping[str, Any] | None) -> Cell:
    """The seats its parties won at the election before it, against the majority."""
    if result is None:
        return cell(NO_VALUE)
    parties = {p["party"]["key"] for p in cabinet["parties"]}
    lines = [line for line in result["lines"] if line["seats"] is not None]
    if not lines:
        return cell(NO_VALUE)
    total = sum(line["seats"] for line in lines)
    # A list in an electoral alliance counts for the alliance's party (CDU and CSU for
    # CDU/CSU), unless the alliance has a line of its own, which holds the same seats.
    own = {line["candidacy"]["key"] for line in lines}

    def counts(candidacy: Mapping[str, Any]) -> bool:
        alliance = candidacy.get("alliance")
        if alliance and alliance["key"] in own:
            return False
        party_keys = {(candidacy.get("party") or {}).get("key")}
        if alliance and alliance["party"]:
            party_keys.add(alliance["party"]["key"])
        return bool(party_keys & parties)

    held = sum(line["seats"] for line in lines if counts(line["candidacy"]))
    standing = "majority" if held > total / 2 else "minority"
    return cell(f"{held} of {total} ({standing})", True, held)


def with_parties(result: Mapping[str, Any], candidacies: Mapping[str, Data]) -> Data:
    """A result whose lines name their candidacy's party, as the country page's results do."""
    return {
        **result,
        "lines": [
            {
                **line,
                "candidacy": {
                    **line["candidacy"],
                    "party": candidacies.get(line["candidacy"]["key"], {}).get("party"),
                    "alliance": candidacies.get(line["candidacy"]["key"], {}).get("alliance"),
                },
            }
            for line in result["lines"]
        ],
    }


def cabinets_table(
    caption: str, cabinets: Sequence[Mapping[str, Any]], results: Mapping[str, Any]
) -> str:
    """Cabinets with their parties and the seats those held after the election before each.
    `results`: each election's result lines by election key."""
    rows = [
        [
            cell(c["name"] + (" (caretaker)" if c["caretaker"] else ""), sort=c["started"]),
            cell(day(c["started"]), sort=c["started"]),
            cell(
                day(c["ended"]) if c["ended"] else "in office or not known", sort=c["ended"] or ""
            ),
            Cell(cabinet_parties(c)),
            seat_sum(c, results.get((c.get("previousElection") or {}).get("key", ""))),
            cell(TERMINATIONS.get(c.get("termination") or "", NO_VALUE)),
        ]
        for c in cabinets
    ]
    return table(
        caption,
        ["Cabinet", "From", "To", "Parties", "Their seats", "Ended by"],
        rows,
        table_id="cabinets",
    )
