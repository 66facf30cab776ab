"""Bulk export: elections, candidacies, tallies and their lines, endorsements, as CSV or JSONL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from tortoise.models import Model

import models
from models.figures import preferred_of, ranked, rounded, turnout
from models.winner import Decision, Line, decide

#: Rows read per query: the stream holds one batch at a time, whatever the table's size.
BATCH_SIZE = 1000

Row = dict[str, Any]
#: Fills a batch's computed columns in place, with a query or two for the whole batch.
Compute = Callable[[list[Row]], Awaitable[None]]


@dataclass(frozen=True)
class Export:
    """One export: its columns in order, where each comes from, and how to filter it."""

    name: str
    model: type[Model]
    # Output column -> the lookup Tortoise's values() reads it from (references by natural key).
    stored: dict[str, str]
    # The columns written, in this order: stored ones, those `compute` fills, `sources`.
    columns: tuple[str, ...]
    # The lookups the filters use: the row's own updated_at (a line's: its tally's) and the
    # code of the country the election was held in.
    updated_at: str
    country: str
    # The many-to-many relation whose keys fill the `sources` column, if any.
    sources: str | None = "sources"
    compute: Compute | None = None


@dataclass(frozen=True)
class Filters:
    """The query parameters: rows updated at or after a moment, rows of one country."""

    updated_since: dt.datetime | None = None
    country: str | None = None


@dataclass(frozen=True)
class Format:
    media_type: str
    header: Callable[[Export], str]
    rows: Callable[[Export, list[Row]], str]


class ExportError(Exception):
    """A request the export cannot answer: the message says what was wrong, `status` how."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- Computed columns ------------------------------------------------------------------------


@dataclass
class Result:
    """An election's preferred tally (what the API calls its result) and its ranked lines."""

    tally: models.Tally
    lines: list[models.TallyLine]
    # candidacy id -> key, for the lines
    keys: dict[int, str]
    # who won by the election's rules (models/winner.py), as `winner` and `won` say
    decision: Decision[int]


async def results(election_ids: Iterable[int]) -> dict[int, Result]:
    """The results of these elections, as `Election.result` gives them: three queries in
    all."""
    ids = sorted(set(election_ids))
    kinds = dict(await models.Election.filter(id__in=ids).values_list("id", "kind"))
    tallies: dict[int, list[models.Tally]] = defaultdict(list)
    for tally in await models.Tally.filter(election_id__in=ids, preferred=True):
        tallies[tally.election_id].append(tally)
    chosen = {eid: t for eid, rows in tallies.items() if (t := preferred_of(rows)) is not None}
    lines: dict[int, list[models.TallyLine]] = defaultdict(list)
    tally_ids = [t.pk for t in chosen.values()]
    for line in await models.TallyLine.filter(tally_id__in=tally_ids).prefetch_related("candidacy"):
        lines[line.tally_id].append(line)
    found = {}
    for eid, tally in chosen.items():
        mine = lines[tally.pk]
        keys = {line.candidacy_id: line.candidacy.key for line in mine}
        decision = decide(
            str(getattr(kinds[eid], "value", kinds[eid])),
            (Line(line.candidacy_id, line.votes, line.share, line.seats) for line in mine),
            {line.candidacy_id: line.candidacy.alliance_id for line in mine},
        )
        found[eid] = Result(tally, ranked(mine), keys, decision)
    return found


async def election_results(rows: list[Row]) -> None:
    """result, turnout, winner and margin: the API's Election fields of the same names."""
    found = await results(row["id"] for row in rows)
    for row in rows:
        result = found.get(row["id"])
        row["result"] = result.tally.key if result else None
        row["turnout"] = turnout(result.tally) if result else None
        winner = result.decision.winner if result else None
        row["winner"] = result.keys[winner] if result and winner is not None else None
        margin = result.decision.margin() if result else None
        row["margin"] = None if margin is None else rounded(margin)


async def candidacy_results(rows: list[Row]) -> None:
    """votes, share and won in the election's result: the API's Candidacy fields."""
    found = await results(row["election_id"] for row in rows)
    for row in rows:
        result = found.get(row["election_id"])
        lines = result.lines if result else []
        line = next((line for line in lines if line.candidacy_id == row["id"]), None)
        row["name"] = row["person_name"] if row["person_name"] is not None else row["party_name"]
        row["votes"] = line.votes if line else None
        row["share"] = line.share if line else None
        row["won"] = result.decision.won(row["id"], row["alliance_id"]) if result else None


async def tally_turnout(rows: list[Row]) -> None:
    """turnout and turnout_computed: the API's Tally fields (cast over registered, else as
    reported)."""
    for row in rows:
        tally = models.Tally(
            cast=row["cast"], registered=row["registered"], turnout_reported=row["turnout_reported"]
        )
        value = turnout(tally)
        row["turnout"] = value
        row["turnout_computed"] = None if value is None else row["turnout_reported"] is None


# --- The tables ------------------------------------------------------------------------------


