"""Typed settings read once from the environment: the only module that reads ``os.environ``.

Every setting is validated here, so a bad or missing value stops the app and the CLI at start-up
with one line naming the variable (``SettingsError``), never later with a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from email.errors import HeaderParseError
from email.headerregistry import Address, HeaderRegistry
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from directory.core.setting_types import (
    APPAPI_PROXY_PATH,
    LOG_FORMATS,
    LOG_LEVELS,
    SEARCH_BACKENDS,
    STANDALONE_PUBLIC_URL,
    AppApiSettings,
    DavSettings,
    LogFormat,
    LogLevel,
    SearchBackendName,
    Settings,
    SettingsError,
)

Choice = TypeVar("Choice", bound=str)


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


def _power_of_two(name: str, default: int, minimum: int, maximum: int) -> int:
    value = _int(name, default, minimum, maximum)
    if value & (value - 1):
        raise SettingsError(f"{name} must be a power of two, got {value}")
    return value


def _addresses(name: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses or networks (``10.0.0.0/8``), each checked."""
    found = []
    for part in _get(name).split(","):
        if not part.strip():
            continue
        try:
            found.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks, got {part.strip()!r}"
            ) from None
    return tuple(found)


def _bool(name: str, default: bool) -> bool:
    raw = _get(name).lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _address(name: str, default: str = "", display_name: bool = False) -> str:
    """A mail address (with a display name if ``display_name``), as RFC 5322 writes it."""
    raw = _get(name, default)
    if not raw:
        return ""
    try:
        parsed = Address(addr_spec=raw) if not display_name else None
    except (ValueError, IndexError, HeaderParseError):
        parsed = None
    if parsed is None:
        header = HeaderRegistry()("From" if display_name else "To", raw)
        addresses = getattr(header, "addresses", ())
        if len(addresses) != 1 or header.defects or "\n" in raw or "\r" in raw:
            addresses = ()
        parsed = addresses[0] if addresses else None
    if parsed is None or not parsed.username or "." not in parsed.domain:
        example = "Samverkan Tyresö <natverk@tyreso.se>" if display_name else "natverk@tyreso.se"
        raise SettingsError(f"{name} must be a mail address like {example}, got {raw!r}")
    if not display_name and parsed.display_name:
        raise SettingsError(f"{name} must be an address alone, without a name, got {raw!r}")
    return str(parsed)


def _secret_key() -> str:
    value = _get("SAMVERKAN_SECRET_KEY")
    if value and len(value) < 32:
        raise SettingsError("SAMVERKAN_SECRET_KEY must be at least 32 characters")
    return value


_ROLE_NAMES = ("admin", "coordinator", "staff", "partner")


def _role_name(variable: str, value: str) -> str:
    if value not in _ROLE_NAMES:
        raise SettingsError(f"{variable}: unknown role {value!r}; expected one of {_ROLE_NAMES}")
    return value


def parse_role_groups(raw: str) -> tuple[tuple[str, str], ...]:
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
        app_port=_int("APP_PORT", 8000, 1, 65535),
        role_groups=parse_role_groups(os.environ.get("NEXTCLOUD_ROLE_GROUPS", "admin:admin")),
        default_role=_role_name(
            "NEXTCLOUD_DEFAULT_ROLE", os.environ.get("NEXTCLOUD_DEFAULT_ROLE", "partner").strip()
        ),
        groups_ttl_seconds=_int("NEXTCLOUD_GROUPS_TTL", 300, 0, 86_400),
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
        address_books=address_books(_get("CARDDAV_ADDRESS_BOOKS", "internal,partners")),
    )


ADDRESS_BOOKS = ("internal", "partners", "public")


def address_books(raw: str, name: str = "CARDDAV_ADDRESS_BOOKS") -> tuple[str, ...]:
    """``internal,partners``: the audiences, among :data:`ADDRESS_BOOKS`, given a book."""
    books = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [book for book in books if book not in ADDRESS_BOOKS]
    if unknown:
        raise SettingsError(
            f"{name}: unknown address book {unknown[0]!r} (use internal, partners, public)"
        )
    return books


def exapp_public_url(appapi: AppApiSettings) -> str:
    """Under Nextcloud users reach Samverkan through AppAPI's proxy, so links in feeds, vCards
    and invitations point there (feeds are public routes of the proxy)."""
    return f"{appapi.nextcloud_url}{APPAPI_PROXY_PATH}/{appapi.app_id}"


def serve_environment(host: str, port: int) -> dict[str, str]:
    """What ``samverkan serve`` adds to the environment of the app it starts: without
    ``SAMVERKAN_PUBLIC_URL``, and outside Nextcloud, links follow the address it listens on (a
    wildcard address is named by this machine's name)."""
    if _get("SAMVERKAN_PUBLIC_URL") or _get("APP_ID"):
        return {}
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 (naming the wildcard, not binding it)
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return {"SAMVERKAN_PUBLIC_URL": f"http://{host}:{port}"}


