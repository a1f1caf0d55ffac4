"""Recurrence of meetings: RRULE validation and expansion with ``dateutil.rrule``.

Expansion happens in the meeting's own time zone (RFC 5545 section 3.3.10: a DTSTART with a TZID
recurs at the same wall-clock time), so 09:00 stays 09:00 across daylight-saving changes. Moved
and cancelled occurrences are keyed by their RECURRENCE-ID, the original start as a UTC instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from directory.core.errors import N_, InvalidField

UTC = dt.UTC
_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


@dataclass(frozen=True)
class Override:
    """A single occurrence moved (new start and end) or cancelled."""

    recurrence_id: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool


@dataclass(frozen=True)
class Occurrence:
    recurrence_id: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool = False
    moved: bool = False


def _rule_parts(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in text.removeprefix("RRULE:").split(";"):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidField("rrule", N_("%(item)s is not NAME=VALUE"), {"item": repr(item)})
        parts[key.upper()] = value
    return parts


def parse_rule(text: str, starts_at: dt.datetime, timezone: str, all_day: bool) -> rrule:
    """The rule for a series starting at ``starts_at``; raises :class:`InvalidField` ("rrule")
    when it is not a recurrence rule this service publishes (RFC 5545 section 3.3.10: UNTIL is a
    UTC date-time for a timed series and a date for an all-day one)."""
    parts = _rule_parts(text)
    if parts.get("FREQ") not in _FREQUENCIES:
        raise InvalidField(
            "rrule",
            N_("FREQ must be one of %(allowed)s"),
            {"allowed": ", ".join(sorted(_FREQUENCIES))},
        )
    if "UNTIL" in parts and "COUNT" in parts:
        raise InvalidField("rrule", N_("UNTIL and COUNT must not both be set"))
    until = parts.get("UNTIL", "")
    if until and all_day and len(until) != 8:
        raise InvalidField("rrule", N_("UNTIL of an all-day series is a date (YYYYMMDD)"))
    if until and not all_day and not until.endswith("Z"):
        raise InvalidField("rrule", N_("UNTIL of a timed series is a UTC time (YYYYMMDDTHHMMSSZ)"))
    try:
        rule = rrulestr(
            text.removeprefix("RRULE:"), dtstart=_rule_start(starts_at, timezone, all_day)
        )
    except (ValueError, TypeError) as error:
        raise InvalidField(
            "rrule", N_("not a valid recurrence rule: %(error)s"), {"error": str(error)}
        ) from None
    if not isinstance(rule, rrule):
        raise InvalidField("rrule", N_("only a single RRULE is supported"))
    return rule


def _rule_start(starts_at: dt.datetime, timezone: str, all_day: bool) -> dt.datetime:
    local = starts_at.astimezone(ZoneInfo(timezone))
    return local.replace(tzinfo=None) if all_day else local


def _to_utc(value: dt.datetime, timezone: str) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC)


def until_before(occurrence_start: dt.datetime, timezone: str, all_day: bool) -> str:
    """The UNTIL value that ends a series just before ``occurrence_start`` (for a split)."""
    if all_day:
        day = occurrence_start.astimezone(ZoneInfo(timezone)).date() - dt.timedelta(days=1)
        return day.strftime("%Y%m%d")
    return (occurrence_start.astimezone(UTC) - dt.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")


def with_until(text: str, until: str) -> str:
    """``text`` with COUNT/UNTIL replaced by ``UNTIL=until``."""
    parts = {k: v for k, v in _rule_parts(text).items() if k not in {"UNTIL", "COUNT"}}
    return ";".join([*(f"{k}={v}" for k, v in parts.items()), f"UNTIL={until}"])


def series_end(
    text: str, starts_at: dt.datetime, ends_at: dt.datetime, timezone: str, all_day: bool
) -> dt.datetime | None:
    """When the last occurrence ends, or None for an endless series."""
    if not text:
        return ends_at
    rule = parse_rule(text, starts_at, timezone, all_day)
    parts = _rule_parts(text)
    if "UNTIL" not in parts and "COUNT" not in parts:
        return None
    last = None
    for last in rule:  # noqa: B007 (a bounded rule: iterate to its last occurrence)
        pass
    if last is None:
        return ends_at
    return _to_utc(last, timezone) + (ends_at - starts_at)


def original_starts(
    text: str,
    starts_at: dt.datetime,
    timezone: str,
    all_day: bool,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> list[dt.datetime]:
    """Original occurrence starts (UTC) of a series that begin in ``[window_start, window_end)``."""
    if not text:
        return [starts_at] if window_start <= starts_at < window_end else []
    rule = parse_rule(text, starts_at, timezone, all_day)
    zone = ZoneInfo(timezone)
    low, high = window_start.astimezone(zone), window_end.astimezone(zone)
    if all_day:
        low, high = low.replace(tzinfo=None), high.replace(tzinfo=None)
    found = rule.between(low, high, inc=True)
    return [start for value in found if (start := _to_utc(value, timezone)) < window_end]


def is_occurrence(
    text: str, starts_at: dt.datetime, timezone: str, all_day: bool, candidate: dt.datetime
) -> bool:
    """Whether ``candidate`` (UTC) is an original occurrence start of the series."""
    second = dt.timedelta(seconds=1)
    found = original_starts(text, starts_at, timezone, all_day, candidate, candidate + second)
    return candidate in found


def expand(
    text: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    timezone: str,
    all_day: bool,
    overrides: Mapping[dt.datetime, Override],
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> list[Occurrence]:
    """Occurrences overlapping the window, moved and cancelled ones applied, sorted by start."""
    duration = ends_at - starts_at
    originals = original_starts(
        text, starts_at, timezone, all_day, window_start - duration, window_end
    )
    result: dict[dt.datetime, Occurrence] = {}
    for start in originals:
        override = overrides.get(start)
        if override is None:
            result[start] = Occurrence(start, start, start + duration)
        else:
            result[start] = _overridden(override)
    for rid, override in overrides.items():
        if rid not in result and override.starts_at < window_end:
            result[rid] = _overridden(override)
    return sorted(
        (o for o in result.values() if o.ends_at > window_start and o.starts_at < window_end),
        key=lambda o: (o.starts_at, o.recurrence_id),
    )


def _overridden(override: Override) -> Occurrence:
    return Occurrence(
        override.recurrence_id,
        override.starts_at,
        override.ends_at,
        cancelled=override.cancelled,
        moved=not override.cancelled,
    )


def overrides_by_id(items: Iterable[Override]) -> dict[dt.datetime, Override]:
    return {item.recurrence_id.astimezone(UTC): item for item in items}


def continuing_rule(
    text: str, starts_at: dt.datetime, timezone: str, all_day: bool, split_at: dt.datetime
) -> str:
    """The rule of the series that continues from ``split_at``: a COUNT becomes the number of
    occurrences left, an UNTIL stays."""
    parts = _rule_parts(text)
    if "COUNT" not in parts:
        return text
    rule = parse_rule(text, starts_at, timezone, all_day)
    left = sum(1 for value in rule if _to_utc(value, timezone) >= split_at)
    parts["COUNT"] = str(left)
    return ";".join(f"{k}={v}" for k, v in parts.items())


LocalTimeProblem = Literal["nonexistent_local_time", "ambiguous_local_time"]


def local_time_problem(value: dt.datetime, timezone: str) -> LocalTimeProblem | None:
    """Whether a wall-clock time (its own fields, any tzinfo ignored) does not exist in the
    zone (skipped when clocks go forward) or happens twice (when they go back).

    Such a time is stored as RFC 5545 section 3.3.5 reads it: a skipped time with the offset
    before the gap (02:30 becomes 03:30 summer time), a doubled time as its first occurrence.
    """
    zone = ZoneInfo(timezone)
    naive = value.replace(tzinfo=None, fold=0)
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return "ambiguous_local_time" if back == naive else "nonexistent_local_time"


def wall_time(value: dt.datetime, timezone: str) -> dt.datetime:
    """A naive time as it is stored: the instant RFC 5545 gives it, in UTC."""
    return _to_utc(value.replace(fold=0), timezone)


def occurrence_problems(
    text: str,
    starts_at: dt.datetime,
    timezone: str,
    all_day: bool,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> list[tuple[dt.datetime, LocalTimeProblem]]:
    """Original starts (UTC) in the window whose wall-clock time is skipped or doubled on
    their day: calendar clients disagree by an hour on those (ical.js takes the second of a
    doubled time, RFC 5545 the first)."""
    if all_day:
        return []
    zone = ZoneInfo(timezone)
    clock = starts_at.astimezone(zone).time()
    found = []
    for start in original_starts(text, starts_at, timezone, all_day, window_start, window_end):
        intended = dt.datetime.combine(start.astimezone(zone).date(), clock)
        if problem := local_time_problem(intended, timezone):
            found.append((start, problem))
    return found
