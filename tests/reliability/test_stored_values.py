"""One stored value never breaks a page, a feed or a job for others: each test stores a hostile
value (through the API where input allows it, straight into the table where it shows what older
releases let in), then shows that other users are still served."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from directory.accounts.service import create_service_token
from directory.core import spreadsheet
from directory.core.settings import get_settings
from directory.meetings.tables import Meeting
from directory.records.tables import Network, Organization
from samverkan.cli import main
from sync.calendar_import import refresh_due
from sync.calendar_import_tables import ExternalCalendar
from tests.conftest import _clean, run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.samverkan.web.conftest import make_account, sign_in
from tests.sync.feed_fixtures import fetch, issue, parse, path_of
from tests.sync.feed_server import feed_server

Client = TestClient  # type: ignore[type-arg]


def _stored(setting: Setting, client: Client, **fields: Any) -> str:
    """A meeting written straight to the table, bypassing input checks (as an older release
    could store it)."""
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    run_async(Meeting.update(fields).where(Meeting.id == uuid.UUID(meeting["id"])))
    return str(meeting["id"])


def test_a_meeting_in_year_9000_is_refused_with_its_field(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    for field, value in (("ends_at", "9000-01-01T10:00:00"), ("starts_at", "0001-01-01T00:00:00")):
        body = meeting_body(setting, **{field: value})
        if field == "starts_at":
            body["ends_at"] = "0001-01-01T01:00:00"
        response = client.post("/api/v1/meetings", json=body, headers=setting.coordinator)
        assert response.status_code == 422, response.text
        assert field in response.text


def test_a_stored_meeting_in_year_9000_leaves_lists_and_feeds_working(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    far = dt.datetime(9000, 1, 1, 10, tzinfo=dt.UTC)
    _stored(setting, client, ends_at=far, series_ends_at=far)
    post(client, setting.coordinator, "meetings", meeting_body(setting, title="Vanligt möte"))
    for path in (
        "/api/v1/meetings",
        "/api/v1/meetings?start=0001-01-01T00:00:00Z",
        "/api/v1/meetings?start=0001-01-01T00:00:00Z&end=9999-12-31T23:59:59Z",
        f"/api/v1/meetings?network_id={setting.network}",
    ):
        response = client.get(path, headers=auth["staff"])
        assert response.status_code in (200, 422), (path, response.text)
    response = client.get("/api/v1/meetings", headers=auth["staff"])
    assert response.status_code == 200
    assert "Vanligt möte" in {m["title"] for m in response.json()}
    feed = fetch(client, issue(client, setting))
    assert feed.status_code == 200
    assert "Vanligt möte" in feed.text
    make_account("staff", "web-staff")
    sign_in(client, "web-staff")
    for page in (
        "/calendar?month=2027-03",
        "/calendar?month=0001-01",
        "/calendar?month=9999-12&view=agenda",
        f"/networks/{setting.network}/calendar?month=2027-03",
        f"/networks/{setting.network}/follow-up",
        "/networks",
    ):
        response = client.get(page)
        assert response.status_code == 200, (page, response.text[-500:])
    network_page = client.get(f"/networks/{setting.network}/calendar?month=2027-03").text
    assert "Vanligt möte" in network_page


EXPLODING = "FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24)))
EXPLODING += ";BYMINUTE=" + ",".join(map(str, range(60)))


def test_rules_with_many_occurrences_a_day_are_refused(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    for rule in (
        EXPLODING,
        "FREQ=DAILY;BYSECOND=0,30",
        "FREQ=DAILY;BYMINUTE=0,30",
        "FREQ=DAILY;BYHOUR=1,2,3,4,5",
        "FREQ=DAILY;COUNT=100000",
        "FREQ=DAILY;UNTIL=99991231T000000Z",
    ):
        response = client.post(
            "/api/v1/meetings", json=meeting_body(setting, rrule=rule), headers=setting.coordinator
        )
        assert response.status_code == 422, (rule, response.text)
        assert "rrule" in response.text
    allowed = meeting_body(setting, rrule="FREQ=WEEKLY;BYHOUR=9,13;BYMINUTE=30;COUNT=10")
    assert client.post("/api/v1/meetings", json=allowed, headers=setting.coordinator).is_success


def test_a_stored_exploding_rule_is_expanded_in_bounded_time(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    _stored(setting, client, rrule=EXPLODING, series_ends_at=None)
    post(client, setting.coordinator, "meetings", meeting_body(setting, title="Vanligt möte"))
    for path in (
        "/api/v1/meetings",
        f"/api/v1/meetings?network_id={setting.network}",
        path_of(issue(client, setting)),
    ):
        began = time.monotonic()
        response = client.get(path, headers=auth["staff"])
        assert time.monotonic() - began < 2, path
        assert response.status_code == 200, (path, response.text)
        assert "Vanligt möte" in response.text
    titles = {m["title"] for m in client.get("/api/v1/meetings", headers=auth["staff"]).json()}
    assert "Vanligt möte" in titles
    began = time.monotonic()
    assert client.get("/health").status_code == 200
    assert time.monotonic() - began < 1


def test_every_date_a_meeting_takes_in_is_bounded(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    base = f"/api/v1/meetings/{meeting['id']}"
    far, early = "9000-01-01T00:00:00Z", "0001-01-01T00:00:00"
    for path, body, field in (
        ("/api/v1/meetings/conflicts", {"starts_at": early, "ends_at": far}, "starts_at"),
        (f"{base}/attendance", {"occurrence_start": far, "organization_ids": []}, "occurrence"),
        (f"{base}/notes", {"occurrence_start": early, "body": "x"}, "occurrence_start"),
        (f"{base}/follow-ups", {"title": "x", "owner": "y", "due_date": "9000-01-01"}, "due_date"),
    ):
        send = client.put if path.endswith("attendance") else client.post
        response = send(path, json=body, headers=setting.coordinator)
        assert response.status_code == 422, (path, response.text)
        assert field in response.text, (path, response.text)
    report = client.get(
        f"/api/v1/meetings/report?network_id={setting.network}&start=0001-01-01&end=9999-12-31",
        headers=setting.coordinator,
    )
    assert report.status_code == 422, report.text
    assert client.get("/api/v1/meetings", headers=setting.coordinator).status_code == 200


HOSTILE_URLS = (
    "http://0177.0.0.1/x.ics",
    "http://127.1/x.ics",
    "http://0x7f.0.0.1/x.ics",
    "http://١٢٧.0.0.1/x.ics",
    "http://２５５.0.0.1/x.ics",
)


def test_external_calendar_urls_are_checked_before_they_are_stored(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    for url in HOSTILE_URLS:
        response = client.post(
            "/api/v1/external-calendars",
            json={"network_id": setting.network, "url": url},
            headers=setting.coordinator,
        )
        assert response.status_code == 422, (url, response.text)
        assert "url" in response.text
    assert run_async(ExternalCalendar.count()) == 0


def test_each_subscription_fails_alone(
    client: Client, auth: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    setting = build_setting(client, auth)
    monkeypatch.setenv("IMPORT_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    try:
        with feed_server() as (url, behaviour), feed_server() as (long_url, long_etag):
            long_etag.etag = '"' + "e" * 400 + '"'
            good = post(
                client,
                setting.coordinator,
                "external-calendars",
                {"network_id": setting.network, "url": url},
            )
            long = post(
                client,
                setting.coordinator,
                "external-calendars",
                {"network_id": setting.network, "url": long_url},
            )
            assert long["last_error"] == "" and long["event_count"] == 1
            # Rows an older release let in, fetched in the same round as the good feed.
            for hostile in HOSTILE_URLS:
                run_async(
                    ExternalCalendar.insert(
                        ExternalCalendar(network_id=uuid.UUID(setting.network), url=hostile)
                    )
                )
            run_async(
                ExternalCalendar.update({ExternalCalendar.last_checked_at: None}).where(
                    ExternalCalendar.id.is_not_null()
                )
            )
            behaviour.requests.clear()
            assert run_async(refresh_due()) == 2 + len(HOSTILE_URLS)
            assert len(behaviour.requests) == 1
            rows = {row["url"]: row for row in run_async(ExternalCalendar.select())}
            assert rows[url]["last_error"] == "" and rows[url]["event_count"] == 1
            assert rows[long_url]["etag"] == "" and rows[long_url]["last_error"] == ""
            for hostile in HOSTILE_URLS:
                assert rows[hostile]["last_error"], hostile
    finally:
        monkeypatch.delenv("IMPORT_ALLOW_PRIVATE")
        get_settings.cache_clear()
    listed = client.get(
        "/api/v1/external-calendars",
        params={"network_id": setting.network},
        headers=setting.coordinator,
    )
    assert listed.status_code == 200 and len(listed.json()) == 2 + len(HOSTILE_URLS)
    assert good["id"] in {row["id"] for row in listed.json()}


def test_control_characters_are_refused_in_single_line_fields(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    admin = auth["admin"]
    for path, body, field in (
        ("networks", {"name": "Nät\rverk"}, "name"),
        ("organizations", {"name": "Polisen\n", "kind": "authority"}, "name"),
        (
            "organizations",
            {"name": "Polisen", "kind": "authority", "website": "https://a/\r"},
            "website",
        ),
        ("contacts", {"organization_id": setting.orgs[0], "name": "A\tB"}, "name"),
        (
            "meetings",
            meeting_body(setting, online_url="https://meet.example.se/\r\nX: y"),
            "online_url",
        ),
        ("meetings", meeting_body(setting, title="Möte\rX-INJECTED:1"), "title"),
        (
            "feed-tokens",
            {"scope": "network", "subject_id": setting.network, "label": "a\nb"},
            "label",
        ),
        ("external-calendars", {"network_id": setting.network, "url": "https://a.se/\n"}, "url"),
    ):
        headers = (
            setting.coordinator
            if path in ("meetings", "feed-tokens", "external-calendars")
            else admin
        )
        response = client.post(f"/api/v1/{path}", json=body, headers=headers)
        assert response.status_code in (400, 422), (path, response.text)
        assert field in response.text, (path, response.text)


def test_stored_control_characters_never_reach_a_feed_raw(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    _stored(
        setting,
        client,
        title="Möte\rX-INJECTED:1",
        online_url="https://meet.example.se/\r\nX-INJECTED:2",
        location="Sal 3\r\nvåning 2\x0b",
    )
    run_async(
        Network.update({Network.name: "Nät\rverk\nX-INJECTED:3"}).where(
            Network.id == uuid.UUID(setting.network)
        )
    )
    run_async(
        Organization.update({Organization.name: "Soc\r\nX-INJECTED:4"}).where(
            Organization.id == uuid.UUID(setting.orgs[0])
        )
    )
    post(client, setting.coordinator, "meetings", meeting_body(setting, title="Vanligt möte"))
    for token in (
        issue(client, setting),
        issue(client, setting, scope="organization", subject_id=setting.orgs[0], detail="staff"),
    ):
        response = fetch(client, token)
        assert response.status_code == 200, response.text
        body = response.content
        assert b"\r" not in body.replace(b"\r\n", b""), body
        assert b"\n" not in body.replace(b"\r\n", b""), body
        assert b"\x0b" not in body
        assert b"\nX-INJECTED" not in body
        calendar = parse(body)
        assert "Vanligt möte" in {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


FORMULAS = ('=HYPERLINK("https://evil.example","klicka")', "+46 8 123", "-1+2", "@SUM(A1)")
FORMULAS += ("\t=1+1", "\r=1+1", "'=already quoted", "''=twice")


def test_every_csv_export_defuses_formulas_and_imports_them_back(
    client: Client, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    for index, text in enumerate(FORMULAS):
        post(
            client,
            auth["admin"],
            "organizations",
            {"name": f"Org {index}", "kind": "ngo", "description": text},
        )
    post(client, auth["admin"], "organizations", {"name": "=1+1", "kind": "ngo"})
    path = tmp_path / "organizations.csv"
    result = CliRunner().invoke(
        main, ["export", "--format", "csv", "--type", "organizations", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    with path.open(newline="") as stream:
        cells = [cell for row in csv.reader(stream) for cell in row]
    assert not [cell for cell in cells if cell.startswith(spreadsheet.FORMULA_START)]
    before = sorted((row["name"], row["description"]) for row in run_async(Organization.select()))
    run_async(_clean())
    result = CliRunner().invoke(main, ["import", str(path), "--type", "organizations"])
    assert result.exit_code == 0, result.output
    after = sorted((row["name"], row["description"]) for row in run_async(Organization.select()))
    assert after == before
    partner = {"Authorization": f"Bearer {run_async(create_service_token('partner'))}"}
    listed = client.get("/api/v1/organizations", headers=partner)
    assert listed.status_code == 200


def test_the_meeting_report_csv_defuses_with_the_same_function(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    body = {"title": "=HYPERLINK(1)", "owner": "@owner", "due_date": "2027-04-01"}
    post(client, setting.coordinator, f"meetings/{meeting['id']}/follow-ups", body)
    response = client.get(
        "/api/v1/meetings/report",
        params={
            "network_id": setting.network,
            "start": "2027-01-01",
            "end": "2027-12-31",
            "format": "csv",
        },
        headers=setting.coordinator,
    )
    assert response.status_code == 200, response.text
    cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
    assert "'=HYPERLINK(1)" in cells and "'@owner" in cells
    assert not [cell for cell in cells if cell.startswith(spreadsheet.FORMULA_START)]
