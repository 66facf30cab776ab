"""Consistency of a tally's figures: where they disagree, as warnings rather than refusals.

Sources disagree, and a published tally is kept as published; what does not add up is noted
on the tally (`Tally.warnings`), and a fixture may explain a warning (`explained_warnings`).
`elections validate --strict` fails on a warning no fixture explains.
"""

from __future__ import annotations

from typing import Any

#: How far, in percentage points, a published share or turnout may be from the one its counts
#: give: shares are published rounded, to one or two decimals.
TOLERANCE = 0.1


def _warning(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def tally_warnings(tally: Any) -> list[dict[str, str]] | None:
    """The warnings of a tally record (loader.records.TallyRecord), or None if its figures
    agree: cast ≤ registered, valid + invalid ≤ cast, line votes ≤ valid, shares ≤ 100,
    shares as votes over valid, turnout as cast over registered."""
    found = []
    registered, cast, valid, invalid = tally.registered, tally.cast, tally.valid, tally.invalid
    if registered is not None and cast is not None and cast > registered:
        found.append(
            _warning("cast_exceeds_registered", f"cast ({cast}) exceeds registered ({registered})")
        )
    if cast is not None and (valid or 0) + (invalid or 0) > cast:
        found.append(
            _warning(
                "valid_and_invalid_exceed_cast",
                f"valid ({valid}) + invalid ({invalid}) exceeds cast ({cast})",
            )
        )
    votes = sum(line.votes or 0 for line in tally.lines)
    if valid is not None and votes > valid:
        found.append(
            _warning("lines_exceed_valid", f"line votes ({votes}) exceed valid ballots ({valid})")
        )
    shares = sum(line.share or 0 for line in tally.lines)
    if shares > 100 + TOLERANCE:
        found.append(_warning("shares_exceed_100", f"line shares add up to {shares:.2f}"))
    if valid:
        worst = None
        for line in tally.lines:
            if line.votes is not None and line.share is not None:
                gap = abs(line.share - 100 * line.votes / valid)
                if gap > TOLERANCE and (worst is None or gap > worst[0]):
                    worst = (gap, line)
        if worst is not None:
            gap, line = worst
            found.append(
                _warning(
                    "share_mismatch",
                    f"the share of '{line.candidacy}' ({line.share}) is {gap:.2f} points from "
                    f"its votes over valid ballots ({100 * line.votes / valid:.2f})",
                )
            )
    if tally.turnout_reported is not None and registered and cast is not None:
        counted = 100 * cast / registered
        if abs(tally.turnout_reported - counted) > TOLERANCE:
            found.append(
                _warning(
                    "turnout_mismatch",
                    f"turnout_reported ({tally.turnout_reported}) is not cast over registered "
                    f"({counted:.2f})",
                )
            )
    return found or None


def unexplained(tally: Any) -> list[dict[str, str]]:
    """The warnings of a tally record that its `explained_warnings` do not explain, and an
    entry for each explanation of a warning it does not have."""
    warnings = tally_warnings(tally) or []
    explained = tally.explained_warnings or {}
    found = [w for w in warnings if w["code"] not in explained]
    codes = {w["code"] for w in warnings}
    for code in sorted(set(explained) - codes):
        found.append(
            _warning(code, f"explains a warning '{code}' that the tally does not have: remove it")
        )
    return found
