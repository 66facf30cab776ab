"""The guides: every GraphQL example in README.md and docs/*.md runs against the bundled data
and answers as the guide shows it, their links lead somewhere, and the configuration guide
names every setting with its default. So the guides cannot rot.

How a guide writes an example (docs/testing.md, "The guides' examples"): a ```graphql block,
its variables (if any) on a `# Variables: {…}` line inside it, and the whole answer in a
```json block right after it, compared whole. Without a ```json block, the example must
answer with data and no error. A comment on the line before the block changes how it runs:

- `<!-- example: scratch -->`: on the guide's scratch database, which holds the curated
  fixtures and two tokens, `alice` (write) and `dashboard` (read); a guide's scratch examples
  run in order there, so one can change the data and the next read the change;
- `<!-- example: write -->`, `<!-- example: read -->`: the same, sending that token;
- `<!-- example: refused -->` (with any of those): the answer has errors, as shown;
- `<!-- example: not run: why -->`: not run (it is still parsed and validated).

Any other example runs on the bundled data (`LOAD_FIXTURES=bundled`: the curated fixtures and
the data sets), read only.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
import pytest
import pytest_asyncio
from tortoise.context import TortoiseContext

import loader
from curation import tokens
from loader import datasets
from models import Scope
from schema import schema
from service.settings import BUNDLED_FIXTURES, ROOT
from tests.support.clients import client
from tests.support.data_sets import DATA
from tests.support.databases import close_database, open_database
from tests.support.settings import settings_from

#: The front page and the guides.
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MOST_LINES = 250
MARKER = re.compile(r"<!--\s*example:\s*(?P<words>.*?)\s*-->")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
WORDS = {"scratch", "write", "read", "refused"}
#: The tokens of a guide's scratch database, named as the curation guide names them.
TOKEN_NAMES = {"write": "alice", "read": "dashboard"}


@dataclass
class Example:
    """One ```graphql block of a guide, with how to run it and what it answers."""

    guide: Path
    line: int
    query: str
    variables: dict[str, Any] | None = None
    expected: Any = None
    words: set[str] = field(default_factory=set)
    not_run: str | None = None

    @property
    def where(self) -> str:
        name = self.guide.relative_to(ROOT) if self.guide.is_relative_to(ROOT) else self.guide
        return f"{name}:{self.line}"

    @property
    def scratch(self) -> bool:
        return bool(self.words & {"scratch", "write", "read"})

    @property
    def token(self) -> str | None:
        return next((word for word in ("write", "read") if word in self.words), None)


def blocks(text: str) -> list[tuple[int, str, str, str | None, int]]:
    """The fenced blocks of a markdown text: (line of the fence, language, body, the marker
    on the line before, the line after the closing fence)."""
    lines = text.split("\n")
    found = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, lang = opening["indent"], opening["lang"]
        end = next(
            (j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"),
            None,
        )
        if end is None:
            raise AssertionError(f"a ``` block opened on line {i + 1} is never closed")
        body = "\n".join(line.removeprefix(indent) for line in lines[i + 1 : end])
        before = lines[i - 1] if i > 0 else ""
        marker = MARKER.search(before)
        found.append((i + 1, lang, body, marker["words"] if marker else None, end + 1))
        i = end + 1
    return found


def examples_of(guide: Path) -> list[Example]:
    text = guide.read_text(encoding="utf-8")
    lines = text.split("\n")
    found = blocks(text)
    examples = []
    for index, (line, lang, body, words, after) in enumerate(found):
        if lang != "graphql":
            continue
        example = Example(guide, line, body)
        where = example.where
        for comment in re.findall(r"^\s*# Variables: (.*)$", body, flags=re.MULTILINE):
            example.variables = json.loads(comment)
        if words is not None:
            if words.startswith("not run"):
                reason = words.removeprefix("not run").strip(" :")
                assert reason, f"{where}: say why the example is not run"
                example.not_run = reason
            else:
                example.words = {word.strip() for word in words.split(",")}
                unknown = example.words - WORDS
                assert not unknown, f"{where}: unknown example words {sorted(unknown)}"
        # The answer: a ```json block after nothing but blank lines.
        if index + 1 < len(found):
            next_line, next_lang, next_body, _, _ = found[index + 1]
            between = lines[after : next_line - 1]
            if next_lang == "json" and all(not text.strip() for text in between):
                example.expected = json.loads(next_body)
        examples.append(example)
    return examples


