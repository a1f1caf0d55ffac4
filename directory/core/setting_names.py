"""The names of every environment variable Samverkan reads, with what each means.

``.env.example`` and the README's configuration table list the same names; a test checks that
:mod:`directory.core.settings` reads exactly these.
"""

from __future__ import annotations

#: Every variable :func:`load_settings` reads, with what it means; ``.env.example`` lists them all.
SETTING_NAMES: dict[str, str] = {
    "SAMVERKAN_DATA_DIR": "directory for the SQLite file and other local data "
    "(default: $XDG_DATA_HOME/samverkan, else ~/.local/share/samverkan)",
    "XDG_DATA_HOME": "where the default data directory lives (~/.local/share when unset)",
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
    "SAMVERKAN_TRUSTED_PROXIES": "addresses or networks of the proxies whose X-Forwarded-For "
    "is believed (comma list; empty: nobody's)",
    "SAMVERKAN_SCRYPT_N": "scrypt cost of password hashes (power of two, 16384 at least; "
    "default OWASP's 131072)",
    "SAMVERKAN_WORKER_IN_APP": "true: each web process runs the outbox worker; false: "
    "only `samverkan worker` does",
    "SAMVERKAN_OUTBOX_LEASE_SECONDS": "seconds an outbox worker's claim on a consumer lasts "
    "unless renewed (a killed worker's claim frees itself after this)",
    "PROMETHEUS_MULTIPROC_DIR": "a directory where the web processes of one server share "
    "their metrics (emptied by `serve`); unset: each server makes its own",
    "FEED_PAST_DAYS": "days of past meetings an iCal feed holds",
    "FEED_FUTURE_DAYS": "days of future meetings an iCal feed holds",
    "IMPORT_INTERVAL_MINUTES": "minutes between fetches of a network's external ICS feeds",
    "IMPORT_TIMEOUT_SECONDS": "seconds an external feed may take to arrive",
    "IMPORT_MAX_BYTES": "the largest external feed accepted",
    "IMPORT_ALLOW_PRIVATE": "true: allow external feeds on loopback or private addresses",
    "SMTP_HOST": "the mail server for invitations; unset: no mail",
    "SMTP_PORT": "the mail server's port",
    "SMTP_FROM": "the sender of invitations: an address, or a name and address "
    "(Samverkan Tyresö <natverk@tyreso.se>)",
    "SMTP_REPLY_TO": "the address invitees' calendars reply to (the iTIP ORGANIZER); "
    "default: the SMTP_FROM address",
    "SMTP_USERNAME": "SMTP login name, if the server needs one",
    "SMTP_PASSWORD": "SMTP password",
    "SMTP_STARTTLS": "true: use STARTTLS",
    "SMTP_PACE_MS": "milliseconds between two messages on one SMTP connection",
    "SMTP_RETRY_SECONDS": "seconds before a temporarily refused message is tried again "
    "(doubling with each try)",
    "SMTP_MAX_ATTEMPTS": "tries before a temporarily refused message is given up",
    "INVITATION_DIGEST_HOUR": "the hour (0-23, Stockholm time) when invitees who chose a daily "
    "digest get the day's invitations in one mail",
    "IMAP_HOST": "the IMAP server holding the SMTP_REPLY_TO mailbox; unset: replies are not read",
    "IMAP_PORT": "the IMAP server's port",
    "IMAP_USERNAME": "the IMAP login name",
    "IMAP_PASSWORD": "the IMAP password",
    "IMAP_TLS": "true: IMAP over TLS (port 993); false: plain IMAP (a loopback server only)",
    "IMAP_MAILBOX": "the folder replies arrive in",
    "IMAP_INTERVAL_SECONDS": "seconds between two reads of the reply mailbox",
    "SAMVERKAN_SECRET_KEY": "signs web sessions (32+ characters); else one kept in the data dir",
    "SAMVERKAN_SECURE_COOKIES": "send cookies only over https (default: when the public URL is)",
    "APP_ID": "Nextcloud AppAPI: the ExApp id (set by AppAPI; turns on the ExApp mode)",
    "APP_SECRET": "Nextcloud AppAPI: the shared secret (needed with APP_ID)",
    "APP_VERSION": "Nextcloud AppAPI: the ExApp version (needed with APP_ID)",
    "NEXTCLOUD_URL": "Nextcloud AppAPI: the Nextcloud address (needed with APP_ID)",
    "APP_HOST": "Nextcloud AppAPI: the address to listen on",
    "APP_PORT": "Nextcloud AppAPI: the port to listen on",
    "NEXTCLOUD_ROLE_GROUPS": "Nextcloud groups mapped to roles: group:role,group:role",
    "NEXTCLOUD_DEFAULT_ROLE": "the role of a Nextcloud user in no mapped group",
    "NEXTCLOUD_GROUPS_TTL": "seconds a Nextcloud user's groups are cached",
    "CARDDAV_URL": "the CardDAV address book the directory is pushed to",
    "CARDDAV_ADDRESS_BOOKS": "the address books published: internal, partners, public",
    "CALDAV_URL": "the CalDAV calendar the meetings are pushed to",
    "DAV_USERNAME": "the CardDAV/CalDAV user",
    "DAV_PASSWORD": "the CardDAV/CalDAV password",
    "SAMVERKAN_PICTURE_MIN_REPORTS": "the fewest reports a group of the situation picture needs "
    "to be shown (default 3)",
}
