"""The fixture loader: bad batches are refused whole, good ones are written exactly once.

Most tests start from BASE, a tiny valid world loaded into a fresh database, then try a
batch on top of it. A refused batch must name every problem by file, line and record path,
and leave every row of every table (timestamps included) as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from tortoise.context import TortoiseContext
from tortoise.exceptions import ValidationError

import loader
import models
from loader.parse import ALIAS_ALLOWANCE, ALIAS_GROWTH, parse_text
from loader.sections import SECTIONS, Section
from loader.write import _Writer
from tests.support.curating import laughs
from tests.support.databases import Snapshot, close_database, link_tables, open_database, snapshot
from tests.support.world import WORLD

# A small world touching every section: two countries, a region and its city, a bloc with a
# member party, one election with two candidacies, a preferred final tally with lines, a
# preliminary tally and a congratulation.
BASE = """\
sources:
  - key: "cec"
    url: "https://example.org/cec"
    publisher: "Central Election Commission"
  - key: "wiki"
    publisher: "Wikipedia"
    title: "An election"
countries:
  - code: "AZ"
    name: "Azerbaijan"
  - code: "TR"
    name: "Turkey"
areas:
  - key: "karabakh"
    name: "Karabakh"
    kind: "region"
    country: "AZ"
  - key: "khankendi"
    name: "Khankendi"
    kind: "city"
    country: "AZ"
    parent: "karabakh"
people:
  - key: "ilham-aliyev"
    name: "Ilham Aliyev"
    also_known_as: ["Ilham Aliev"]
    birth_date: 1961-12-24
    sources: ["wiki"]
  - key: "zahid-oruj"
    name: "Zahid Oruj"
  - key: "erdogan"
    name: "Recep Tayyip Erdogan"
organizations:
  - key: "yap"
    name: "New Azerbaijan Party"
    short_name: "YAP"
    kind: "party"
    country: "AZ"
  - key: "bloc"
    name: "A bloc"
    kind: "bloc"
    country: "AZ"
    members: ["yap"]
elections:
  - key: "az-2024"
    country: "AZ"
    kind: "presidential"
    office: "President of Azerbaijan"
    date: 2024-02-07
    early: true
    originally_due: "2025-10"
    term_years: 7
    sources: ["cec", "wiki"]
candidacies:
  - key: "az-2024/aliyev"
    election: "az-2024"
    person: "ilham-aliyev"
    party: "yap"
    nomination: "party"
    incumbent: true
    sources: ["cec"]
  - key: "az-2024/oruj"
    election: "az-2024"
    person: "zahid-oruj"
    nomination: "self"
    sources: ["cec"]
tallies:
  - key: "az-2024/final"
    election: "az-2024"
    stage: "final"
    as_of: 2024-02-13
    registered: 6478623
    cast: 4958013
    preferred: true
    lines:
      - candidacy: "az-2024/aliyev"
        votes: 4567458
        share: 92.12
      - candidacy: "az-2024/oruj"
        votes: 107632
        share: 2.17
    sources: ["cec"]
  - key: "az-2024/preliminary"
    election: "az-2024"
    stage: "preliminary"
    as_of: 2024-02-08
    turnout_reported: 77
    lines:
      - candidacy: "az-2024/aliyev"
        share: 92
    sources: ["wiki"]
endorsements:
  - key: "az-2024/congratulation-turkey"
    candidacy: "az-2024/aliyev"
    kind: "congratulation"
    endorser_person: "erdogan"
    country: "TR"
    date: 2024-02-08
    channel: "call"
    summary: "Erdogan phoned Aliyev."
    sources: ["cec", "wiki"]
"""
BASE_COUNTS = {
    "sources": 2,
    "countries": 2,
    "areas": 2,
    "people": 3,
    "organizations": 2,
    "elections": 1,
    "candidacies": 2,
    "tallies": 2,
    "endorsements": 1,
}

# A valid record every bad batch also carries: had anything been written, it would show.
EXTRA_SOURCE = """\
sources:
  - key: "extra"
    url: "https://example.org/extra"
    publisher: "Extra"
