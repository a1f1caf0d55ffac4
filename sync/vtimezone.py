"""VTIMEZONE components that stay right without an end date (RFC 5545 section 3.6.5).

The tz database says how a zone behaves from its last listed transition on in a POSIX TZ
string at the end of its TZif file (RFC 8536 section 3.3), e.g. ``CET-1CEST,M3.5.0,M10.5.0/3``
for Europe/Stockholm. That rule becomes two observances with a yearly RRULE, which every parser
keeps applying for as long as a series runs. Transitions before the rule took over (from
``first_year`` on) are written one RDATE value per line, as ical.js reads only the first value of
a multi-valued RDATE in a VTIMEZONE. A zone whose rule an RRULE cannot say (a transition at a
negative or past-midnight hour, a Julian-day rule) falls back to listed transitions through
``FALLBACK_LAST_YEAR``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dateutil.rrule import YEARLY, rrule, weekday
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

FALLBACK_LAST_YEAR = 2100
LAST_LISTED_YEAR = 2037
"""zic lists explicit transitions through 2037; the TZ string governs from then on anyway."""

_NAME = r"(?:[A-Za-z]{3,}|<[^>]+>)"
_OFFSET = r"[+-]?\d{1,3}(?::\d{2}){0,2}"
_RULE = r"M(\d{1,2})\.([1-5])\.([0-6])(?:/(" + _OFFSET + r"))?"
_POSIX = re.compile(rf"^({_NAME})({_OFFSET})(?:({_NAME})({_OFFSET})?,{_RULE},{_RULE})?$")


@dataclass(frozen=True)
class Change:
    """One yearly change: month, week (5 = last), weekday (0 = Sunday), local time."""

    month: int
    week: int
    day: int
    at: dt.timedelta

    def on(self, year: int) -> dt.datetime:
        """The local wall-clock time (in the offset before the change) it happens in ``year``."""
        nth = -1 if self.week == 5 else self.week
        day: weekday = weekday((self.day - 1) % 7, nth)
        first = rrule(
            YEARLY, bymonth=self.month, byweekday=day, count=1, dtstart=dt.datetime(year, 1, 1)
        )[0]
        return first + self.at

    def recur(self) -> vRecur:
        nth = -1 if self.week == 5 else self.week
        code = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][self.day]
        return vRecur({"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{nth}{code}"})


@dataclass(frozen=True)
class Rule:
    """A POSIX TZ string's daylight-saving rule."""

    standard_name: str
    standard: dt.timedelta
    daylight_name: str
    daylight: dt.timedelta
    to_daylight: Change
    to_standard: Change

    def changes(self, year: int) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
        """``(UTC instant, offset before, offset after)`` of the year's two changes."""
        spring = self.to_daylight.on(year) - self.standard
        autumn = self.to_standard.on(year) - self.daylight
        found = [(spring, self.standard, self.daylight), (autumn, self.daylight, self.standard)]
        return sorted((at.replace(tzinfo=dt.UTC), a, b) for at, a, b in found)


def _duration(text: str) -> dt.timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _name(text: str) -> str:
    return text.strip("<>")


def parse_posix(text: str) -> Rule | None:
    """The daylight-saving rule of a POSIX TZ string, or None when it has none this module
    can write as an RRULE (no daylight saving, or a change outside 00:00–23:59)."""
    match = _POSIX.match(text.strip())
    if match is None or match.group(3) is None:
        return None
    std_name, std, dst_name, dst, *rest = match.groups()
    standard = -_duration(std)
    daylight = -_duration(dst) if dst else standard + dt.timedelta(hours=1)
    changes = []
    for month, week, day, at in (rest[0:4], rest[4:8]):
        time = _duration(at) if at else dt.timedelta(hours=2)
        if not dt.timedelta(0) <= time < dt.timedelta(days=1):
            return None
        changes.append(Change(int(month), int(week), int(day), time))
    return Rule(_name(std_name), standard, _name(dst_name), daylight, changes[0], changes[1])