TABLES: dict[str, Export] = {
    t.name: t
    for t in (
        Export(
            "elections",
            models.Election,
            stored={
                "id": "id",
                "key": "key",
                "country": "country__code",
                "kind": "kind",
                "office": "office",
                "date": "date",
                "early": "early",
                "originally_due": "originally_due",
                "called_on": "called_on",
                "called_by_person": "called_by_person__key",
                "called_by_organization": "called_by_organization__key",
                "reason": "reason",
                "term_years": "term_years",
                "seats": "seats",
                "summary": "summary",
                "updated_at": "updated_at",
            },
            columns=(
                "key",
                "country",
                "kind",
                "office",
                "date",
                "early",
                "originally_due",
                "called_on",
                "called_by_person",
                "called_by_organization",
                "reason",
                "term_years",
                "seats",
                "result",
                "turnout",
                "winner",
                "margin",
                "summary",
                "sources",
                "updated_at",
            ),
            updated_at="updated_at",
            country="country__code",
            compute=election_results,
        ),
        Export(
            "candidacies",
            models.Candidacy,
            stored={
                "id": "id",
                "election_id": "election_id",
                "alliance_id": "alliance_id",
                "key": "key",
                "election": "election__key",
                "person": "person__key",
                "party": "party__key",
                "person_name": "person__name",
                "party_name": "party__name",
                "nomination": "nomination",
                "incumbent": "incumbent",
                "role": "role",
                "status": "status",
                "updated_at": "updated_at",
            },
            columns=(
                "key",
                "election",
                "person",
                "party",
                "name",
                "nomination",
                "incumbent",
                "role",
                "status",
                "votes",
                "share",
                "won",
                "sources",
                "updated_at",
            ),
            updated_at="updated_at",
            country="election__country__code",
            compute=candidacy_results,
        ),
        Export(
            "tallies",
            models.Tally,
            stored={
                "id": "id",
                "key": "key",
                "election": "election__key",
                "round": "round",
                "stage": "stage",
                "as_of": "as_of",
                "preferred": "preferred",
                "counted_share": "counted_share",
                "stations_reported": "stations_reported",
                "stations_total": "stations_total",
                "registered": "registered",
                "cast": "cast",
                "valid": "valid",
                "invalid": "invalid",
                "against_all": "against_all",
                "turnout_reported": "turnout_reported",
                "summary": "summary",
                "updated_at": "updated_at",
            },
            columns=(
                "key",
                "election",
                "round",
                "stage",
                "as_of",
                "preferred",
                "counted_share",
                "stations_reported",
                "stations_total",
                "registered",
                "cast",
                "valid",
                "invalid",
                "against_all",
                "turnout_reported",
                "turnout",
                "turnout_computed",
                "summary",
                "sources",
                "updated_at",
            ),
            updated_at="updated_at",
            country="election__country__code",
            compute=tally_turnout,
        ),
        Export(
            "tally-lines",
            models.TallyLine,
            stored={
                "id": "id",
                "tally": "tally__key",
                "election": "tally__election__key",
                "candidacy": "candidacy__key",
                "person": "candidacy__person__key",
                "party": "candidacy__party__key",
                "votes": "votes",
                "share": "share",
                "seats": "seats",
                # Lines have no timestamps of their own: the loader marks a tally updated
                # when any of its lines is added, changed or removed.
                "updated_at": "tally__updated_at",
            },
            columns=(
                "tally",
                "election",
                "candidacy",
                "person",
                "party",
                "votes",
                "share",
                "seats",
                "updated_at",
            ),
            updated_at="tally__updated_at",
            country="tally__election__country__code",
            sources=None,
        ),
        Export(
            "endorsements",
            models.Endorsement,
            stored={
                "id": "id",
                "key": "key",
                "election": "candidacy__election__key",
                "candidacy": "candidacy__key",
                "candidate": "candidacy__person__key",
                "kind": "kind",
                "endorser_person": "endorser_person__key",
                "endorser_organization": "endorser_organization__key",
                "country": "country__code",
                "date": "date",
                "channel": "channel",
                "summary": "summary",
                "updated_at": "updated_at",
            },
            columns=(
                "key",
                "election",
                "candidacy",
                "candidate",
                "kind",
                "endorser_person",
                "endorser_organization",
                "country",
                "date",
                "channel",
                "summary",
                "sources",
                "updated_at",
            ),
            updated_at="updated_at",
            country="candidacy__election__country__code",
        ),
    )
}


# --- Reading ---------------------------------------------------------------------------------


async def source_keys(table: Export, ids: list[int]) -> dict[int, list[str]]:
    """The keys of each row's sources, sorted: one query for the batch."""
    found: dict[int, list[str]] = defaultdict(list)
    if table.sources is None:
        return found
    rows = await table.model.filter(id__in=ids).values_list("id", f"{table.sources}__key")
    for id_, key in rows:
        if key is not None:
            found[id_].append(key)
    for keys in found.values():
        keys.sort()
    return found


