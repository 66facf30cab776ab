"""The loader checks the new sections (statements, exit_polls, legal_cases, polling_stations,
office_terms) as strictly as the old ones.

Each bad record gives one exact message, `file:line: record path: problem`, and refuses the
whole batch: nothing is written, not even the valid records loaded with it (new ones, and
changes to stored ones). The cases the loader must refuse run twice: after a small valid
base was loaded (references resolved against stored rows), and with that base in the same
batch (references resolved within the batch); the further rules run once, after the base.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import loader
import models
from loader import LoadError
from tests.support.databases import link_tables, snapshot

# A small valid world with a record in every section, the new ones included.
BASE = """
sources:
  - key: "src"
    url: "https://example.org/src"
    publisher: "Example"
countries:
  - code: "GE"
    name: "Georgia"
areas:
  - key: "tsalka"
    name: "Tsalka"
    kind: "municipality"
    country: "GE"
people:
  - key: "judge"
    name: "A Judge"
  - key: "leader"
    name: "A Leader"
organizations:
  - key: "court"
    name: "A Court"
    kind: "court"
    country: "GE"
  - key: "party-a"
    name: "Party A"
    kind: "party"
    country: "GE"
  - key: "party-b"
    name: "Party B"
    kind: "party"
    country: "GE"
  - key: "pollster"
    name: "A Pollster"
    kind: "pollster"
  - key: "observers"
    name: "An Observer Mission"
    kind: "observer_mission"
elections:
  - key: "ge-2020"
    country: "GE"
    kind: "parliamentary"
    office: "Parliament"
    date: 2020-10-31
    sources: ["src"]
  - key: "ge-2024"
    country: "GE"
    kind: "parliamentary"
    office: "Parliament"
    date: 2024-10-26
    sources: ["src"]
candidacies:
  - {key: "ge-2020/party-a", election: "ge-2020", party: "party-a", sources: ["src"]}
  - {key: "ge-2024/party-a", election: "ge-2024", party: "party-a", sources: ["src"]}
  - {key: "ge-2024/party-b", election: "ge-2024", party: "party-b", sources: ["src"]}
tallies:
  - key: "ge-2024/final"
    election: "ge-2024"
    stage: "final"
    as_of: 2024-11-16
    preferred: true
    lines:
      - {candidacy: "ge-2024/party-a", share: 60}
      - {candidacy: "ge-2024/party-b", share: 40}
    sources: ["src"]
statements:
  - key: "ge-2024/observers"
    election: "ge-2024"
    kind: "observer_assessment"
    organization: "observers"
    summary: "Calm and orderly."
    sources: ["src"]
exit_polls:
  - key: "ge-2024/poll"
    election: "ge-2024"
    pollster: "pollster"
    released: 2024-10-26
    lines:
      - {candidacy: "ge-2024/party-a", share: 55}
      - {candidacy: "ge-2024/party-b", share: 45}
    sources: ["src"]
legal_cases:
  - key: "ge-2020/case"
    election: "ge-2020"
    court: "court"
    judges: ["judge"]
    decided: 2020-11-10
    subject: "Annulment of one precinct"
    outcome: "granted"
    precincts_annulled: 1
    annulled_areas: ["tsalka"]
    sources: ["src"]
polling_stations:
  - key: "ge-2024/stations"
    election: "ge-2024"
    count: 3111
    sources: ["src"]
office_terms:
  - key: "prime-minister/leader"
    person: "leader"
    office: "Prime Minister"
    country: "GE"
    started: "2021-02"
    began_by: "succeeded"
    sources: ["src"]
"""

# Valid new records that go into the same batch as each bad file: refused with it.
GOOD = """
statements:
  - key: "ge-2024/rejection"
    election: "ge-2024"
    kind: "rejects"
    person: "leader"
    organization: "party-b"
    summary: "Party B does not accept the result."
    sources: ["src"]
exit_polls:
  - key: "ge-2024/poll-2"
    election: "ge-2024"
    pollster: "pollster"
    released: 2024-10-26
    released_time: "20:00"
    lines:
      - {candidacy: "ge-2024/party-a", share: 58.5}
      - {candidacy: "ge-2024/party-b", share_below: 45}
    sources: ["src"]
