"""Settings: read once from the environment (and a `.env` file), with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import CommaSeparatedStrings

ROOT = Path(__file__).resolve().parent
BUNDLED_FIXTURES = ROOT / "fixtures"

#: The largest request body the API reads (1 MiB); a larger one is refused with 413.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    app_env: str
    host: str
    port: int
    database_url: str
    load_fixtures: tuple[Path, ...]
    graphiql: bool
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @property
    def production(self) -> bool:
        return self.app_env == "production"


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Settings from the process environment, falling back to `env_file`, then to defaults."""
    config = Config(env_file if env_file and Path(env_file).is_file() else None)
    app_env = config("APP_ENV", default="development")
    if app_env not in ("development", "production"):
        raise ValueError(f"APP_ENV must be development or production, got {app_env!r}")
    fixtures = config("LOAD_FIXTURES", cast=CommaSeparatedStrings, default="")
    max_body_bytes = config("MAX_BODY_BYTES", cast=int, default=DEFAULT_MAX_BODY_BYTES)
    if max_body_bytes < 1:
        raise ValueError(f"MAX_BODY_BYTES must be a positive number, got {max_body_bytes}")
    return Settings(
        app_env=app_env,
        host=config("HOST", default="127.0.0.1"),
        port=config("PORT", cast=int, default=8000),
        database_url=config("DATABASE_URL", default="sqlite://elections.sqlite3"),
        load_fixtures=tuple(BUNDLED_FIXTURES if p == "bundled" else Path(p) for p in fixtures),
        graphiql=config("GRAPHIQL", cast=bool, default=app_env != "production"),
        cors_origins=tuple(config("CORS_ORIGINS", cast=CommaSeparatedStrings, default="")),
        max_body_bytes=max_body_bytes,
    )