"""


# Many-to-many tables: the loader writes them directly, so snapshots cover them too.
LINK_TABLES = link_tables()


async def row_counts() -> dict[str, int]:
    """Rows per section, for the sections that have any."""
    counts = {section.name: await section.model.all().count() for section in SECTIONS}
    return {name: count for name, count in counts.items() if count}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def refused(paths: list[Path], prune: bool = False) -> list[str]:
    """Load a batch that must be refused; check nothing changed; return its error lines."""
    before = await snapshot()
    with pytest.raises(loader.LoadError) as caught:
        await loader.load(paths, prune=prune)
    assert await snapshot() == before
    errors = [str(error) for error in caught.value.errors]
    assert str(caught.value) == "\n".join(errors)
    return errors


@pytest_asyncio.fixture
async def base(empty_db: TortoiseContext, tmp_path: Path) -> Path:
    """BASE written to tmp_path and loaded into a fresh database."""
    path = write(tmp_path, "base.yaml", BASE)
    report = await loader.load([path])
    assert {name: counts.created for name, counts in report.sections.items()} == BASE_COUNTS
    assert await row_counts() == BASE_COUNTS
    return path


# --- Bad fixtures: each refused with its exact message, and nothing written. ---


async def test_broken_yaml_syntax_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
people:
  - key: "someone"
    name: "Some One"
   also_known_as: ["S. One"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:8: YAML syntax error: expected <block end>, but found '<block mapping start>'"
    ]


async def test_broken_json_syntax_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.json",
        """\
{
  "sources": [
    {"key": "extra", "url": "https://example.org/extra", "publisher": "Extra"}
    {"key": "more", "url": "https://example.org/more", "publisher": "More"}
  ]
}
""",
    )
    assert await refused([base, bad]) == [f"{bad}:4: JSON syntax error: Expecting ',' delimiter"]


async def test_unprintable_character_is_refused_not_raised(base: Path, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", EXTRA_SOURCE + 'people:\n  - key: "x"\n    name: "a\x07b"\n')
    assert await refused([base, bad]) == [
        f"{bad}:7: YAML syntax error: unacceptable character #x0007: "
        "special characters are not allowed"
    ]


async def test_duplicate_yaml_key_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
people:
  - key: "someone"
    name: "Some One"
    name: "Someone Else"
""",
    )
    assert await refused([base, bad]) == [f"{bad}:8: duplicate key 'name' (first at line 7)"]


async def test_duplicate_json_key_is_refused_at_its_line(base: Path, tmp_path: Path) -> None:
    # The line is the duplicate's own, not that of some later "name"; tabs indent the JSON,
    # which YAML (used to find the lines) does not allow, yet the lines are still found.
    text = """\
{
  "people": [
    {"key": "someone",
     "name": "Some One",
     "name": "Someone Else"},
    {"key": "other",
     "name": "Other"}
  ],
  "sources": [
    {"key": "extra", "url": "https://example.org/extra", "publisher": "Extra"}
  ]
}
"""
    bad = write(tmp_path, "bad.json", text.replace("  ", "\t"))
    assert "\t" in bad.read_text(encoding="utf-8")
    assert await refused([base, bad]) == [f"{bad}:5: duplicate key 'name' (first at line 4)"]


async def test_yaml_no_is_refused_not_read_as_false(base: Path, tmp_path: Path) -> None:
    # Unquoted, Norway's code is YAML 1.1's `false`; so is `early: yes` a guess at a boolean.
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
countries:
  - code: NO
    name: Norway
elections:
  - key: "az-2018"
    country: "AZ"
    kind: "presidential"
    office: "President of Azerbaijan"
    date: 2018-04-11
    early: yes
    sources: ["cec"]
""",
    )
    hint = 'is a boolean in YAML 1.1: write "{0}" for text, or true/false for a yes/no value'
    assert await refused([base, bad]) == [
        f"{bad}:6: countries[0].code: unquoted NO " + hint.format("NO"),
        f"{bad}:14: elections[0].early: unquoted yes " + hint.format("yes"),
    ]


async def test_unknown_reference_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
candidacies:
  - key: "az-2024/nobody"
    election: "az-2024"
    person: "nobody"
    sources: ["extra", "nowhere"]
tallies:
  - key: "az-2024/other"
    election: "az-2024"
    stage: "preliminary"
    as_of: 2024-02-08
    lines:
      - candidacy: "az-2024/ghost"
        share: 1
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:8: candidacies[0].person: unknown person 'nobody'",
        f"{bad}:9: candidacies[0].sources[1]: unknown source 'nowhere'",
        f"{bad}:16: tallies[0].lines[0].candidacy: unknown candidacy 'az-2024/ghost'",
    ]


async def test_negative_votes_are_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
tallies:
  - key: "az-2024/other"
    election: "az-2024"
    stage: "final"
    as_of: 2024-02-13
    lines:
      - candidacy: "az-2024/aliyev"
        votes: 4567458
      - candidacy: "az-2024/oruj"
        votes: -107632
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:14: tallies[0].lines[1].votes: Input should be greater than or equal to 0"
    ]


async def test_a_share_over_100_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
tallies:
  - key: "az-2024/one-share"
    election: "az-2024"
    stage: "final"
    as_of: 2024-02-13
    lines:
      - candidacy: "az-2024/aliyev"
        share: 192.12
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:12: tallies[0].lines[0].share: Input should be less than or equal to 100",
    ]


async def test_figures_that_disagree_load_with_warnings(base: Path, tmp_path: Path) -> None:
    # Sources disagree: shares adding up past 100, more ballots cast than voters, a turnout
    # that is not cast over registered are kept as published, each with its warning.
    given = write(
        tmp_path,
        "given.yaml",
        EXTRA_SOURCE
        + """\
