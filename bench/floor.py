"""Hand-written floors: the API's answers built with direct SQL on a raw connection (aiosqlite,
or asyncpg through `PostgresConnection`)."""

from __future__ import annotations

import base64
import itertools
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeAlias

import asyncpg

#: A row of either driver: sqlite3.Row or asyncpg.Record, both read by column name.
Row: TypeAlias = sqlite3.Row | asyncpg.Record
Data = dict[str, Any]
STAGE_ORDER = {"preliminary": 0, "final": 1, "certified": 2}

# The page sizes the operations ask for (bench/operations.py): the nested connections need
# a `first` to stay under the cost limit, and the generator makes no more than these.
CANDIDACIES = 12
ENDORSEMENTS = 5
TALLIES = 5


def global_id(type_name: str, key: str) -> str:
    """A Relay global ID as the API builds it: base64 of "Type:key"."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


class Connection(Protocol):
    """What a floor needs of a connection: aiosqlite's, or `PostgresConnection`."""

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any]) -> Iterable[Any]: ...


class PostgresConnection:
    """An asyncpg connection, or pool, with aiosqlite's `execute_fetchall`: the floors' `?`
    placeholders become asyncpg's `$1, $2...` (no floor statement has a `?` of its own)."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self.conn = conn
        self._sql: dict[str, str] = {}

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any]) -> list[asyncpg.Record]:
        text = self._sql.get(sql)
        if text is None:
            numbers = itertools.count(1)
            text = self._sql[sql] = re.sub(r"\?", lambda _: f"${next(numbers)}", sql)
        return list(await self.conn.fetch(text, *parameters))


#: SQL statements run by floors since last cleared: the floor's statements per operation.
COUNTER: list[tuple[str, list[Any]]] = []


async def fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """All rows of one statement; every floor statement goes through here (and is counted)."""
    COUNTER.append((sql, list(params)))
    return list(await conn.execute_fetchall(sql, params))


async def fetch_in(conn: Connection, sql: str, ids: Sequence[Any], tail: str = "") -> list[Row]:
    """`sql` with `{in_}` replaced by placeholders for `ids`; [] and no query if none."""
    if not ids:
        return []
    return await fetch(conn, sql.format(in_=_marks(ids)) + tail, list(ids))


def group(rows: Iterable[Row], column: str) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        out[row[column]].append(row)
    return out


def page(items: Iterable[Data], size: int = 100) -> Data:
    """A connection's first page as the operations ask for it: `nodes` of the first `size`."""
    return {"nodes": list(itertools.islice(items, size))}


def candidacy_page(items: Iterable[Data]) -> Data:
    return page(items, CANDIDACIES)


def endorsement_page(items: Iterable[Data]) -> Data:
    return page(items, ENDORSEMENTS)


def tally_page(items: Iterable[Data]) -> Data:
    return page(items, TALLIES)


def enum(value: str | None) -> str | None:
    """A stored enum value as its GraphQL name ("initiative_group" → "INITIATIVE_GROUP")."""
    return None if value is None else value.upper()


def counted(t: Row) -> float:
    if t["counted_share"] is not None:
        return float(t["counted_share"])
    if t["stations_reported"] is not None and t["stations_total"]:
        return 100 * int(t["stations_reported"]) / int(t["stations_total"])
    return 100.0


def in_stage_order(tallies: Iterable[Row]) -> list[Row]:
    return sorted(
        tallies,
        key=lambda t: (
            t["round"],
            STAGE_ORDER[t["stage"]],
            t["as_of"] is None,
            t["as_of"] or "",
            counted(t),
            t["key"],
        ),
    )


def ranked(lines: Iterable[Row]) -> list[Row]:
    return sorted(
        lines,
        key=lambda line: (
            -(line["share"] if line["share"] is not None else -1.0),
            -(line["votes"] if line["votes"] is not None else -1),
            -(line["seats"] if line["seats"] is not None else -1),
            line["candidacy_id"],
        ),
    )


