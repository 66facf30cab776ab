"""Logs: one JSON object per line, each carrying the ID of the request it happened in."""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.errors import ErrorKind

#: Record attributes written out when a log call sets them (`extra=`).
EXTRA_FIELDS = ("operation", "duration_ms", "status", "method", "path")


@dataclass
class RequestInfo:
    """What is known about the request being served, filled in as it is served."""

    request_id: str
    #: The GraphQL operations the request ran, by name ("(anonymous)" for unnamed ones).
    operations: list[str] = field(default_factory=list)
    errors: Counter[ErrorKind] = field(default_factory=Counter)


#: The request being served in this task; None outside requests.
current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)


def request_id() -> str | None:
    info = current_request.get()
    return info.request_id if info else None


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, the current request ID,
    the extra fields a log call gives (operation, duration_ms, status, method, path), and
    the traceback of an exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or request_id()
        if current is not None:
            entry["request_id"] = current
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "info") -> None:
    """Send every log record, uvicorn's included, to stderr as JSON lines.

    uvicorn's access log is turned off: the app logs each request itself, with its ID,
    operation and duration.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = [logging.NullHandler()]
    access.propagate = False