legal_cases:
  - key: "ge-2024/case"
    election: "ge-2024"
    court: "court"
    claimant_organizations: ["party-b"]
    filed: 2024-10-30
    decided: 2024-11-04
    subject: "Vote secrecy"
    outcome: "granted"
    sources: ["src"]
polling_stations:
  - key: "ge-2024/stations-tsalka"
    election: "ge-2024"
    area: "tsalka"
    count: 39
    sources: ["src"]
office_terms:
  - key: "prime-minister/leader-acting"
    person: "judge"
    office: "Prime Minister"
    country: "GE"
    started: "2020-12"
    ended: "2021-02"
    began_by: "acting"
    sources: ["src"]
"""


# Changes to two of the base's records, loaded with each bad file once the base is stored.
CHANGED = """
statements:
  - key: "ge-2024/observers"
    election: "ge-2024"
    kind: "observer_assessment"
    organization: "observers"
    summary: "Calm and orderly, but the secrecy of the vote was not always kept."
    sources: ["src"]
office_terms:
  - key: "prime-minister/leader"
    person: "leader"
    office: "Prime Minister"
    country: "GE"
    started: "2021-02"
    ended: "2024-02"
    began_by: "succeeded"
    sources: ["src"]
"""

# An appeal of the base's case, loaded on its own after the base.
APPEAL = """
legal_cases:
  - key: "ge-2020/appeal"
    election: "ge-2020"
    court: "court"
    appeal_of: "ge-2020/case"
    subject: "Appeal"
    outcome: "pending"
    sources: ["src"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, marker: str) -> int:
    """The 1-based number of the one line of the file that contains `marker`."""
    numbers = [
        number
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if marker in text
    ]
    assert len(numbers) == 1, f"{marker!r} is on lines {numbers} of {path.name}"
    return numbers[0]


def all_models() -> list[type[Any]]:
    return list(models.__models__)


async def counts() -> dict[str, int]:
    """Rows per model and per link table."""
    found = {model.__name__: await model.all().count() for model in all_models()}
    db = models.Statement._meta.db
    for table in link_tables():
        rows = await db.execute_query_dict(f'SELECT COUNT(*) AS n FROM "{table}"')
        found[table] = int(rows[0]["n"])
    return found


BASE_COUNTS = {
    "Source": 1,
    "Country": 1,
    "Area": 1,
    "Person": 2,
    "Organization": 5,
    "Election": 2,
    "Candidacy": 3,
    "Tally": 1,
    "TallyLine": 2,
    "Endorsement": 0,
    "Statement": 1,
    "ExitPoll": 1,
    "ExitPollLine": 2,
    "LegalCase": 1,
    "PollingStations": 1,
    "OfficeTerm": 1,
}


@pytest.fixture(params=["after-base", "with-base"])
async def batch(
    request: pytest.FixtureRequest, empty_db: TortoiseContext, tmp_path: Path
) -> list[Path]:
    """The files to load with a bad one: the valid news, and the base unless it is stored."""
    base = write(tmp_path, "base.yaml", BASE)
    news = tmp_path / "news"
    news.mkdir()
    good = write(news, "good.yaml", GOOD)
    if request.param == "after-base":
        await loader.load([base])
        stored = await counts()
        assert {k: v for k, v in stored.items() if k in BASE_COUNTS} == BASE_COUNTS
        return [good, write(news, "changed.yaml", CHANGED)]
    return [base, good]


async def refused(batch: list[Path], bad: Path) -> str:
    """Load the batch with the bad file; return the LoadError's text; check nothing changed."""
    before = await snapshot()
    with pytest.raises(LoadError) as caught:
        await loader.load([*batch, bad])
    assert await snapshot() == before
    return str(caught.value)


