"""ParlGov imported as published: facts from its files, keys, alliances, idempotence, bad
input refused whole, and a corrected figure updated alone with its audit entry."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import models
from curation import changes
from loader import LoadError, datasets, parlgov, write
from tests.support.data_sets import DATA
from tests.support.databases import snapshot
from tests.support.running import run
from tests.support.world import WORLD

RESULTS = "32__elections__ElectionResult.csv"
PARTIES = "21__parties__Party.csv"


async def test_a_uk_election_has_its_seats_votes_and_turnout(data_sets: TortoiseContext) -> None:
    tally = await models.Tally.get(key="gb-parliament-2017/parlgov").prefetch_related("sources")
    assert (tally.registered, tally.cast, tally.valid) == (46843896, 32294928, 32204124)
    assert [s.key for s in tally.sources] == ["parlgov"]
    lines = (
        await models.TallyLine.filter(tally=tally, seats__gte=30)
        .order_by("-seats")
        .values_list("candidacy__party__key", "seats", "votes", "share")
    )
    assert lines == [
        ("gb-con", 318, 13669883, 42.45),
        ("gb-lab", 262, 12878460, 39.99),
        ("gb-snp", 35, 977569, 3.0),
    ]
    election = await models.Election.get(key="gb-parliament-2017")
    assert (election.seats, election.external_ids, str(election.date)) == (
        650,
        {"parlgov": 1013},
        "2017-06-08",
    )
    source = await models.Source.get(key="parlgov")
    assert (source.licence, source.url) == ("CC0 1.0", "https://www.parlgov.org/")


LABOUR = """{
  organization(key: "gb-lab") {
    name
    externalIds { parlgov }
    sources { key publisher title version licence url }
  }
}"""


async def test_a_party_cites_parlgov_as_its_source(data_sets: TortoiseContext) -> None:
    assert await run(LABOUR) == {
        "organization": {
            "name": "Labour",
            "externalIds": {"parlgov": 1556},
            "sources": [
                {
                    "key": "parlgov",
                    "publisher": "Holger Döring and Philip Manow, ParlGov (SOCIUM, University of"
                    " Bremen)",
                    "title": "Parliaments and governments database (ParlGov): Information on"
                    " parties, elections and cabinets in established democracies. Development"
                    " version",
                    "version": "hdigital/parlgov-web commit"
                    " edd6f2d148057b5582a50d4e5e09ccb751423bc0 (2026-08-17),"
                    " scripts/migrate_parlgov-db/import-data-legacy",
                    "licence": "CC0 1.0",
                    "url": "https://www.parlgov.org/",
                }
            ],
        }
    }


async def test_two_elections_of_one_year_have_the_month_in_their_keys(
    data_sets: TortoiseContext,
) -> None:
    keys: list[Any] = await models.Election.filter(
        key__startswith="gb-parliament-1974"
    ).values_list("key", flat=True)
    assert sorted(keys) == ["gb-parliament-1974-02", "gb-parliament-1974-10"]
    assert await models.Election.filter(key="de-ep-2019").exists()
    # The curated keys are still there.
    assert (
        await models.Election.filter(key__in=["az-president-2024", "ge-parliament-2024"]).count()
        == 2
    )


async def test_alliance_seats_add_up_once(data_sets: TortoiseContext) -> None:
    # UK 1955: ParlGov codes the seats of the Conservatives and National Liberals alliance on
    # its two member parties; the alliance's own line has none, so its seats are theirs.
    alliance = await models.Candidacy.get(key="gb-parliament-1955/gb-cnl").prefetch_related("party")
    assert alliance.party is not None
    assert alliance.party.kind == models.OrganizationKind.BLOC
    members: list[Any] = (
        await models.Candidacy.filter(alliance=alliance)
        .order_by("key")
        .values_list("key", flat=True)
    )
    assert members == ["gb-parliament-1955/gb-con", "gb-parliament-1955/gb-nlp"]
    seats = dict(
        await models.TallyLine.filter(tally__key="gb-parliament-1955/parlgov").values_list(
            "candidacy__key", "seats"
        )
    )
    bloc = [seats["gb-parliament-1955/gb-cnl"], *(seats[m] for m in members)]
    assert bloc == [None, 324, 21]
    assert sum(s or 0 for s in bloc) == 345
    bloc_members = await (await models.Organization.get(key="gb-cnl")).members.all()
    assert {m.key for m in bloc_members} >= {"gb-con", "gb-nlp"}


async def test_importing_twice_changes_nothing(data_sets: TortoiseContext) -> None:
    before = await snapshot()
    report = await write(await datasets.bundled_batch(WORLD, DATA))
    assert report.changed == 0
    assert await snapshot() == before


def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "parlgov"
    shutil.copytree(DATA.parlgov, folder)
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def refused(folder: Path) -> list[str]:
    """The errors of an import of `folder`, which must be refused (the load never begins)."""
    found = parlgov.read(folder)
    with pytest.raises(LoadError) as caught:
        await changes.load_batch(await datasets.import_batch(found), "(test)")
    return [str(e) for e in caught.value.errors]


async def nothing_written() -> bool:
    """Whether every table of the database, link tables too, is still empty."""
    return all(rows == [] for rows in (await snapshot()).values())


async def test_a_renamed_column_is_refused_naming_it(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    folder = copy(tmp_path)
    replace(folder / RESULTS, "id,election,party,party_id_source,alliance,seats,vote_share,votes",
            "id,election,party,party_id_source,alliance,mandates,vote_share,votes")  # fmt: skip
    assert await refused(folder) == [
        f"{folder / RESULTS}:1: missing column 'seats'; unknown column 'mandates': the columns"
        " are not the published ones"
    ]
    assert await models.Election.all().count() == 0


async def test_bad_rows_are_named_by_file_and_line(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    folder = copy(tmp_path)
    # Line 2 refers to a party that is not in the party file; line 3 has a malformed number.
    replace(
        folder / RESULTS,
        "1,34,1393,Fine Gael,,4,24.27,276095",
        "1,34,999999,Fine Gael,,4,24.27,276095",
    )
    replace(
        folder / RESULTS, "2,140,281,PCTP/MRPP,,0,1.11,36294", "2,140,281,PCTP/MRPP,,0,1.11,36x294"
    )
    assert await refused(folder) == [
        f"{folder / RESULTS}:2: party '999999' is not in 21__parties__Party.csv",
        f"{folder / RESULTS}:3: votes: '36x294' is not a whole number of at least 0",
    ]
    assert await models.Organization.all().count() == 0


async def test_a_party_of_an_unknown_country_is_named_by_file_and_line(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    folder = copy(tmp_path)
    # Cyprus's Turkish party (line 916), which no other row refers to, moved to a country
    # the country file lacks: its own line is the one error.
    replace(folder / PARTIES, "1655,51,12,Turkish,", "1655,99,12,Turkish,")
    assert await refused(folder) == [
        f"{folder / PARTIES}:916: country '99' is not in 02__datacore__Country.csv"
    ]
    assert await nothing_written()


async def test_a_result_of_an_unknown_election_is_named_by_file_and_line(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    folder = copy(tmp_path)
    # Line 2, Fine Gael's result, moved to an election the election file lacks.
    replace(
        folder / RESULTS,
        "1,34,1393,Fine Gael,,4,24.27,276095",
        "1,999999,1393,Fine Gael,,4,24.27,276095",
    )
    assert await refused(folder) == [
        f"{folder / RESULTS}:2: election '999999' is not in 31__elections__Election.csv"
    ]
    assert await nothing_written()


async def test_a_corrected_figure_is_updated_alone_and_audited(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    folder = copy(tmp_path)
    await changes.load_batch(await datasets.import_batch(parlgov.read(folder)), "(test)")
    before = await snapshot(timestamps=False)
    replace(
        folder / RESULTS,
        "1,34,1393,Fine Gael,,4,24.27,276095",
        "1,34,1393,Fine Gael,,4,24.27,276096",
    )
    report = await changes.load_batch(await datasets.import_batch(parlgov.read(folder)), "(test)")
    assert report.changed == 1
    after = await snapshot(timestamps=False)
    changed = [
        (table, b, a)
        for table in before
        if table != "audit_entry"
        for b, a in zip(before[table], after[table], strict=True)
        if b != a
    ]
    assert [(t, b["votes"], a["votes"]) for t, b, a in changed] == [("tally_line", 276095, 276096)]
    entry = await models.AuditEntry.all().order_by("-id").first()
    assert entry is not None
    [(owner, fields)] = entry.changes["changed"]["tallies"].items()
    assert owner.endswith("/parlgov")
    [(name, values)] = fields.items()
    assert name.endswith(".votes")
    assert values == {"before": 276095, "after": 276096}
