"""Endorsement: congratulations on the 2024 result, by country and channel, with sources."""

from __future__ import annotations

import base64

from tortoise.context import TortoiseContext

from tests.support.running import nodes, run

FIELDS = """key kind date reportedOn channel summary country { code name }
    endorserPerson { key name } endorserOrganization { key name }
    candidacy { key } sources { key }"""


async def test_2024_congratulations_by_country_and_channel(world: TortoiseContext) -> None:
    data = await run(
        """{ election(key: "az-president-2024") { endorsements { nodes {
            key country { code } channel endorserPerson { name } endorserOrganization { key }
        } } } }"""
    )
    rows = [
        (
            e["key"].split("/")[1],
            e["country"] and e["country"]["code"],
            e["channel"],
            e["endorserPerson"] and e["endorserPerson"]["name"],
            e["endorserOrganization"] and e["endorserOrganization"]["key"],
        )
        for e in nodes(data["election"]["endorsements"])
    ]
    assert rows == [
        ("congratulation-belarus", "BY", "CALL", "Alexander Lukashenko", None),
        ("congratulation-china", "CN", None, None, None),
        ("congratulation-cuba", "CU", "POST", "Miguel Díaz-Canel", None),
        (
            "congratulation-european-commission",
            None,  # speaks for no country
            "LETTER",
            "Ursula von der Leyen",
            "european-commission",
        ),
        ("congratulation-hungary", "HU", None, None, None),
        ("congratulation-iran", "IR", None, None, None),
        ("congratulation-kazakhstan", "KZ", None, None, None),
        ("congratulation-russia", "RU", "CALL", "Vladimir Putin", None),
        ("congratulation-turkey", "TR", "CALL", "Recep Tayyip Erdoğan", None),
        ("congratulation-turkey-mfa", "TR", "STATEMENT", None, "turkey-ministry-foreign-affairs"),
        ("congratulation-uzbekistan", "UZ", "CALL", "Shavkat Mirziyoyev", None),
        ("congratulation-venezuela", "VE", "LETTER", "Nicolás Maduro", None),
    ]


async def test_the_seed_articles_six_countries_all_congratulated(world: TortoiseContext) -> None:
    # Russia, Turkey, Kazakhstan, Hungary, Venezuela and Belarus, as the seed article says,
    # each backed by the article and by another source.
    data = await run(
        """{ election(key: "az-president-2024") { endorsements { nodes {
            country { code } sources { key } } } } }"""
    )
    by_country: dict[str, set[str]] = {}
    for e in nodes(data["election"]["endorsements"]):
        if e["country"]:
            by_country.setdefault(e["country"]["code"], set()).update(
                s["key"] for s in e["sources"]
            )
    for code in ("RU", "TR", "KZ", "HU", "VE", "BY"):
        assert "seed-article-2024-02" in by_country[code], code
        assert len(by_country[code]) >= 2, code
    assert sorted(by_country) == ["BY", "CN", "CU", "HU", "IR", "KZ", "RU", "TR", "UZ", "VE"]


async def test_european_commission_letter_whole(world: TortoiseContext) -> None:
    key = "az-president-2024/congratulation-european-commission"
    node_id = base64.b64encode(f"Endorsement:{key}".encode()).decode()
    data = await run(
        f"query ($id: ID!) {{ node(id: $id) {{ ... on Endorsement {{ {FIELDS} }} }} }}",
        {"id": node_id},
    )
    endorsement = data["node"]
    assert endorsement.pop("summary").startswith(
        "European Commission President von der Leyen congratulated Aliyev by letter"
    )
    assert endorsement == {
        "key": key,
        "kind": "CONGRATULATION",
        "date": None,  # not known: 5 March 2024 is only when the letter was reported
        "reportedOn": "2024-03-05",
        "channel": "LETTER",
        "country": None,
        "endorserPerson": {"key": "ursula-von-der-leyen", "name": "Ursula von der Leyen"},
        "endorserOrganization": {"key": "european-commission", "name": "European Commission"},
        "candidacy": {"key": "az-president-2024/ilham-aliyev"},
        "sources": [{"key": "shamshyan-1257104"}],
    }


