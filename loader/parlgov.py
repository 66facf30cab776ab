"""ParlGov's tables, as published, as records: parties and their names and links, elections,
results with alliances, and cabinets.

The files are read from one folder with the names and columns ParlGov publishes them with
(data/README.md). Every record cites ParlGov as its source and keeps ParlGov's own id in
`external_ids`, so rows can be joined back to ParlGov's.

Keys a person can guess: elections `{country}-parliament-{year}` and `{country}-ep-{year}`,
with the month added to both when a country held two of one kind in a year
(`gb-parliament-1974-02`); parties `{country}-{short name}` (`gb-con`), with ParlGov's id added
to each party whose key would be shared; cabinets `{country}-cabinet-{name}`, with the start
date added to each whose key would be shared. The rules depend on the whole file, never on the
order of its rows, so every import of the same files gives the same keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from loader.importing import (
    BadInput,
    Collected,
    CsvError,
    Row,
    decimal,
    read_csv,
    slug,
    text,
    whole,
)

SOURCE = "parlgov"
SOURCE_RECORD = {
    "key": SOURCE,
    "url": "https://www.parlgov.org/",
    "publisher": "Holger Döring and Philip Manow, ParlGov (SOCIUM, University of Bremen)",
    "title": "Parliaments and governments database (ParlGov): Information on parties, "
    "elections and cabinets in established democracies. Development version",
    "version": "hdigital/parlgov-web commit edd6f2d148057b5582a50d4e5e09ccb751423bc0 "
    "(2026-08-17), scripts/migrate_parlgov-db/import-data-legacy",
    "licence": "CC0 1.0",
}

#: The published files and their columns.
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("01__datacore__Code.csv", ("id", "table_variable", "order", "short", "name",
             "description", "wikipedia", "old", "comment")),
    "country": ("02__datacore__Country.csv", ("id", "name", "name_short", "oecd_accession_date",
                "eu_accession_date", "code_iso2", "flag", "comment", "data_json")),
    "party": ("21__parties__Party.csv", ("id", "country", "family", "name_short", "name_english",
              "name", "name_ascii", "name_nonlatin", "wikipedia", "foundation_date",
              "dissolution_date", "data_source", "description", "comment", "data_json")),
    "family": ("22__parties__PartyFamily.csv", ("id", "party", "family")),
    "name": ("23__parties__PartyNameChange.csv", ("comment", "data_source", "name",
             "name_english", "party_change", "name_short", "data_json", "party", "name_ascii",
             "date", "name_nonlatin", "id", "description")),
    "change": ("24__parties__PartyChange.csv", ("comment", "data_source", "description", "type",
               "data_json", "party_new", "party", "date", "id")),
    "election": ("31__elections__Election.csv", ("id", "type", "country", "date", "early",
                 "wikipedia", "dissolution_date", "seats_total", "electorate", "votes_cast",
                 "votes_valid", "data_source", "description", "comment", "data_json",
                 "previous_parliament_election", "previous_ep_election", "previous_cabinet")),
    "result": ("32__elections__ElectionResult.csv", ("id", "election", "party",
               "party_id_source", "alliance", "seats", "vote_share", "votes", "person",
               "data_source", "description", "comment", "data_json")),
    "cabinet": ("41__cabinets__Cabinet.csv", ("id", "country", "start_date", "termination",
                "termination_date", "appointment_date", "resignation_date", "name", "caretaker",
                "wikipedia", "data_source", "description", "comment", "data_json",
                "previous_cabinet", "previous_parliament_election", "previous_ep_election",
                "old_countryID", "old_cabID")),
    "cabinet_party": ("42__cabinets__CabinetParty.csv", ("id", "cabinet", "party", "pm",
                      "defector", "party_id_source", "data_source", "description", "comment",
                      "data_json")),
}  # fmt: skip

#: ParlGov's party family code for electoral alliances: such parties are stored as blocs.
ALLIANCE_FAMILY = "all"
#: ParlGov's election types, as the body in an election's key and the office it elects.
BODIES = {"parliament": ("parliament", "National parliament"), "ep": ("ep", "European Parliament")}
#: ParlGov's party change types, as organization link kinds.
LINK_KINDS = {"splinter": "splinter", "division": "division", "merged": "merger",
              "joined": "joined", "successor": "successor", "politician": "politician"}  # fmt: skip


def files(folder: Path) -> list[Path]:
    """The files an import of `folder` reads."""
    return [folder / name for name, _ in FILES.values()]


def _date(row: Row, column: str) -> str | None:
    value = text(row, column)
    if value is not None and not _is_date(value):
        raise BadInput(row, f"{column}: {value!r} is not a date (YYYY-MM-DD)")
    return value


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _flag(row: Row, column: str) -> bool:
    value = row[column].strip()
    if value not in ("0", "1", ""):
        raise BadInput(row, f"{column}: {value!r} is not 0 or 1")
    return value == "1"


def _unique_keys(items: Iterable[tuple[str, str]], tie: Callable[[str], str]) -> dict[str, str]:
    """Keys for ids from their wanted keys: where several ids want one key, each gets
    `tie(id)` added, whatever order they come in."""
    items = list(items)
    counts = Counter(wanted for _, wanted in items)
    return {id_: wanted if counts[wanted] == 1 else f"{wanted}-{tie(id_)}" for id_, wanted in items}


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.out = Collected()
        self.rows: dict[str, list[Row]] = {}

    def read(self, name: str) -> list[Row]:
        file, columns = FILES[name]
        try:
            self.rows[name] = list(read_csv(self.folder / file, columns))
        except CsvError as exc:
            self.out.errors.append(exc.error)
            self.rows[name] = []
        return self.rows[name]

    def guarded(self, rows: list[Row], make: Callable[[Row], None]) -> None:
        for row in rows:
            try:
                make(row)
            except BadInput as exc:
                self.out.errors.append(exc.error)

    def refer(self, row: Row, column: str, known: dict[str, Any], table: str) -> Any:
        """What a row's id column refers to; a BadInput naming the file it is missing from."""
        value = row[column].strip()
        if value not in known:
            raise BadInput(row, f"{column} {value!r} is not in {FILES[table][0]}")
        return known[value]


