"""Source: where each fact was read, with its address when there is one."""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext

from tests.support.running import nodes, run

SOURCE = "query ($key: String!) { source(key: $key) { %s } }"
FIELDS = "key url publisher title published"


async def test_cec_announcement_whole(world: TortoiseContext) -> None:
    data = await run(SOURCE % FIELDS, {"key": "cec-az-news-1285"})
    assert data["source"] == {
        "key": "cec-az-news-1285",
        "url": "https://msk.gov.az/en/news/view/1285",
        "publisher": "Central Election Commission of Azerbaijan",
        "title": None,
        "published": None,
    }


async def test_dated_and_titled_source(world: TortoiseContext) -> None:
    data = await run(SOURCE % FIELDS, {"key": "hurriyet-190507"})
    assert data["source"] == {
        "key": "hurriyet-190507",
        "url": "https://www.hurriyetdailynews.com/erdogan-congratulates-azerbaijans-aliyev-on-re-election-win-190507",
        "publisher": "Hürriyet Daily News",
        "title": "Erdoğan congratulates Azerbaijan's Aliyev on re-election win",
        "published": "2024-02-08",
    }


async def test_the_seed_article_has_no_address(world: TortoiseContext) -> None:
    data = await run(SOURCE % "url title published", {"key": "seed-article-2024-02"})
    assert data["source"] == {
        "url": None,
        "title": (
            "Ilham Aliyev declared winner of Azerbaijan's snap presidential election of 7 February"
        ),
        "published": None,
    }


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("wikipedia-ilham-aliyev", "https://en.wikipedia.org/wiki/Ilham_Aliyev"),
        ("menafn-1107844554", "https://menafn.com/1107844554"),
        ("ispd-azerbaijan", "https://ispd.org.cy/azerbaijan/"),
        ("sdu-news-819", "https://mail.sdu.edu.az/en/news/819"),
        (
            "encycloreader-az-2013",
            "https://encycloreader.org/r/wikipedia.php?q=2013_Azerbaijani_presidential_election",
        ),
        ("vestikavkaza-171739", "https://en.vestikavkaza.ru/material/171739"),
        (
            "cnn-election-watch-az-2003",
            "http://www.cnn.com/WORLD/election.watch/europe/azerbaijan3.html",
        ),
    ],
)
async def test_source_urls(world: TortoiseContext, key: str, url: str) -> None:
    assert await run(SOURCE % "url", {"key": key}) == {"source": {"url": url}}


async def test_every_source_behind_the_results_has_an_http_address(
    world: TortoiseContext,
) -> None:
    # The test world as frozen; tests/test_curated_history.py checks the shipped fixtures.
    data = await run("{ elections { nodes { allSources { key url } } } }")
    sources = {s["key"]: s["url"] for e in nodes(data["elections"]) for s in e["allSources"]}

    without = sorted(key for key, url in sources.items() if url is None)
    assert without == ["seed-article-2024-02", "wikipedia-az-2024-snapshot-2024-01"]
    assert all(url.startswith(("https://", "http://")) for url in sources.values() if url)


async def test_sources_of_each_kind_of_fact(world: TortoiseContext) -> None:
    data = await run(
        """{ tally(key: "az-president-2018/preliminary-92") { sources { key } }
             candidacy(key: "az-president-2013/jamil-hasanli") { sources { key } }
             person(key: "ilham-aliyev") { sources { key } }
             election(key: "az-president-1993") { sources { key } } }"""
    )
    assert data == {
        "tally": {"sources": [{"key": "azernews-130320"}, {"key": "sdu-news-819"}]},
        "candidacy": {"sources": [{"key": "encycloreader-az-2013"}]},
        "person": {"sources": [{"key": "wikipedia-ilham-aliyev"}]},
        "election": {
            "sources": [
                {"key": "aliyev-heritage-cec-1993"},
                {"key": "loc-country-study-az-32"},
                {"key": "wikimili-az-1993"},
            ]
        },
    }


async def test_unknown_source_gives_null(world: TortoiseContext) -> None:
    assert await run(SOURCE % "key", {"key": "no-such-source"}) == {"source": None}