EXAMPLES = [example for guide in GUIDES for example in examples_of(guide)]
BUNDLED = [e for e in EXAMPLES if not e.scratch and e.not_run is None]
NOT_RUN = [e for e in EXAMPLES if e.not_run is not None]
SCRATCH_GUIDES = sorted({e.guide for e in EXAMPLES if e.scratch and e.not_run is None})


def shown(answer: Any) -> str:
    return json.dumps(answer, indent=2, ensure_ascii=False)


def mismatch(example: Example, answer: Any) -> str | None:
    """What is wrong with an example's answer, or None."""
    refused = "refused" in example.words
    if refused and "errors" not in answer:
        return f"{example.where}: marked refused, but it answered without errors"
    if not refused and "errors" in answer:
        return f"{example.where}: the example answered with errors:\n{shown(answer)}"
    if example.expected is None:
        if refused:
            return f"{example.where}: a refused example shows its answer in a ```json block"
        return None if answer.get("data") else f"{example.where}: no data: {shown(answer)}"
    if answer != example.expected:
        return f"{example.where}: the guide shows another answer; the API answers:\n{shown(answer)}"
    return None


async def answer_of(example: Example, token: str | None = None) -> Any:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with client() as http:
        response = await http.post(
            "/graphql",
            json={"query": example.query, "variables": example.variables},
            headers=headers,
        )
    return response.json()


@pytest_asyncio.fixture(scope="module")
async def bundled() -> AsyncIterator[TortoiseContext]:
    """The bundled data (LOAD_FIXTURES=bundled: fixtures/ with the data sets), loaded once."""
    ctx = await open_database("bundled")
    try:
        await loader.write(await datasets.bundled_batch(BUNDLED_FIXTURES, DATA))
        yield ctx
    finally:
        await close_database(ctx)


# --- The examples -------------------------------------------------------------------------------


def test_the_guides_have_examples_with_answers() -> None:
    # The harness finds what the guides hold: a parser that found nothing would pass the rest.
    assert len(BUNDLED) >= 12
    assert sum(e.expected is not None for e in EXAMPLES) >= 15
    assert {e.guide.name for e in EXAMPLES} >= {"README.md", "querying.md", "curation.md"}


@pytest.mark.parametrize("example", BUNDLED, ids=[e.where for e in BUNDLED])
async def test_an_example_answers_as_its_guide_shows(
    example: Example, bundled: TortoiseContext
) -> None:
    problem = mismatch(example, await answer_of(example))
    assert problem is None, problem


@pytest.mark.parametrize("guide", SCRATCH_GUIDES, ids=[g.name for g in SCRATCH_GUIDES])
async def test_the_examples_that_change_data_answer_as_their_guide_shows(
    guide: Path, empty_db: TortoiseContext
) -> None:
    await loader.load([BUNDLED_FIXTURES])
    sent = {
        word: await tokens.create(name, Scope.WRITE if word == "write" else Scope.READ)
        for word, name in TOKEN_NAMES.items()
    }
    problems = []
    for example in examples_of(guide):
        if not example.scratch or example.not_run is not None:
            continue
        token = None if example.token is None else sent[example.token]
        problem = mismatch(example, await answer_of(example, token))
        if problem is not None:
            problems.append(problem)
    assert not problems, "\n\n".join(problems)


def test_the_examples_not_run_are_still_valid() -> None:
    assert NOT_RUN, "no example is marked `not run`: then this test has nothing to check"
    for example in NOT_RUN:
        errors = graphql.validate(schema._schema, graphql.parse(example.query))
        assert [error.message for error in errors] == [], example.where


def test_a_failing_example_fails_the_test() -> None:
    # The rules the examples are held to, on examples that break them.
    example = Example(ROOT / "docs" / "querying.md", 1, "{ nope }")
    errors = {"errors": [{"message": "Cannot query field 'nope' on type 'Query'."}]}
    assert mismatch(example, errors) is not None
    example.expected = errors
    assert mismatch(example, errors) is not None  # an answer with errors needs `refused`
    example.words = {"refused"}
    assert mismatch(example, errors) is None
    example.words, example.expected = set(), {"data": {"a": 1}}
    assert mismatch(example, {"data": {"a": 2}}) is not None
    example.expected = None
    assert mismatch(example, {"data": None}) is not None


