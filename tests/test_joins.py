"""Joins: the foreign keys a document follows from each model's rows (schema/joins.py), and
the rows read with them (schema/rows.py, schema/context.py)."""

from __future__ import annotations

from typing import Any

from graphql import parse
from strawberry.types import ExecutionResult
from tortoise.context import TortoiseContext

import models
from bench.operations import COUNTRY_HISTORY, ELECTION_PAGE
from bench.statements import captured
from schema import build_schema, schema
from schema.context import Context, Rows
from schema.joins import Join, Joins, joins_of, merged
from service import compat
from service.settings import Settings

GRAPH = compat.graphql_schema(schema)
#: What a candidacy's party and person are read with.
CANDIDACY = (Join("party_id", models.Organization), Join("person_id", models.Person))


def test_the_election_page_follows_the_keys_of_its_election_candidacies_and_endorsements() -> None:
    assert joins_of(GRAPH, parse(ELECTION_PAGE)) == {
        models.Election: (Join("country_id", models.Country),),
        models.Candidacy: CANDIDACY,
        models.Endorsement: (
            Join("country_id", models.Country),
            Join("endorser_organization_id", models.Organization),
            Join("endorser_person_id", models.Person),
        ),
    }


def test_fragments_and_skipped_fields_are_followed_and_lines_are_not() -> None:
    document = parse(
        """
        query ($id: ID!, $no: Boolean!) {
          node(id: $id) { ...Seen }
          election(key: "x") {
            tallies { nodes { lines { candidacy { key } } } }
            candidacies { nodes { person @skip(if: $no) { key } } }
          }
        }
        fragment Seen on Candidacy { party { key } }
        """
    )
    # A tally line is no model's node (its rows come with its tally): nothing joins to it.
    assert joins_of(GRAPH, document) == {models.Candidacy: CANDIDACY}


def test_a_candidacys_name_reads_its_person_and_party_with_it() -> None:
    # The name is the person's, or the list's for a party list: no key is followed in the
    # document, yet both rows are read (schema.node.reads).
    document = parse('{ election(key: "x") { candidacies { nodes { key name } } } }')
    assert joins_of(GRAPH, document) == {models.Candidacy: CANDIDACY}
    assert joins_of(GRAPH, parse(COUNTRY_HISTORY)) == {models.Candidacy: CANDIDACY}


def test_a_document_that_follows_no_key_joins_nothing() -> None:
    document = parse('{ election(key: "x") { key turnout } countries { nodes { code } } }')
    assert joins_of(GRAPH, document) == {}


def test_the_joins_of_two_operations_are_merged() -> None:
    party, person = CANDIDACY
    country = Join("country_id", models.Country)
    first: Joins = {models.Candidacy: (person,)}
    second: Joins = {models.Candidacy: (party, person), models.Election: (country,)}
    assert merged({}, second) is second
    assert merged(first, first) is first
    assert merged(first, second) == {
        models.Candidacy: (party, person),
        models.Election: (country,),
    }


async def test_rows_read_with_their_joins_are_those_read_alone(world: TortoiseContext) -> None:
    election = await models.Election.get(key="az-president-2024")
    alone, joined = Rows(), Rows()
    joined.joins = {models.Candidacy: CANDIDACY}
    with captured() as sql:
        rows = await joined.where_in(models.Candidacy, "election_id", [election.pk], True)
    assert len(sql) == 1 and sql[0][0].count("LEFT JOIN") == 2
    assert rows == await alone.where_in(models.Candidacy, "election_id", [election.pk], True)
    assert len(rows) == 7 and rows[0].key == "az-president-2024/ilham-aliyev"
    people = {row.person_id for row in rows if row.person_id is not None}
    parties = {row.party_id for row in rows if row.party_id is not None}
    assert len(people) == 7 and parties  # some candidates were nominated by a party
    with captured() as sql:
        read_people = await joined.read(models.Person, people)
        read_parties = await joined.read(models.Organization, parties)
    assert sql == []  # every one was read with the candidacies
    assert {p.key for p in read_people.values()} == {
        p.key for p in (await alone.read(models.Person, people)).values()
    }
    assert "ilham-aliyev" in {p.key for p in read_people.values()}
    assert read_parties.keys() == (await alone.read(models.Organization, parties)).keys()


async def test_a_known_query_reads_the_election_page_in_ten_statements(
    world: TortoiseContext,
) -> None:
    _first, known, new, sql = await first_and_known(ELECTION_PAGE, {"key": "az-president-2024"})
    assert known.data is not None and known.data["election"]["country"] == {
        "code": "AZ",
        "name": "Azerbaijan",
    }
    assert (len(new), len(sql)) == (16, 10), [t for t, _ in sql]
    assert sum("LEFT JOIN" in text for text, _ in sql) == 3  # election, candidacies, endorsements
    assert not any(' FROM "person"' in text.split("LEFT JOIN")[0] for text, _ in sql)


async def test_a_root_list_reads_its_rows_with_their_joins_into_the_request(
    world: TortoiseContext,
) -> None:
    fresh = build_schema(Settings())
    query = "{ elections(first: 3) { nodes { key country { code name } } } }"
    with captured() as new:
        first = await fresh.execute(query, context_value=Context())
    with captured() as sql:
        known = await fresh.execute(query, context_value=Context())
    assert known.errors is None and known.data == first.data
    assert known.data is not None and known.data["elections"]["nodes"][0] == {
        "key": "az-president-1992",
        "country": {"code": "AZ", "name": "Azerbaijan"},
    }
    # The page's ids, its elections, then their countries: two statements once it is known,
    # the countries joined to the elections.
    assert (len(new), len(sql)) == (3, 2), [t for t, _ in sql]
    assert ' FROM "election" t LEFT JOIN' in sql[1][0] and sql[1][0].count("LEFT JOIN") == 1


async def test_a_known_query_reads_a_countrys_history_without_a_statement_for_names(
    world: TortoiseContext,
) -> None:
    _first, known, new, sql = await first_and_known(COUNTRY_HISTORY, {"code": "AZ"})
    assert known.data is not None
    elections = known.data["country"]["elections"]["nodes"]
    latest = next(e for e in elections if e["key"] == "az-president-2024")
    assert latest["winner"] == {"key": "az-president-2024/ilham-aliyev", "name": "Ilham Aliyev"}
    # The country, its elections, their tallies, their candidacies with each one's person and
    # party joined, and the lines of the preferred tallies and of the others: no statement
    # of its own for the people and parties the names come from.
    assert len(sql) == 6, [t for t, _ in sql]
    assert len(new) == 7, [t for t, _ in new]  # its first run, the ordinary way: no joins
    candidacies = [t for t, _ in sql if ' FROM "candidacy" t' in t]
    assert len(candidacies) == 1 and candidacies[0].count("LEFT JOIN") == 2
    alone = [t for t, _ in sql if "JOIN" not in t]
    assert not any(' FROM "person" ' in t or ' FROM "organization" ' in t for t in alone)


async def first_and_known(
    query: str, variables: dict[str, Any]
) -> tuple[ExecutionResult, ExecutionResult, list[Any], list[Any]]:
    """A query run twice on a schema that has not seen it: its first (ordinary) and known
    results, and the statements each sent."""
    fresh = build_schema(Settings())
    with captured() as new:
        first = await fresh.execute(query, variable_values=variables, context_value=Context())
    with captured() as sql:
        known = await fresh.execute(query, variable_values=variables, context_value=Context())
    assert known.errors is None and known.data == first.data
    return first, known, new, sql
