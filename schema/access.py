"""Access: an operation its token does not allow is refused before anything runs.

A mutation needs a token of write scope, a query of the audit log one of read (or write)
scope; other queries are public and never look at the token. The refusal is a result without
data, and the server answers it with 401 (no token, or a malformed, unknown or revoked one)
or 403 (a read token for a mutation), as `auth.AuthError` says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from curation.tokens import AuthError, require
from models import Scope
from schema.context import Context

#: Root query fields that need a token, and what they are called in the refusal.
PROTECTED = {"auditLog": "The audit log"}


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> set[str]:
    """The names of the root fields an operation selects, through fragments too."""
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.pop(selection.name.value, None)  # each once: no loops
            if fragment is not None:
                names |= _root_fields(fragment.selection_set, fragments)
    return names


def root_fields(operation: OperationDefinitionNode, document: DocumentNode) -> set[str]:
    """The names of the root fields an operation of the document selects."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    return _root_fields(operation.selection_set, fragments)


class Access(SchemaExtension):
    """Refuses an operation whose token does not allow it, with the token's error."""

    def _needed(self) -> tuple[Scope, str] | None:
        context = self.execution_context
        if context.operation_type is OperationType.MUTATION:
            return Scope.WRITE, "A mutation"
        document = context.graphql_document
        if document is None:
            return None
        operation = get_operation_ast(document, context.operation_name)
        if not isinstance(operation, OperationDefinitionNode):
            return None
        for name in sorted(root_fields(operation, document)):
            if name in PROTECTED:
                return Scope.READ, PROTECTED[name]
        return None

    async def on_execute(self) -> AsyncIterator[None]:
        needed = self._needed()
        if needed is not None:
            scope, what = needed
            context = self.execution_context.context
            try:
                require(await context.identity(), scope, what)
            except AuthError as refusal:
                error = GraphQLError(
                    refusal.message, original_error=refusal, extensions={"code": refusal.code}
                )
                # Set before execution: Strawberry then runs nothing.
                self.execution_context.result = GraphQLExecutionResult(data=None, errors=[error])
                if isinstance(context, Context):
                    context.outcome.refusal = refusal  # the HTTP status comes from it
        yield
