"""What an invitee's calendar holds of a meeting, and the Swedish text that tells them about it.

:class:`Held` is the part of a series that matters to an invitee: title, time, recurrence,
moved and cancelled occurrences, place, link and status. Notes, the agenda, ``is_public`` and
attendance are not in it, so a change to them mails no one. This is how sabre/dav's iMIP plugin
decides (``Sabre\\CalDAV\\Schedule\\IMipPlugin::schedule`` sends nothing unless the iTIP
message's ``significantChange`` is set, which ``Sabre\\VObject\\ITip\\Broker`` computes from the
properties in ``$significantChangeProperties``: DTSTART, DTEND, DURATION, DUE, RRULE, RDATE,
EXDATE, STATUS); Nextcloud's ``OCA\\DAV\\CalDAV\\TipBroker`` adds SUMMARY, DESCRIPTION and
LOCATION, as this does (the description an invitee gets is the link, so the link counts).
Unlike Nextcloud's plugin, which mails nothing for an event whose last occurrence has passed,
a change is mailed to whoever holds the meeting even then: otherwise the old entry stays.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import msgspec
from babel.dates import format_date

from directory.meetings.recurrence import original_starts
from directory.meetings.store import Series

LOCALE = "sv"
LOCAL_ZONE = "Europe/Stockholm"
_WEEKDAYS = {
    "MO": ("måndag", "måndagar"),
    "TU": ("tisdag", "tisdagar"),
    "WE": ("onsdag", "onsdagar"),
    "TH": ("torsdag", "torsdagar"),
    "FR": ("fredag", "fredagar"),
    "SA": ("lördag", "lördagar"),
    "SU": ("söndag", "söndagar"),
}
_ORDINALS = {1: "första", 2: "andra", 3: "tredje", 4: "fjärde", -1: "sista", -2: "näst sista"}
_UNITS = {"DAILY": "dag", "WEEKLY": "vecka", "MONTHLY": "månad", "YEARLY": "år"}


class Moved(msgspec.Struct, array_like=True):
    recurrence_id: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime


class Held(msgspec.Struct, forbid_unknown_fields=False):
    """A series as its invitees' calendars hold it (times in the meeting's own zone)."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    rrule: str
    location: str
    online_url: str
    status: str
    timezone: str = LOCAL_ZONE
    cancelled: list[dt.datetime] = []
    moved: list[Moved] = []

    def encode(self) -> str:
        return msgspec.json.encode(self).decode()

    @classmethod
    def decode(cls, text: str) -> Held | None:
        """The stored value, or ``None`` when nothing (or an unreadable old value) is held."""
        try:
            return msgspec.json.decode(text, type=cls) if text else None
        except msgspec.ValidationError:
            return None


def held_of(series: Series) -> Held:
    row = series.row
    zone = ZoneInfo(row["timezone"])
    overrides = sorted(series.overrides.values(), key=lambda o: o.recurrence_id)
    return Held(
        title=row["title"],
        starts_at=row["starts_at"].astimezone(zone),
        ends_at=row["ends_at"].astimezone(zone),
        all_day=row["all_day"],
        rrule=row["rrule"],
        location=row["location"],
        online_url=row["online_url"],
        status=row["status"],
        timezone=row["timezone"],
        cancelled=[o.recurrence_id.astimezone(zone) for o in overrides if o.cancelled],
        moved=[
            Moved(
                o.recurrence_id.astimezone(zone),
                o.starts_at.astimezone(zone),
                o.ends_at.astimezone(zone),
            )
            for o in overrides
            if not o.cancelled
        ],
    )


def day_text(value: dt.date) -> str:
    """ "tisdag 8 december 2026"."""
    return format_date(value, "EEEE d MMMM y", locale=LOCALE)


