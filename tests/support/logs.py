"""The JSON lines that loggers write while a block runs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from service.logs import JsonFormatter


@contextmanager
def json_log(*loggers: str) -> Iterator[io.StringIO]:
    """The JSON lines these loggers write while the block runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    saved = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