async def test_the_valid_news_load(empty_db: TortoiseContext, tmp_path: Path) -> None:
    """Without a bad file, the batches of the tests below load."""
    base = write(tmp_path, "base.yaml", BASE)
    good = write(tmp_path, "good.yaml", GOOD)
    await loader.load([base])
    report = await loader.load([good, write(tmp_path, "changed.yaml", CHANGED)])
    assert {name: (c.created, c.updated) for name, c in report.sections.items()} == {
        "statements": (1, 1),
        "exit_polls": (1, 0),
        "legal_cases": (1, 0),
        "polling_stations": (1, 0),
        "office_terms": (1, 1),
    }
    loaded = await counts()
    assert {k: v for k, v in loaded.items() if k in BASE_COUNTS} == {
        **BASE_COUNTS,
        "Statement": 2,
        "ExitPoll": 2,
        "ExitPollLine": 4,
        "LegalCase": 2,
        "PollingStations": 2,
        "OfficeTerm": 2,
    }


async def test_an_appeal_of_a_stored_case(empty_db: TortoiseContext, tmp_path: Path) -> None:
    """The case appealed was loaded before: its id is looked up when the appeal is written."""
    await loader.load([write(tmp_path, "base.yaml", BASE)])
    await loader.load([write(tmp_path, "appeal.yaml", APPEAL)])
    rows = await models.LegalCase.filter(key="ge-2020/appeal").values_list("appeal_of__key")
    assert rows == [("ge-2020/case",)]


async def test_a_statement_by_unnamed_actors(empty_db: TortoiseContext, tmp_path: Path) -> None:
    """Neither a person nor an organization: a description of the actors is enough."""
    await loader.load([write(tmp_path, "base.yaml", BASE)])
    unnamed = write(
        tmp_path,
        "unnamed.yaml",
        """
        statements:
          - key: "ge-2024/boycott-unnamed"
            election: "ge-2024"
            kind: "boycott"
            actor_description: "three opposition leaders"
            summary: "Three opposition leaders stayed away."
            sources: ["src"]
        """,
    )
    report = await loader.load([unnamed])
    assert {name: (c.created, c.updated) for name, c in report.sections.items()} == {
        "statements": (1, 0)
    }
    rows = await models.Statement.filter(key="ge-2024/boycott-unnamed").values_list(
        "election__key", "kind", "person_id", "organization_id", "actor_description", "summary"
    )
    assert rows == [
        (
            "ge-2024",
            "boycott",
            None,
            None,
            "three opposition leaders",
            "Three opposition leaders stayed away.",
        )
    ]
    statement = await models.Statement.get(key="ge-2024/boycott-unnamed")
    assert [source.key for source in await statement.sources.all()] == ["src"]


# --- The cases the loader must refuse -----------------------------------------------------


async def test_unknown_actor_in_a_statement(batch: list[Path], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        statements:
          - key: "ge-2024/boycott"
            election: "ge-2024"
            kind: "boycott"
            person: "nobody"
            organization: "no-such-party"
            summary: "Stayed away."
            sources: ["src"]
        """,
    )
    assert await refused(batch, bad) == "\n".join(
        [
            f"{bad}:{line_of(bad, 'nobody')}: statements[0].person: unknown person 'nobody'",
            f"{bad}:{line_of(bad, 'no-such-party')}: statements[0].organization: "
            "unknown organization 'no-such-party'",
        ]
    )


async def test_appeal_of_a_case_in_another_election(batch: list[Path], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        legal_cases:
          - key: "ge-2024/appeal"
            election: "ge-2024"
            court: "court"
            appeal_of: "ge-2020/case"
            subject: "Appeal against a ruling about another election"
            outcome: "rejected"
            sources: ["src"]
        """,
    )
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, 'appeal_of')}: legal_cases[0].appeal_of: "
        "appeals 'ge-2020/case' of election 'ge-2020', not 'ge-2024'"
    )


