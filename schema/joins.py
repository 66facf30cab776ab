"""Joins: the rows a query reaches through a foreign key, read by the statement that reads the
rows holding the key, rather than by a statement of their own.

The loaders read a level's rows in one statement, then the rows their foreign keys point at
in one more per key (a candidacy's person, its party; an endorsement's country): an election
page took 16 statements where hand-written SQL took 9, and on PostgreSQL each statement costs
this process more than its rows (BENCHMARKS.md). So a known query (schema/known.py) notes,
once, which foreign keys it follows from the rows of each model, and the request's `Rows`
(schema/context.py) reads those rows with a LEFT JOIN each. The loader of the rows joined in
then finds them read, and sends no statement.

The joins are by model, for the whole document: a field followed from a model's rows at one
level joins its rows wherever that model's rows are read in the request. That reads at most
one more row per row and join, and the answer is the same: a row is kept as first read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from tortoise.models import Model

from schema.node import ModelNode, followed, read_through
from service.compat import DEFINITION_BACKREF, StrawberryField


@dataclass(frozen=True)
class Join:
    """A foreign key (the model's attribute, such as "person_id") and the model it leads to."""

    column: str
    target: type[Model]


#: For each model, the joins its rows are read with.
Joins = Mapping[type[Model], tuple[Join, ...]]

NO_JOINS: Joins = {}


def joins_of(schema: GraphQLSchema, document: DocumentNode) -> Joins:
    """The foreign keys the document's fields follow (`schema.node.follows`), or read
    through for what they answer (`schema.node.reads`), from the rows of each model,
    wherever they are asked for, `@skip` and `@include` or not."""
    type_info = TypeInfo(schema)
    found: dict[type[Model], set[Join]] = {}

    class Fields(Visitor):
        def enter_field(self, _node: FieldNode, *_args: Any) -> None:
            parent, definition = type_info.get_parent_type(), type_info.get_field_def()
            if parent is None or definition is None:
                return
            origin = getattr(parent.extensions.get(DEFINITION_BACKREF), "origin", None)
            field = definition.extensions.get(DEFINITION_BACKREF)
            if not (isinstance(origin, type) and issubclass(origin, ModelNode)):
                return  # rows of a type that is no model's node are never joined to
            if not isinstance(field, StrawberryField) or field.base_resolver is None:
                return
            resolver = field.base_resolver.wrapped_func
            follow = followed(resolver)
            if follow is not None:
                found.setdefault(origin.model, set()).add(Join(follow.column, follow.node.model))
            for column, node in read_through(resolver):
                found.setdefault(origin.model, set()).add(Join(column, node.model))

    visit(document, TypeInfoVisitor(type_info, Fields()))
    # In a fixed order: the statement's text, and its plan, are kept by the joins.
    return {model: tuple(sorted(joins, key=_column)) for model, joins in found.items()}


def merged(first: Joins, second: Joins) -> Joins:
    """The joins of both (two operations of one request that share its loaders)."""
    if not first or first is second:
        return second
    models = first.keys() | second.keys()
    return {
        model: tuple(sorted({*first.get(model, ()), *second.get(model, ())}, key=_column))
        for model in models
    }


def _column(join: Join) -> str:
    return join.column
