"""A planned series said in words, with its dates, before it is saved: "varannan tisdag
09.00–10.30, till 9 juni 2027: 14 tillfällen", the next dates, the public holidays it hits and
the times daylight saving skips or doubles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from babel.dates import format_date, format_time

from directory.core.errors import N_
from directory.meetings.conflicts import proposed_occurrences
from directory.meetings.local_times import given_warnings, merged, series_warnings, warning_text
from directory.meetings.public_holidays import holidays_between
from directory.meetings.schemas import ConflictQuery, ConflictReport
from directory.meetings.store import Series
from samverkan.web import i18n
from samverkan.web.scheduling import ZONE, ScheduleForm

DATES_SHOWN: Final = 8
_NTH: Final = {
    1: N_("the first %(weekday)s of every month"),
    2: N_("the second %(weekday)s of every month"),
    3: N_("the third %(weekday)s of every month"),
    4: N_("the fourth %(weekday)s of every month"),
    5: N_("the last %(weekday)s of every month"),
}


@dataclass(frozen=True)
class Preview:
    """What the coordinator sees before saving a series."""

    summary: str
    dates: list[dt.datetime]
    more: int
    holidays: list[tuple[dt.date, str]]


@dataclass(frozen=True)
class Clash:
    """One other meeting at one proposed occurrence, with who of the invitees it takes."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    who: list[str]


def _time(value: dt.datetime) -> str:
    """Swedish writes times with a full stop (09.00), English with a colon."""
    pattern = "HH.mm" if i18n.current_locale() == "sv" else "HH:mm"
    return format_time(value, pattern, tzinfo=ZONE, locale=i18n.current_locale())


def _rhythm(form: ScheduleForm, start: dt.datetime) -> str:
    weekday = format_date(start, "EEEE", locale=i18n.current_locale())
    if form.repeat == "weekly":
        return i18n.gettext("every %(weekday)s") % {"weekday": weekday}
    if form.repeat == "biweekly":
        return i18n.gettext("every other %(weekday)s") % {"weekday": weekday}
    nth = (start.day - 1) // 7 + 1
    return i18n.gettext(_NTH[nth]) % {"weekday": weekday}


def preview(form: ScheduleForm) -> Preview | None:
    """The series in words with its dates (``None`` for a single meeting); raises
    :class:`~directory.core.errors.InvalidField` like :meth:`ScheduleForm.meeting`."""
    if form.repeat == "none":
        return None
    start, end = form.times()
    query = ConflictQuery(starts_at=start, ends_at=end, rrule=form.rrule(), all_day=form.all_day)
    starts = [first for first, _ in proposed_occurrences(query)]
    hours = i18n.gettext("all day") if form.all_day else f"{_time(start)}–{_time(end)}"
    words = f"{_rhythm(form, start)} {hours}"
    if form.until:
        until = format_date(
            dt.date.fromisoformat(form.until), "d MMMM y", locale=i18n.current_locale()
        )
        words += ", " + i18n.gettext("until %(date)s") % {"date": until}
    elif not form.count:
        words += ", " + i18n.gettext("with no end date")
    count = i18n.ngettext("%(num)d occasion", "%(num)d occasions", len(starts)) % {
        "num": len(starts)
    }
    language = "sv" if i18n.current_locale() == "sv" else "en_US"
    local_days = [first.astimezone(ZONE).date() for first in starts]
    hit = holidays_between(local_days[0], local_days[-1], language) if starts else {}
    return Preview(
        summary=f"{words}: {count}",
        dates=starts[:DATES_SHOWN],
        more=max(0, len(starts) - DATES_SHOWN),
        holidays=[(day, hit[day]) for day in local_days if day in hit],
    )


def single_day_holiday(form: ScheduleForm) -> tuple[dt.date, str] | None:
    """The holiday a single meeting falls on, if any."""
    start, _ = form.times()
    day = start.astimezone(ZONE).date()
    language = "sv" if i18n.current_locale() == "sv" else "en_US"
    name = holidays_between(day, day, language).get(day)
    return (day, name) if name else None


def time_warnings(form: ScheduleForm) -> list[str]:
    """What the API says on saving the form: its own times that daylight saving skips or
    doubles, then the occasions of its series (as far as conflicts are checked) that land on
    such a time."""
    if form.all_day:
        return []
    start, end = form.times()
    given = given_warnings({"starts_at": start, "ends_at": end}, str(ZONE))
    rrule = form.rrule()
    starts = proposed_occurrences(ConflictQuery(starts_at=start, ends_at=end, rrule=rrule))
    row = {
        "timezone": str(ZONE),
        "all_day": False,
        "rrule": rrule,
        "starts_at": start.astimezone(dt.UTC),  # as stored: a skipped time moves on
    }
    window = (starts[0][0], starts[-1][0] + dt.timedelta(seconds=1))
    stored = series_warnings(Series(row, {}), *window)
    return [warning_text(w, str(ZONE), i18n.gettext) for w in merged(given, stored)]


def clashes(report: ConflictReport, names: dict[str, str]) -> list[Clash]:
    """Each other meeting once per date, naming the invitees it takes (``names``: id → name)."""
    grouped: dict[tuple[str, dt.datetime], Clash] = {}
    for busy in report.conflicts:
        key = (str(busy.meeting_id), busy.starts_at)
        clash = grouped.setdefault(key, Clash(busy.title, busy.starts_at, busy.ends_at, []))
        for ref in (busy.contact_id, busy.organization_id):
            name = names.get(str(ref)) if ref else None
            if name and name not in clash.who:
                clash.who.append(name)
                break
    return sorted(grouped.values(), key=lambda clash: (clash.starts_at, clash.title))