def test_markers_and_answers_are_read_from_the_text(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(
        "Text.\n\n"
        "<!-- example: write, refused -->\n"
        "```graphql\n"
        '# Variables: {"key": "x"}\n'
        "query ($key: String!) { election(key: $key) { key } }\n"
        "```\n\n"
        "```json\n"
        '{"data": {"election": null}}\n'
        "```\n\n"
        "<!-- example: not run: it needs a server of its own -->\n"
        "```graphql\n{ a }\n```\n\n"
        "```graphql\n{ b }\n```\nText between.\n```json\n{}\n```\n",
        encoding="utf-8",
    )
    first, second, third = examples_of(guide)
    assert (first.line, first.words, first.variables) == (4, {"write", "refused"}, {"key": "x"})
    assert first.expected == {"data": {"election": None}}
    assert (first.token, first.scratch) == ("write", True)
    assert (second.not_run, second.query) == ("it needs a server of its own", "{ a }")
    # A ```json block after text is not the example's answer.
    assert (third.expected, third.not_run, third.scratch) == (None, None, False)


# --- The README and the links --------------------------------------------------------------------


def test_the_readme_is_a_front_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MOST_LINES, f"README.md has {lines} lines; move detail to docs/"


def prose(text: str) -> list[str]:
    """The lines of a markdown text outside its fenced blocks."""
    lines, in_code = [], False
    for line in text.split("\n"):
        if FENCE.match(line) or (in_code and line.strip() == "```"):
            in_code = not in_code
        elif not in_code:
            lines.append(line)
    return lines


def test_the_readme_links_every_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)[)#]", readme))
    assert {guide.name for guide in GUIDES[1:]} - linked == set()


def anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for a markdown file's headings."""
    seen: dict[str, int] = {}
    result = set()
    for line in prose(path.read_text(encoding="utf-8")):
        if not line.startswith("#"):
            continue
        title = line.lstrip("#").strip()
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def broken_links(guide: Path) -> list[str]:
    """The links of a guide to a file that does not exist, or to a heading it lacks."""
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", "\n".join(prose(guide.read_text("utf-8")))):
        if re.match(r"[a-z]+:", target):
            continue  # another site
        path, _, anchor = target.partition("#")
        file = (guide.parent / path).resolve() if path else guide
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in anchors(file)):
            broken.append(target)
    return broken


@pytest.mark.parametrize("guide", GUIDES, ids=[g.name for g in GUIDES])
def test_every_link_of_a_guide_leads_somewhere(guide: Path) -> None:
    assert broken_links(guide) == []


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## The guides' examples\n", "utf-8")
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Guide\n\n## Quick start\n\n"
        "[a](other.md#the-guides-examples) [b](#quick-start) [c](https://example.org/x)\n"
        "[d](missing.md) [e](other.md#nowhere) [f](#nowhere)\n\n"
        "```sh\n[g](in-a-block.md)\n```\n",
        "utf-8",
    )
    assert broken_links(guide) == ["missing.md", "other.md#nowhere", "#nowhere"]


# --- The settings table ---------------------------------------------------------------------------


def settings_table() -> dict[str, str]:
    """The variables of docs/configuration.md's settings table, with their Default cells."""
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]*) \|", section, flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def read_by_settings() -> set[str]:
    """Every variable service/settings.py reads."""
    tree = ast.parse((ROOT / "service" / "settings.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("config", "positive", "seconds")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_the_settings_table_names_every_setting() -> None:
    assert set(settings_table()) == read_by_settings()


def test_each_documented_default_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    # A setting given its documented default changes nothing (in development).
    default = settings_from(monkeypatch)
    checked = []
    for name, cell in settings_table().items():
        value = "" if cell.startswith("empty") else re.match(r"`([^`]*)`", cell)
        if value is None:
            continue  # no default of its own (a name no longer read)
        text = value if isinstance(value, str) else value[1]
        assert settings_from(monkeypatch, **{name: text}) == default, (name, text)
        checked.append(name)
    assert len(checked) >= 35