def _http_url(name: str, default: str = "") -> str:
    value = _get(name, default)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// address, got {value!r}")
    return value.rstrip("/")


def _data_dir() -> Path:
    """An absolute directory: the same database whatever folder a command is run from."""
    chosen = _get("SAMVERKAN_DATA_DIR") or _get("APP_PERSISTENT_STORAGE")
    if chosen:
        return Path(chosen).expanduser().absolute()
    share = Path(_get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return share.expanduser().absolute() / "samverkan"


def load_settings() -> Settings:
    """Read and validate the environment; raises :class:`SettingsError` with a clear message."""
    data_dir = _data_dir()
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"SAMVERKAN_DATA_DIR must be a directory, got the file {data_dir}")
    backend = _choice("SEARCH_BACKEND", SEARCH_BACKENDS)
    meili_url = _http_url("MEILI_URL")
    if backend == "meilisearch" and not meili_url:
        raise SettingsError("MEILI_URL is required when SEARCH_BACKEND=meilisearch")
    appapi = _appapi()
    public_url = _http_url("SAMVERKAN_PUBLIC_URL", exapp_public_url(appapi) if appapi else "")
    public_url = public_url or STANDALONE_PUBLIC_URL
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(data_dir),
        search_backend=backend,
        meili_url=meili_url,
        meili_master_key=_get("MEILI_MASTER_KEY"),
        public_url=public_url,
        database_pool_size=_int("DATABASE_POOL_SIZE", 10, 0, 1000),
        log_level=_choice("SAMVERKAN_LOG_LEVEL", LOG_LEVELS),
        log_format=_choice("SAMVERKAN_LOG_FORMAT", LOG_FORMATS),
        token_misses_per_minute=_int("SAMVERKAN_TOKEN_MISSES_PER_MINUTE", 30, 1, 100_000),
        scrypt_n=_power_of_two("SAMVERKAN_SCRYPT_N", 2**17, 2**14, 2**20),
        trusted_proxies=_addresses("SAMVERKAN_TRUSTED_PROXIES"),
        feed_past_days=_int("FEED_PAST_DAYS", 90, 1, 3650),
        feed_future_days=_int("FEED_FUTURE_DAYS", 548, 1, 3650),
        import_interval_minutes=_int("IMPORT_INTERVAL_MINUTES", 60, 1, 10_080),
        import_timeout_seconds=_int("IMPORT_TIMEOUT_SECONDS", 20, 1, 600),
        import_max_bytes=_int("IMPORT_MAX_BYTES", 5_000_000, 1_000, 500_000_000),
        import_allow_private=_bool("IMPORT_ALLOW_PRIVATE", False),
        smtp_host=_get("SMTP_HOST"),
        smtp_port=_int("SMTP_PORT", 25, 1, 65535),
        smtp_from=_address("SMTP_FROM", "samverkan@example.se", display_name=True),
        smtp_reply_to=_address("SMTP_REPLY_TO"),
        smtp_pace_ms=_int("SMTP_PACE_MS", 200, 0, 60_000),
        smtp_retry_seconds=_int("SMTP_RETRY_SECONDS", 300, 1, 86_400),
        smtp_max_attempts=_int("SMTP_MAX_ATTEMPTS", 8, 1, 100),
        invitation_digest_hour=_int("INVITATION_DIGEST_HOUR", 7, 0, 23),
        imap_host=_get("IMAP_HOST"),
        imap_port=_int("IMAP_PORT", 993, 1, 65535),
        imap_username=_get("IMAP_USERNAME"),
        imap_password=os.environ.get("IMAP_PASSWORD", ""),
        imap_tls=_bool("IMAP_TLS", True),
        imap_mailbox=_get("IMAP_MAILBOX", "INBOX"),
        imap_interval_seconds=_int("IMAP_INTERVAL_SECONDS", 60, 1, 86_400),
        smtp_username=_get("SMTP_USERNAME"),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool("SMTP_STARTTLS", False),
        worker_in_app=_bool("SAMVERKAN_WORKER_IN_APP", True),
        outbox_lease_seconds=_int("SAMVERKAN_OUTBOX_LEASE_SECONDS", 30, 2, 3600),
        picture_min_reports=_int("SAMVERKAN_PICTURE_MIN_REPORTS", 3, 2, 100),
        appapi=appapi,
        dav=_dav(),
        secret_key=_secret_key(),
        # Cookies are Secure whenever the public URL is https; plain-http development opts out.
        secure_cookies=_bool("SAMVERKAN_SECURE_COOKIES", public_url.startswith("https://")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


__all__ = [
    "APPAPI_PROXY_PATH",
    "LOG_FORMATS",
    "LOG_LEVELS",
    "SEARCH_BACKENDS",
    "STANDALONE_PUBLIC_URL",
    "AppApiSettings",
    "DavSettings",
    "LogFormat",
    "LogLevel",
    "SearchBackendName",
    "Settings",
    "SettingsError",
    "get_settings",
    "load_settings",
]