async def test_exit_poll_line_for_a_candidacy_of_another_election(
    batch: list[Path], tmp_path: Path
) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        exit_polls:
          - key: "ge-2024/poll-3"
            election: "ge-2024"
            pollster: "pollster"
            released: 2024-10-26
            lines:
              - candidacy: "ge-2024/party-a"
                share: 50
              - candidacy: "ge-2020/party-a"
                share: 30
            sources: ["src"]
        """,
    )
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, 'ge-2020/party-a')}: exit_polls[0].lines[1].candidacy: "
        "candidacy 'ge-2020/party-a' belongs to election 'ge-2020', not 'ge-2024'"
    )


async def test_legal_case_decided_before_it_was_filed(batch: list[Path], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        legal_cases:
          - key: "ge-2024/summary-protocol"
            election: "ge-2024"
            court: "court"
            filed: 2024-11-18
            decided: 2024-11-04
            subject: "Annulment of the summary protocol"
            outcome: "rejected"
            sources: ["src"]
        """,
    )
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, 'ge-2024/summary-protocol')}: legal_cases[0]: "
        "decided (2024-11-04) is before filed (2024-11-18)"
    )


async def test_office_term_ending_before_it_starts(batch: list[Path], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        office_terms:
          - key: "prime-minister/leader-2"
            person: "leader"
            office: "Prime Minister"
            country: "GE"
            started: "2008-10"
            ended: "2003-10"
            began_by: "succeeded"
            sources: ["src"]
        """,
    )
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, 'prime-minister/leader-2')}: office_terms[0]: "
        "ended (2003-10) is before started (2008-10)"
    )


@pytest.mark.parametrize(
    ("record", "field", "word"),
    [
        (
            """
            statements:
              - key: "ge-2024/boycott"
                election: "ge-2024"
                kind: "boycott"
                organization: "party-b"
                summary: no
                sources: ["src"]
            """,
            "statements[0].summary",
            "no",
        ),
        (
            """
            exit_polls:
              - key: "ge-2024/poll-3"
                election: "ge-2024"
                pollster: "pollster"
                released: 2024-10-26
                summary: Yes
                lines:
                  - {candidacy: "ge-2024/party-a", share: 50}
                sources: ["src"]
            """,
            "exit_polls[0].summary",
            "Yes",
        ),
        (
            """
            legal_cases:
              - key: "ge-2024/case-2"
                election: "ge-2024"
                court: "court"
                subject: NO
                outcome: "pending"
                sources: ["src"]
            """,
            "legal_cases[0].subject",
            "NO",
        ),
        (
            """
            polling_stations:
              - key: "ge-2024/stations-2"
                election: "ge-2024"
                area: "tsalka"
                count: 40
                summary: off
                sources: ["src"]
            """,
            "polling_stations[0].summary",
            "off",
        ),
        (
            """
            office_terms:
              - key: "prime-minister/leader-2"
                person: "leader"
                office: On
                country: "GE"
                started: "2024-10"
                began_by: "acting"
                sources: ["src"]
            """,
            "office_terms[0].office",
            "On",
        ),
    ],
    ids=["statements", "exit_polls", "legal_cases", "polling_stations", "office_terms"],
)
async def test_unquoted_yes_no_in_a_new_section(
    batch: list[Path], tmp_path: Path, record: str, field: str, word: str
) -> None:
    bad = write(tmp_path / "news", "bad.yaml", record)
    name = field.rsplit(".", 1)[1]
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, f'{name}: {word}')}: {field}: unquoted {word} is a boolean in "
        f'YAML 1.1: write "{word}" for text, or true/false for a yes/no value'
    )


# --- More rules of the new sections, one message each ------------------------------------


# Stored references are the harder path: these run once, after the base was loaded.
@pytest.mark.parametrize("batch", ["after-base"], indirect=True)
@pytest.mark.parametrize(
    ("record", "marker", "path", "message"),
    [
        (
            """
            statements:
              - key: "ge-2024/anonymous"
                election: "ge-2024"
                kind: "fraud_allegation"
                summary: "Someone alleged fraud."
                sources: ["src"]
            """,
            "ge-2024/anonymous",
            "statements[0]",
            "a statement needs a person, an organization, or an actor_description",
        ),
        (
            """
            statements:
              - key: "ge-2024/praise"
                election: "ge-2024"
                kind: "praise"
                organization: "party-a"
                summary: "All was well."
                sources: ["src"]
            """,
            'kind: "praise"',
            "statements[0].kind",
            "Input should be 'recognises', 'rejects', 'observer_assessment', "
            "'fraud_allegation' or 'boycott'",
        ),
        (
            """
            statements:
              - key: "ge-2024/unsourced"
                election: "ge-2024"
                kind: "recognises"
                organization: "party-a"
                summary: "Accepted the result."
                sources: []
            """,
            "sources",
            "statements[0].sources",
            "List should have at least 1 item after validation, not 0",
        ),
        (
            """
            exit_polls:
              - key: "ge-2024/poll-3"
                election: "ge-2024"
                pollster: "pollster"
                released: 2024-10-26
                lines:
                  - {candidacy: "ge-2024/nobody", share: 50}
                sources: ["src"]
            """,
            "ge-2024/nobody",
            "exit_polls[0].lines[0].candidacy",
            "unknown candidacy 'ge-2024/nobody'",
        ),
        (
            """
            exit_polls:
              - key: "ge-2024/poll-3"
                election: "ge-2024"
                pollster: "pollster"
                released: 2024-10-26
                lines:
                  - {candidacy: "ge-2024/party-a", share: 50}
                  - {candidacy: "ge-2024/party-b"}
                sources: ["src"]
            """,
            "ge-2024/poll-3",
            "exit_polls[0]",
            "the line for 'ge-2024/party-b' has no share, bound or seats",
        ),
        (
            """
            exit_polls:
              - key: "ge-2024/poll-3"
                election: "ge-2024"
                pollster: "pollster"
                released: 2024-10-26
                lines:
                  - {candidacy: "ge-2024/party-a", share: 60}
                  - {candidacy: "ge-2024/party-b", share: 45}
                sources: ["src"]
            """,
            "ge-2024/poll-3",
            "exit_polls[0]",
            "line shares add up to more than 100",
        ),
        (
            """
            exit_polls:
              - key: "ge-2024/poll-3"
                election: "ge-2024"
                pollster: "pollster"
                released: 2024-10-26
                released_time: "8 pm"
                lines:
                  - {candidacy: "ge-2024/party-a", share: 60}
                sources: ["src"]
            """,
            "released_time",
            "exit_polls[0].released_time",
            "String should match pattern '^([01]\\d|2[0-3]):[0-5]\\d$'",
        ),
        (
            """
            legal_cases:
              - key: "ge-2024/case-2"
                election: "ge-2024"
                court: "court"
                decided: 2024-11-04
                subject: "Still open"
                outcome: "pending"
                sources: ["src"]
            """,
            "ge-2024/case-2",
            "legal_cases[0]",
            "a pending case has no decided date",
        ),
        (
            """
            legal_cases:
              - key: "ge-2024/case-2"
                election: "ge-2024"
                court: "court"
                appeal_of: "ge-2024/case-2"
                subject: "Itself"
                outcome: "rejected"
                sources: ["src"]
            """,
            'key: "ge-2024/case-2"',
            "legal_cases[0]",
            "a case cannot appeal itself",
        ),
        (
            """
            legal_cases:
              - key: "ge-2024/case-2"
                election: "ge-2024"
                court: "court"
                judges: ["judge", "judge-x"]
                subject: "Unknown judge"
                outcome: "rejected"
                sources: ["src"]
            """,
            "judge-x",
            "legal_cases[0].judges[1]",
            "unknown person 'judge-x'",
        ),
        (
            """
            legal_cases:
              - key: "ge-2024/case-2"
                election: "ge-2024"
                court: "court"
                appeal_of: "ge-2024/no-such-case"
                subject: "Appeal of nothing"
                outcome: "rejected"
                sources: ["src"]
            """,
            "no-such-case",
            "legal_cases[0].appeal_of",
            "unknown legal case 'ge-2024/no-such-case'",
        ),
        (
            """
            polling_stations:
              - key: "ge-2024/stations-karabakh"
                election: "ge-2024"
                area: "karabakh"
                count: 26
                sources: ["src"]
            """,
            'area: "karabakh"',
            "polling_stations[0].area",
            "unknown area 'karabakh'",
        ),
        (
            """
            polling_stations:
              - key: "ge-2024/stations-2"
                election: "ge-2024"
                count: "3111"
                sources: ["src"]
            """,
            "count",
            "polling_stations[0].count",
            "Input should be a valid integer, got str '3111'",
        ),
        (
            """
            polling_stations:
              - key: "ge-2024/stations-2"
                election: "ge-2024"
                count: 0
                sources: ["src"]
            """,
            "count",
            "polling_stations[0].count",
            "Input should be greater than or equal to 1",
        ),
        (
            """
            office_terms:
              - key: "prime-minister/leader-2"
                person: "leader"
                office: "Prime Minister"
                country: "GE"
                started: "2024-10"
                began_by: "elected"
                sources: ["src"]
            """,
            "prime-minister/leader-2",
            "office_terms[0]",
            "a term begun by election names the election",
        ),
        (
            """
            office_terms:
              - key: "prime-minister/leader-2"
                person: "leader"
                office: "Prime Minister"
                country: "GE"
                started: "2024-13"
                began_by: "acting"
                sources: ["src"]
            """,
            "started",
            "office_terms[0].started",
            "String should match pattern '^\\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\d|3[01]))?)?$'",
        ),
        (
            """
            office_terms:
              - key: "prime-minister/leader-2"
                person: "leader"
                office: "Prime Minister"
                country: "GE"
                started: "2024-10"
                began_by: "acting"
                term: 2
                sources: ["src"]
            """,
            "term: 2",
            "office_terms[0].term",
            "unknown field 'term'; the fields are key, person, office, country, started, "
            "ended, began_by, election, summary, sources",
        ),
    ],
    ids=[
        "statement-without-actor",
        "statement-unknown-kind",
        "statement-without-sources",
        "exit-poll-unknown-candidacy",
        "exit-poll-empty-line",
        "exit-poll-over-100",
        "exit-poll-release-time",
        "pending-case-with-decision",
        "case-appealing-itself",
        "case-unknown-judge",
        "case-appealing-unknown-case",
        "stations-unknown-area",
        "stations-count-as-text",
        "stations-count-zero",
        "elected-term-without-election",
        "term-bad-partial-date",
        "term-unknown-field",
    ],
)
async def test_rules_of_the_new_sections(
    batch: list[Path], tmp_path: Path, record: str, marker: str, path: str, message: str
) -> None:
    bad = write(tmp_path / "news", "bad.yaml", record)
    assert await refused(batch, bad) == f"{bad}:{line_of(bad, marker)}: {path}: {message}"


async def test_duplicate_key_in_a_new_section(batch: list[Path], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        office_terms:
          - key: "prime-minister/leader-2"  # first
            person: "leader"
            office: "Prime Minister"
            country: "GE"
            started: "2024-10"
            began_by: "acting"
            sources: ["src"]
          - key: "prime-minister/leader-2"  # second
            person: "leader"
            office: "Prime Minister"
            country: "GE"
            started: "2025-10"
            began_by: "acting"
            sources: ["src"]
        """,
    )
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, '# second')}: office_terms[1].key: duplicate key "
        f"'prime-minister/leader-2' (also at {bad}:{line_of(bad, '# first')} office_terms[0])"
    )


