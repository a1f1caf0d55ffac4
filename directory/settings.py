"""Typed settings read once from the environment: the only module that reads ``os.environ``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

SearchBackendName = Literal["embedded", "meilisearch"]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    search_backend: SearchBackendName = "embedded"
    meili_url: str = ""
    meili_master_key: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    database_pool_size: int = 10
    feed_past_days: int = 90
    feed_future_days: int = 548
    import_interval_minutes: int = 60
    import_timeout_seconds: int = 20
    import_max_bytes: int = 5_000_000
    import_allow_private: bool = False
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "samverkan@example.se"
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file named by ``sqlite:///path`` (relative paths are under the data dir)."""
        raw = self.database_url.removeprefix("sqlite:///")
        path = Path(raw)
        return path if path.is_absolute() else self.data_dir / path


def _database_url(data_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{data_dir / 'samverkan.sqlite'}"
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise SettingsError(
            f"DATABASE_URL must start with sqlite:/// or postgres://, got scheme {scheme!r}"
        )
    return url


def _search_backend() -> SearchBackendName:
    value = os.environ.get("SEARCH_BACKEND", "embedded").strip() or "embedded"
    if value == "embedded":
        return "embedded"
    if value == "meilisearch":
        return "meilisearch"
    raise SettingsError(f"SEARCH_BACKEND must be 'embedded' or 'meilisearch', got {value!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _positive(name: str, default: int) -> int:
    value = _int(name, default)
    if value <= 0:
        raise SettingsError(f"{name} must be a positive number, got {value}")
    return value


def _bool(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in {"", "0", "false", "no"}:
        return False
    if raw in {"1", "true", "yes"}:
        return True
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def load_settings() -> Settings:
    """Read and validate the environment; raises :class:`SettingsError` with a clear message."""
    data_dir = Path(
        os.environ.get("SAMVERKAN_DATA_DIR") or os.environ.get("APP_PERSISTENT_STORAGE") or "data"
    )
    backend = _search_backend()
    meili_url = os.environ.get("MEILI_URL", "").strip()
    if backend == "meilisearch" and not meili_url:
        raise SettingsError("SEARCH_BACKEND=meilisearch needs MEILI_URL")
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(data_dir),
        search_backend=backend,
        meili_url=meili_url,
        meili_master_key=os.environ.get("MEILI_MASTER_KEY", ""),
        public_url=os.environ.get("SAMVERKAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        database_pool_size=_int("DATABASE_POOL_SIZE", 10),
        feed_past_days=_positive("FEED_PAST_DAYS", 90),
        feed_future_days=_positive("FEED_FUTURE_DAYS", 548),
        import_interval_minutes=_positive("IMPORT_INTERVAL_MINUTES", 60),
        import_timeout_seconds=_positive("IMPORT_TIMEOUT_SECONDS", 20),
        import_max_bytes=_positive("IMPORT_MAX_BYTES", 5_000_000),
        import_allow_private=_bool("IMPORT_ALLOW_PRIVATE"),
        smtp_host=os.environ.get("SMTP_HOST", "").strip(),
        smtp_port=_positive("SMTP_PORT", 25),
        smtp_from=os.environ.get("SMTP_FROM", "samverkan@example.se").strip(),
        smtp_username=os.environ.get("SMTP_USERNAME", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool("SMTP_STARTTLS"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
