"""What the tests that change data through the API share: the operations, and a token of
each kind."""

from __future__ import annotations

from dataclasses import dataclass

import loader
from curation import tokens
from models import Scope
from tests.support.world import WORLD

# Operations of curation, and an election to create with them.
CREATE_ELECTION = """
mutation Create($input: CreateElectionInput!) {
  createElection(input: $input) {
    election { key date early office country { code } sources { key } }
    errors { field message }
  }
}
"""
UPDATE_ELECTION = """
mutation Update($key: String!, $input: UpdateElectionInput!) {
  updateElection(key: $key, input: $input) {
    election { key date early reason summary }
    errors { field message }
  }
}
"""
DELETE_ELECTION = """
mutation Delete($key: String!) { deleteElection(key: $key) { deletedKey errors { field message } } }
"""
XX_TEST = {
    "key": "xx-test",
    "country": "AZ",
    "kind": "PRESIDENTIAL",
    "office": "President",
    "date": "2029-04-11",
    "sources": ["seed-article-2024-02"],
}
LOAD = """
mutation($content: String!, $format: FixtureFormat, $prune: Boolean) {
  loadFixtures(content: $content, format: $format, prune: $prune) {
    changed
    sections { section created updated unchanged deleted }
    errors { field message }
  }
}
"""


def laughs(wide: int, deep: int) -> str:
    """A YAML "billion laughs": each anchor a list of `wide` aliases of the one before, so
    `deep` levels describe wide^deep values in a few hundred bytes."""
    lines = ["a0: &a0 [x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * wide)}]" for i in range(1, deep + 1)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Tokens:
    """A token of each scope, and one revoked, in a database holding the test world."""

    write: str
    read: str
    revoked: str


async def world_with_tokens() -> Tokens:
    """Load the test world into the current (empty) database and make the tokens."""
    await loader.load([WORLD])
    write = await tokens.create("editor", Scope.WRITE)
    read = await tokens.create("reader", Scope.READ)
    revoked = await tokens.create("former-editor", Scope.WRITE)
    await tokens.revoke("former-editor")
    return Tokens(write=write, read=read, revoked=revoked)