def preferred_of(tallies: Sequence[Row]) -> Row | None:
    preferred = [t for t in tallies if t["preferred"]]
    return max(preferred, key=lambda t: t["round"]) if preferred else None


def turnout(t: Row) -> float | None:
    if t["cast"] is not None and t["registered"]:
        return round(100 * int(t["cast"]) / int(t["registered"]), 2)
    value = t["turnout_reported"]
    return None if value is None else float(value)


def by_date(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r["date"] is None, r["date"] or "", r["key"]))


class Results:
    """Tallies of some elections with their lines: what the preferred-tally fields need."""

    def __init__(self, tallies: list[Row], lines: list[Row]) -> None:
        self.tallies = group(tallies, "election_id")
        self.lines = group(lines, "tally_id")

    def preferred_lines(self, election_id: int) -> list[Row]:
        tally = preferred_of(self.tallies.get(election_id, []))
        return [] if tally is None else ranked(self.lines.get(tally["id"], []))

    def preferred(self, election_id: int) -> Row | None:
        return preferred_of(self.tallies.get(election_id, []))

    def ordered_candidacies(self, election_id: int, rows: list[Row]) -> tuple[list[Row], list[Row]]:
        """The election's candidacies in the API's order, and its preferred lines."""
        lines = self.preferred_lines(election_id)
        place = {line["candidacy_id"]: i for i, line in enumerate(lines)}
        return sorted(rows, key=lambda r: (place.get(r["id"], len(place)), r["key"])), lines


def name_of(c: Row) -> str:
    return str(c["person_name"] if c["person_id"] is not None else c["party_name"])


TALLY = 'SELECT * FROM "tally" WHERE "election_id" IN ({in_}) ORDER BY "id"'
CANDIDACY = (
    'SELECT cd."id", cd."key", cd."election_id", cd."nomination", cd."incumbent", cd."status", '
    'cd."person_id", p."key" AS person_key, p."name" AS person_name, cd."party_id", '
    'o."key" AS party_key, o."name" AS party_name, o."short_name" AS party_short '
    'FROM "candidacy" cd LEFT JOIN "person" p ON p."id" = cd."person_id" '
    'LEFT JOIN "organization" o ON o."id" = cd."party_id" WHERE cd."election_id" IN ({in_}) '
    'ORDER BY cd."id"'
)
LINE = (
    'SELECT tl."tally_id", tl."candidacy_id", tl."votes", tl."share", tl."seats", '
    'cd."key" AS candidacy_key '
    'FROM "tally_line" tl JOIN "candidacy" cd ON cd."id" = tl."candidacy_id" '
    'WHERE tl."tally_id" IN ({in_}) ORDER BY tl."id"'
)
ENDORSEMENT = (
    'SELECT en."id", en."key", en."kind", en."date", en."channel", en."summary", '
    'en."candidacy_id", co."code" AS country_code, en."endorser_person_id", '
    'pp."key" AS person_key, pp."name" AS person_name, en."endorser_organization_id", '
    'oo."key" AS org_key, oo."name" AS org_name FROM "endorsement" en '
    'LEFT JOIN "country" co ON co."id" = en."country_id" '
    'LEFT JOIN "person" pp ON pp."id" = en."endorser_person_id" '
    'LEFT JOIN "organization" oo ON oo."id" = en."endorser_organization_id" '
    'WHERE en."candidacy_id" IN ({in_}) ORDER BY en."id"'
)


def sources_sql(through: str, owner: str) -> str:
    return (
        f's."key", s."url", s."publisher", s."title", s."published", l."{owner}" AS owner '
        f'FROM "{through}" l JOIN "source" s ON s."id" = l."source_id" '
        f'WHERE l."{owner}" IN ({{in_}}) ORDER BY s."key"'
    )


