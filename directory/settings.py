"""Typed settings read once from the environment: the only module that reads ``os.environ``.

Every setting is validated here, so a bad or missing value stops the app and the CLI at start-up
with one line naming the variable (``SettingsError``), never later with a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

SearchBackendName = Literal["embedded", "meilisearch"]
LogFormat = Literal["json", "text"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
Choice = TypeVar("Choice", bound=str)
SEARCH_BACKENDS: tuple[SearchBackendName, ...] = ("embedded", "meilisearch")
LOG_LEVELS: tuple[LogLevel, ...] = ("INFO", "DEBUG", "WARNING", "ERROR")
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")

#: Every variable :func:`load_settings` reads, with what it means; ``.env.example`` lists them all.
SETTING_NAMES: dict[str, str] = {
    "SAMVERKAN_DATA_DIR": "directory for the SQLite file and other local data",
    "APP_PERSISTENT_STORAGE": "the data directory Nextcloud gives an ExApp (if no data dir)",
    "DATABASE_URL": "sqlite:///path or postgres://user:password@host:port/name",
    "DATABASE_POOL_SIZE": "PostgreSQL connections per worker process; 0 connects per query",
    "SEARCH_BACKEND": "embedded or meilisearch",
    "MEILI_URL": "the Meilisearch server (http:// or https://), needed for meilisearch",
    "MEILI_MASTER_KEY": "the Meilisearch master key",
    "SAMVERKAN_PUBLIC_URL": "the address users reach the app at, for links",
    "SAMVERKAN_LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
    "SAMVERKAN_LOG_FORMAT": "json (one object a line) or text",
    "SAMVERKAN_TOKEN_MISSES_PER_MINUTE": "unknown bearer tokens one client IP may try per minute",
    "SAMVERKAN_WORKER_IN_APP": "true: each web process runs the outbox worker; false: "
    "only `samverkan worker` does",
    "FEED_PAST_DAYS": "days of past meetings an iCal feed holds",
    "FEED_FUTURE_DAYS": "days of future meetings an iCal feed holds",
}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str = field(repr=False)
    search_backend: SearchBackendName = "embedded"
    meili_url: str = ""
    meili_master_key: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    database_pool_size: int = 10
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "json"
    token_misses_per_minute: int = 30
    feed_past_days: int = 90
    feed_future_days: int = 548
    worker_in_app: bool = True

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file named by ``sqlite:///path`` (relative paths are under the data dir)."""
        raw = self.database_url.removeprefix("sqlite:///")
        path = Path(raw)
        return path if path.is_absolute() else self.data_dir / path


def _get(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _database_url(data_dir: Path) -> str:
    url = _get("DATABASE_URL")
    if not url:
        return f"sqlite:///{data_dir / 'samverkan.sqlite'}"
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise SettingsError("DATABASE_URL must look like sqlite:///path/to/file.sqlite")
        return url
    if parts.scheme in {"postgres", "postgresql"}:
        if not parts.hostname or not parts.path.strip("/"):
            raise SettingsError(
                "DATABASE_URL must name a host and a database: postgres://user@host:5432/name"
            )
        return url
    raise SettingsError(
        f"DATABASE_URL must start with sqlite:/// or postgres://, got scheme {parts.scheme!r}"
    )


def _choice(name: str, choices: tuple[Choice, ...]) -> Choice:
    """The value of ``name`` among ``choices`` (case-insensitive); the first is the default."""
    value = _get(name, choices[0])
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


def _int(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = _get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = _get(name).lower()
    if not raw:
        return default
    if raw in {"true", "1", "yes"}:
        return True
    if raw in {"false", "0", "no"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _http_url(name: str, default: str = "") -> str:
    value = _get(name, default)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// address, got {value!r}")
    return value.rstrip("/")


def load_settings() -> Settings:
    """Read and validate the environment; raises :class:`SettingsError` with a clear message."""
    data_dir = Path(_get("SAMVERKAN_DATA_DIR") or _get("APP_PERSISTENT_STORAGE") or "data")
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"SAMVERKAN_DATA_DIR must be a directory, got the file {data_dir}")
    backend = _choice("SEARCH_BACKEND", SEARCH_BACKENDS)
    meili_url = _http_url("MEILI_URL")
    if backend == "meilisearch" and not meili_url:
        raise SettingsError("MEILI_URL is required when SEARCH_BACKEND=meilisearch")
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(data_dir),
        search_backend=backend,
        meili_url=meili_url,
        meili_master_key=_get("MEILI_MASTER_KEY"),
        public_url=_http_url("SAMVERKAN_PUBLIC_URL", "http://127.0.0.1:8000"),
        database_pool_size=_int("DATABASE_POOL_SIZE", 10, 0, 1000),
        log_level=_choice("SAMVERKAN_LOG_LEVEL", LOG_LEVELS),
        log_format=_choice("SAMVERKAN_LOG_FORMAT", LOG_FORMATS),
        token_misses_per_minute=_int("SAMVERKAN_TOKEN_MISSES_PER_MINUTE", 30, 1, 100_000),
        feed_past_days=_int("FEED_PAST_DAYS", 90, 1, 3650),
        feed_future_days=_int("FEED_FUTURE_DAYS", 548, 1, 3650),
        worker_in_app=_bool("SAMVERKAN_WORKER_IN_APP", True),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