async def test_every_problem_of_a_batch_at_once(batch: list[Path], tmp_path: Path) -> None:
    """Problems in several files and sections are all reported, sorted by file and line."""
    first = write(
        tmp_path / "news",
        "bad-1.yaml",
        """
        statements:
          - key: "ge-2024/boycott"
            election: "ge-2030"
            kind: "boycott"
            organization: "party-b"
            summary: "Stayed away."
            sources: ["src"]
        """,
    )
    second = write(
        tmp_path / "news",
        "bad-2.yaml",
        """
        office_terms:
          - key: "prime-minister/leader-2"
            person: "leader"
            office: "Prime Minister"
            country: "AM"
            started: "2024-10"
            began_by: "acting"
            sources: ["src", "no-source"]
        """,
    )
    before = await snapshot()
    with pytest.raises(LoadError) as caught:
        await loader.load([*batch, second, first])
    assert await snapshot() == before
    assert [str(error) for error in caught.value.errors] == [
        f"{first}:{line_of(first, 'ge-2030')}: statements[0].election: unknown election 'ge-2030'",
        f"{second}:{line_of(second, 'AM')}: office_terms[0].country: unknown country 'AM'",
        f"{second}:{line_of(second, 'no-source')}: office_terms[0].sources[1]: "
        "unknown source 'no-source'",
    ]