async def sources(
    conn: Connection, through: str, owner: str, ids: Sequence[int]
) -> dict[int, list[Row]]:
    return group(await fetch_in(conn, "SELECT " + sources_sql(through, owner), ids), "owner")


async def election_page(conn: Connection, variables: Data) -> Data:
    rows = await fetch(
        conn,
        'SELECT e.*, c."code" AS country_code, c."name" AS country_name FROM "election" e '
        'JOIN "country" c ON c."id" = e."country_id" WHERE e."key" = ?',
        [variables["key"]],
    )
    if not rows:
        return {"election": None}
    e = rows[0]
    ids = [e["id"]]
    tallies = await fetch_in(conn, TALLY, ids)
    tally_ids = [t["id"] for t in tallies]
    results = Results(tallies, await fetch_in(conn, LINE, tally_ids))
    candidacies = await fetch_in(conn, CANDIDACY, ids)
    candidacy_ids = [c["id"] for c in candidacies]
    endorsements = group(await fetch_in(conn, ENDORSEMENT, candidacy_ids), "candidacy_id")
    endorsement_ids = [x["id"] for g in endorsements.values() for x in g]
    election_sources = await sources(conn, "election_source", "election_id", ids)
    candidacy_sources = await sources(conn, "candidacy_source", "candidacy_id", candidacy_ids)
    tally_sources = await sources(conn, "tally_source", "tally_id", tally_ids)
    endorsement_sources = await sources(
        conn, "endorsement_source", "endorsement_id", endorsement_ids
    )

    ordered, lines = results.ordered_candidacies(e["id"], candidacies)
    own = {line["candidacy_id"]: line for line in lines}
    preferred = results.preferred(e["id"])
    return {
        "election": {
            "id": global_id("Election", e["key"]),
            "key": e["key"],
            "kind": enum(e["kind"]),
            "office": e["office"],
            "date": e["date"],
            "early": bool(e["early"]),
            "originallyDue": e["originally_due"],
            "seats": e["seats"],
            "summary": e["summary"],
            "turnout": None if preferred is None else turnout(preferred),
            "country": {"code": e["country_code"], "name": e["country_name"]},
            "sources": [
                {
                    "key": s["key"],
                    "url": s["url"],
                    "publisher": s["publisher"],
                    "title": s["title"],
                    "published": s["published"],
                }
                for s in election_sources.get(e["id"], [])
            ],
            "candidacies": candidacy_page(
                {
                    "id": global_id("Candidacy", c["key"]),
                    "key": c["key"],
                    "name": name_of(c),
                    "nomination": enum(c["nomination"]),
                    "incumbent": bool(c["incumbent"]),
                    "status": enum(c["status"]),
                    "share": own[c["id"]]["share"] if c["id"] in own else None,
                    "votes": own[c["id"]]["votes"] if c["id"] in own else None,
                    "won": None if not lines else lines[0]["candidacy_id"] == c["id"],
                    "person": None
                    if c["person_id"] is None
                    else {"key": c["person_key"], "name": c["person_name"]},
                    "party": None
                    if c["party_id"] is None
                    else {
                        "key": c["party_key"],
                        "name": c["party_name"],
                        "shortName": c["party_short"],
                    },
                    "sources": [{"key": s["key"]} for s in candidacy_sources.get(c["id"], [])],
                    "endorsements": endorsement_page(
                        {
                            "key": x["key"],
                            "kind": enum(x["kind"]),
                            "date": x["date"],
                            "channel": enum(x["channel"]),
                            "summary": x["summary"],
                            "country": None
                            if x["country_code"] is None
                            else {"code": x["country_code"]},
                            "endorserPerson": None
                            if x["endorser_person_id"] is None
                            else {"key": x["person_key"], "name": x["person_name"]},
                            "endorserOrganization": None
                            if x["endorser_organization_id"] is None
                            else {"key": x["org_key"], "name": x["org_name"]},
                            "sources": [
                                {"key": s["key"], "url": s["url"]}
                                for s in endorsement_sources.get(x["id"], [])
                            ],
                        }
                        for x in by_date(endorsements.get(c["id"], []))
                    ),
                }
                for c in ordered
            ),
            "tallies": tally_page(
                {
                    "key": t["key"],
                    "round": t["round"],
                    "stage": enum(t["stage"]),
                    "asOf": t["as_of"],
                    "countedShare": t["counted_share"],
                    "registered": t["registered"],
                    "cast": t["cast"],
                    "valid": t["valid"],
                    "invalid": t["invalid"],
                    "turnout": turnout(t),
                    "preferred": bool(t["preferred"]),
                    "sources": [
                        {"key": s["key"], "url": s["url"]} for s in tally_sources.get(t["id"], [])
                    ],
                    "lines": [
                        {
                            "votes": line["votes"],
                            "share": line["share"],
                            "seats": line["seats"],
                            "candidacy": {"key": line["candidacy_key"]},
                        }
                        for line in ranked(results.lines.get(t["id"], []))
                    ],
                }
                for t in in_stage_order(results.tallies.get(e["id"], []))
            ),
        }
    }


