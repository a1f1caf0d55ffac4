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
class AppApiSettings:
    """Nextcloud AppAPI's environment for an external app (ExApp); set only under Nextcloud.

    ``role_groups`` maps a Nextcloud group to a Samverkan role name; a user in none of them gets
    ``default_role``.
    """

    app_id: str
    app_secret: str = field(repr=False)
    app_version: str
    nextcloud_url: str
    app_host: str = "127.0.0.1"
    app_port: int = 8000
    role_groups: tuple[tuple[str, str], ...] = (("admin", "admin"),)
    default_role: str = "partner"
    groups_ttl_seconds: int = 300


@dataclass(frozen=True)
class DavSettings:
    """Where the CardDAV address books and CalDAV calendars are pushed, and as whom.

    ``carddav_url`` and ``caldav_url`` are collection homes; Samverkan creates one address book
    per visibility level and one calendar per network beneath them.
    """

    carddav_url: str
    caldav_url: str
    username: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    search_backend: SearchBackendName = "embedded"
    meili_url: str = ""
    meili_master_key: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    database_pool_size: int = 10
    appapi: AppApiSettings | None = None
    dav: DavSettings | None = None
    feed_past_days: int = 90
    feed_future_days: int = 548

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


_ROLE_NAMES = ("admin", "coordinator", "staff", "partner")


def _role_name(variable: str, value: str) -> str:
    if value not in _ROLE_NAMES:
        raise SettingsError(f"{variable}: unknown role {value!r}; expected one of {_ROLE_NAMES}")
    return value


def _role_groups(raw: str) -> tuple[tuple[str, str], ...]:
    """``group:role,group:role`` as pairs; a group name may itself contain colons."""
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        group, separator, role = item.rpartition(":")
        if not separator or not group:
            raise SettingsError(f"NEXTCLOUD_ROLE_GROUPS: expected group:role, got {item!r}")
        pairs.append((group, _role_name("NEXTCLOUD_ROLE_GROUPS", role)))
    return tuple(pairs)


def _appapi() -> AppApiSettings | None:
    """AppAPI settings when ``APP_ID`` is set; then the rest of its variables are required."""
    app_id = os.environ.get("APP_ID", "").strip()
    if not app_id:
        return None
    missing = [
        name for name in ("APP_SECRET", "APP_VERSION", "NEXTCLOUD_URL") if not os.environ.get(name)
    ]
    if missing:
        raise SettingsError(f"APP_ID is set, so these are needed too: {', '.join(missing)}")
    return AppApiSettings(
        app_id=app_id,
        app_secret=os.environ["APP_SECRET"],
        app_version=os.environ["APP_VERSION"].strip(),
        nextcloud_url=os.environ["NEXTCLOUD_URL"].strip().removesuffix("/index.php").rstrip("/"),
        app_host=os.environ.get("APP_HOST", "").strip() or "127.0.0.1",
        app_port=_int("APP_PORT", 8000),
        role_groups=_role_groups(os.environ.get("NEXTCLOUD_ROLE_GROUPS", "admin:admin")),
        default_role=_role_name(
            "NEXTCLOUD_DEFAULT_ROLE", os.environ.get("NEXTCLOUD_DEFAULT_ROLE", "partner").strip()
        ),
        groups_ttl_seconds=_int("NEXTCLOUD_GROUPS_TTL", 300),
    )


def _dav() -> DavSettings | None:
    carddav = os.environ.get("CARDDAV_URL", "").strip()
    caldav = os.environ.get("CALDAV_URL", "").strip()
    if not carddav and not caldav:
        return None
    return DavSettings(
        carddav_url=carddav,
        caldav_url=caldav,
        username=os.environ.get("DAV_USERNAME", ""),
        password=os.environ.get("DAV_PASSWORD", ""),
    )


def _positive(name: str, default: int) -> int:
    value = _int(name, default)
    if value <= 0:
        raise SettingsError(f"{name} must be a positive number of days, got {value}")
    return value


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
        appapi=_appapi(),
        dav=_dav(),
        feed_past_days=_positive("FEED_PAST_DAYS", 90),
        feed_future_days=_positive("FEED_FUTURE_DAYS", 548),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