def when_text(start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
    """A time span as a Swedish reader writes it; an all-day one has no clock time."""
    if all_day:
        last = max(start.date(), end.date() - dt.timedelta(days=1))
        if last == start.date():
            return f"{day_text(start.date())}, hela dagen"
        return f"{day_text(start.date())} – {day_text(last)}, hela dagarna"
    if end.date() == start.date():
        return f"{day_text(start.date())} kl. {start:%H:%M}–{end:%H:%M}"
    return f"{day_text(start.date())} kl. {start:%H:%M} – {day_text(end.date())} kl. {end:%H:%M}"


def _every(frequency: str, interval: int) -> str:
    unit = _UNITS[frequency]
    if interval == 1:
        return f"varje {unit}"
    if interval == 2:
        return f"var{'t' if unit == 'år' else ''}annan {unit}"
    return f"var {interval}:e {unit}"


def recurrence_text(held: Held) -> str:
    """The RRULE in words: "varannan vecka på tisdagar, till och med 30 mars 2027"."""
    parts = dict(item.partition("=")[::2] for item in held.rrule.split(";") if "=" in item)
    frequency = parts.get("FREQ", "")
    if frequency not in _UNITS:
        return ""
    interval = int(parts.get("INTERVAL", "1") or 1)
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    text = _every(frequency, interval)
    if frequency == "WEEKLY":
        codes = [day[-2:] for day in days] or [list(_WEEKDAYS)[held.starts_at.weekday()]]
        names = [_WEEKDAYS[code][1] for code in codes if code in _WEEKDAYS]
        text += " på " + " och ".join(
            [", ".join(names[:-1]), names[-1]] if len(names) > 1 else names
        )
    elif frequency == "MONTHLY" and len(days) == 1 and days[0][:-2].lstrip("+-").isdigit():
        nth, code = int(days[0][:-2]), days[0][-2:]
        text = f"den {_ORDINALS.get(nth, f'{nth}:e')} {_WEEKDAYS[code][0]}en {text}"
    elif frequency == "MONTHLY":
        text = f"den {held.starts_at.day} {text}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} gånger"
    elif "UNTIL" in parts:
        last = _until_date(parts["UNTIL"], held)
        text += f", till och med {format_date(last, 'd MMMM y', locale=LOCALE)}"
    return text


def _until_date(value: str, held: Held) -> dt.date:
    if len(value) == 8:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    instant = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return instant.astimezone(held.starts_at.tzinfo).date()


def time_text(held: Held) -> str:
    """When: the span of a single meeting, or a series' rule in words with its clock time."""
    if not held.rrule:
        return when_text(held.starts_at, held.ends_at, held.all_day)
    clock = "hela dagen" if held.all_day else f"kl. {held.starts_at:%H:%M}–{held.ends_at:%H:%M}"
    return f"{recurrence_text(held)}, {clock}"


def next_occasion(held: Held, now: dt.datetime) -> dt.datetime | None:
    """The series' first original start within a year after ``now`` that is not cancelled."""
    starts = original_starts(
        held.rrule,
        held.starts_at,
        held.timezone,
        held.all_day,
        now,
        now + dt.timedelta(days=366),
    )
    cancelled = set(held.cancelled)
    zone = ZoneInfo(held.timezone)
    return next((s.astimezone(zone) for s in starts if s not in cancelled), None)


def description(held: Held, now: dt.datetime | None = None) -> list[str]:
    """The lines that say what the invitee's calendar now holds; a series gives its rule in
    words, its first occasion and, once that has passed, the next one."""
    lines = [f"Tid: {time_text(held)}"]
    if held.rrule:
        lines.append(f"Första tillfället: {day_text(held.starts_at.date())}")
        moment = now or dt.datetime.now(dt.UTC)
        upcoming = next_occasion(held, moment) if held.starts_at < moment else None
        if upcoming is not None:
            lines.append(f"Nästa tillfälle: {_occasion(upcoming, held)}")
    if held.location:
        lines.append(f"Plats: {held.location}")
    if held.online_url:
        lines.append(f"Länk: {held.online_url}")
    for moved in held.moved:
        lines.append(
            f"Flyttat tillfälle: {_occasion(moved.recurrence_id, held)} äger i stället rum "
            f"{when_text(moved.starts_at, moved.ends_at, held.all_day)}"
        )
    for day in held.cancelled:
        lines.append(f"Inställt tillfälle: {_occasion(day, held)}")
    return lines


def _occasion(start: dt.datetime, held: Held) -> str:
    text = day_text(start.date())
    return text if held.all_day else f"{text} kl. {start:%H:%M}"


def changes(before: Held, after: Held) -> list[str]:
    """What changed for the invitee, each change in words with what it was before."""
    lines: list[str] = []
    if before.title != after.title:
        lines.append(f"Nytt namn (tidigare: {before.title})")
    if (before.starts_at, before.ends_at, before.all_day) != (
        after.starts_at,
        after.ends_at,
        after.all_day,
    ) and not (before.rrule and after.rrule and before.starts_at == after.starts_at):
        lines.append(
            f"Ny tid: {when_text(after.starts_at, after.ends_at, after.all_day)} "
            f"(tidigare: {when_text(before.starts_at, before.ends_at, before.all_day)})"
        )
    elif before.ends_at - before.starts_at != after.ends_at - after.starts_at:
        lines.append(f"Ny tid: {when_text(after.starts_at, after.ends_at, after.all_day)}")
    if before.rrule != after.rrule:
        old, new = recurrence_text(before) or "ingen", recurrence_text(after) or "upprepas inte"
        lines.append(f"Ny upprepning: {new} (tidigare: {old})")
    if before.location != after.location:
        lines.append(
            f"Ny plats: {after.location or 'ingen'} (tidigare: {before.location or 'ingen'})"
        )
    if before.online_url != after.online_url:
        lines.append(f"Ny länk: {after.online_url or 'ingen'}")
    old_moved = {m.recurrence_id: m for m in before.moved}
    for moved in after.moved:
        if old_moved.get(moved.recurrence_id) != moved:
            lines.append(
                f"Tillfället {_occasion(moved.recurrence_id, after)} är flyttat till "
                f"{when_text(moved.starts_at, moved.ends_at, after.all_day)}"
            )
    for day in sorted(set(after.cancelled) - set(before.cancelled)):
        lines.append(f"Tillfället {_occasion(day, after)} är inställt")
    return lines