async def country_history(conn: Connection, variables: Data) -> Data:
    rows = await fetch(
        conn,
        'SELECT "id", "code", "name" FROM "country" WHERE "code" = ?',
        [variables["code"].strip().upper()],
    )
    if not rows:
        return {"country": None}
    country = rows[0]
    elections = sorted(
        await fetch(
            conn,
            'SELECT "id", "key", "kind", "date", "early" FROM "election" WHERE "country_id" = ? '
            'ORDER BY "id"',
            [country["id"]],
        ),
        key=lambda e: (e["date"], e["key"]),
    )
    ids = [e["id"] for e in elections]
    tallies = await fetch_in(conn, TALLY, ids)
    results = Results(tallies, await fetch_in(conn, LINE, [t["id"] for t in tallies]))
    candidacies = group(await fetch_in(conn, CANDIDACY, ids), "election_id")

    def election(e: Row) -> Data:
        ordered, lines = results.ordered_candidacies(e["id"], candidacies.get(e["id"], []))
        own = {line["candidacy_id"]: line for line in lines}
        by_id = {c["id"]: c for c in ordered}
        preferred = results.preferred(e["id"])
        winner = by_id[lines[0]["candidacy_id"]] if lines else None
        margin = None
        if len(lines) >= 2 and lines[0]["share"] is not None and lines[1]["share"] is not None:
            margin = round(lines[0]["share"] - lines[1]["share"], 2)
        return {
            "key": e["key"],
            "kind": enum(e["kind"]),
            "date": e["date"],
            "early": bool(e["early"]),
            "turnout": None if preferred is None else turnout(preferred),
            "margin": margin,
            "winner": None if winner is None else {"key": winner["key"], "name": name_of(winner)},
            "result": None
            if preferred is None
            else {"key": preferred["key"], "asOf": preferred["as_of"]},
            "candidacies": candidacy_page(
                {
                    "key": c["key"],
                    "name": name_of(c),
                    "share": own[c["id"]]["share"] if c["id"] in own else None,
                    "votes": own[c["id"]]["votes"] if c["id"] in own else None,
                    "won": None if not lines else lines[0]["candidacy_id"] == c["id"],
                }
                for c in ordered
            ),
            "tallies": tally_page(
                {
                    "key": t["key"],
                    "stage": enum(t["stage"]),
                    "asOf": t["as_of"],
                    "lines": [
                        {
                            "share": line["share"],
                            "votes": line["votes"],
                            "candidacy": {"key": line["candidacy_key"]},
                        }
                        for line in ranked(results.lines.get(t["id"], []))
                    ],
                }
                for t in in_stage_order(results.tallies.get(e["id"], []))
            ),
        }

    return {
        "country": {
            "code": country["code"],
            "name": country["name"],
            "elections": page(election(e) for e in elections),
        }
    }


