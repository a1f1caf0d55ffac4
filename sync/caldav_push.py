"""Pushing each network's meetings to its own CalDAV calendar under ``CALDAV_URL``.

A series is one calendar object resource named by its UID, holding the master event (RRULE,
EXDATEs of cancelled occurrences, SEQUENCE) and its moved occurrences, rendered by
:func:`sync.feeds.series_calendar` exactly as the feeds render it. A cancelled meeting is first
updated to STATUS:CANCELLED, so calendar clients show the cancellation, and deleted once it has
been cancelled for as long as the feeds keep it (``CANCELLED_KEPT``). A retired network's
calendar is emptied. Events carry the partner level of detail (no agenda), since a network's
calendar is shared with partners.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from directory.meetings.store import load_series
from directory.meetings.tables import Meeting
from directory.records.tables import Network
from sync.dav_collection import (
    CollectionPush,
    DavItem,
    PushProgress,
    PushReport,
)
from sync.dav_session import DavSession
from sync.dav_tables import DavEntry
from sync.feeds import CANCELLED_KEPT, series_calendar

CALENDAR_TYPE = "text/calendar; charset=utf-8"
CALENDAR_PREFIX = "samverkan-network-"


def calendar_url(home: str, network_id: uuid.UUID) -> str:
    return f"{home.rstrip('/')}/{CALENDAR_PREFIX}{network_id}/"


async def network_items(network_id: uuid.UUID, now: dt.datetime) -> list[DavItem]:
    """The network's meetings as calendar resources, less those cancelled long enough ago."""
    kept = (Meeting.status != "cancelled") | (Meeting.cancelled_at >= now - CANCELLED_KEPT)
    found = await load_series([Meeting.network_id == network_id, kept])
    return [
        DavItem(series.row["uid"], series_calendar(series, staff=False).to_ical().decode())
        for series in sorted(found, key=lambda s: str(s.row["uid"]))
    ]


async def _abandoned_calendars(home: str, current: set[str]) -> list[str]:
    """Calendars we pushed to before whose network is gone or retired."""
    prefix = f"{home.rstrip('/')}/{CALENDAR_PREFIX}"
    rows = await DavEntry.select(DavEntry.collection).where(DavEntry.collection.like(f"{prefix}%"))
    return sorted({row["collection"] for row in rows} - current)


async def push_meetings(
    session: DavSession,
    home: str,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, PushReport]:
    """Bring every network's calendar up to date; reports are keyed by calendar URL.

    Raises ``DavError`` when the server fails; what it accepted so far stays recorded.
    """
    moment = now or dt.datetime.now(dt.UTC)
    networks = await Network.select(Network.id, Network.name).where(Network.retired_at.is_null())
    prepared = [
        (calendar_url(home, row["id"]), row["name"], await network_items(row["id"], moment))
        for row in networks
    ]
    abandoned = await _abandoned_calendars(home, {url for url, _, _ in prepared})
    advance = PushProgress(sum(len(items) for _, _, items in prepared), progress)
    reports = {}
    for url, name, items in prepared:
        push = CollectionPush(session, url, CALENDAR_TYPE, ".ics", "calendar")
        reports[url] = await push.run(items, advance, f"{name} – Samverkan")
    for url in abandoned:
        push = CollectionPush(session, url, CALENDAR_TYPE, ".ics", "calendar")
        reports[url] = await push.run([], advance)
    return reports
