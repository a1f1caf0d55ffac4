"""Time zones without an end date: an endless series read by ical.js, vobject and
icalendar/recurring-ical-events keeps its wall-clock time through 2045, in the feed and in the
CalDAV object, because the VTIMEZONE carries the tz database's current rule as yearly RRULEs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from litestar.testing import TestClient

from directory.meetings.store import load_series
from directory.meetings.tables import Meeting
from sync.feeds import series_calendar
from sync.vtimezone import parse_posix, posix_string, vtimezone
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue
from tests.sync.test_feed_parsers import with_ical_js, with_recurring_ical_events, with_vobject

Client = TestClient  # type: ignore[type-arg]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FROM = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
TO = dt.datetime(2046, 1, 1, tzinfo=dt.UTC)


def _all_parsers(path: Path, body: bytes) -> list[tuple[str, str, str]]:
    by_ical_js = with_ical_js(path, FROM, TO)
    by_recurring = with_recurring_ical_events(body, FROM, TO)
    by_vobject = with_vobject(body, FROM, TO)
    assert by_ical_js == by_recurring
    assert by_vobject == by_recurring
    return by_recurring


def _assert_nine_every_tuesday(found: list[tuple[str, str, str]]) -> None:
    """Every week from 2 March 2027 to the end of 2045 starts at 09:00 Stockholm time."""
    starts = [dt.datetime.fromisoformat(start) for _, start, _ in found]
    assert len(starts) == (dt.date(2045, 12, 26) - dt.date(2027, 3, 2)).days // 7 + 1
    assert {start.astimezone(STOCKHOLM).time() for start in starts} == {dt.time(9)}
    assert "2044-07-05T07:00:00Z" in {start for _, start, _ in found}  # CEST in a late summer


@pytest.fixture
def endless(client: Client, auth: dict[str, dict[str, str]]) -> tuple[Setting, dict[str, Any]]:
    setting = build_setting(client, auth)
    body = meeting_body(
        setting, starts_at="2027-03-02T09:00:00", ends_at="2027-03-02T10:00:00", rrule="FREQ=WEEKLY"
    )
    return setting, post(client, setting.coordinator, "meetings", body)


def test_an_endless_series_in_a_feed_keeps_its_time_through_2045(
    client: Client, endless: tuple[Setting, dict[str, Any]], tmp_path: Path
) -> None:
    setting, _ = endless
    body = fetch(client, issue(client, setting)).content
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    _assert_nine_every_tuesday(_all_parsers(path, body))
    assert b"only works" not in body


def test_an_endless_series_as_a_caldav_object_keeps_its_time_through_2045(
    endless: tuple[Setting, dict[str, Any]], tmp_path: Path
) -> None:
    _, meeting = endless
    (series,) = run_async(load_series([Meeting.id == meeting["id"]]))
    body = series_calendar(series, staff=False).to_ical()
    path = tmp_path / "object.ics"
    path.write_bytes(body)
    _assert_nine_every_tuesday(_all_parsers(path, body))


def test_stockholm_follows_the_tz_database_rule_as_yearly_rrules() -> None:
    rule = parse_posix(posix_string("Europe/Stockholm"))
    assert rule is not None
    timezone = vtimezone("Europe/Stockholm", 2025)
    rules = {
        (sub.name, sub["RRULE"].to_ical().decode(), sub["DTSTART"].dt)
        for sub in timezone.subcomponents
        if "RRULE" in sub
    }
    assert rules == {
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", dt.datetime(2025, 3, 30, 2)),
        ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", dt.datetime(2025, 10, 26, 3)),
    }
    assert "COMMENT" not in timezone


def test_historic_transitions_are_one_rdate_a_line_before_the_rule() -> None:
    """Sweden changed back in September until 1995 and in October since 1996 (EU rule)."""
    text = vtimezone("Europe/Stockholm", 1990).to_ical().decode()
    assert "RDATE:19950924T030000\r\n" in text
    assert "DTSTART:19960331T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert all(line.count(",") == 0 for line in text.splitlines() if line.startswith("RDATE"))
    calendar = Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + text + "END:VCALENDAR\r\n"
    )
    assert calendar.walk("VTIMEZONE")
