"""Outbox consumers that push to CardDAV and CalDAV whenever the directory or a meeting changes.

A batch of changes that touches what a push exports runs one whole (incremental) push; the
push itself sends only what differs. The worker's session makes a single attempt per request:
the outbox worker already retries a failed batch with exponential backoff and keeps its cursor
until the push succeeds, so a server that is down loses nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from directory.core.settings import DavSettings
from sync.caldav_push import push_meetings
from sync.carddav_push import push_directory
from sync.dav_session import Backoff, DavSession
from sync.outbox import Change, OutboxWorker

CARDDAV_CONSUMER = "carddav"
CALDAV_CONSUMER = "caldav"
CARDDAV_TYPES = frozenset({"organization", "contact"})
CALDAV_TYPES = frozenset({"meeting", "network"})
_SINGLE_ATTEMPT = Backoff(attempts=1)


def _touches(changes: Sequence[Change], types: frozenset[str]) -> bool:
    return any(change.resource_type in types for change in changes)


Books = Callable[[], Awaitable[tuple[str, ...]]]


def carddav_worker(
    dav: DavSettings, public_url: str, interval: float = 1.0, books: Books | None = None
) -> OutboxWorker:
    """``books``, if given, says at each push which address books to publish (e.g. as set in
    Nextcloud's admin settings); else ``CARDDAV_ADDRESS_BOOKS``."""

    async def apply(changes: Sequence[Change]) -> None:
        if _touches(changes, CARDDAV_TYPES):
            published = await books() if books else dav.address_books
            async with DavSession(dav.username, dav.password, _SINGLE_ATTEMPT) as session:
                await push_directory(session, dav.carddav_url, public_url, books=published)

    return OutboxWorker(CARDDAV_CONSUMER, apply, interval=interval)


def caldav_worker(dav: DavSettings, interval: float = 1.0) -> OutboxWorker:
    async def apply(changes: Sequence[Change]) -> None:
        if _touches(changes, CALDAV_TYPES):
            async with DavSession(dav.username, dav.password, _SINGLE_ATTEMPT) as session:
                await push_meetings(session, dav.caldav_url)

    return OutboxWorker(CALDAV_CONSUMER, apply, interval=interval)


def dav_workers(
    dav: DavSettings, public_url: str, books: Books | None = None
) -> list[OutboxWorker]:
    """The workers for the pushes that are configured (``CARDDAV_URL``, ``CALDAV_URL``)."""
    workers = []
    if dav.carddav_url:
        workers.append(carddav_worker(dav, public_url, books=books))
    if dav.caldav_url:
        workers.append(caldav_worker(dav))
    return workers
