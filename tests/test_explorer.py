"""The results explorer's pages, as HTML without a browser: each page type shows the facts of
the test world, every figure links to its source, an unknown key is a 404 page with the search
box, an election without a result says so, a search without a match offers the nearest names,
and the pages get their data through /graphql with the named operations of web/pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from tortoise.context import TortoiseContext

import loader
from service.manifest import manifest, sha256
from service.settings import load_settings
from tests.support.clients import client
from web import graphiql, pages
from web.pages import api, areas, maps
from web.pages import election as election_page
from web.pages.html import STATIC_DIR, static_url

# --- Reading a page ------------------------------------------------------------------------


@dataclass
class Parsed:
    """What a page holds: its headings in order, its tables (caption, header and rows of cell
    texts), its links, the ids of its elements, its search boxes and its visible text."""

    headings: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    search_boxes: int = 0
    text: str = ""
    svgs: list[dict[str, str]] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Parsed()
        self._heading: tuple[str, list[str]] | None = None
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag in ("h1", "h2", "h3"):
            self._heading = (tag, [])
        elif tag == "table":
            self.page.tables.append(("", [], []))
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a":
            self.page.links.append(values.get("href", ""))
        elif tag == "form" and values.get("role") == "search":
            self.page.search_boxes += 1
        elif tag == "svg" and "role" in values:
            self.page.svgs.append(values)
        elif tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "link" and values.get("href"):
            self.page.resources.append(values["href"])
        if tag == "script" and values.get("src"):
            self.page.resources.append(values["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3") and self._heading:
            self.page.headings.append((tag, " ".join("".join(self._heading[1]).split())))
            self._heading = None
        elif tag == "caption" and self._caption is not None:
            _, header, rows = self.page.tables[-1]
            self.page.tables[-1] = ("".join(self._caption).strip(), header, rows)
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            _, header, rows = self.page.tables[-1]
            (header.extend if self._in_head else rows.append)(self._row)
            self._row = None
        elif tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        # Figures and units are joined by no-break spaces; read as spaces here.
        data = data.replace("\xa0", " ")
        for collecting in (self._heading[1] if self._heading else None, self._caption, self._cell):
            if collecting is not None:
                collecting.append(data)
        if not self._skip:
            self._texts.append(data)


def read(html: str) -> Parsed:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.text = " ".join(" ".join(reader._texts).split())
    return reader.page


def table(page: Parsed, caption: str) -> tuple[list[str], list[list[str]]]:
    found = [(header, rows) for c, header, rows in page.tables if c == caption]
    assert len(found) == 1, [c for c, _, _ in page.tables]
    return found[0]


async def get(path: str, **headers: str) -> httpx.Response:
    async with client() as http:
        return await http.get(path, headers=headers)


async def get_page(path: str, status: int = 200) -> Parsed:
    response = await get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == pages.CONTENT_SECURITY_POLICY
    return read(response.text)


# --- The election page ---------------------------------------------------------------------


async def test_the_2024_azerbaijani_page_shows_the_result_and_every_stage(
    world: TortoiseContext,
) -> None:
    page = await get_page("/elections/az-president-2024")
    assert page.headings[0] == ("h1", "Azerbaijan presidential election, 7 February 2024")
    assert [h for tag, h in page.headings if tag == "h2"] == [
        "Result",
        "Every published stage",
        "Exit polls against the result",
        "Congratulations",
        "Statements and observers' verdicts",
        "Sources",
    ]
    header, rows = table(page, "The result, line by line")
    assert header == ["Candidate or list", "Party", "Votes", "Share"]
    assert rows[0][0] == "Ilham Aliyev (won)"
    assert rows[0][3] == "92.12 %"
    assert [row[3] for row in rows] == [
        "92.12 %", "2.17 %", "1.99 %", "1.72 %", "0.8 %", "0.66 %",
        "0.54 %",
    ]  # fmt: skip
    assert "Winner Ilham Aliyev with 92.12 %" in page.text
    assert "Turnout 76.43 %" in page.text

    header, rows = table(page, "Each published count, stage by stage, with each candidate's share")
    assert header[:3] == ["Stage", "Turnout", "Ilham Aliyev"]
    first = rows[0]
    assert first[0] == "Preliminary, 54.47 % counted, 7 February 2024"
    assert first[2] == "92.1 %"
    assert rows[1][0] == "Preliminary, 93.35 % counted, 8 February 2024"
    assert any(row[0].endswith("(preferred)") and row[2] == "92.12 %" for row in rows)
    # The bar chart names itself and lists its bars in its description.
    assert any(svg.get("role") == "img" for svg in page.svgs)


async def test_every_figure_links_to_a_source_listed_on_the_page(world: TortoiseContext) -> None:
    response = await get("/elections/az-president-2024")
    page = read(response.text)
    refs = {link.removeprefix("#") for link in page.links if link.startswith("#source-")}
    assert "source-cec-az-news-1285" in refs
    assert refs <= page.ids
    assert 'id="source-cec-az-news-1285"' in response.text


async def test_exit_polls_congratulations_statements_and_courts(world: TortoiseContext) -> None:
    page = await get_page("/elections/az-president-2024")
    header, rows = table(page, "Oracle Advisory Group's estimate against the official result")
    assert header == ["Candidate or list", "Exit poll", "Official", "Gap"]
    assert rows[0] == ["Ilham Aliyev", "93.9 %", "92.12 %", "+1.78 pts"]
    header, rows = table(
        page, "Congratulations in the order they came, with the day each was made or reported"
    )
    assert header == ["Who", "Day", "Days after polling day", "How", "What was said, and where"]
    assert rows[0][:4] == ["Recep Tayyip Erdoğan (Turkey)", "8 February 2024", "1", "call"]
    assert rows[2][:4] == ["Ursula von der Leyen", "5 March 2024", "27", "letter"]
    how = {row[0]: row[1:4] for row in rows}
    assert how["Vladimir Putin (Russia)"][2] == "call"
    assert how["Nicolás Maduro (Venezuela)"][2] == "letter"
    assert "Popular Front" in page.text

    georgia = await get_page("/elections/ge-parliament-2024")
    header, rows = table(georgia, "The result, line by line")
    assert header == ["Candidate or list", "Party", "Votes", "Share", "Seats"]
    assert rows[0][0] == "Georgian Dream \N{EN DASH} Democratic Georgia (won)"
    assert rows[0][3:] == ["53.93 %", "89"]
    response = await get("/elections/ge-parliament-2024")
    arch = re.search(
        r"<title[^>]*>Seats: 150 of 150 given by this count</title><desc[^>]*>([^<]*)<",
        response.text,
    )
    assert arch is not None
    assert arch.group(1).startswith(
        "Georgian Dream \N{EN DASH} Democratic Georgia: 89; Coalition for Change: 19;"
    )
    assert arch.group(1).endswith("A majority is 76 of 150 seats.")
    assert response.text.count("<circle") >= 150
    assert ("h2", "Court cases") in georgia.headings
    assert "30 precincts annulled" in georgia.text
    assert "(on appeal)" in georgia.text


async def test_an_election_without_a_result_says_so(
    world_to_write: TortoiseContext, tmp_path: Path
) -> None:
    fixture = tmp_path / "due.yaml"
    fixture.write_text(
        "sources:\n"
        '  - key: "cec-az-schedule"\n'
        '    publisher: "Central Election Commission of Azerbaijan"\n'
        '    title: "The next presidential election"\n'
        "elections:\n"
        '  - key: "az-president-2031"\n'
        '    country: "AZ"\n'
        '    kind: "presidential"\n'
        '    office: "President of Azerbaijan"\n'
        "    date: 2031-02-05\n"
        '    sources: ["cec-az-schedule"]\n',
        encoding="utf-8",
    )
    await loader.load([fixture])
    page = await get_page("/elections/az-president-2031")
    assert page.headings[:2] == [
        ("h1", "Azerbaijan presidential election, 5 February 2031"),
        ("h2", "Result"),
    ]
    assert "No result has been published for this election yet." in page.text
    country = await get_page("/countries/AZ")
    _, rows = table(
        country, "Elections in Azerbaijan: the winner by the rules, their share and turnout"
    )
    assert rows[-1][0] == "Presidential, 5 February 2031"
    assert rows[-1][3] == "no result yet"


# --- Countries, people, parties, the front page --------------------------------------------


async def test_the_country_page_charts_its_elections_and_shows_where_it_is(
    world: TortoiseContext,
) -> None:
    page = await get_page("/countries/AZ")
    assert page.headings[0] == ("h1", "Azerbaijan")
    header, rows = table(
        page, "Elections in Azerbaijan: the winner by the rules, their share and turnout"
    )
    assert header == ["Election", "Office", "Called", "Winner", "Winner's share", "Turnout"]
    assert [row[0][-4:] for row in rows] == [
        "1992", "1993", "1998", "2003", "2008", "2013", "2018", "2024",
    ]  # fmt: skip
    assert rows[-1][3:] == ["Ilham Aliyev", "92.12 %", "76.43 %"]
    labels = [svg.get("aria-labelledby", svg.get("aria-label", "")) for svg in page.svgs]
    assert "Azerbaijan and its neighbours on a map" in labels
    # A lower-case code finds the country too.
    assert (await get_page("/countries/az")).headings[0] == ("h1", "Azerbaijan")


async def test_the_person_page_shows_candidacies_ages_and_terms(world: TortoiseContext) -> None:
    page = await get_page("/people/ilham-aliyev")
    assert page.headings[0] == ("h1", "Ilham Aliyev")
    header, rows = table(page, "Ilham Aliyev's candidacies: share, outcome and age at the election")
    assert header == ["Election", "Party", "Share", "Outcome", "Age", "Incumbent"]
    latest = rows[-1]
    assert latest[0] == "Azerbaijan presidential election, 7 February 2024"
    assert latest[2:5] == ["92.12 %", "won", "62"]
    assert "Born 24 December 1961" in page.text
    _, terms = table(page, "Ilham Aliyev's terms of office")
    assert len(terms) >= 5


async def test_the_party_page_shows_results_and_seats(world: TortoiseContext) -> None:
    page = await get_page("/parties/georgian-dream")
    header, rows = table(
        page,
        "Georgian Dream \N{EN DASH} Democratic Georgia's results: share and seats at each election",
    )
    assert header == ["Election", "Candidate or list", "Share", "Seats", "Place"]
    assert rows == [
        [
            "Georgia parliamentary election, 26 October 2024",
            "Georgian Dream \N{EN DASH} Democratic Georgia",
            "53.93 %",
            "89 of 150",
            "first",
        ]
    ]


async def test_the_front_page_has_the_search_box_recent_elections_and_countries(
    world: TortoiseContext,
) -> None:
    page = await get_page("/")
    assert page.search_boxes == 2  # the header's and the page's own
    _, rows = table(page, "The most recent elections, with the winner by the rules and turnout")
    assert rows[0][0] == "Georgia parliamentary election, 26 October 2024"
    assert rows[1][:2] == ["Azerbaijan presidential election, 7 February 2024", "Presidential"]
    assert "/countries/AZ" in page.links and "/countries/GE" in page.links
    assert ("h2", "Notable elections") in page.headings
    assert (
        "Azerbaijan presidential election, 7 February 2024 : boycotted, fraud alleged" in page.text
    )
    assert "Azerbaijan presidential election, 11 April 2018 : boycotted" in page.text


async def test_each_page_is_titled_for_itself_and_the_site(world: TortoiseContext) -> None:
    async with client() as http:
        # The document's title, in its head (the charts' SVG have titles of their own).
        heads = [
            (await http.get(path)).text.split("</head>")[0]
            for path in ("/", "/countries/AZ", "/people/ilham-aliyev")
        ]
    assert [re.findall(r"<title>(.*?)</title>", head) for head in heads] == [
        ["Elections explorer"],
        ["Azerbaijan · Elections explorer"],
        ["Ilham Aliyev · Elections explorer"],
    ]


# --- Search --------------------------------------------------------------------------------


async def test_search_finds_people_parties_countries_and_elections(
    world: TortoiseContext,
) -> None:
    page = await get_page("/?q=aliyev")
    assert ("h2", "People") in page.headings
    assert "/people/ilham-aliyev" in page.links and "/people/heydar-aliyev" in page.links

    page = await get_page("/?q=georgia%202024")
    assert "/elections/ge-parliament-2024" in page.links
    assert "/countries/GE" in page.links
    assert "/elections/az-president-2024" not in page.links

    page = await get_page("/?q=dream")
    assert "/parties/georgian-dream" in page.links


async def test_search_finds_elections_by_words_of_their_titles(world: TortoiseContext) -> None:
    page = await get_page("/?q=Georgian+parliamentary+election+2024")
    assert "/elections/ge-parliament-2024" in page.links
    assert "/countries/GE" in page.links

    page = await get_page("/?q=2018+Azerbaijani+presidential+election")
    found = sorted(link for link in page.links if link.startswith("/elections/"))
    assert found == ["/elections/az-president-2018"]

    page = await get_page("/?q=azerbaijani+presidential+elections")
    found = sorted(link for link in page.links if link.startswith("/elections/"))
    assert "/elections/az-president-1992" in found and "/elections/az-president-2024" in found
    assert "/elections/ge-parliament-2024" not in found

    # The country is named, but none of its elections is presidential.
    page = await get_page("/?q=georgian+presidential")
    assert "/countries/GE" in page.links
    assert not [link for link in page.links if link.startswith("/elections/")]


async def test_a_search_without_a_match_suggests_the_nearest_names(
    world: TortoiseContext,
) -> None:
    page = await get_page("/?q=putn")
    assert "Nothing matches “putn”. Did you mean:" in page.text
    assert "/people/vladimir-putin" in page.links
    page = await get_page("/?q=azerbaijn")
    assert "/countries/AZ" in page.links
    page = await get_page("/?q=qqqxxzz")
    assert "Nothing matches “qqqxxzz”, and no name is near it." in page.text


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/elections/az-president-2025", "No election “az-president-2025”"),
        ("/people/nobody", "No person “nobody”"),
        ("/parties/no-such-party", "No party “no-such-party”"),
        ("/countries/ZZ", "No country “ZZ”"),
        ("/countries/UK", "No country “UK”"),
        ("/countries/Azerbaijan", "No country “Azerbaijan”"),
        ("/elections/" + "x" * 5000, "No election “" + "x" * 100 + "”"),
        ("/elections/%3Cscript%3E", "No election “<script>”"),
    ],
)
async def test_an_unknown_key_is_a_404_page_with_the_search_box(
    world: TortoiseContext, path: str, heading: str
) -> None:
    response = await get(path)
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"
    page = read(response.text)
    assert page.headings[0] == ("h1", heading)
    assert page.search_boxes == 2
    assert "<script>" not in response.text.split("<main")[1]


# --- Through the API -----------------------------------------------------------------------


def test_each_operation_file_holds_one_named_operation() -> None:
    kinds: dict[str, str] = {}
    for name, text in api.operations().items():
        definitions = parse(text).definitions
        operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        assert len(operations) == 1, name
        kinds[name] = operations[0].operation.value
    assert kinds == {
        "ExplorerCountry": "query",
        "ExplorerElection": "query",
        "ExplorerElectionAreas": "query",
        "ExplorerElectionStories": "query",
        "ExplorerHome": "query",
        "ExplorerParty": "query",
        "ExplorerPerson": "query",
        "ExplorerSearch": "query",
        # The election page's script follows the result with it (static/explorer.js).
        "ExplorerResultUpdated": "subscription",
    }


async def test_a_page_registers_its_operations_so_a_hash_alone_runs_them(
    world: TortoiseContext,
) -> None:
    query = api.operations()["ExplorerElection"]
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}})
    params = {
        "operationName": "ExplorerElection",
        "variables": '{"key": "az-president-2024"}',
        "extensions": extensions,
    }
    async with client() as http:
        before = await http.get("/graphql", params=params)
        assert before.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        assert (await http.get("/elections/az-president-2024")).status_code == 200
        after = await http.get("/graphql", params=params)
    assert after.status_code == 200
    assert after.json()["data"]["election"]["winner"]["share"] == 92.12
    # A GET by hash is cacheable, as for any frontend.
    assert after.headers["cache-control"] == "public, max-age=60"


async def test_pages_run_where_persisted_queries_are_off(world: TortoiseContext) -> None:
    async with client(persisted_queries="off") as http:
        response = await http.get("/elections/az-president-2024")
    assert response.status_code == 200
    assert "92.12\xa0%" in response.text


async def test_a_page_may_be_cached_and_revalidated(world: TortoiseContext) -> None:
    first = await get("/people/ilham-aliyev")
    assert first.headers["cache-control"] == "public, max-age=60"
    again = await get("/people/ilham-aliyev", **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


# --- Weight and assets ---------------------------------------------------------------------


async def test_an_election_page_with_its_assets_weighs_at_most_500_kb(
    world: TortoiseContext,
) -> None:
    async with client() as http:
        response = await http.get("/elections/ge-parliament-2024")
        total = len(response.content)
        resources = read(response.text).resources
        assert sorted(r.split("?")[0] for r in resources) == [
            "/explorer/static/explorer.css",
            "/explorer/static/explorer.js",
            "/explorer/static/icon.svg",
        ]
        for url in resources:
            asset = await http.get(url)
            assert asset.status_code == 200
            assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
            total += len(asset.content)
    assert total <= 500 * 1024, total


async def test_only_the_explorers_own_files_are_served(world: TortoiseContext) -> None:
    async with client() as http:
        for path in (
            "/explorer/static/views.py",
            "/explorer/static/..%2Fviews.py",
            "/explorer/static/",
            "/explorer/static/manifest.json",
        ):
            assert (await http.get(path)).status_code == 404, path
    for name in ("explorer.css", "explorer.js", "icon.svg"):
        assert (STATIC_DIR / name).is_file()
        assert re.fullmatch(
            rf"/explorer/static/{re.escape(name)}\?v=[0-9a-f]{{12}}", static_url(name)
        )


# --- The map renderer ----------------------------------------------------------------------


def test_a_results_map_shades_each_area_and_names_its_figures() -> None:
    results = {
        "US-GA": maps.AreaResult("US-GA", "Georgia", "Joseph R. Biden", 0, 49.47, 0.24),
        "US-TX": maps.AreaResult("US-TX", "Texas", "Donald J. Trump", 1, 52.06, 5.58),
    }
    svg = maps.results_map(
        "US", "Who led in each state", results, [("Joseph R. Biden", 0), ("Donald J. Trump", 1)]
    )
    georgia = re.search(r'<path class="area"[^>]*data-area="US-GA"[^>]*>', svg)
    assert georgia is not None
    tag = georgia.group(0)
    assert 'tabindex="0"' in tag
    assert (
        'aria-label="Georgia: Joseph R. Biden led with 49.47\u00a0%, a margin of 0.24\u00a0pts"'
        in tag
    )
    assert 'fill="#0072B2"' in tag and 'fill-opacity="0.4"' in tag
    texas = re.search(r'<path class="area"[^>]*data-area="US-TX"[^>]*>', svg)
    assert texas is not None and 'fill-opacity="0.7"' in texas.group(0)
    # The other states are drawn, without focus, saying they have no result.
    assert svg.count('tabindex="0"') == 2
    assert svg.count(": no result</title>") == 49
    assert "Joseph R. Biden led</li>" in svg and "margin under 5 points" in svg


# --- The data sets: a count with votes only, electors --------------------------------------


async def test_the_us_2020_page_shows_shares_from_votes_and_the_electors(
    data_sets: TortoiseContext,
) -> None:
    response = await get("/elections/us-president-2020")
    assert response.status_code == 200
    page = read(response.text)
    assert page.headings[0] == ("h1", "United States presidential election, 3 November 2020")
    header, rows = table(page, "The result, line by line")
    assert header == ["Candidate or list", "Party", "Votes", "Share", "Electors"]
    assert rows[0][0] == "Joe Biden (won)"
    assert rows[0][2:] == ["81,268,908", "51.26 %", "306"]
    assert rows[1][2:] == ["74,216,146", "46.82 %", "232"]
    assert "shares here are the votes over the valid ballots" in page.text
    bars = re.search(
        r"<title[^>]*>Result: share of the vote and electors</title><desc[^>]*>([^<]*)<",
        response.text,
    )
    assert bars is not None
    assert bars.group(1).startswith(
        "Joe Biden: 51.26\xa0% (306 electors, won); Donald Trump: 46.82\xa0% (232 electors)"
    )
    # Ten bars: nine lines and the rest summed.
    assert bars.group(1).endswith("; 92 others: 0.09\xa0%")
    chart = response.text[bars.start() : response.text.index("</svg>", bars.start())]
    assert chart.count('<g class="bar">') == 10
    arch = re.search(
        r"<title[^>]*>Electors: 538 of 538 given by this count</title><desc[^>]*>([^<]*)<",
        response.text,
    )
    assert arch is not None
    assert arch.group(1) == "Joe Biden: 306; Donald Trump: 232. A majority is 270 of 538 electors."


async def test_the_election_page_gives_its_script_the_registered_subscription(
    world: TortoiseContext,
) -> None:
    async with client() as http:
        response = await http.get("/elections/az-president-2024")
    live = re.search(r'<div id="live-result"([^>]*)>', response.text)
    assert live is not None
    attributes = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', live.group(1)))
    text = api.operations()["ExplorerResultUpdated"]
    assert attributes["data-election"] == "az-president-2024"
    assert attributes["data-subscription-hash"] == sha256(text)
    assert unescape(attributes["data-subscription"]) == text
    assert sha256(text) in manifest(api.OPERATIONS_DIR)


async def test_pages_run_with_an_allow_list_that_registers_their_operations(
    world: TortoiseContext,
) -> None:
    registered = {**manifest(graphiql.QUERIES_DIR), **manifest(api.OPERATIONS_DIR)}
    async with client(persisted_queries="allow-list", registered_operations=registered) as http:
        response = await http.get("/people/ilham-aliyev")
    assert response.status_code == 200
    assert read(response.text).headings[0] == ("h1", "Ilham Aliyev")


async def test_an_allow_list_without_their_operations_gives_a_page_that_says_so(
    world: TortoiseContext,
) -> None:
    registered = manifest(graphiql.QUERIES_DIR)
    async with client(persisted_queries="allow-list", registered_operations=registered) as http:
        response = await http.get("/people/ilham-aliyev")
    assert response.status_code == 503
    assert response.headers["cache-control"] == "no-store"
    page = read(response.text)
    assert page.headings[0] == ("h1", "The data for this page is unavailable")
    assert (
        "The API refused the page's query: ExplorerPerson answered 404: Only registered "
        "operations are accepted: no operation is registered with sha256Hash "
        f'"{sha256(api.operations()["ExplorerPerson"])}". Where' in page.text
    )
    assert "PERSISTED_QUERIES=allow-list" in page.text


async def test_the_us_2020_page_maps_who_led_each_state_with_a_table(
    data_sets: TortoiseContext,
) -> None:
    response = await get("/elections/us-president-2020")
    page = read(response.text)
    assert [h for tag, h in page.headings if tag == "h2"][:2] == ["Result", "Results by state"]
    header, rows = table(
        page, "The result in each state: who led, with what share, and by how much"
    )
    assert header == ["State", "Led", "Share", "Margin", "Second", "Sources"]
    assert len(rows) == 51
    by_state = {row[0]: row[1:5] for row in rows}
    assert by_state["Georgia"] == ["Joe Biden", "49.47 %", "0.23 pts", "Donald Trump"]
    assert by_state["Texas"][:2] == ["Donald Trump", "52.06 %"]
    assert by_state["District of Columbia"][:2] == ["Joe Biden", "92.15 %"]
    shaded = re.findall(
        r'<path class="area"[^>]*tabindex="0"[^>]*data-area="(US-[A-Z]{2})"', response.text
    )
    assert len(shaded) == 51 and "US-GA" in shaded
    assert (
        'aria-label="Georgia: Joe Biden led with 49.47\xa0%, a margin of 0.23\xa0pts"'
        in response.text
    )
    # Biden blue, Trump orange, as in the result's bars; Georgia pale (a margin under 5).
    georgia = re.search(r'<path class="area"[^>]*data-area="US-GA"', response.text)
    assert georgia is not None
    assert 'fill="#0072B2" fill-opacity="0.4"' in georgia.group(0)
    assert len(response.content) <= 500 * 1024


# --- Figures: the API's rounding rule, not Python's round() --------------------------------

# 970 votes of 8,000 valid is 12.125 % exactly: Python's round() (half to even, on the float)
# reads 12.12, the rule of models/figures.py (half up, on the counts) 12.13, as the API does.
VOTES_ONLY_RESULT: dict[str, object] = {
    "stage": "FINAL",
    "round": 1,
    "countedShare": None,
    "asOf": None,
    "registered": None,
    "cast": None,
    "valid": 8000,
    "invalid": None,
    "turnout": None,
    "sources": [],
    "lines": [
        {"votes": 7030, "share": None, "seats": None, "candidacy": {"key": "first"}},
        {"votes": 970, "share": None, "seats": None, "candidacy": {"key": "second"}},
    ],
}


def test_a_share_from_votes_is_rounded_half_up_as_the_api_rounds_it() -> None:
    assert round(970 / 8000 * 100, 2) == 12.12  # what the rule must not give
    html = election_page.result_section(
        {"winner": None, "kind": "PRESIDENTIAL", "seats": None},
        VOTES_ONLY_RESULT,
        {"first": {"name": "First"}, "second": {"name": "Second"}},
        {},
    )
    header, rows = table(read(html), "The result, line by line")
    assert header == ["Candidate or list", "Party", "Votes", "Share"]
    assert [row[0:1] + row[2:] for row in rows] == [
        ["First", "7,030", "87.88 %"],
        ["Second", "970", "12.13 %"],
    ]


def test_an_areas_margin_is_rounded_half_up_as_the_api_rounds_it() -> None:
    # 50 - 37.875 is 12.125 points: round() reads 12.12, the rule 12.13.
    tally = {
        "lines": [
            {"votes": None, "share": 50.0, "candidacy": {"key": "first"}},
            {"votes": None, "share": 37.875, "candidacy": {"key": "second"}},
        ],
        "valid": None,
    }
    assert areas.leading(tally) == ("first", 50.0, 12.13, "second")
    assert areas.leading(VOTES_ONLY_RESULT) == ("first", 87.88, 75.75, "second")


def test_an_area_led_on_a_level_share_is_led_by_the_most_votes_as_the_api_ranks_it() -> None:
    # 100,001 and 100,000 of 1,000,000 both read 10 %: the API ranks the lines by votes then,
    # and the page keeps its order, whatever the candidacies' keys.
    tally = {
        "lines": [
            {"votes": 100_001, "share": None, "candidacy": {"key": "a-more-votes"}},
            {"votes": 100_000, "share": None, "candidacy": {"key": "b-fewer-votes"}},
        ],
        "valid": 1_000_000,
    }
    assert areas.leading(tally) == ("a-more-votes", 10.0, 0.0, "b-fewer-votes")


# --- Cabinets, party history, who led the vote ---------------------------------------------


async def test_the_country_page_lists_cabinets_with_their_seats(data_sets: TortoiseContext) -> None:
    page = await get_page("/countries/DE")
    header, rows = table(
        page,
        "Cabinets of Germany: their parties and the seats those won at the election before each",
    )
    assert header == ["Cabinet", "From", "To", "Parties", "Their seats", "Ended by"]
    merkel = next(row for row in rows if row[0] == "Merkel I")
    assert merkel == [
        "Merkel I",
        "22 November 2005",
        "28 October 2009",
        "CDU+CSU (prime minister), SPD",
        "448 of 614 (majority)",
        "a scheduled election",
    ]
    scholz = next(row for row in rows if row[0] == "Scholz")
    assert scholz[3:5] == ["SPD (prime minister), B90/Gru, FDP", "416 of 736 (majority)"]


async def test_the_election_page_lists_the_cabinets_formed_after_it(
    data_sets: TortoiseContext,
) -> None:
    page = await get_page("/elections/de-parliament-2005")
    assert ("h2", "Cabinets formed after it") in page.headings
    _, rows = table(
        page, "Cabinets formed after this election, with the seats their parties won in it"
    )
    assert [row[0] for row in rows] == ["Merkel I"]
    assert rows[0][3:] == [
        "CDU+CSU (prime minister), SPD",
        "448 of 614 (majority)",
        "a scheduled election",
    ]


async def test_the_party_page_shows_where_it_came_from_what_came_of_it_and_its_cabinets(
    data_sets: TortoiseContext,
) -> None:
    page = await get_page("/parties/de-spd")
    assert [h for tag, h in page.headings if tag == "h2"][1:4] == [
        "Came from",
        "Led to",
        "Cabinets",
    ]
    assert "Independent Social Democratic Party of Germany (joined, 24 September 1922)" in page.text
    assert (
        "Labour and Social Justice -- The Electoral Alternative (splinter, 22 January 2005)"
        in page.text
    )
    _, rows = table(page, "Cabinets Social Democratic Party of Germany sat in")
    assert rows[-1][:2] == ["Scholz", "8 December 2021"]
    assert rows[-1][3] == "SPD (prime minister), B90/Gru, FDP"


async def test_an_election_won_without_the_most_votes_says_who_had_them(
    data_sets: TortoiseContext,
) -> None:
    page = await get_page("/elections/us-president-2016")
    assert "Winner Donald Trump" in page.text
    assert "Most votes Hillary Clinton, who did not win by the rules" in page.text
    biden = await get_page("/elections/us-president-2020")
    assert "Most votes" not in biden.text


async def test_every_country_with_elections_is_on_the_front_page_and_found_by_name(
    data_sets: TortoiseContext,
) -> None:
    # ISO 3166 holds 249 countries; those with elections come after the first hundred by name
    # too (Sweden, the United Kingdom, the United States).
    page = await get_page("/")
    assert {"/countries/SE", "/countries/GB", "/countries/US", "/countries/AZ"} <= set(page.links)
    found = await get_page("/?q=sweden")
    assert "/countries/SE" in found.links
    assert "/elections/se-parliament-2022" in found.links


async def test_a_count_names_candidacies_beyond_the_first_hundred(
    data_sets: TortoiseContext,
) -> None:
    # The 2020 US count has 102 lines, more than one page of the election's candidacies.
    page = await get_page("/elections/us-president-2020")
    _, rows = table(page, "The result, line by line")
    assert len(rows) == 101  # the national count's lines
    names = [row[0] for row in rows]
    assert not [name for name in names if name.startswith("us-president-2020/")]
    assert "Weinstein Karynn Krill" in names  # the last of them by key, named as published


async def test_the_pages_are_served_in_production(
    world: TortoiseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Settings as `APP_ENV=production make serve` reads them: introspection, GraphiQL and
    # suggestions off, errors masked; the pages still reach the API as any client would.
    monkeypatch.setenv("APP_ENV", "production")
    settings = load_settings(env_file=None)
    assert settings.production and not settings.introspection and not settings.graphiql
    facts = {
        "/": "Azerbaijan presidential election, 7 February 2024",
        "/?q=aliyev": "Ilham Aliyev",
        "/elections/az-president-2024": "Winner Ilham Aliyev with 92.12 %",
        "/countries/AZ": "Azerbaijan Elections 8",
        "/people/ilham-aliyev": "Ilham Aliyev",
        "/parties/georgian-dream": "53.93 %",
    }
    async with client(settings) as http:
        for path, fact in facts.items():
            response = await http.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            assert fact in read(response.text).text, path
        missing = await http.get("/elections/no-such-election")
    assert missing.status_code == 404