tallies:
  - key: "az-2024/sum-of-shares"
    election: "az-2024"
    stage: "final"
    as_of: 2024-02-13
    registered: 100
    cast: 101
    turnout_reported: 76.43
    lines:
      - candidacy: "az-2024/aliyev"
        share: 92.12
      - candidacy: "az-2024/oruj"
        share: 12.17
    sources: ["cec"]
""",
    )
    await loader.load([base, given])
    tally = await models.Tally.get(key="az-2024/sum-of-shares")
    assert tally.warnings == [
        {"code": "cast_exceeds_registered", "message": "cast (101) exceeds registered (100)"},
        {"code": "shares_exceed_100", "message": "line shares add up to 104.29"},
        {
            "code": "turnout_mismatch",
            "message": "turnout_reported (76.43) is not cast over registered (101.00)",
        },
    ]
    assert tally.explained_warnings is None


async def test_duplicate_natural_key_is_refused(base: Path, tmp_path: Path) -> None:
    # Twice in one file, and once more of a key the other file of the batch already has.
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
  - key: "extra"
    publisher: "Extra again"
    title: "The same key"
countries:
  - code: "TR"
    name: "Türkiye"
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:5: sources[1].key: duplicate key 'extra' (also at {bad}:2 sources[0])",
        f"{bad}:9: countries[0].code: duplicate code 'TR' (also at {base}:11 countries[1])",
    ]


async def test_missing_field_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
elections:
  - key: "az-2018"
    country: "AZ"
    kind: "presidential"
    date: 2018-04-11
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [f"{bad}:6: elections[0].office: Field required"]


async def test_wrong_type_is_refused(base: Path, tmp_path: Path) -> None:
    # A quoted number, an unquoted number where text belongs, a number where a date belongs.
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
people:
  - key: "someone"
    name: 1961
tallies:
  - key: "az-2024/other"
    election: "az-2024"
    stage: "final"
    as_of: 0
    lines:
      - candidacy: "az-2024/aliyev"
        votes: "4567458"
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:7: people[0].name: Input should be a valid string, got int 1961 "
        "(an unquoted value in YAML is read as a number or boolean: quote it)",
        f"{bad}:12: tallies[0].as_of: Input should be a valid date, got int 0",
        f"{bad}:15: tallies[0].lines[0].votes: Input should be a valid integer, got str '4567458'",
    ]


async def test_impossible_date_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
elections:
  - key: "az-2018"
    country: "AZ"
    kind: "presidential"
    office: "President of Azerbaijan"
    date: 2018-02-30
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:10: elections[0].date: Input should be a valid date or datetime, "
        "day value is outside expected range"
    ]


async def test_unknown_section_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", EXTRA_SOURCE + 'parties:\n  - key: "yap"\n')
    known = ", ".join(section.name for section in SECTIONS)
    assert await refused([base, bad]) == [f"{bad}:5: parties: unknown section (known: {known})"]


async def test_unknown_field_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
people:
  - key: "someone"
    name: "Some One"
    born: 1961-12-24
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:8: people[0].born: unknown field 'born'; the fields are key, name, "
        "also_known_as, birth_date, death_date, sources"
    ]


async def test_line_of_another_elections_candidacy_is_refused(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
elections:
  - key: "az-2018"
    country: "AZ"
    kind: "presidential"
    office: "President of Azerbaijan"
    date: 2018-04-11
    sources: ["cec"]
tallies:
  - key: "az-2018/final"
    election: "az-2018"
    stage: "final"
    as_of: 2018-04-12
    lines:
      - candidacy: "az-2024/aliyev"
        votes: 7
    sources: ["cec"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:18: tallies[0].lines[0].candidacy: candidacy 'az-2024/aliyev' belongs to "
        "election 'az-2024', not 'az-2018'"
    ]


async def test_two_preferred_tallies_are_refused(base: Path, tmp_path: Path) -> None:
    other = """\
tallies:
  - key: "az-2024/certified"
    election: "az-2024"
    stage: "certified"
    as_of: 2024-02-14
    preferred: true
    sources: ["cec"]