async def elections_page(conn: Connection, variables: Data) -> Data:
    elections = await fetch(
        conn,
        'SELECT e."id", e."key", e."date", e."kind", c."code" AS country_code FROM "election" e '
        'JOIN "country" c ON c."id" = e."country_id" ORDER BY e."date", e."key" LIMIT ?',
        [variables["first"]],
    )
    ids = [e["id"] for e in elections]
    tallies = await fetch_in(conn, TALLY, ids)
    tally_ids = [t["id"] for t in tallies]
    results = Results(tallies, await fetch_in(conn, LINE, tally_ids))
    tally_sources = await sources(conn, "tally_source", "tally_id", tally_ids)
    rows = await fetch_in(conn, CANDIDACY, ids)
    candidacies = group(rows, "election_id")
    endorsements = group(await fetch_in(conn, ENDORSEMENT, [c["id"] for c in rows]), "candidacy_id")
    endorsement_sources = await sources(
        conn,
        "endorsement_source",
        "endorsement_id",
        [x["id"] for g in endorsements.values() for x in g],
    )

    def election(e: Row) -> Data:
        ordered, lines = results.ordered_candidacies(e["id"], candidacies.get(e["id"], []))
        own = {line["candidacy_id"]: line for line in lines}
        preferred = results.preferred(e["id"])
        return {
            "key": e["key"],
            "date": e["date"],
            "kind": enum(e["kind"]),
            "country": {"code": e["country_code"]},
            "turnout": None if preferred is None else turnout(preferred),
            "candidacies": candidacy_page(
                {
                    "key": c["key"],
                    "name": name_of(c),
                    "share": own[c["id"]]["share"] if c["id"] in own else None,
                    "votes": own[c["id"]]["votes"] if c["id"] in own else None,
                    "party": None if c["party_id"] is None else {"key": c["party_key"]},
                    "endorsements": endorsement_page(
                        {
                            "key": x["key"],
                            "kind": enum(x["kind"]),
                            "date": x["date"],
                            "channel": enum(x["channel"]),
                            "country": None
                            if x["country_code"] is None
                            else {"code": x["country_code"]},
                            "sources": [
                                {"key": s["key"]} for s in endorsement_sources.get(x["id"], [])
                            ],
                        }
                        for x in by_date(endorsements.get(c["id"], []))
                    ),
                }
                for c in ordered
            ),
            "tallies": tally_page(
                {
                    "key": t["key"],
                    "stage": enum(t["stage"]),
                    "asOf": t["as_of"],
                    "turnout": turnout(t),
                    "lines": [
                        {"votes": line["votes"], "share": line["share"], "seats": line["seats"]}
                        for line in ranked(results.lines.get(t["id"], []))
                    ],
                    "sources": [{"key": s["key"]} for s in tally_sources.get(t["id"], [])],
                }
                for t in in_stage_order(results.tallies.get(e["id"], []))
            ),
        }

    return {"elections": page(election(e) for e in elections)}


#: The statement the small query runs, as the API runs it: the whole row, by natural key.
SMALL_SQL = 'SELECT * FROM "election" WHERE "key" IN (?)'


def small_data(row: Row | None) -> Data:
    if row is None:
        return {"node": None}
    return {
        "node": {
            "id": global_id("Election", row["key"]),
            "key": row["key"],
            "date": row["date"],
            "office": row["office"],
            "early": bool(row["early"]),
        }
    }


def decode_election_id(node_id: str) -> str | None:
    """The election key in a global ID, or None when it is not an Election's."""
    try:
        type_name, _, key = base64.b64decode(node_id).decode().partition(":")
    except ValueError:
        return None
    return key if type_name == "Election" else None


async def small(conn: Connection, variables: Data) -> Data:
    key = decode_election_id(variables["id"])
    rows = [] if key is None else await fetch(conn, SMALL_SQL, [key])
    return small_data(rows[0] if rows else None)
