"""The name of each operation a request runs, noted for its log line and its metrics."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import get_operation_ast
from strawberry.extensions import SchemaExtension

from service.logs import current_request


class OperationName(SchemaExtension):
    """Notes the name of each operation the schema parses on the current request, for the
    log line and the metrics: its name, "(anonymous)", or "(invalid)" if it did not parse
    or names no operation of the document."""

    def on_parse(self) -> Iterator[None]:
        yield
        info = current_request.get()
        if info is None:
            return
        context = self.execution_context
        document = context.graphql_document
        operation = (
            get_operation_ast(document, context.operation_name) if document is not None else None
        )
        if operation is None:
            info.operations.append("(invalid)")
        else:
            info.operations.append(operation.name.value if operation.name else "(anonymous)")