"""
    # In the same batch as the preferred tally of BASE...
    bad = write(tmp_path, "bad.yaml", EXTRA_SOURCE + other)
    message = "election 'az-2024' round 1 already has a preferred tally 'az-2024/final'"
    assert await refused([base, bad]) == [f"{bad}:10: tallies[0].preferred: {message}"]
    # ...and alone, against the preferred tally already stored.
    assert await refused([bad]) == [f"{bad}:10: tallies[0].preferred: {message}"]


async def test_loops_within_a_section_are_refused(base: Path, tmp_path: Path) -> None:
    # Stored: khankendi's parent is karabakh. The batch closes that loop, makes one of two
    # new areas, and one of an area that is its own parent.
    area = '  - key: "{}"\n    name: "{}"\n    kind: "region"\n    country: "AZ"\n'
    area += '    parent: "{}"\n'
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + "areas:\n"
        + area.format("karabakh", "Karabakh", "khankendi")
        + area.format("a", "A", "b")
        + area.format("b", "B", "a")
        + area.format("c", "C", "c"),
    )
    assert await refused([bad]) == [
        f"{bad}:10: areas[0].parent: parent makes a loop: karabakh -> khankendi -> karabakh",
        f"{bad}:15: areas[1].parent: parent makes a loop: a -> b -> a",
        f"{bad}:20: areas[2].parent: parent makes a loop: b -> a -> b",
        f"{bad}:25: areas[3].parent: parent makes a loop: c -> c",
    ]


async def test_a_record_may_refer_to_a_stored_record_of_its_section(
    base: Path, tmp_path: Path
) -> None:
    # The new area's parent is stored, not in the batch: it is looked up, not a KeyError.
    extra = write(
        tmp_path,
        "extra.yaml",
        'areas:\n  - key: "shusha"\n    name: "Shusha"\n    kind: "city"\n'
        '    country: "AZ"\n    parent: "karabakh"\n',
    )
    report = await loader.load([extra])
    assert (report.sections["areas"].created, report.changed) == (1, 1)
    shusha = await models.Area.get(key="shusha").prefetch_related("parent")
    assert shusha.parent is not None
    assert shusha.parent.key == "karabakh"


async def test_every_error_of_a_batch_is_reported(base: Path, tmp_path: Path) -> None:
    # Three mistakes of three kinds in one file, and one in another file: all four reported,
    # in file and line order. The candidacy of the election with the bad date is not
    # reported again as naming an unknown election.
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
elections:
  - key: "az-2018"
    country: "AZ"
    kind: "presidential"
    office: "President of Azerbaijan"
    date: 2018-04-31
    sources: ["cec"]
candidacies:
  - key: "az-2018/aliyev"
    election: "az-2018"
    person: "ilham-aliyev"
    sources: ["cec"]
  - key: "az-2024/nobody"
    election: "az-2024"
    person: "nobody"
    sources: ["cec"]
tallies:
  - key: "az-2024/other"
    election: "az-2024"
    stage: "final"
    as_of: 2024-02-13
    lines:
      - candidacy: "az-2024/aliyev"
        votes: -1
    sources: ["cec"]
""",
    )
    also = write(tmp_path, "also.json", '{"countries": [{"code": "GE"}]}\n')
    assert await refused([base, bad, also]) == [
        f"{also}:1: countries[0].name: Field required",
        f"{bad}:10: elections[0].date: Input should be a valid date or datetime, "
        "day value is outside expected range",
        f"{bad}:19: candidacies[1].person: unknown person 'nobody'",
        f"{bad}:28: tallies[0].lines[0].votes: Input should be greater than or equal to 0",
    ]


async def test_yaml_merge_keys_are_accepted(base: Path, tmp_path: Path) -> None:
    # `<<: *anchor` is not a duplicate key; the local `name` overrides the merged one.
    good = write(
        tmp_path,
        "good.yaml",
        """\
people:
  - &someone
    key: "someone"
    name: "Some One"
  - <<: *someone
    key: "someone-else"
    name: "Someone Else"
""",
    )
    report = await loader.load([good])
    assert report.sections["people"].created == 2
    names = (
        await models.Person.filter(key__startswith="someone")
        .order_by("key")
        .values_list("key", "name")
    )
    assert names == [("someone", "Some One"), ("someone-else", "Someone Else")]


