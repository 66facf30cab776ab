"""Parsed documents: what one weighs in memory, and the cache of them by query text."""

from __future__ import annotations

from collections.abc import Hashable, Iterator

from graphql import DocumentNode, Token, parse
from strawberry.extensions import SchemaExtension

from service.caches import Cache, text_bytes

#: An upper bound of what graphql-core keeps per token of a parsed document: the token, and
#: its share of the nodes and locations around it (measured at 310-500 bytes).
TOKEN_BYTES = 600

#: A parse's key: the query text, and the parse options (the token limit among them).
ParseKey = tuple[str, tuple[tuple[str, Hashable], ...]]


def document_bytes(document: DocumentNode) -> int:
    """What a parsed document holds: its source text, the text of each token (a comment or
    a string is copied out of the source), and the tokens with their nodes."""
    location = document.loc
    if location is None:  # parsed without locations: nodes only, a few per token at most
        return TOKEN_BYTES
    total = text_bytes(location.source.body)
    token: Token | None = location.start_token
    while token is not None:
        total += TOKEN_BYTES + text_bytes(token.value)
        token = token.next
    return total


def parsed_cache(budget: int) -> Cache[ParseKey, DocumentNode]:
    return Cache(budget, lambda _key, document: document_bytes(document))


class Parsing(SchemaExtension):
    """Parses each query text once while its document stays in `cache` (Strawberry's own
    parser cache counts entries, whatever their size)."""

    def __init__(self, cache: Cache[ParseKey, DocumentNode]) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            options = context.parse_options
            key: ParseKey = (query, tuple(sorted(options.items())))
            document = self.cache.get(key)
            if document is None:
                document = parse(query, **options)  # a syntax error is raised, not kept
                self.cache.put(key, document)
            context.graphql_document = document
        yield
