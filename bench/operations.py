"""The reference operations: each a GraphQL document, its variables, and its floor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench import floor
from bench.generate import Plan

ELECTION_PAGE = """
query ElectionPage($key: String!) {
  election(key: $key) {
    id key kind office date early originallyDue seats summary turnout
    country { code name }
    sources { key url publisher title published }
    candidacies(first: 12) {
      nodes {
        id key name nomination incumbent status share votes won
        person { key name }
        party { key name shortName }
        sources { key }
      endorsements(first: 5) {
        nodes {
          key kind date channel summary
          country { code }
          endorserPerson { key name }
          endorserOrganization { key name }
          sources { key url }
        }
      }
      }
    }
    tallies(first: 5) {
      nodes {
        key round stage asOf countedShare registered cast valid invalid turnout preferred
        sources { key url }
        lines { votes share seats candidacy { key } }
      }
    }
  }
}
"""

COUNTRY_HISTORY = """
query CountryHistory($code: String!) {
  country(code: $code) {
    code name
    elections(first: 100) {
      nodes {
        key kind date early turnout margin
        winner { key name }
        result { key asOf }
        candidacies(first: 12) { nodes { key name share votes won } }
        tallies(first: 5) { nodes { key stage asOf lines { share votes candidacy { key } } } }
      }
    }
  }
}
"""

ELECTIONS_PAGE = """
query ElectionsPage($first: Int!) {
  elections(first: $first) {
    nodes {
      key date kind
      country { code }
      turnout
      candidacies(first: 12) {
        nodes {
          key name share votes
          party { key }
          endorsements(first: 5) {
            nodes { key kind date channel country { code } sources { key } }
          }
        }
      }
      tallies(first: 5) {
        nodes { key stage asOf turnout lines { votes share seats } sources { key } }
      }
    }
  }
}
"""

SMALL = """
query Small($id: ID!) {
  node(id: $id) { id ... on Election { key date office early } }
}
"""

Floor = Callable[[floor.Connection, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Operation:
    """A reference operation: its name, GraphQL document, variables and floor."""

    name: str
    title: str
    query: str
    variables: Callable[[Plan], dict[str, Any]]
    floor: Floor
    #: Whether it reads a page of a fixed size whatever the data size (target: flat latency).
    paginated: bool


OPERATIONS = [
    Operation(
        "election",
        "one election page",
        ELECTION_PAGE,
        lambda plan: {"key": plan.reference_election()},
        floor.election_page,
        paginated=True,
    ),
    Operation(
        "country",
        "one country's full history",
        COUNTRY_HISTORY,
        lambda plan: {"code": plan.reference_code},
        floor.country_history,
        paginated=False,
    ),
    Operation(
        "elections",
        "page of 100 elections, nested (the large nested operation)",
        ELECTIONS_PAGE,
        lambda plan: {"first": 100},
        floor.elections_page,
        paginated=True,
    ),
]

SMALL_OPERATION = Operation(
    "small",
    "one entity by ID",
    SMALL,
    lambda plan: {"id": floor.global_id("Election", plan.reference_election())},
    floor.small,
    paginated=True,
)

BY_NAME = {op.name: op for op in [*OPERATIONS, SMALL_OPERATION]}
