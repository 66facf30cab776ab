"""An HTTP client calling the app in-process, over the tests' current database."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx

from server import create_app
from service.settings import Settings

#: Development with every default; the database is the test's own, opened by its fixture
#: (`world` or `empty_db`), so the app opens none and this URL is never used.
IN_PROCESS = Settings(database_url="sqlite://:memory:")


def client(settings: Settings = IN_PROCESS, /, **changes: Any) -> httpx.AsyncClient:
    """An HTTP client for the app built from `settings` with `changes` (fields of Settings),
    called in-process (no socket) on the current database."""
    if changes:
        settings = dataclasses.replace(settings, **changes)
    app = create_app(settings, manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
