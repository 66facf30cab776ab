"""Logs: one JSON object per line, each carrying the ID of the request it happened in."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import sys
import time
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring
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


#: The last whole second a line's time was written for, and its text (`isoformat`'s, less
#: the "+00:00"), in a list that stays the same: a second's many lines make the text once.
_last_second: list[tuple[int, str]] = [(0, "1970-01-01T00:00:00")]


def timestamp(when: float) -> str:
    """A time (seconds since the epoch) as a line writes it: what
    `datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds")` gives, for half
    its instructions. As `fromtimestamp`, the fraction is rounded to microseconds, half to even,
    before the milliseconds are cut from it."""
    if not when >= 0:  # before 1970, or not a number: as datetime writes it
        return datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds")
    fraction, whole = math.modf(when)
    micro = round(fraction * 1e6)
    second = int(whole) + (micro >= 1_000_000)
    last, text = _last_second[0]
    if second != last:
        text = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")[:-6]
        _last_second[0] = (second, text)
    return f"{text}.{micro % 1_000_000 // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, the current request ID,
    the extra fields a log call gives (operation, duration_ms, status, method, path), and
    the traceback of an exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": timestamp(record.created),
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
        return json_line(entry)


def json_line(entry: dict[str, Any]) -> str:
    """One log line's JSON: JsonFormatter's, and the request line's written directly."""
    return json.dumps(entry, ensure_ascii=False, default=str)


def request_line(when: str, logger: str, request: str | None, fields: dict[str, Any]) -> str:
    """The request's line as `json_line` writes it (the keys in JsonFormatter's order), put
    together from its parts: a quarter of `json.dumps`'s time for these few keys. Values of
    other types than the usual ones are left to `json_line`."""
    operation, duration_ms, status, method, path = (fields[name] for name in EXTRA_FIELDS)
    if not (
        type(status) is int
        and type(duration_ms) is float
        and math.isfinite(duration_ms)
        and type(method) is str
        and type(path) is str
        and (operation is None or type(operation) is str)
        and (request is None or type(request) is str)
    ):
        entry: dict[str, Any] = {"time": when, "level": "INFO", "logger": logger}
        entry["message"] = f"{method} {path} {status}"
        if request is not None:
            entry["request_id"] = request
        entry.update((name, fields[name]) for name in EXTRA_FIELDS)
        return json_line(entry)
    string = encode_basestring  # as json.dumps writes a string with ensure_ascii=False
    return "".join(
        (
            f'{{"time": {string(when)}, "level": "INFO", "logger": {string(logger)}, ',
            f'"message": {string(f"{method} {path} {status}")}, ',
            "" if request is None else f'"request_id": {string(request)}, ',
            f'"operation": {"null" if operation is None else string(operation)}, ',
            f'"duration_ms": {float.__repr__(duration_ms)}, "status": {int.__repr__(status)}, ',
            f'"method": {string(method)}, "path": {string(path)}}}',
        )
    )


#: How long a request's line may wait to be written with the lines after it: one write and
#: flush of the stream for the lines of many requests, where writing each cost a small query
#: about 6 % of its server's time (BENCHMARKS.md).
LINES_SECONDS = 0.05
#: The most request lines that wait: more are written at once.
MAX_WAITING_LINES = 256


class JsonLines(logging.StreamHandler[Any]):
    """The handler `configure` installs: JsonFormatter's lines to a stream. `log_request`
    gives it a request's line directly when nothing else would see the record, and the
    lines given so wait to be written together: at most LINES_SECONDS (or
    MAX_WAITING_LINES lines), and never after a record logged later, nor past `flush`,
    which `logging.shutdown` calls at exit. Outside an event loop a line is written at
    once."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._waiting: list[str] = []
        #: The event loop whose timer will write the waiting lines, if one will.
        self._due: asyncio.AbstractEventLoop | None = None

    def add_line(self, line: str) -> None:
        """A request's whole line (its terminator included), written with the next ones."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self.acquire()
        try:
            self._waiting.append(line)
            if loop is None or len(self._waiting) >= MAX_WAITING_LINES:
                self.flush()
            elif self._due is not loop:  # none set, or on a loop that has stopped since
                self._due = loop
                loop.call_later(LINES_SECONDS, self._on_time)
        finally:
            self.release()

    def _on_time(self) -> None:
        self.acquire()
        try:
            self._due = None
            self.flush()
        finally:
            self.release()

    def flush(self) -> None:
        """Writes the waiting lines, then flushes the stream."""
        self.acquire()
        try:
            self._write_waiting()
            super().flush()
        except Exception:  # the stream's flush: as for its write
            self.handleError(logging.makeLogRecord({"name": "elections.requests"}))
        finally:
            self.release()

    def emit(self, record: logging.LogRecord) -> None:
        self.acquire()  # reentrant: Handler.handle holds it around emit
        try:
            self._write_waiting()  # the lines of earlier requests come first
        finally:
            self.release()
        super().emit(record)

    def _write_waiting(self) -> None:
        # The timer, if set, stays: it writes what comes meanwhile, or finds nothing.
        if not self._waiting:
            return
        text = "".join(self._waiting)
        self._waiting.clear()
        try:
            self.stream.write(text)
        except Exception:
            # As StreamHandler.emit does: a broken stream does not fail the request.
            self.handleError(logging.makeLogRecord({"name": "elections.requests", "msg": text}))


def _only_handler(logger: logging.Logger) -> JsonLines | None:
    """The handler `configure` installed, if an INFO record of `logger` would reach it and no
    other handler, and no filter could stop or change the record; else None."""
    if logger.filters:
        return None
    current: logging.Logger | None = logger
    while current is not None:
        if current.handlers:
            if current is not logging.root or len(current.handlers) != 1:
                return None
            [handler] = current.handlers
            if (
                type(handler) is not JsonLines
                or handler.filters
                or handler.level > logging.INFO
                or type(handler.formatter) is not JsonFormatter
            ):
                return None
            return handler
        if not current.propagate:
            return None
        current = current.parent
    return None


def log_request(
    logger: logging.Logger,
    method: str,
    path: str,
    status: int,
    operation: str | None,
    duration_ms: float,
) -> None:
    """Logs the line of an answered request at INFO, with `operation`, `duration_ms`,
    `status`, `method` and `path` (docs/production.md shows it).

    Under `configure`, where its one handler is the only place the line goes, the line is
    built here and given to the handler, which writes it with the next ones (`JsonLines`):
    the same JSON as JsonFormatter writes for the record, without making a record (the
    caller's frame looked up, the thread and process named) and passing it through the
    loggers. Elsewhere (more handlers, a filter, tests that catch a logger's lines) it is
    logged as a record."""
    if not logger.isEnabledFor(logging.INFO):
        return
    fields = {
        "operation": operation,
        "duration_ms": duration_ms,
        "status": status,
        "method": method,
        "path": path,
    }
    handler = _only_handler(logger)
    if handler is None:
        logger.info("%s %s %s", method, path, status, extra=fields)
        return
    line = request_line(
        timestamp(time.time()),
        logger.name,
        request_id(),
        fields,
    )
    handler.add_line(line + handler.terminator)


def configure(level: str = "info", stream: Any = None) -> None:
    """Send every log record, uvicorn's included, to stderr (or `stream`) as JSON lines.

    uvicorn's access log is turned off: the app logs each request itself, with its ID,
    operation and duration (`log_request`).
    """
    handler = JsonLines(sys.stderr if stream is None else stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # No handler at all, not a NullHandler: uvicorn's protocols log each answer when the
    # logger has a handler (`hasHandlers`), and made a record per request to throw away.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True
