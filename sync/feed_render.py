"""Rendering a feed from per-meeting fragments, and the cheap version that says when to.

A feed's **version** is a fingerprint of what it shows on a day: its name and description (the
network, organisation or contact it is named after), and the count, newest LAST-MODIFIED and
sum of SEQUENCEs of the meetings it holds in that day's window (every meeting write, moved and
cancelled occurrences included, bumps SEQUENCE). It takes one aggregate query and renders
nothing, so an unrelated write or a new day costs no render when the feed did not change.

A render reuses **fragments**: each series' VEVENTs as icalendar wrote them, keyed by the
meeting's id, SEQUENCE and detail level, so one changed meeting re-renders one fragment. The
fragments and the VTIMEZONEs are joined inside the VCALENDAR icalendar writes for the calendar's
own properties; all of that runs in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from icalendar import Calendar, vDuration
from piccolo.columns import Varchar
from piccolo.query.functions.aggregate import Count, Max, Sum
from piccolo.query.functions.type_conversion import Cast

from directory.meetings.access import feed_network_condition
from directory.meetings.feed_tokens import ResolvedFeed
from directory.meetings.store import Condition, Series, in_window, load_series
from directory.meetings.tables import Meeting
from sync.feeds import (
    COLORS,
    PRODID,
    REFRESH,
    Window,
    add_calendar_text,
    feed_scope,
    kept_in_feed,
    needs_timezone,
    series_components,
    vtimezone,
)

MAX_FRAGMENTS = 50_000
_END = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class Scope:
    """Which meetings a feed holds on a day, and the name and description it shows."""

    feed: ResolvedFeed
    window: Window
    condition: Condition | None
    name: str
    description: str

    def conditions(self) -> list[Condition]:
        assert self.condition is not None
        shown = feed_network_condition(self.feed.detail == "staff")
        return [
            self.condition,
            in_window(self.window.start, self.window.end),
            kept_in_feed(self.window),
            *([shown] if shown is not None else []),
        ]


async def scope_of(feed: ResolvedFeed, day: dt.date) -> Scope:
    condition, name, description = await feed_scope(feed)
    return Scope(feed, Window(day), condition, name, description)


async def fingerprint(scope: Scope) -> str:
    """The feed's version on the scope's day; equal versions render to equal bytes."""
    parts: list[Any] = [scope.name, scope.description, scope.window.start.year]
    if scope.condition is not None:
        query = Meeting.select(
            Count(Meeting.id, alias="n"),
            Max(Meeting.last_modified, alias="newest"),
            Sum(Meeting.sequence, alias="sequences"),
        )
        for condition in scope.conditions():
            query = query.where(condition)
        row = (await query)[0]
        parts += [row["n"], str(row["newest"]), row["sequences"]]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Fragment:
    body: bytes
    events: int
    timezone: str | None
    """The TZID the fragment's times name, if any."""


FragmentKey = tuple[str, int, bool]
"""A meeting's id (as text), SEQUENCE and whether the fragment has the staff's detail."""


class FragmentCache:
    """Rendered series, least recently used first out."""

    def __init__(self, size: int = MAX_FRAGMENTS) -> None:
        self.size = size
        self._items: OrderedDict[FragmentKey, Fragment] = OrderedDict()
        self.rendered = 0
        """How many fragments were rendered so far (for tests and benchmarks)."""

    def get(self, key: FragmentKey) -> Fragment | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: FragmentKey, fragment: Fragment) -> None:
        self._items[key] = fragment
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def _fragment(series: Series, staff: bool) -> Fragment:
    components = series_components(series, staff)
    zone = series.row["timezone"] if needs_timezone(series) else None
    return Fragment(b"".join(c.to_ical() for c in components), len(components), zone)


@functools.lru_cache(maxsize=64)
def _vtimezone_bytes(tzid: str, first_year: int) -> bytes:
    return bytes(vtimezone(tzid, first_year).to_ical())


def _head(scope: Scope) -> bytes:
    """The VCALENDAR with the calendar's own properties, without its END line."""
    feed = scope.feed
    calendar = Calendar.new(
        prodid=PRODID,
        uid=f"samverkan-{feed.scope}-{feed.subject_id or 'public'}",
        color=COLORS[feed.scope],
        refresh_interval=REFRESH,
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    add_calendar_text(calendar, scope.name, scope.description)
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    body = bytes(calendar.to_ical())
    assert body.endswith(_END)
    return body[: -len(_END)]


def _assemble(
    scope: Scope,
    listing: list[dict[str, Any]],
    fragments: dict[FragmentKey, Fragment],
    missing: list[tuple[FragmentKey, Series]],
) -> tuple[bytes, int, dict[FragmentKey, Fragment]]:
    """Render the missing fragments and join everything (runs in a thread, so it touches no
    shared state: the new fragments are returned)."""
    staff = scope.feed.detail == "staff"
    new = {key: _fragment(series, staff) for key, series in missing}
    fragments = {**fragments, **new}
    keys = [(row["id"], row["sequence"], staff) for row in listing]
    ordered = [fragments[key] for key in keys if key in fragments]
    earliest = listing[0]["starts_at"].year if listing else scope.window.start.year
    first_year = min(scope.window.start.year, earliest) - 1
    zones = sorted({f.timezone for f in ordered if f.timezone is not None})
    parts = [_head(scope), *(_vtimezone_bytes(z, first_year) for z in zones)]
    parts += [f.body for f in ordered]
    return b"".join([*parts, _END]), sum(f.events for f in ordered), new


async def render(scope: Scope, cache: FragmentCache) -> tuple[bytes, int]:
    """The feed's iCalendar bytes and the number of VEVENTs in it; its queries must see one
    snapshot (:meth:`sync.feed_cache.VersionReader.snapshot`), so the listing and the series
    loaded for it agree.

    The listing comes in the feed's order from the database and with the ids as text, as on
    SQLite converting a thousand ids to UUIDs would cost more than the query."""
    listing: list[dict[str, Any]] = []
    if scope.condition is not None:
        query = Meeting.select(
            Cast(Meeting.id, Varchar(), alias="id"), Meeting.sequence, Meeting.starts_at
        )
        for condition in scope.conditions():
            query = query.where(condition)
        listing = await query.order_by(Meeting.starts_at, Meeting.uid)
    staff = scope.feed.detail == "staff"
    found: dict[FragmentKey, Fragment] = {}
    wanted: list[uuid.UUID] = []
    for row in listing:
        key = (row["id"], row["sequence"], staff)
        if (fragment := cache.get(key)) is not None:
            found[key] = fragment
        else:
            wanted.append(uuid.UUID(row["id"]))
    missing: list[tuple[FragmentKey, Series]] = []
    if wanted:
        for series in await load_series([Meeting.id.is_in(wanted)]):
            missing.append(((str(series.id), series.row["sequence"], staff), series))
    body, events, new = await asyncio.to_thread(_assemble, scope, listing, found, missing)
    for key, fragment in new.items():
        cache.put(key, fragment)
    cache.rendered += len(new)
    return body, events
