"""Warnings for wall-clock times that daylight saving skips or doubles.

02:30 on the last Sunday of March does not exist in Stockholm and 02:30 on the last Sunday of
October happens twice. Samverkan stores such a time as RFC 5545 section 3.3.5 reads it (a
skipped time with the offset before the gap, a doubled one as its first occurrence), but
calendar clients disagree by an hour on them, so the API and the web pages say so: for the
times a request gave, and for the occurrences of a series that land on such a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from directory.core.errors import N_
from directory.meetings import recurrence
from directory.meetings.schemas import TimeWarning
from directory.meetings.store import Series

MESSAGES = {
    ("given", "nonexistent_local_time"): N_(
        "%(time)s does not exist on %(day)s: the clocks go forward an hour. "
        "The meeting is stored at %(stored)s."
    ),
    ("given", "ambiguous_local_time"): N_(
        "%(time)s happens twice on %(day)s: the clocks go back an hour. "
        "The meeting is stored at the first %(time)s (%(stored)s)."
    ),
    ("occurrence", "nonexistent_local_time"): N_(
        "On %(day)s the series' %(time)s does not exist (the clocks go forward); "
        "that occurrence is at %(stored)s."
    ),
    ("occurrence", "ambiguous_local_time"): N_(
        "On %(day)s the series' %(time)s happens twice (the clocks go back); that occurrence "
        "is at the first one, %(stored)s, which some calendar apps show an hour later."
    ),
}


def warning_text(warning: TimeWarning, timezone: str, gettext: Callable[[str], str]) -> str:
    """The warning's sentence in the language ``gettext`` translates to."""
    kind = "occurrence" if warning.field == "occurrences" else "given"
    stored = warning.stored_at.astimezone(ZoneInfo(timezone))
    offset = stored.strftime("%z")
    params = {
        "time": warning.local_time.strftime("%H:%M"),
        "day": warning.local_time.date().isoformat(),
        "stored": f"{stored:%H:%M} (UTC{offset[:3]}:{offset[3:]})",
    }
    return gettext(MESSAGES[(kind, warning.code)]) % params


def _warning(
    field: str, code: recurrence.LocalTimeProblem, local: dt.datetime, stored: dt.datetime, tz: str
) -> TimeWarning:
    warning = TimeWarning(field=field, code=code, local_time=local, stored_at=stored, message="")
    warning.message = warning_text(warning, tz, lambda message: message)
    return warning


def given_warnings(values: Mapping[str, Any], timezone: str) -> list[TimeWarning]:
    """Warnings for the wall-clock times a request gave (``starts_at``, ``ends_at`` without an
    offset, or in a named zone as the web forms give them); an all-day meeting has none."""
    if values.get("all_day"):
        return []
    found = []
    for field in ("starts_at", "ends_at"):
        value = values.get(field)
        if not isinstance(value, dt.datetime):
            continue
        zone = value.tzinfo
        if zone is not None and not isinstance(zone, ZoneInfo):
            continue  # a fixed UTC offset names one instant
        name = timezone if zone is None else zone.key
        wall = value.replace(tzinfo=None)
        if problem := recurrence.local_time_problem(wall, name):
            found.append(_warning(field, problem, wall, recurrence.wall_time(wall, name), name))
    return found


def merged(given: list[TimeWarning], stored: list[TimeWarning]) -> list[TimeWarning]:
    """The warnings about the times a request gave first, then the stored meeting's others."""
    said = {(w.field, w.code, w.local_time) for w in given}
    return [*given, *(w for w in stored if (w.field, w.code, w.local_time) not in said)]


def series_warnings(series: Series, start: dt.datetime, end: dt.datetime) -> list[TimeWarning]:
    """Warnings for the stored meeting: a single meeting at a doubled time, or the occurrences
    in ``[start, end)`` of a series whose time of day is skipped or doubled on their day."""
    row = series.row
    timezone = row["timezone"]
    if row["all_day"]:
        return []
    zone = ZoneInfo(timezone)
    if not row["rrule"]:
        local = row["starts_at"].astimezone(zone).replace(tzinfo=None)
        problem = recurrence.local_time_problem(local, timezone)
        return (
            [_warning("starts_at", problem, local, row["starts_at"], timezone)] if problem else []
        )
    clock = row["starts_at"].astimezone(zone).time()
    found = []
    for at, problem in recurrence.occurrence_problems(
        row["rrule"], row["starts_at"], timezone, False, start, end
    ):
        if at in series.overrides:
            continue
        local = dt.datetime.combine(at.astimezone(zone).date(), clock)
        found.append(_warning("occurrences", problem, local, at, timezone))
    return found
