"""The CalDAV push of network meetings, run against real Radicale and Xandikos servers and read
back with the ``caldav`` client library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import caldav
import httpx
import icalendar
import pytest
from litestar.testing import TestClient

from directory.records.tables import Network
from sync.caldav_push import calendar_url, push_meetings
from sync.dav_collection import PushReport
from sync.dav_session import DavUnavailable
from sync.dav_tables import DavEntry
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.sync.conftest import auth_for, dav_session, list_items, start_server

Client = TestClient  # type: ignore[type-arg]
WEEKLY = "FREQ=WEEKLY;COUNT=6"


def push(home: str, now: dt.datetime | None = None) -> tuple[dict[str, PushReport], int]:
    async def run() -> tuple[dict[str, PushReport], int]:
        async with dav_session(home) as session:
            return await push_meetings(session, home, now=now), session.requests

    result: tuple[dict[str, PushReport], int] = run_async(run())
    return result


def events(home: str, setting: Setting) -> dict[str, Any]:
    """UID → the VCALENDAR of each resource, read with the caldav library."""
    url = calendar_url(home, setting.network)  # type: ignore[arg-type]
    username, password = auth_for(home)
    with caldav.DAVClient(url=url, username=username, password=password) as client:
        calendar = client.calendar(url=url)
        found = {}
        for event in calendar.events():
            parsed = icalendar.Calendar.from_ical(event.data)
            found[str(parsed.walk("VEVENT")[0]["UID"])] = parsed
        return found


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


def schedule(client: Client, setting: Setting, **fields: Any) -> Any:
    return post(client, setting.coordinator, "meetings", meeting_body(setting, **fields))


def change(client: Client, setting: Setting, meeting: Any, **fields: Any) -> Any:
    current = client.get(f"/api/v1/meetings/{meeting['id']}", headers=setting.coordinator)
    headers = {**setting.coordinator, "If-Match": current.headers["etag"]}
    response = client.patch(f"/api/v1/meetings/{meeting['id']}", json=fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def cancel(client: Client, setting: Setting, meeting: Any) -> None:
    current = client.get(f"/api/v1/meetings/{meeting['id']}", headers=setting.coordinator)
    headers = {**setting.coordinator, "If-Match": current.headers["etag"]}
    response = client.delete(f"/api/v1/meetings/{meeting['id']}", headers=headers)
    assert response.status_code in (200, 204), response.text


def test_each_series_is_one_resource_with_uid_sequence_rrule_and_exceptions(
    dav_home: str, client: Client, setting: Setting
) -> None:
    single = schedule(client, setting)
    series = schedule(client, setting, title="Veckomöte", rrule=WEEKLY)
    second = "2027-03-09T08:00:00Z"
    post(
        client, setting.coordinator, f"meetings/{series['id']}/occurrences/move",
        {"recurrence_id": second, "starts_at": "2027-03-10T12:00:00Z",
         "ends_at": "2027-03-10T13:00:00Z"},
    )  # fmt: skip
    post(
        client, setting.coordinator, f"meetings/{series['id']}/occurrences/cancel",
        {"recurrence_id": "2027-03-16T08:00:00Z"},
    )  # fmt: skip
    reports, _ = push(dav_home)
    assert sum(report.created for report in reports.values()) == 2
    found = events(dav_home, setting)
    assert set(found) == {single["uid"], series["uid"]}
    vevents = found[series["uid"]].walk("VEVENT")
    master = next(event for event in vevents if "RECURRENCE-ID" not in event)
    moved = next(event for event in vevents if "RECURRENCE-ID" in event)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["SEQUENCE"] == 2
    assert master.get("EXDATE") is not None
    assert moved["DTSTART"].dt == dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)
    assert moved["RECURRENCE-ID"].dt.astimezone(dt.UTC) == dt.datetime(2027, 3, 9, 8, tzinfo=dt.UTC)
    assert "DESCRIPTION" not in master or "Lägesbild" not in str(master["DESCRIPTION"])


def test_a_second_push_sends_nothing_and_keeps_every_etag(
    dav_home: str, client: Client, setting: Setting
) -> None:
    schedule(client, setting)
    schedule(client, setting, rrule=WEEKLY)
    push(dav_home)
    url = calendar_url(dav_home, setting.network)  # type: ignore[arg-type]
    etags = list_items(url)
    reports, requests = push(dav_home)
    assert requests == 2  # the calendar's PROPFIND and sync-collection REPORT, no writes
    assert reports[url] == PushReport(unchanged=2)
    assert list_items(url) == etags
    _, requests = push(dav_home)
    assert requests == 1  # the sync token is unchanged: nothing else is asked


def test_a_change_updates_the_event_with_a_higher_sequence(
    dav_home: str, client: Client, setting: Setting
) -> None:
    meeting = schedule(client, setting)
    push(dav_home)
    change(client, setting, meeting, location="Polishuset, plan 2")
    reports, _ = push(dav_home)
    assert sum(report.updated for report in reports.values()) == 1
    event = events(dav_home, setting)[meeting["uid"]].walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Polishuset, plan 2"
    assert event["SEQUENCE"] == 1


def test_a_cancellation_is_pushed_as_cancelled_then_deleted(
    dav_home: str, client: Client, setting: Setting
) -> None:
    meeting = schedule(client, setting)
    push(dav_home)
    cancel(client, setting, meeting)
    push(dav_home)
    event = events(dav_home, setting)[meeting["uid"]].walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    reports, _ = push(dav_home, now=later)
    assert sum(report.deleted for report in reports.values()) == 1
    assert events(dav_home, setting) == {}


def test_a_retired_network_has_its_calendar_emptied(
    dav_home: str, client: Client, setting: Setting, auth: dict[str, dict[str, str]]
) -> None:
    schedule(client, setting)
    push(dav_home)
    run_async(
        Network.update({Network.retired_at: dt.datetime.now(dt.UTC)}).where(
            Network.id == setting.network
        )
    )
    push(dav_home)
    assert events(dav_home, setting) == {}


def test_an_event_changed_behind_our_back_is_overwritten_and_counted(
    dav_home: str, client: Client, setting: Setting
) -> None:
    meeting = schedule(client, setting)
    push(dav_home)
    entry = run_async(DavEntry.objects().where(DavEntry.uid == meeting["uid"]).first())
    foreign = events(dav_home, setting)[meeting["uid"]]
    foreign.walk("VEVENT")[0]["SUMMARY"] = "Ändrad i Nextcloud"
    changed = httpx.put(
        entry.href, content=foreign.to_ical(), auth=auth_for(entry.href),
        headers={"Content-Type": "text/calendar"},
    )  # fmt: skip
    assert changed.status_code in (201, 204)
    change(client, setting, meeting, title="Nätverksmöte SSPF – lägesbild")
    reports, _ = push(dav_home)
    assert sum(report.reverted for report in reports.values()) == 1
    assert sum(report.conflicts for report in reports.values()) == 0
    event = events(dav_home, setting)[meeting["uid"]].walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Nätverksmöte SSPF – lägesbild"


@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_server_down_then_up_loses_nothing(
    kind: str, tmp_path: Path, client: Client, setting: Setting
) -> None:
    server = start_server(kind, tmp_path)
    try:
        home = server.new_home()
        first = schedule(client, setting)
        push(home)
        server.stop()
        change(client, setting, first, title="Flyttat möte")
        second = schedule(client, setting, title="Extra möte")
        with pytest.raises(DavUnavailable):
            push(home)
        server.start()
        push(home)
        found = events(home, setting)
        assert set(found) == {first["uid"], second["uid"]}
        assert str(found[first["uid"]].walk("VEVENT")[0]["SUMMARY"]) == "Flyttat möte"
        _, requests = push(home)
        assert requests == 2
    finally:
        server.stop()
