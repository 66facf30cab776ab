"""Reads asked for and sent together: what the SQLite and PostgreSQL senders keep of each read
(service/sqlite_reads.py, service/lease.py), and each caller given its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

#: One read asked for: its text, its parameters, and the future its caller waits on (None
#: for rows: the caller reads the ordinary way).
Asked = tuple[str, Sequence[Any], asyncio.Future[list[Any] | None]]


def answer(reads: Sequence[Asked], results: Sequence[list[Any] | BaseException | None]) -> None:
    """Each caller still waiting given its rows, its None or its error, in the reads' order;
    one whose caller was cancelled meanwhile is passed over."""
    for (_text, _params, future), result in zip(reads, results, strict=True):
        if future.done():
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