@pytest.mark.parametrize("batch", ["after-base"], indirect=True)
@pytest.mark.parametrize(
    ("record", "path"),
    [
        (
            """
            statements:
              - key: "ge-2024/boycott"
                election: "ge-2024"
                kind: "boycott"
                organization: "party-b"
                date: 0
                summary: "Stayed away."
                sources: ["src"]
            """,
            "statements[0].date",
        ),
        (
            """
            exit_polls:
              - key: "ge-2024/poll-3"
                election: "ge-2024"
                pollster: "pollster"
                released: 0
                lines:
                  - {candidacy: "ge-2024/party-a", share: 50}
                sources: ["src"]
            """,
            "exit_polls[0].released",
        ),
        (
            """
            legal_cases:
              - key: "ge-2024/case-2"
                election: "ge-2024"
                court: "court"
                decided: 0
                subject: "Dated by a number"
                outcome: "rejected"
                sources: ["src"]
            """,
            "legal_cases[0].decided",
        ),
    ],
    ids=["statements", "exit_polls", "legal_cases"],
)
async def test_a_number_is_not_a_date(
    batch: list[Path], tmp_path: Path, record: str, path: str
) -> None:
    bad = write(tmp_path / "news", "bad.yaml", record)
    name = path.rsplit(".", 1)[1]
    # As for the old sections (a tally's `as_of: 0`, an election's `date: 0`).
    assert await refused(batch, bad) == (
        f"{bad}:{line_of(bad, f'{name}: 0')}: {path}: Input should be a valid date, got int 0"
    )


