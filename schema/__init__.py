"""The GraphQL schema: one module per type, mirroring `models/`, assembled here."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from schema.area import Area
from schema.candidacy import Candidacy
from schema.country import Country
from schema.election import Election
from schema.endorsement import Endorsement
from schema.exit_poll import ExitPoll
from schema.legal_case import LegalCase
from schema.office_term import OfficeTerm
from schema.organization import Organization
from schema.person import Person
from schema.polling_stations import PollingStations
from schema.query import Query
from schema.source import Source
from schema.statement import Statement
from schema.tally import Tally

# Defaults of the limits; each refuses a query before it runs.
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 1000

schema = strawberry.Schema(
    query=Query,
    # Node types reachable only through `node(id:)` must still be in the schema.
    types=[
        Area,
        Candidacy,
        Country,
        Election,
        Endorsement,
        ExitPoll,
        LegalCase,
        OfficeTerm,
        Organization,
        Person,
        PollingStations,
        Source,
        Statement,
        Tally,
    ],
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ],
    config=StrawberryConfig(auto_camel_case=True),
)

__all__ = ["schema"]
