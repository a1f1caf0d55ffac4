"""Meetings as calendar entries: flattened occurrences, agenda lists, month grids and weeks."""

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


@dataclass(frozen=True)
class Week:
    """Monday to Sunday, as Swedish calendars show a week, with its ISO 8601 week number."""

    monday: dt.date
    days: list[tuple[dt.date, list[Entry]]]

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def previous(self) -> str:
        return week_text(self.monday - dt.timedelta(days=7))

    @property
    def next(self) -> str:
        return week_text(self.monday + dt.timedelta(days=7))


def week_text(day: dt.date) -> str:
    """The ISO week ``day`` falls in, as the ``week`` query writes it: ``2026-W49``."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def parse_week(text: str, today: dt.date) -> dt.date:
    """``2026-W49`` → Monday 30 November 2026; anything else (or a year outside the accepted
    ones) is this week's Monday."""
    this_week = today - dt.timedelta(days=today.weekday())
    try:
        year, number = text.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return this_week
    return monday if EARLIEST.year <= monday.year < LATEST.year else this_week


def week_window(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(monday, dt.time(), ZONE)
    return start, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), ZONE)


def week_days(monday: dt.date, found: list[Entry]) -> Week:
    days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    return Week(monday, [(day, [e for e in found if e.day == day]) for day in days])
