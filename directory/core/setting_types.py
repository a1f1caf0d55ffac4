"""The typed values :mod:`directory.core.settings` builds from the environment, and the names
other modules share (the AppAPI proxy path, the standalone address)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

SearchBackendName = Literal["embedded", "meilisearch"]
LogFormat = Literal["json", "text"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
SEARCH_BACKENDS: tuple[SearchBackendName, ...] = ("embedded", "meilisearch")
LOG_LEVELS: tuple[LogLevel, ...] = ("INFO", "DEBUG", "WARNING", "ERROR")
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")

APPAPI_PROXY_PATH = "/index.php/apps/app_api/proxy"
"""Where Nextcloud's AppAPI proxies an ExApp: ``{NEXTCLOUD_URL}{APPAPI_PROXY_PATH}/{APP_ID}``
(app_api ``appinfo/routes.php``, ``ExAppProxyController``). ``index.php`` works whether or not
Nextcloud's pretty URLs are configured."""

STANDALONE_PUBLIC_URL = "http://127.0.0.1:8000"


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
    address_books: tuple[str, ...] = ("internal", "partners")
    """Which audiences get an address book; each reader should be shared exactly one."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str = field(repr=False)
    search_backend: SearchBackendName = "embedded"
    meili_url: str = ""
    meili_master_key: str = field(default="", repr=False)
    public_url: str = STANDALONE_PUBLIC_URL
    database_pool_size: int = 10
    appapi: AppApiSettings | None = None
    dav: DavSettings | None = None
    secret_key: str = field(default="", repr=False)
    secure_cookies: bool = True
    feed_past_days: int = 90
    feed_future_days: int = 548
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "json"
    token_misses_per_minute: int = 30
    scrypt_n: int = 2**17
    trusted_proxies: tuple[str, ...] = ()
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
    smtp_reply_to: str = ""
    smtp_pace_ms: int = 200
    smtp_retry_seconds: int = 300
    smtp_max_attempts: int = 8
    invitation_digest_hour: int = 7
    imap_host: str = ""
    imap_port: int = 993
    imap_username: str = ""
    imap_password: str = field(default="", repr=False)
    imap_tls: bool = True
    imap_mailbox: str = "INBOX"
    imap_interval_seconds: int = 60
    worker_in_app: bool = True
    outbox_lease_seconds: int = 30
    picture_min_reports: int = 3

    @property
    def sender_name(self) -> str:
        """The display name of ``SMTP_FROM`` ('' when it is a bare address)."""
        return parseaddr(self.smtp_from)[0]

    @property
    def sender_address(self) -> str:
        return parseaddr(self.smtp_from)[1]

    @property
    def reply_address(self) -> str:
        """Where invitees' REPLYs go: the ORGANIZER's address."""
        return self.smtp_reply_to or self.sender_address

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file named by ``sqlite:///path``; a relative path is under the data dir
        (``sqlite:///samverkan.sqlite`` is ``DATA_DIR/samverkan.sqlite``)."""
        raw = self.database_url.removeprefix("sqlite:///")
        path = Path(raw)
        return path if path.is_absolute() else self.data_dir / path