def read(folder: Path) -> Collected:
    """The records of a ParlGov folder, and the errors of its rows (file:line)."""
    r = _Reader(folder)
    for name in FILES:
        r.read(name)
    if r.out.errors and any(e.line in (None, 1) for e in r.out.errors):
        return r.out  # a file missing, or with other columns: its rows mean nothing yet
    add = r.out.add
    add("sources", SOURCE_RECORD, str(folder), None)
    sources = [SOURCE]

    codes: dict[str, dict[str, str]] = defaultdict(dict)
    for row in r.rows["code"]:
        codes[row["table_variable"]][row["id"].strip()] = row["short"].strip()

    country: dict[str, str] = {}

    def a_country(row: Row) -> None:
        code = (text(row, "code_iso2") or "").upper()
        if len(code) != 2 or not code.isalpha():
            raise BadInput(row, f"code_iso2: {row['code_iso2']!r} is not an ISO 3166-1 code")
        country[row["id"].strip()] = code

    r.guarded(r.rows["country"], a_country)

    # Parties: keys first (they depend on every party of a country), then records.
    wanted: list[tuple[str, str]] = []

    def party_key(row: Row) -> None:
        code = r.refer(row, "country", country, "country")
        short = text(row, "name_short") or text(row, "name_english") or row["id"]
        wanted.append((row["id"].strip(), f"{code.lower()}-{slug(short) or 'party'}"))

    r.guarded(r.rows["party"], party_key)
    party = _unique_keys(wanted, tie=lambda id_: id_)
    family = codes["party_family"]
    blocs = {
        row["party"].strip()
        for row in r.rows["family"]
        if family.get(row["family"].strip()) == ALLIANCE_FAMILY
    }

    results = {row["id"].strip(): row for row in r.rows["result"]}
    members: dict[str, set[str]] = defaultdict(set)
    for row in r.rows["result"]:
        head = results.get(row["alliance"].strip())
        if head is not None and head["party"].strip() in blocs and row["party"].strip() in party:
            members[head["party"].strip()].add(party[row["party"].strip()])

    def a_party(row: Row) -> None:
        id_ = row["id"].strip()
        if id_ not in party:
            return  # its country was reported
        name = text(row, "name_english") or text(row, "name") or party[id_]
        others = []
        for column in ("name", "name_ascii", "name_nonlatin"):
            value = text(row, column)
            if value and value != name and value not in others:
                others.append(value)
        add(
            "organizations",
            {
                "key": party[id_],
                "name": name,
                "short_name": text(row, "name_short"),
                "kind": "bloc" if id_ in blocs else "party",
                "country": country[row["country"].strip()],
                "members": sorted(members.get(id_, ())),
                "also_known_as": others or None,
                "external_ids": {"parlgov": int(id_)},
                "sources": sources,
            },
            row.file,
            row.line,
        )

    r.guarded(r.rows["party"], a_party)

    def a_name(row: Row) -> None:
        owner = r.refer(row, "party", party, "party")
        since = _date(row, "date")
        if since is None:
            raise BadInput(row, "date: empty; a name change needs its date")
        add(
            "organization_names",
            {
                "key": f"{owner}/name/{since}",
                "organization": owner,
                "name": text(row, "name_english") or text(row, "name"),
                "short_name": text(row, "name_short"),
                "native_name": text(row, "name"),
                "since": since,
                "external_ids": {"parlgov": whole(row, "id")},
                "sources": sources,
            },
            row.file,
            row.line,
        )

    r.guarded(r.rows["name"], a_name)
    change_types = codes["party_change_type"]

    def a_link(row: Row) -> None:
        kind = row["type"].strip()
        if kind and kind not in change_types:
            raise BadInput(row, f"type {kind!r} is not a party change type in {FILES['code'][0]}")
        add(
            "organization_links",
            {
                "key": f"parlgov/party-change/{whole(row, 'id')}",
                "predecessor": r.refer(row, "party", party, "party"),
                "successor": r.refer(row, "party_new", party, "party"),
                "kind": LINK_KINDS.get(change_types.get(kind, ""), "unspecified"),
                "date": _date(row, "date"),
                "external_ids": {"parlgov": whole(row, "id")},
                "sources": sources,
            },
            row.file,
            row.line,
        )

    r.guarded(r.rows["change"], a_link)

    # Elections: `{country}-{body}-{year}`, the month added where a year has two.
    types = codes["election_type"]
    wanted = []

    def election_key(row: Row) -> None:
        code = r.refer(row, "country", country, "country")
        body = types.get(row["type"].strip())
        if body not in BODIES:
            raise BadInput(row, f"type {row['type']!r} is not an election type ParlGov codes")
        date = _date(row, "date")
        if date is None:
            raise BadInput(row, "date: empty; an election needs its date")
        wanted.append((row["id"].strip(), f"{code.lower()}-{BODIES[body][0]}-{date[:4]}"))

    r.guarded(r.rows["election"], election_key)
    dates = {row["id"].strip(): row["date"].strip() for row in r.rows["election"]}
    election = _unique_keys(wanted, tie=lambda id_: dates[id_][5:7])

    by_election: dict[str, list[Row]] = defaultdict(list)
    for row in r.rows["result"]:
        by_election[row["election"].strip()].append(row)

    def an_election(row: Row) -> None:
        id_ = row["id"].strip()
        if id_ not in election:
            return
        key = election[id_]
        add(
            "elections",
            {
                "key": key,
                "country": country[row["country"].strip()],
                "kind": "parliamentary",
                "office": BODIES[types[row["type"].strip()]][1],
                "date": _date(row, "date"),
                "early": _flag(row, "early"),
                "seats": whole(row, "seats_total", minimum=1),
                "external_ids": {"parlgov": int(id_)},
                "sources": sources,
            },
            row.file,
            row.line,
        )
        lines = []
        for result in by_election.get(id_, []):
            try:
                lines.append(a_result(result, key))
            except BadInput as exc:
                r.out.errors.append(exc.error)
        add(
            "tallies",
            {
                "key": f"{key}/parlgov",
                "election": key,
                "stage": "final",
                "preferred": True,
                "registered": whole(row, "electorate"),
                "cast": whole(row, "votes_cast"),
                "valid": whole(row, "votes_valid"),
                "lines": lines,
                "sources": sources,
            },
            row.file,
            row.line,
        )

    def a_result(row: Row, election_key: str) -> dict[str, Any]:
        owner = r.refer(row, "party", party, "party")
        alliance = None
        if row["alliance"].strip():
            head = r.refer(row, "alliance", results, "result")
            if head["election"].strip() != row["election"].strip():
                raise BadInput(row, f"alliance {row['alliance']!r} is a result of another election")
            alliance = f"{election_key}/{party[head['party'].strip()]}"
        candidacy = f"{election_key}/{owner}"
        r.out.add(
            "candidacies",
            {
                "key": candidacy,
                "election": election_key,
                "party": owner,
                "nomination": "bloc" if row["party"].strip() in blocs else "party",
                "alliance": alliance,
                "external_ids": {"parlgov": whole(row, "id")},
                "sources": sources,
            },
            row.file,
            row.line,
        )
        return {
            "candidacy": candidacy,
            "votes": whole(row, "votes"),
            "share": decimal(row, "vote_share"),
            "seats": whole(row, "seats"),
        }

    for row in r.rows["result"]:
        if row["election"].strip() not in dates:
            r.out.errors.append(
                row.error(f"election {row['election']!r} is not in {FILES['election'][0]}")
            )
    r.guarded(r.rows["election"], an_election)

    # Cabinets: `{country}-cabinet-{name}`, the start date added where two share a name.
    wanted = []
    for row in r.rows["cabinet"]:
        code = country.get(row["country"].strip())
        if code is not None:
            wanted.append((row["id"].strip(), f"{code.lower()}-cabinet-{slug(row['name'])}"))
    starts = {row["id"].strip(): row["start_date"].strip() for row in r.rows["cabinet"]}
    cabinet = _unique_keys(wanted, tie=lambda id_: starts[id_])
    cabinet_parties: dict[str, list[Row]] = defaultdict(list)
    for row in r.rows["cabinet_party"]:
        cabinet_parties[row["cabinet"].strip()].append(row)
    cabinet_ids = {row["id"].strip() for row in r.rows["cabinet"]}
    for row in r.rows["cabinet_party"]:
        if row["cabinet"].strip() not in cabinet_ids:
            r.out.errors.append(
                row.error(f"cabinet {row['cabinet']!r} is not in {FILES['cabinet'][0]}")
            )
    terminations = codes["cabinet_termination"]

    def a_cabinet(row: Row) -> None:
        code = r.refer(row, "country", country, "country")
        id_ = row["id"].strip()
        ended_why = row["termination"].strip()
        if ended_why and ended_why not in terminations:
            raise BadInput(row, f"termination {ended_why!r} is not a termination code")
        names = []
        prime_minister = None
        for member in cabinet_parties.get(id_, []):
            try:
                key = r.refer(member, "party", party, "party")
                names.append(key)
                if _flag(member, "pm"):
                    prime_minister = key
            except BadInput as exc:
                r.out.errors.append(exc.error)
        previous = row["previous_parliament_election"].strip()
        add(
            "cabinets",
            {
                "key": cabinet[id_],
                "country": code,
                "name": text(row, "name"),
                "started": _date(row, "start_date"),
                "ended": _date(row, "termination_date"),
                "caretaker": _flag(row, "caretaker"),
                "termination": terminations[ended_why].replace("-", "_") if ended_why else None,
                "previous_election": r.refer(row, "previous_parliament_election", election,
                                             "election") if previous else None,
                "parties": sorted(set(names)),
                "prime_minister_party": prime_minister,
                "external_ids": {"parlgov": int(id_)},
                "sources": sources,
            },
            row.file,
            row.line,
        )  # fmt: skip

    r.guarded(r.rows["cabinet"], a_cabinet)
    return r.out


def multiple_votes(folder: Path) -> set[str]:
    """Elections ParlGov marks (data_json `multiple_votes`) as giving each voter several votes."""
    file, columns = FILES["election"]
    marked = set()
    for row in read_csv(folder / file, columns):
        if row["data_json"].strip() and json.loads(row["data_json"]).get("multiple_votes"):
            marked.add(row["id"].strip())
    return marked
