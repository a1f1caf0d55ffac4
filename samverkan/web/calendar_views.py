"""Meetings as calendar entries: flattened occurrences, agenda lists and month grids."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from directory.core.validation import EARLIEST, LATEST
from directory.meetings.schemas import MeetingOut

ZONE = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Entry:
    """One occurrence of a meeting, in Stockholm time."""

    meeting_id: uuid.UUID
    network_id: uuid.UUID
    title: str
    location: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool
    recurrence_id: dt.datetime
    all_day: bool = False

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()


def entries(meetings: Iterable[MeetingOut]) -> list[Entry]:
    """Every occurrence the meetings list carries, in start order."""
    found = [
        Entry(
            meeting_id=meeting.id,
            network_id=meeting.network_id,
            title=meeting.title,
            location=meeting.location,
            starts_at=occurrence.starts_at.astimezone(ZONE),
            ends_at=occurrence.ends_at.astimezone(ZONE),
            cancelled=occurrence.cancelled or meeting.status == "cancelled",
            recurrence_id=occurrence.recurrence_id,
            all_day=meeting.all_day,
        )
        for meeting in meetings
        for occurrence in meeting.occurrences or []
    ]
    return sorted(found, key=lambda entry: entry.starts_at)


def split_by_now(found: list[Entry], now: dt.datetime) -> tuple[list[Entry], list[Entry]]:
    """Upcoming (soonest first) and past (latest first)."""
    upcoming = [entry for entry in found if entry.ends_at >= now]
    past = [entry for entry in found if entry.ends_at < now]
    return upcoming, list(reversed(past))


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[tuple[dt.date, list[Entry]]]]

    @property
    def previous(self) -> str:
        return (self.first - dt.timedelta(days=1)).strftime("%Y-%m")

    @property
    def next(self) -> str:
        return (self.first + dt.timedelta(days=32)).strftime("%Y-%m")


def parse_month(text: str, today: dt.date) -> dt.date:
    """``2026-12`` → 1 December 2026; anything else (or a year outside the accepted ones) is
    this month."""
    try:
        year, month = (int(part) for part in text.split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return first if EARLIEST.year <= year < LATEST.year else today.replace(day=1)


def month_window(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    last = dt.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    start = dt.datetime.combine(first - dt.timedelta(days=7), dt.time(), ZONE)
    end = dt.datetime.combine(last + dt.timedelta(days=8), dt.time(), ZONE)
    return start, end


def month_grid(first: dt.date, found: list[Entry]) -> Month:
    """Weeks from Monday, as Swedish calendars show them."""
    by_day: dict[dt.date, list[Entry]] = {}
    for entry in found:
        by_day.setdefault(entry.day, []).append(entry)
    weeks = [
        [(day, by_day.get(day, [])) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return Month(first, weeks)
