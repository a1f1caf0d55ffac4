"""After the meeting through HTTP: attendance, notes, follow-ups, the report and conflict help."""

from __future__ import annotations

import csv
import io

import pytest
from litestar.testing import TestClient

from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


@pytest.fixture
def setting(client: Client, auth: Auth) -> Setting:
    return build_setting(client, auth)


def test_notes_are_for_staff_and_members_only(client: Client, auth: Auth, setting: Setting) -> None:
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting, is_public=True))
    note = post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/notes",
        {"occurrence_start": meeting["starts_at"], "body": "Beslut: gemensam utbildning i maj"},
    )
    assert note["author"] == "samordnare"
    path = f"/api/v1/meetings/{meeting['id']}/notes"
    assert client.get(path, headers=auth["staff"]).json()[0]["body"].startswith("Beslut")
    assert client.get(path, headers=setting.member_partner).status_code == 200
    assert client.get(path, headers=setting.outside_partner).status_code == 403
    written = client.post(
        path,
        json={"occurrence_start": meeting["starts_at"], "body": "x"},
        headers=setting.member_partner,
    )
    assert written.status_code == 403


def test_attendance_is_recorded_per_organisation_and_per_contact(
    client: Client, setting: Setting
) -> None:
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    path = f"/api/v1/meetings/{meeting['id']}/attendance"
    body = {
        "occurrence_start": meeting["starts_at"],
        "organization_ids": setting.orgs[:1],
        "contact_ids": setting.contacts[:1],
    }
    recorded = client.put(path, json=body, headers=setting.coordinator)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["contact_ids"] == setting.contacts[:1]
    listed = client.get(path, headers=setting.coordinator).json()
    assert [(a["organization_ids"], a["contact_ids"]) for a in listed] == [
        (setting.orgs[:1], setting.contacts[:1])
    ]
    unknown = "00000000-0000-4000-8000-000000000001"
    refused = client.put(path, json={**body, "contact_ids": [unknown]}, headers=setting.coordinator)
    assert refused.status_code == 422 and "contact_ids[0]" in refused.text
    only_orgs = {"occurrence_start": meeting["starts_at"], "organization_ids": []}
    assert client.put(path, json=only_orgs, headers=setting.coordinator).json()["contact_ids"] == []


def test_follow_up_report_counts_meetings_attendance_levels_and_open_items(
    client: Client, setting: Setting
) -> None:
    body = meeting_body(setting, rrule="FREQ=WEEKLY;COUNT=3", levels=["general", "indicated"])
    body.update(starts_at="2026-01-13T09:00:00", ends_at="2026-01-13T10:00:00")
    meeting = post(client, setting.coordinator, "meetings", body)
    post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/occurrences/cancel",
        {"recurrence_id": "2026-01-27T08:00:00Z"},
    )
    for start, orgs in (("2026-01-13T08:00:00Z", setting.orgs), ("2026-01-20T08:00:00Z", [])):
        response = client.put(
            f"/api/v1/meetings/{meeting['id']}/attendance",
            json={"occurrence_start": start, "organization_ids": orgs},
            headers=setting.coordinator,
        )
        assert response.status_code == 200, response.text
    response = client.put(
        f"/api/v1/meetings/{meeting['id']}/attendance",
        json={"occurrence_start": "2026-01-20T08:00:00Z", "organization_ids": [setting.orgs[1]]},
        headers=setting.coordinator,
    )
    open_item = post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/follow-ups",
        {"title": "=Boka utbildning", "owner": "Polisen", "due_date": "2026-02-15"},
    )
    done = post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/follow-ups",
        {"title": "Skicka lägesbild", "owner": "Socialtjänsten", "due_date": "2026-02-01"},
    )
    closed = client.patch(
        f"/api/v1/meetings/follow-ups/{done['id']}",
        json={"done": True},
        headers=setting.coordinator,
    )
    assert closed.json()["done_at"] is not None

    params = {"network_id": setting.network, "start": "2026-01-01", "end": "2026-01-31"}
    report = client.get("/api/v1/meetings/report", params=params, headers=setting.coordinator)
    assert report.status_code == 200, report.text
    data = report.json()
    assert data["meetings_held"] == 2
    assert [(o["name"], o["attended"]) for o in data["attendance_by_organization"]] == [
        ("Polisen", 2),
        ("Socialtjänsten", 1),
    ]
    assert data["attendance_by_kind"] == {"authority": 2, "internal": 1}
    assert data["level_coverage"] == {"general": 2, "selective": 0, "indicated": 2}
    assert [f["id"] for f in data["open_follow_ups"]] == [open_item["id"]]

    exported = client.get(
        "/api/v1/meetings/report",
        params={**params, "format": "csv"},
        headers=setting.coordinator,
    )
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert ["meetings_held", "", "", "2"] in rows
    assert ["open_follow_up", "2026-02-15", "'=Boka utbildning", "Polisen"] in rows


def test_conflict_help_names_busy_invitees_and_free_slots(client: Client, setting: Setting) -> None:
    busy = meeting_body(setting, invited_organizations=[], invited_contacts=[setting.contacts[1]])
    busy.update(starts_at="2027-03-03T08:00:00", ends_at="2027-03-03T12:00:00")
    existing = post(client, setting.coordinator, "meetings", busy)
    report = post(
        client,
        setting.coordinator,
        "meetings/conflicts",
        {
            "starts_at": "2027-03-03T09:00:00",
            "ends_at": "2027-03-03T10:00:00",
            "invited_organizations": setting.orgs,
        },
    )
    assert [(c["organization_id"], c["meeting_id"]) for c in report["conflicts"]] == [
        (setting.orgs[1], existing["id"])
    ]
    # Wednesday 3 March 2027: busy until 12:00, so the first free hours are 12:00, 12:30, ...
    assert report["free_slots"][:2] == ["2027-03-03T11:00:00Z", "2027-03-03T11:30:00Z"]
    assert len(report["free_slots"]) == 5
    friday_evening = post(
        client,
        setting.coordinator,
        "meetings/conflicts",
        {"starts_at": "2027-03-05T16:30:00", "ends_at": "2027-03-05T17:30:00"},
    )
    assert friday_evening["conflicts"] == []
    assert friday_evening["free_slots"][0] == "2027-03-08T07:00:00Z"  # Monday 08:00


def test_conflict_help_checks_every_occasion_of_a_proposed_series(
    client: Client, setting: Setting
) -> None:
    """The first two weeks are free; the busy meetings are on the 3rd and 5th Wednesday."""
    for day in ("2027-03-17", "2027-03-31"):
        busy = meeting_body(setting, invited_organizations=[setting.orgs[0]], invited_contacts=[])
        busy.update(starts_at=f"{day}T09:30:00", ends_at=f"{day}T11:00:00")
        post(client, setting.coordinator, "meetings", busy)
    query = {
        "starts_at": "2027-03-03T09:00:00",
        "ends_at": "2027-03-03T10:00:00",
        "invited_organizations": [setting.orgs[0]],
        "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=6",
    }
    report = post(client, setting.coordinator, "meetings/conflicts", query)
    assert report["occurrences_checked"] == 6
    assert [c["starts_at"] for c in report["conflicts"]] == [
        "2027-03-17T08:30:00Z",
        "2027-03-31T07:30:00Z",  # summer time from 28 March
    ]
    bad = client.post(
        "/api/v1/meetings/conflicts",
        json={**query, "rrule": "FREQ=HOURLY"},
        headers=setting.coordinator,
    )
    assert bad.status_code == 422