def _tzif(tzid: str) -> bytes:
    """The zone's TZif file, looked up in the order :mod:`zoneinfo` uses."""
    for root in zoneinfo.TZPATH:
        candidate = Path(root) / tzid
        if candidate.is_file():
            return candidate.read_bytes()
    package = resources.files("tzdata").joinpath("zoneinfo", *tzid.split("/"))
    return package.read_bytes()


def posix_string(tzid: str) -> str:
    """The TZ string footer of a version 2+ TZif file (RFC 8536 section 3.3), or ``""``."""
    data = _tzif(tzid)
    if not data.startswith(b"TZif") or data[4:5] < b"2" or not data.endswith(b"\n"):
        return ""
    return data[data.rindex(b"\n", 0, len(data) - 1) + 1 : -1].decode("ascii")


def _offset(zone: zoneinfo.ZoneInfo, instant: dt.datetime) -> dt.timedelta | None:
    return instant.astimezone(zone).utcoffset()


def _rule_holds(zone: zoneinfo.ZoneInfo, rule: Rule, year: int) -> bool:
    """Whether the zone in ``year`` changes exactly when and how ``rule`` says."""
    second = dt.timedelta(seconds=1)
    changes = rule.changes(year)
    for at, before, after in changes:
        if _offset(zone, at - second) != before or _offset(zone, at) != after:
            return False
    day = dt.datetime(year, 1, 1, 12, tzinfo=dt.UTC)
    while day.year == year:
        passed = [after for at, _, after in changes if at <= day]
        expected = passed[-1] if passed else changes[-1][2]
        if _offset(zone, day) != expected:
            return False
        day += dt.timedelta(days=1)
    return True


def _listed(tzid: str, first: dt.date, last: dt.date) -> Timezone:
    """icalendar's VTIMEZONE of the listed transitions in ``[first, last)``, one RDATE a line,
    without its "only works from … to …" comment."""
    timezone = Timezone.from_tzid(tzid, first_date=first, last_date=last)
    timezone.pop("COMMENT", None)
    for observance in timezone.subcomponents:
        rdates = observance.pop("RDATE", None)
        for rdate_list in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            for value in rdate_list.dts:
                observance.add("RDATE", value.dt)
    return timezone


def _observance(rule: Rule, year: int, daylight: bool) -> TimezoneStandard | TimezoneDaylight:
    change = rule.to_daylight if daylight else rule.to_standard
    offsets = (rule.standard, rule.daylight) if daylight else (rule.daylight, rule.standard)
    # Europe/Dublin's rule calls winter its daylight time; name components by the offsets.
    observance = TimezoneDaylight() if offsets[1] > offsets[0] else TimezoneStandard()
    observance.add("DTSTART", change.on(year))
    observance.add("RRULE", change.recur())
    observance.add("TZNAME", rule.daylight_name if daylight else rule.standard_name)
    observance.add("TZOFFSETFROM", offsets[0])
    observance.add("TZOFFSETTO", offsets[1])
    return observance


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int) -> Timezone:
    """The zone's VTIMEZONE, right from 1 January ``first_year`` on without an end.

    Raises ``ValueError`` for a zone the tz database does not know.
    """
    zone = zoneinfo.ZoneInfo(tzid)
    first = dt.date(first_year, 1, 1)
    rule = parse_posix(posix_string(tzid))
    if rule is None:
        has_dst = "," in posix_string(tzid)
        last_year = FALLBACK_LAST_YEAR if has_dst else LAST_LISTED_YEAR + 1
        return _listed(tzid, first, dt.date(last_year, 1, 1))
    since = LAST_LISTED_YEAR + 1
    while since > first_year and _rule_holds(zone, rule, since - 1):
        since -= 1
    # Before the rule: the listed transitions; with none, one observance holding the
    # offset of 1 January, so a parser knows the offset before the first change.
    timezone = _listed(tzid, first, max(dt.date(since, 1, 1), first + dt.timedelta(days=1)))
    for daylight in (True, False):
        timezone.add_component(_observance(rule, since, daylight))
    return timezone