async def test_reported_on_is_the_earliest_published_date_among_sources(
    world: TortoiseContext,
) -> None:
    data = await run(
        """{ election(key: "az-president-2024") { endorsements { nodes {
            key date reportedOn sources { key published } } } } }"""
    )
    endorsements = {e["key"].split("/")[1]: e for e in nodes(data["election"]["endorsements"])}
    # Erdoğan's call: Hürriyet published it on 8 February 2024; its other three sources
    # carry no date, so they do not count. The call itself stays undated.
    turkey = endorsements["congratulation-turkey"]
    assert turkey["sources"] == [
        {"key": "hurriyet-190507", "published": "2024-02-08"},
        {"key": "meydan-tv-2024-election", "published": None},
        {"key": "nsn-fm-putin-aliyev", "published": None},
        {"key": "seed-article-2024-02", "published": None},
    ]
    assert (turkey["date"], turkey["reportedOn"]) == (None, "2024-02-08")
    # Every other: null where no source has a publication date.
    assert {key: e["reportedOn"] for key, e in endorsements.items()} == {
        "congratulation-belarus": None,
        "congratulation-china": None,
        "congratulation-cuba": None,
        "congratulation-european-commission": "2024-03-05",
        "congratulation-hungary": None,
        "congratulation-iran": None,
        "congratulation-kazakhstan": None,
        "congratulation-russia": None,
        "congratulation-turkey": "2024-02-08",
        "congratulation-turkey-mfa": "2024-02-08",
        "congratulation-uzbekistan": None,
        "congratulation-venezuela": None,
    }
    assert endorsements["congratulation-china"]["sources"] == [
        {"key": "nsn-fm-putin-aliyev", "published": None}
    ]


async def test_putins_call_whole(world: TortoiseContext) -> None:
    data = await run(
        f'{{ person(key: "vladimir-putin") {{ endorsementsGiven {{ nodes {{ {FIELDS} }} }} }} }}'
    )
    assert nodes(data["person"]["endorsementsGiven"]) == [
        {
            "key": "az-president-2024/congratulation-russia",
            "kind": "CONGRATULATION",
            "date": None,
            "reportedOn": None,  # none of its sources gives a publication date
            "channel": "CALL",
            "summary": "Putin telephoned Aliyev to congratulate him on winning the snap vote.",
            "country": {"code": "RU", "name": "Russia"},
            "endorserPerson": {"key": "vladimir-putin", "name": "Vladimir Putin"},
            "endorserOrganization": None,
            "candidacy": {"key": "az-president-2024/ilham-aliyev"},
            "sources": [
                {"key": "nsn-fm-putin-aliyev"},
                {"key": "seed-article-2024-02"},
                {"key": "uic-am-18288"},
            ],
        }
    ]


async def test_endorsements_given_and_received(world: TortoiseContext) -> None:
    data = await run(
        """{ lukashenko: person(key: "alexander-lukashenko") {
               endorsementsGiven { nodes { key } } }
             aliyev: person(key: "ilham-aliyev") { endorsementsGiven { nodes { key } } }
             oruj: candidacy(key: "az-president-2024/zahid-oruj") {
               endorsements { nodes { key } } } }"""
    )
    assert data == {
        "lukashenko": {
            "endorsementsGiven": {"nodes": [{"key": "az-president-2024/congratulation-belarus"}]}
        },
        "aliyev": {"endorsementsGiven": {"nodes": []}},
        "oruj": {"endorsements": {"nodes": []}},
    }


async def test_every_endorsement_is_a_2024_congratulation(world: TortoiseContext) -> None:
    data = await run(
        "{ elections { nodes { key"
        " endorsements { totalCount nodes { kind candidacy { key } } } } } }"
    )
    elections = nodes(data["elections"])
    counts = {e["key"]: e["endorsements"]["totalCount"] for e in elections}
    assert counts == {key: 0 for key in counts} | {"az-president-2024": 12}
    assert all(len(nodes(e["endorsements"])) == counts[e["key"]] for e in elections)
    (election,) = [e for e in elections if nodes(e["endorsements"])]
    assert {(e["kind"], e["candidacy"]["key"]) for e in nodes(election["endorsements"])} == {
        ("CONGRATULATION", "az-president-2024/ilham-aliyev")
    }


async def test_ordered_by_the_day_first_reported(world: TortoiseContext) -> None:
    data = await run(
        """{ a: endorsements(orderBy: [{field: REPORTED_ON}], first: 4) {
                nodes { key reportedOn } }
             b: endorsements(orderBy: [{field: REPORTED_ON, direction: DESC, nulls: LAST}],
                             first: 1) { nodes { key reportedOn } } }"""
    )
    assert data == {
        "a": {
            "nodes": [
                {"key": "az-president-2024/congratulation-turkey", "reportedOn": "2024-02-08"},
                {"key": "az-president-2024/congratulation-turkey-mfa", "reportedOn": "2024-02-08"},
                {
                    "key": "az-president-2024/congratulation-european-commission",
                    "reportedOn": "2024-03-05",
                },
                # No source with a date: after the rest, by key.
                {"key": "az-president-2024/congratulation-belarus", "reportedOn": None},
            ]
        },
        "b": {
            "nodes": [
                {
                    "key": "az-president-2024/congratulation-european-commission",
                    "reportedOn": "2024-03-05",
                }
            ]
        },
    }
