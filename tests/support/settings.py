"""Settings read from exactly the environment a test gives, and no `.env` file."""

from __future__ import annotations

import pytest

from service.settings import Settings, load_settings

#: Every variable `load_settings` reads (tests/test_production.py holds the list to it).
NAMES = (
    "APP_ENV",
    "HOST",
    "PORT",
    "DATABASE_URL",
    "DB_POOL_MIN",
    "DB_POOL_MAX",
    "DB_CONNECT_TIMEOUT",
    "DB_STATEMENT_TIMEOUT",
    "LOAD_FIXTURES",
    "GRAPHIQL",
    "CORS_ORIGINS",
    "MAX_BODY_BYTES",
    "INTROSPECTION",
    "FIELD_SUGGESTIONS",
    "MAX_DEPTH",
    "MAX_ALIASES",
    "MAX_TOKENS",
    "MAX_DIRECTIVES",
    "MAX_COST",
    "COST_LIST_SIZE",
    "EXECUTION_TIMEOUT",
    "MAX_BATCH_OPERATIONS",
    "MAX_LIST_ITEMS",
    "MAX_ANSWER_BYTES",
    "FAST_PATH",
    "METRICS",
    "LOG_LEVEL",
    "CACHE_MAX_AGE",
    "PERSISTED_QUERIES",
    "PERSISTED_QUERIES_FILE",
    "PERSISTED_QUERIES_CACHE_BYTES",
    "PERSISTED_QUERIES_CACHE_SIZE",
    "PARSER_CACHE_BYTES",
    "VALIDATION_CACHE_BYTES",
    "KNOWN_QUERIES_CACHE_BYTES",
    "SQLITE_BUSY_TIMEOUT",
    "SHUTDOWN_TIMEOUT",
    "READ_TIMEOUT",
    "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION",
    "LIVE_MAX_SUBSCRIPTIONS",
    "LIVE_MESSAGES_PER_SECOND",
    "LIVE_PING_INTERVAL",
    "LIVE_SEND_TIMEOUT",
    "LIVE_INIT_TIMEOUT",
)


def clean_environment(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """No setting from the developer's environment, only `env`, for the rest of the test."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def settings_from(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """The settings `load_settings` reads from exactly this environment (and no .env file)."""
    clean_environment(monkeypatch, **env)
    return load_settings(env_file=None)