async def test_yaml_aliases_that_expand_past_the_bound_are_refused_before_the_walk(
    base: Path, tmp_path: Path
) -> None:
    # 10 wide and 7 deep held the server for 74 s and 4 GB; now it is refused after a walk
    # of the 18 nodes written, whatever they describe (30 levels: over 10^30 values).
    for deep in (7, 30):
        # Written: the mapping, its keys, `x`, the lists. Each list a(i) stands for
        # 1 + 10 * a(i-1) values (a0: 2), and the mapping for itself, its keys and lists.
        lists = [2]
        for _ in range(deep):
            lists.append(1 + 10 * lists[-1])
        written, expanded = 2 * deep + 4, 1 + (deep + 1) + sum(lists)
        limit = ALIAS_GROWTH * written + ALIAS_ALLOWANCE
        bomb = write(tmp_path, f"bomb{deep}.yaml", laughs(10, deep))
        assert await refused([bomb]) == [
            f"{bomb}: YAML aliases expand this document to {expanded:,} values from "
            f"the {written} written, over the limit of {limit:,} (10 times those written, "
            "plus 10,000): write repeated values out, or repeat them less"
        ]
    assert expanded > 10**30
    # Within the bound, aliases are only shorthand: 10^3 values from 10 written.
    assert parse_text(laughs(10, 3), "small.yaml", aliases=True).errors == []


async def test_a_yaml_alias_that_holds_itself_is_refused(base: Path, tmp_path: Path) -> None:
    loop = write(tmp_path, "loop.yaml", "people: &people\n  - *people\n")
    assert await refused([loop]) == [
        f"{loop}:1: a YAML alias makes this value hold itself; fixtures are trees"
    ]


def test_yaml_aliases_are_refused_in_text_sent_to_the_api() -> None:
    # parse_text (loadFixtures) refuses the first alias before building anything; files
    # (parse_file, `elections load`) may use them within the bound above.
    document = parse_text(laughs(10, 7), "content.yaml")
    assert [(error.line, error.message) for error in document.errors] == [
        (
            2,
            "YAML alias *a0: aliases are not accepted in content sent to the API; write the "
            "value out where it is repeated",
        )
    ]
    assert document.data is None


def test_json_nested_too_deeply_or_with_a_huge_number_is_refused() -> None:
    deep = parse_text("[" * 100_000 + "]" * 100_000, "deep.json")
    assert [(e.line, e.message) for e in deep.errors] == [
        (None, "JSON nested too deeply: no fixture nests a thousand levels")
    ]
    huge = parse_text('{"countries": [{"code": ' + "9" * 5000 + "}]}", "huge.json")
    assert [(e.line, e.message) for e in huge.errors] == [
        (None, "JSON syntax error: a number of more than 4,300 digits")
    ]


TOO_DEEP = "YAML nested too deeply: over the limit of 100 levels; no fixture nests more than a few"


def test_yaml_nested_too_deeply_is_refused_with_its_line() -> None:
    # Past a thousand levels libyaml refused, and PyYAML's parser, which read it next,
    # recursed until Python stopped it: a RecursionError, not a fixture error.
    def refusal(text: str, aliases: bool = False) -> list[tuple[int | None, str]]:
        document = parse_text(text, "content.yaml", aliases)
        assert document.data is None
        return [(error.line, error.message) for error in document.errors]

    for depth in (101, 1001, 100_000):  # libyaml composes the first, refuses the others
        assert refusal("[" * depth + "]" * depth) == [(1, TOO_DEEP)]
    assert parse_text("a: " + "[" * 99 + "]" * 99, "content.yaml").errors == []
    assert refusal("a: " + "[" * 100 + "]" * 100) == [(1, TOO_DEEP)]
    # The line of the hundred-and-first level, the first in the text, whoever refuses it.
    for depth in (150, 1500):
        mappings = "".join(" " * level + f"m{level}:\n" for level in range(depth)) + " " * depth
        shallow_then_deep = "a: [1]\nb: " + "[" * 200 + "]" * 200 + "\n"
        assert refusal(shallow_then_deep + mappings + "x: 1\n") == [(2, TOO_DEEP)]
        assert refusal(mappings + "x: 1\n") == [(101, TOO_DEEP)]
    # A text libyaml refuses for another reason and PyYAML's parser reads.
    assert refusal("%YAML 1.3\n--- " + "[" * 5000 + "]" * 5000) == [(2, TOO_DEEP)]
    # Through aliases, in files: 3 anchors of 40 levels, each holding the one before.
    chain = "x0: &x0 " + "[" * 40 + "1" + "]" * 40 + "\n"
    for i in (1, 2):
        chain += f"x{i}: &x{i} " + "[" * 40 + f"*x{i - 1}" + "]" * 40 + "\n"
    assert refusal(chain, aliases=True) == [(1, TOO_DEEP)]  # x0's level written on line 1
    assert parse_text(chain.rsplit("x2:", 1)[0], "content.yaml", aliases=True).errors == []


# --- Loading again: idempotent, minimal, and nothing removed unless asked. ---