# --- Loops of appeals --------------------------------------------------------------------


async def test_cases_appealing_each_other(batch: list[Path], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "news",
        "bad.yaml",
        """
        legal_cases:
          - key: "ge-2024/case-a"
            election: "ge-2024"
            court: "court"
            appeal_of: "ge-2024/case-b"
            subject: "A"
            outcome: "rejected"
            sources: ["src"]
          - key: "ge-2024/case-b"
            election: "ge-2024"
            court: "court"
            appeal_of: "ge-2024/case-a"
            subject: "B"
            outcome: "rejected"
            sources: ["src"]
        """,
    )
    first = line_of(bad, 'appeal_of: "ge-2024/case-b"')
    second = line_of(bad, 'appeal_of: "ge-2024/case-a"')
    assert await refused(batch, bad) == "\n".join(
        [
            f"{bad}:{first}: legal_cases[0].appeal_of: "
            "appeal_of makes a loop: ge-2024/case-a -> ge-2024/case-b -> ge-2024/case-a",
            f"{bad}:{second}: legal_cases[1].appeal_of: "
            "appeal_of makes a loop: ge-2024/case-b -> ge-2024/case-a -> ge-2024/case-b",
        ]
    )


async def test_a_loop_of_appeals_through_a_stored_case(
    empty_db: TortoiseContext, tmp_path: Path
) -> None:
    await loader.load([write(tmp_path, "base.yaml", BASE)])
    await loader.load([write(tmp_path, "appeal.yaml", APPEAL)])
    # The first case, reloaded as if it appealed the (stored) appeal against it.
    bad = write(
        tmp_path,
        "bad.yaml",
        """
        legal_cases:
          - key: "ge-2020/case"
            election: "ge-2020"
            court: "court"
            appeal_of: "ge-2020/appeal"
            subject: "Annulment of one precinct"
            outcome: "granted"
            sources: ["src"]
        """,
    )
    assert await refused([], bad) == (
        f"{bad}:{line_of(bad, 'appeal_of')}: legal_cases[0].appeal_of: "
        "appeal_of makes a loop: ge-2020/case -> ge-2020/appeal -> ge-2020/case"
    )
