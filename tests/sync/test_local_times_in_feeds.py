"""What the feed writes for times daylight saving doubles, and for an all-day occurrence moved
to a time of day, read back alike by ical.js, vobject and icalendar/recurring-ical-events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from litestar.testing import TestClient

from tests.directory.meetings.fixtures import build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue
from tests.sync.test_feed_parsers import with_ical_js, with_recurring_ical_events, with_vobject

Client = TestClient  # type: ignore[type-arg]
FROM = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
TO = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)


def _read(client: Client, token: dict[str, str], tmp_path: Path) -> list[tuple[str, str, str]]:
    body = fetch(client, token).content
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    by_ical_js = with_ical_js(path, FROM, TO)
    by_recurring = with_recurring_ical_events(body, FROM, TO)
    assert by_ical_js == by_recurring
    assert with_vobject(body, FROM, TO) == by_recurring
    return by_recurring


def test_a_doubled_time_is_the_same_instant_in_every_parser(
    client: Client, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    setting = build_setting(client, auth)
    body = meeting_body(setting, starts_at="2027-10-31T02:30:00", ends_at="2027-10-31T02:45:00")
    post(client, setting.coordinator, "meetings", body)
    found = _read(client, issue(client, setting), tmp_path)
    assert [(start, end) for _, start, end in found] == [
        ("2027-10-31T00:30:00Z", "2027-10-31T00:45:00Z")
    ]


def test_an_all_day_occurrence_moved_to_a_time_becomes_a_timed_override(
    client: Client, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    setting = build_setting(client, auth)
    body = meeting_body(
        setting,
        starts_at="2027-06-21T00:00:00",
        ends_at="2027-06-21T00:00:00",
        all_day=True,
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    series = post(client, setting.coordinator, "meetings", body)
    post(
        client,
        setting.coordinator,
        f"meetings/{series['id']}/occurrences/move",
        {
            "recurrence_id": "2027-06-27T22:00:00Z",
            "starts_at": "2027-06-29T13:00:00",
            "ends_at": "2027-06-29T14:30:00",
        },
    )
    token = issue(client, setting)
    assert b"DTSTART;TZID=Europe/Stockholm:20270629T130000" in fetch(client, token).content
    found = _read(client, token, tmp_path)
    assert [(start, end) for _, start, end in found] == [
        ("2027-06-21", "2027-06-22"),
        ("2027-06-29T11:00:00Z", "2027-06-29T12:30:00Z"),
        ("2027-07-05", "2027-07-06"),
    ]
