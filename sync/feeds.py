"""iCalendar feeds of meetings, built with icalendar's typed API (RFC 5545, RFC 7986).

A feed is a function of the stored data and the day it is rendered on: the window (past and
future days from ``Settings``) and the 30 days a cancelled meeting stays are counted from that
day's midnight UTC, DTSTAMP is the meeting's LAST-MODIFIED and every component is emitted in a
fixed order, so unchanged data renders to byte-identical output and a strong ETag holds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vRecur, vText
from icalendar.enums import STATUS
from piccolo.columns.combination import WhereRaw

from directory.core.settings import get_settings
from directory.meetings.feed_tokens import ResolvedFeed
from directory.meetings.recurrence import local_time_problem
from directory.meetings.store import Condition, Series
from directory.meetings.tables import Meeting
from directory.records.tables import Contact, Network, Organization
from sync.vtimezone import vtimezone as zone_component

PRODID = "-//Samverkan//Natverkskalender//SV"
CANCELLED_KEPT = dt.timedelta(days=30)
REFRESH = dt.timedelta(hours=1)
COLORS = {
    "network": "darkcyan",
    "organization": "steelblue",
    "contact": "teal",
    "public": "seagreen",
}


@dataclass(frozen=True)
class Window:
    """What a feed rendered on ``day`` covers."""

    day: dt.date

    @property
    def epoch(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(), dt.UTC)

    @property
    def start(self) -> dt.datetime:
        return self.epoch - dt.timedelta(days=get_settings().feed_past_days)

    @property
    def end(self) -> dt.datetime:
        return self.epoch + dt.timedelta(days=get_settings().feed_future_days)


def _json_contains(column: str, value: uuid.UUID) -> WhereRaw:
    """A JSON list of UUIDs holds ``value``; the pattern is bound, never interpolated."""
    return WhereRaw(f"{column} LIKE {{}}", f'%"{value}"%')


def kept_in_feed(window: Window) -> Condition:
    """Meetings a feed rendered in ``window`` shows: all but those cancelled long ago."""
    return (Meeting.status != "cancelled") | (Meeting.cancelled_at >= window.epoch - CANCELLED_KEPT)


async def feed_scope(feed: ResolvedFeed) -> tuple[Condition | None, str, str]:
    """The meetings a feed holds, its name and its description."""
    subject = feed.subject_id
    if feed.scope == "public":
        return Meeting.is_public == True, "Samverkan – öppna evenemang", "Öppna möten och evenemang"  # noqa: E712
    if subject is None:
        return None, "", ""
    if feed.scope == "network":
        row = await Network.select(Network.name).where(Network.id == subject).first()
        name = row["name"] if row else ""
        return Meeting.network_id == subject, name, f"Nätverkets möten: {name}"
    if feed.scope == "organization":
        row = await Organization.select(Organization.name).where(Organization.id == subject).first()
        contacts = await Contact.select(Contact.id).where(Contact.organization_id == subject)
        condition: Condition = _json_contains("invited_organizations", subject)
        for contact in contacts:
            condition = condition | _json_contains("invited_contacts", contact["id"])
        name = row["name"] if row else ""
        return condition, f"{name} – möten", f"Möten som {name} är inbjuden till"
    row = (
        await Contact.select(Contact.name, Contact.organization_id)
        .where(Contact.id == subject)
        .first()
    )
    if row is None:
        return None, "", ""
    condition = _json_contains("invited_contacts", subject) | _json_contains(
        "invited_organizations", row["organization_id"]
    )
    return condition, f"{row['name']} – möten", f"Möten som {row['name']} är inbjuden till"


def _local(value: dt.datetime, series: Series) -> dt.date | dt.datetime:
    local = value.astimezone(ZoneInfo(series.row["timezone"]))
    return local.date() if series.row["all_day"] else local


def _timed(value: dt.datetime, series: Series) -> dt.datetime:
    """A start or end that recurs nowhere: local time, or UTC when the local time happens
    twice (RFC 5545 section 3.3.5 takes the first, ical.js and sabre the second)."""
    local = value.astimezone(ZoneInfo(series.row["timezone"]))
    if local_time_problem(local, series.row["timezone"]) is not None:
        return value.astimezone(dt.UTC)
    return local


def _is_all_day(start: dt.datetime, end: dt.datetime, series: Series) -> bool:
    """Whether a moved occurrence of an all-day series still spans whole local days."""
    zone = ZoneInfo(series.row["timezone"])
    return all(v.astimezone(zone).time() == dt.time() for v in (start, end)) and end > start


def _description(series: Series, staff: bool) -> str | None:
    parts = []
    if staff and series.row["agenda"]:
        parts.append(series.row["agenda"])
    if series.row["online_url"]:
        parts.append(f"Länk: {series.row['online_url']}")
    return "\n\n".join(parts) or None


def _event(
    series: Series,
    staff: bool,
    start: dt.datetime,
    end: dt.datetime,
    recurrence_id: dt.datetime | None = None,
) -> Event:
    """One VEVENT; a moved occurrence passes its own start and end. An all-day occurrence moved
    to a time of day becomes a timed event."""
    row = series.row
    cancelled = row["status"] == "cancelled"
    times: tuple[dt.date | dt.datetime, dt.date | dt.datetime]
    if (row["all_day"] and _is_all_day(start, end, series)) or (
        row["rrule"] and recurrence_id is None
    ):
        times = (_local(start, series), _local(end, series))
    else:
        times = (_timed(start, series), _timed(end, series))
    return Event.new(
        uid=row["uid"],
        summary=row["title"],
        start=times[0],
        end=times[1],
        location=row["location"] or None,
        url=row["online_url"] or None,
        description=_description(series, staff),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        recurrence_id=None if recurrence_id is None else _local(recurrence_id, series),
        sequence=row["sequence"],
        created=row["created_at"].astimezone(dt.UTC),
        last_modified=row["last_modified"],
        stamp=row["last_modified"],
    )


def series_components(series: Series, staff: bool) -> list[Event]:
    """The series' master VEVENT, with RRULE and EXDATEs, then one VEVENT per moved occurrence
    (RFC 5545 section 3.8.4.4: same UID, RECURRENCE-ID = the original start)."""
    row = series.row
    master = _event(series, staff, row["starts_at"], row["ends_at"])
    if not row["rrule"]:
        return [master]
    master.add("RRULE", vRecur.from_ical(row["rrule"]))
    overrides = sorted(series.overrides.values(), key=lambda o: o.recurrence_id)
    exdates = [_local(o.recurrence_id, series) for o in overrides if o.cancelled]
    if exdates:
        master.exdates = exdates
    moved = []
    for override in overrides:
        if override.cancelled:
            continue
        moved.append(
            _event(series, staff, override.starts_at, override.ends_at, override.recurrence_id)
        )
    return [master, *moved]


def vtimezone(tzid: str, first_year: int, last_year: int | None = None) -> Timezone:
    """The zone's VTIMEZONE from ``first_year`` on, with no end (see :mod:`sync.vtimezone`);
    ``last_year`` is ignored and only kept for callers that still pass it."""
    return zone_component(tzid, first_year)


def needs_timezone(series: Series) -> bool:
    """Whether the series has a time of day anywhere: a timed master or a moved occurrence of an
    all-day series that now has times."""
    if not series.row["all_day"]:
        return True
    return any(
        not o.cancelled and not _is_all_day(o.starts_at, o.ends_at, series)
        for o in series.overrides.values()
    )


def series_calendar(series: Series, staff: bool) -> Calendar:
    """One series alone as a VCALENDAR: its master VEVENT, moved occurrences and VTIMEZONE.

    That is a CalDAV calendar object resource (RFC 4791 §4.1: one UID per resource, overrides
    included), built by the same code as the feeds. The VTIMEZONE starts the year before the
    series and has no end, so unchanged data gives identical bytes on any day.
    """
    row = series.row
    calendar = Calendar.new(
        prodid=PRODID, uid=f"samverkan-{row['uid']}", subcomponents=series_components(series, staff)
    )
    if needs_timezone(series):
        calendar.subcomponents.insert(0, vtimezone(row["timezone"], row["starts_at"].year - 1))
    return calendar


def add_calendar_text(calendar: Calendar, name: str, description: str) -> None:
    """The calendar's name and description as escaped TEXT (RFC 5545 section 3.3.11).

    icalendar writes NAME (RFC 7986) and the X-WR- names unescaped, so a comma cut the name
    short in vobject. ``VALUE=TEXT`` makes ical.js and icalendar, which know neither property,
    unescape them too.
    """
    for key, value in (("NAME", name), ("X-WR-CALNAME", name), ("X-WR-CALDESC", description)):
        calendar.add(key, vText(value), parameters={"VALUE": "TEXT"})
    calendar.add("DESCRIPTION", vText(description))