async def batches(
    table: Export, filters: Filters, batch_size: int = BATCH_SIZE
) -> AsyncIterator[list[Row]]:
    """The table's rows in id order, `batch_size` per query, each a dict of `table.columns`.

    Keyset pagination (`id > last id`), so every query costs the same however deep into the
    table it is, and only one batch is held in memory at a time.
    """
    query = table.model.all()
    if filters.updated_since is not None:
        query = query.filter(**{f"{table.updated_at}__gte": filters.updated_since})
    if filters.country is not None:
        query = query.filter(**{table.country: filters.country})
    last = 0
    while True:
        page = query.filter(id__gt=last).order_by("id").limit(batch_size)
        rows: list[Row] = await page.values(**table.stored)
        if not rows:
            return
        if table.compute is not None:
            await table.compute(rows)
        if table.sources is not None:
            sources = await source_keys(table, [row["id"] for row in rows])
            for row in rows:
                row["sources"] = sources.get(row["id"], [])
        yield [{column: plain(row[column]) for column in table.columns} for row in rows]
        if len(rows) < batch_size:
            return
        last = rows[-1]["id"]


def plain(value: Any) -> Any:
    """A value as JSON has it: enums as their value, dates and times in ISO 8601 (UTC)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- Formats ---------------------------------------------------------------------------------


#: What a spreadsheet reads as the start of a formula (or, for a tab and a carriage return,
#: as a way to start one in another cell): OWASP's list for CSV injection.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A CSV cell: empty for null, true/false, lists of keys separated by spaces; text that
    a spreadsheet would take for a formula starts with a single quote, which spreadsheets
    show as text and do not run (numbers are written as they are: they run nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = " ".join(value) if isinstance(value, list) else str(value)  # keys have no spaces
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    # The csv module quotes what needs it (commas, quotes, line breaks in summaries).
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def jsonl_text(table: Export, rows: list[Row]) -> str:
    return "".join(
        json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows
    )


FORMATS: dict[str, Format] = {
    "csv": Format(
        "text/csv; charset=utf-8",
        header=lambda table: csv_text([table.columns]),
        rows=lambda table, rows: csv_text([row[c] for c in table.columns] for row in rows),
    ),
    "jsonl": Format("application/x-ndjson", header=lambda table: "", rows=jsonl_text),
}


async def stream(
    table: Export, format_: Format, filters: Filters, batch_size: int = BATCH_SIZE
) -> AsyncIterator[str]:
    """The export's text, a chunk per batch (the CSV header first)."""
    header = format_.header(table)
    if header:
        yield header
    async for rows in batches(table, filters, batch_size):
        yield format_.rows(table, rows)


# --- The endpoint ----------------------------------------------------------------------------

PARAMETERS = ("updated_since", "country")
COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


def available() -> str:
    names = ", ".join(TABLES)
    formats = " or ".join(f".{name}" for name in FORMATS)
    return f"Exports: {names}, each as {formats} (e.g. /export/elections.csv)."


def resolve(filename: str) -> tuple[Export, Format]:
    """The table and format a file name asks for, e.g. `tally-lines.jsonl`."""
    name, _, suffix = filename.rpartition(".")
    if name not in TABLES or suffix not in FORMATS:
        raise ExportError(404, f"There is no export {filename!r}. {available()}")
    return TABLES[name], FORMATS[suffix]


def parse_updated_since(value: str) -> dt.datetime:
    """An ISO 8601 date-time (a date alone means its midnight), UTC when no offset is given."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            # An unescaped "+" in a query string arrives as a space: "…T10:00:00 04:00".
            moment = dt.datetime.fromisoformat(value.replace(" ", "+"))
        except ValueError:
            raise ExportError(
                400,
                f"updated_since must be an ISO 8601 date-time such as 2024-02-07T00:00:00Z "
                f"or 2024-02-07T04:00:00+04:00, got {value!r}.",
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


async def parse_filters(request: Request) -> Filters:
    params = request.query_params
    for name in params:
        if name not in PARAMETERS:
            raise ExportError(
                400,
                f"Unknown query parameter {name!r}; the export takes {' and '.join(PARAMETERS)}.",
            )
        if len(params.getlist(name)) > 1:
            raise ExportError(400, f"The query parameter {name!r} is given more than once.")
    since = params.get("updated_since")
    country = params.get("country")
    if country is not None:
        if not COUNTRY_CODE.fullmatch(country):
            raise ExportError(
                400, f"country must be an ISO 3166-1 alpha-2 code such as AZ, got {country!r}."
            )
        country = country.upper()
        if not await models.Country.filter(code=country).exists():
            raise ExportError(400, f"country: no country has the code {country!r}.")
    return Filters(None if since is None else parse_updated_since(since), country)


async def endpoint(request: Request) -> Response:
    """GET /export/{table}.{format}: the table streamed as a download."""
    filename = request.path_params["filename"]
    try:
        table, format_ = resolve(filename)
        filters = await parse_filters(request)
    except ExportError as error:
        return JSONResponse({"error": error.message}, status_code=error.status)
    return StreamingResponse(
        # BATCH_SIZE is read here, per request, so that tests can lower it.
        stream(table, format_, filters, BATCH_SIZE),
        media_type=format_.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