async def test_loading_the_world_twice_changes_nothing(
    empty_db: TortoiseContext,
) -> None:
    first = await loader.load([WORLD])
    counts = await row_counts()
    assert {name: c.created for name, c in first.sections.items()} == counts
    assert (counts["elections"], counts["tallies"], counts["sources"]) == (9, 34, 94)
    assert first.changed == sum(counts.values())
    before = await snapshot()

    second = await loader.load([WORLD])

    assert second.changed == 0
    assert {name: c.unchanged for name, c in second.sections.items()} == counts
    # Not one row touched: every updated_at (and every other value) is as it was.
    assert await snapshot() == before


async def test_changing_one_figure_updates_exactly_that_row(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(WORLD, copy)
    await loader.load([copy])
    before = await snapshot()
    tally = await models.Tally.get(key="az-president-2024/final-cec")
    line = await models.TallyLine.get(
        tally_id=tally.id, candidacy__key="az-president-2024/zahid-oruj"
    )
    assert line.votes == 107632

    # One vote count in one tally line: the tally is the row that changed.
    path = copy / "az" / "2024-presidential.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("votes: 107632\n") == 1
    path.write_text(text.replace("votes: 107632\n", "votes: 107633\n"), encoding="utf-8")
    report = await loader.load([copy])

    assert report.changed == 1
    assert report.sections["tallies"].updated == 1
    assert report.sections["tallies"].unchanged == await models.Tally.all().count() - 1
    after = await snapshot()
    assert changed_rows(before, after) == {("tally", tally.id), ("tally_line", line.id)}
    reloaded = await models.TallyLine.get(id=line.id)
    assert (reloaded.tally_id, reloaded.votes) == (tally.id, 107633)
    assert (await models.Tally.get(id=tally.id)).updated_at > tally.updated_at

    # One plain column of the same tally: again exactly that row, with the same id.
    text = path.read_text(encoding="utf-8")
    assert text.count("turnout_reported: 76.43\n") == 1
    path.write_text(text.replace("turnout_reported: 76.43\n", "turnout_reported: 76.5\n"))
    report = await loader.load([copy])

    assert report.changed == 1
    assert report.sections["tallies"].updated == 1
    assert changed_rows(after, await snapshot()) == {("tally", tally.id)}
    stored = await models.Tally.get(key="az-president-2024/final-cec")
    assert (stored.id, stored.turnout_reported) == (tally.id, 76.5)


def changed_rows(before: Snapshot, after: Snapshot) -> set[tuple[str, int]]:
    """(table, id) of rows that differ; fails if rows appeared or disappeared."""
    changed: set[tuple[str, int]] = set()
    for table, rows in before.items():
        if table in LINK_TABLES:
            assert after[table] == rows, table
            continue
        assert [row["id"] for row in after[table]] == [row["id"] for row in rows], table
        pairs = zip(rows, after[table], strict=True)
        changed |= {(table, old["id"]) for old, new in pairs if old != new}
    return changed


async def test_links_and_parents_count_as_updates(base: Path, tmp_path: Path) -> None:
    # A change only in a row's links or in its parent is still a change of that row.
    text = BASE.replace('sources: ["cec", "wiki"]\ncandidacies', 'sources: ["cec"]\ncandidacies')
    text = text.replace('    parent: "karabakh"\n', "")
    edited = write(tmp_path, "base.yaml", text)
    before = await snapshot()

    report = await loader.load([edited])

    assert report.changed == 2
    assert (report.sections["elections"].updated, report.sections["areas"].updated) == (1, 1)
    election = await models.Election.get(key="az-2024")
    area = await models.Area.get(key="khankendi")
    assert changed_rows_without_links(before, await snapshot()) == {
        ("election", election.id),
        ("area", area.id),
    }
    assert [s.key for s in await election.sources.all()] == ["cec"]
    assert area.parent_id is None


def changed_rows_without_links(before: Snapshot, after: Snapshot) -> set[tuple[str, int]]:
    return changed_rows(
        {t: rows for t, rows in before.items() if t not in LINK_TABLES},
        {t: rows for t, rows in after.items() if t not in LINK_TABLES},
    )


async def test_prune_deletes_only_when_asked(base: Path, tmp_path: Path) -> None:
    # BASE without its preliminary tally (a tally with lines and sources).
    start = BASE.index('  - key: "az-2024/preliminary"')
    end = BASE.index("endorsements:")
    smaller = write(tmp_path, "smaller.yaml", BASE[:start] + BASE[end:])

    kept = await loader.load([smaller])
    assert kept.changed == 0
    assert await models.Tally.filter(key="az-2024/preliminary").exists()
    assert await models.TallyLine.all().count() == 3

    pruned = await loader.load([smaller], prune=True)
    assert pruned.changed == 1
    assert pruned.sections["tallies"].deleted == 1
    assert sum(counts.deleted for counts in pruned.sections.values()) == 1
    assert not await models.Tally.filter(key="az-2024/preliminary").exists()
    assert await models.TallyLine.all().count() == 2
    assert await row_counts() == {**BASE_COUNTS, "tallies": 1}


async def test_prune_deletes_rows_that_refer_to_each_other(base: Path, tmp_path: Path) -> None:
    # A case and its appeal, a region and its city: deleted together, whatever the row order.
    court = """\
  - key: "court"
    name: "Constitutional Court"
    kind: "court"
    country: "AZ"
elections:
"""
    cases = """\
legal_cases:
  - key: "az-2024/case"
    election: "az-2024"
    court: "court"
    subject: "Annul the vote"
    outcome: "rejected"
    sources: ["cec"]
  - key: "az-2024/appeal"
    election: "az-2024"
    court: "court"
    appeal_of: "az-2024/case"
    subject: "Annul the vote, on appeal"
    outcome: "rejected"
    sources: ["cec"]
"""
    with_cases = write(tmp_path, "cases.yaml", BASE.replace("elections:\n", court) + cases)
    report = await loader.load([with_cases])
    assert (report.sections["legal_cases"].created, report.changed) == (2, 3)

    without_areas = BASE[: BASE.index("areas:")] + BASE[BASE.index("people:") :]
    report = await loader.load([write(tmp_path, "base.yaml", without_areas)], prune=True)

    deleted = {name: counts.deleted for name, counts in report.sections.items() if counts.deleted}
    assert deleted == {"legal_cases": 2, "organizations": 1, "areas": 2}
    assert report.changed == 5
    assert await row_counts() == {k: v for k, v in BASE_COUNTS.items() if k != "areas"}


async def test_prune_refuses_references_outside_the_batch(base: Path, tmp_path: Path) -> None:
    # Without prune, a file may name rows already stored...
    alone = write(
        tmp_path,
        "alone.yaml",
        """\
candidacies:
  - key: "az-2024/erdogan"
    election: "az-2024"
    person: "erdogan"
    sources: ["cec"]
""",
    )
    # ...but with prune those rows would be deleted, so the names are errors.
    assert await refused([alone], prune=True) == [
        f"{alone}:3: candidacies[0].election: unknown election 'az-2024'",
        f"{alone}:4: candidacies[0].person: unknown person 'erdogan'",
        f"{alone}:5: candidacies[0].sources[0]: unknown source 'cec'",
    ]
    report = await loader.load([alone])
    assert report.sections["candidacies"].created == 1
    assert await row_counts() == {**BASE_COUNTS, "candidacies": 3}


# --- Dump, rollback, formats and progress. ---


async def test_dump_and_reload_give_the_same_files_and_answers(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    await loader.load([WORLD])
    counts = await row_counts()
    first = await loader.dump(tmp_path / "first")
    assert [p.name for p in first] == [f"{i:02d}-{s.name}.yaml" for i, s in enumerate(SECTIONS, 1)]
    # The dump holds what the database holds: loading it back changes nothing.
    assert (await loader.load(first)).changed == 0

    other = await open_database("dump")
    try:
        report = await loader.load(first)
        assert {name: c.created for name, c in report.sections.items()} == counts
        second = await loader.dump(tmp_path / "second")
        assert [p.name for p in second] == [p.name for p in first]
        for a, b in zip(first, second, strict=True):
            assert a.read_bytes() == b.read_bytes(), a.name
        assert await row_counts() == counts
        assert await aliyev_2024_final_share() == 92.12
    finally:
        await close_database(other)
    assert await aliyev_2024_final_share() == 92.12


async def aliyev_2024_final_share() -> float | None:
    line = await models.TallyLine.get(
        tally__election__key="az-president-2024",
        tally__preferred=True,
        candidacy__person__key="ilham-aliyev",
    )
    return line.share


async def test_failure_while_writing_rolls_everything_back(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A valid batch that adds or changes rows in several sections.
    changed = BASE.replace('name: "Turkey"', 'name: "Türkiye"').replace(
        "term_years: 7", "term_years: 5"
    )
    path = write(tmp_path, "base.yaml", changed.replace("sources:\n", EXTRA_SOURCE, 1))
    before = await snapshot()
    upsert = _Writer.upsert
    seen: dict[str, int] = {}

    async def failing(self: _Writer, section: Section) -> None:
        await upsert(self, section)
        if section.name == "elections":
            # Inside the transaction the earlier sections really were written.
            seen["sources"] = await models.Source.all().using_db(self.conn).count()
            seen["turkey"] = await models.Country.filter(name="Türkiye").using_db(self.conn).count()
            raise RuntimeError("disk full")

    monkeypatch.setattr(_Writer, "upsert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        await loader.load([path])

    assert seen == {"sources": 3, "turkey": 1}
    assert await snapshot() == before
    assert not await models.Source.filter(key="extra").exists()

    monkeypatch.undo()
    report = await loader.load([path])
    assert (report.sections["sources"].created, report.changed) == (1, 3)


async def test_a_value_longer_than_its_column_is_refused_by_the_write(
    base: Path, tmp_path: Path
) -> None:
    # The records do not limit a publisher's length; the column does (200), and the write
    # checks it as Tortoise's field does, on SQLite too, before anything is written.
    long = write(
        tmp_path,
        "long.yaml",
        EXTRA_SOURCE.replace('publisher: "Extra"', f'publisher: "{"x" * 201}"'),
    )
    before = await snapshot()
    with pytest.raises(ValidationError, match=r"^publisher: Length of 'x+' 201 > 200$"):
        await loader.load([long])
    assert await snapshot() == before


async def test_an_error_deep_in_a_json_file_is_reported_at_its_line(
    base: Path, tmp_path: Path
) -> None:
    # JSON is parsed without line numbers; they are worked out only for the report.
    people = [{"key": f"person-{n}", "name": f"Person {n}"} for n in range(50)]
    people[37]["birth_date"] = "1961-02-30"
    bad = write(tmp_path, "people.json", json.dumps({"people": people}, indent=2) + "\n")
    line = (
        json.dumps({"people": people}, indent=2)
        .splitlines()
        .index('      "birth_date": "1961-02-30"')
    )
    assert await refused([base, bad]) == [
        f"{bad}:{line + 1}: people[37].birth_date: Input should be a valid date or datetime, "
        "day value is outside expected range"
    ]


async def test_json_and_yaml_give_the_same_database(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    # The test world rewritten as JSON: dates become strings, the rest is the same.
    folder = tmp_path / "json"
    for source in sorted(WORLD.rglob("*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        target = folder / source.relative_to(WORLD).with_suffix(".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, default=str, indent=2, ensure_ascii=False))
    assert len(list(folder.rglob("*.json"))) == len(list(WORLD.rglob("*.yaml")))

    from_json = await loader.load([folder])
    json_rows = await snapshot(timestamps=False)

    other = await open_database("yaml")
    try:
        from_yaml = await loader.load([WORLD])
        assert str(from_yaml) == str(from_json)
        assert await snapshot(timestamps=False) == json_rows
    finally:
        await close_database(other)
    # And the YAML files change nothing in the database the JSON files made.
    assert (await loader.load([WORLD])).changed == 0


async def test_progress_reports_each_section_to_its_end(
    empty_db: TortoiseContext,
) -> None:
    calls: list[tuple[str, int, int]] = []

    def progress(section: str, done: int, total: int) -> None:
        calls.append((section, done, total))

    await loader.load([WORLD], progress=progress)

    counts = await row_counts()
    # Sections of fewer than 1000 records report once, when done, in dependency order.
    assert max(counts.values()) < 1000
    expected = [(s.name, counts[s.name], counts[s.name]) for s in SECTIONS if s.name in counts]
    assert calls == expected


async def test_progress_counts_in_thousands(empty_db: TortoiseContext, tmp_path: Path) -> None:
    many = "sources:\n" + "".join(
        f'  - key: "s{i}"\n    publisher: "P"\n    title: "T{i}"\n' for i in range(2500)
    )
    calls: list[tuple[str, int, int]] = []
    await loader.load(
        [write(tmp_path, "many.yaml", many)], progress=lambda *call: calls.append(call)
    )
    assert calls == [("sources", 1000, 2500), ("sources", 2000, 2500), ("sources", 2500, 2500)]
    assert await models.Source.all().count() == 2500


async def test_a_misspelt_field_is_named_with_the_one_meant(base: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
people:
  - key: "someone"
    name: "Some One"
    brith_date: "1961-12-24"
    sources: ["extra"]
""",
    )
    assert await refused([base, bad]) == [
        f"{bad}:8: people[0].brith_date: unknown field 'brith_date': did you mean 'birth_date'?"
    ]


async def test_an_unquoted_no_is_reported_with_the_files_other_errors(
    base: Path, tmp_path: Path
) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        EXTRA_SOURCE
        + """\
countries:
  - code: NO
    name: "Norway"
people:
  - key: "someone"
    name: "Some One"
    born: "1961-12-24"
    sources: ["extra"]
""",
    )
    assert await refused([base, bad]) == [
        f'{bad}:6: countries[0].code: unquoted NO is a boolean in YAML 1.1: write "NO" for '
        "text, or true/false for a yes/no value",
        f"{bad}:11: people[0].born: unknown field 'born'; the fields are key, name, "
        "also_known_as, birth_date, death_date, sources",
    ]
