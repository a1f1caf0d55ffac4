"""Scheduling meetings through HTTP: roles, validation, recurrence, splits, audit and outbox."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from directory.core.tables import AuditEntry, ChangeEvent
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


@pytest.fixture
def setting(client: Client, auth: Auth) -> Setting:
    return build_setting(client, auth)


def test_coordinator_schedules_and_changes_a_meeting(client: Client, setting: Setting) -> None:
    created = client.post(
        "/api/v1/meetings", json=meeting_body(setting), headers=setting.coordinator
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["starts_at"] == "2027-03-02T08:00:00Z"  # 09:00 in Stockholm (CET)
    assert meeting["sequence"] == 0
    assert meeting["uid"].endswith("@samverkan")
    assert created.headers["etag"] == '"0"'

    stale = client.patch(
        f"/api/v1/meetings/{meeting['id']}", json={"title": "x"}, headers=setting.coordinator
    )
    assert stale.status_code == 428
    changed = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"title": "Nätverksmöte SSPF – vår", "starts_at": "2027-03-02T10:00:00+01:00"},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["sequence"] == 1
    assert body["uid"] == meeting["uid"]
    assert body["last_modified"] > meeting["last_modified"]
    assert body["ends_at"] == "2027-03-02T09:30:00Z"

    cancelled = client.delete(
        f"/api/v1/meetings/{meeting['id']}", headers={**setting.coordinator, "If-Match": '"1"'}
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["sequence"] == 2
    events = run_async(ChangeEvent.select().where(ChangeEvent.resource_type == "meeting"))
    assert len(events) == 3
    actions = run_async(
        AuditEntry.select(AuditEntry.action).where(AuditEntry.resource_type == "meeting")
    )
    assert [row["action"] for row in actions] == ["create", "update", "update"]


def test_only_the_networks_coordinators_and_admins_schedule(
    client: Client, auth: Auth, setting: Setting
) -> None:
    body = meeting_body(setting)
    assert (
        client.post("/api/v1/meetings", json=body, headers=auth["coordinator"]).status_code == 403
    )
    assert client.post("/api/v1/meetings", json=body, headers=auth["staff"]).status_code == 403
    assert (
        client.post("/api/v1/meetings", json=body, headers=setting.member_partner).status_code
        == 403
    )
    assert client.post("/api/v1/meetings", json=body, headers=auth["admin"]).status_code == 201


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"ends_at": "2027-03-02T08:00:00"}, "ends_at"),
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20270601T000000"}, "rrule"),
        ({"levels": ["tertiary"]}, "levels[0]"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"title": "  "}, "title"),
        ({"invited_contacts": ["00000000-0000-0000-0000-000000000001"]}, "invited_contacts[0]"),
    ],
)
def test_bad_meeting_is_refused_naming_the_field(
    client: Client, setting: Setting, fields: dict[str, object], key: str
) -> None:
    response = client.post(
        "/api/v1/meetings", json=meeting_body(setting, **fields), headers=setting.coordinator
    )
    assert response.status_code == 422, response.text
    assert response.json()["extra"][0]["key"] == key


def test_weekly_series_keeps_wall_time_across_daylight_saving(
    client: Client, setting: Setting
) -> None:
    body = meeting_body(setting, rrule="FREQ=WEEKLY;COUNT=6", starts_at="2027-03-16T09:00:00")
    body["ends_at"] = "2027-03-16T10:00:00"
    meeting = post(client, setting.coordinator, "meetings", body)
    listed = client.get(
        "/api/v1/meetings",
        params={"start": "2027-03-01T00:00:00Z", "end": "2027-05-01T00:00:00Z"},
        headers=setting.member_partner,
    ).json()
    starts = [o["starts_at"] for o in listed[0]["occurrences"]]
    assert listed[0]["id"] == meeting["id"]
    # Sweden moves to summer time on 28 March 2027: 09:00 is 08:00Z before, 07:00Z after.
    assert starts == [
        "2027-03-16T08:00:00Z",
        "2027-03-23T08:00:00Z",
        "2027-03-30T07:00:00Z",
        "2027-04-06T07:00:00Z",
        "2027-04-13T07:00:00Z",
        "2027-04-20T07:00:00Z",
    ]


def test_a_cancelled_meeting_is_not_changed_until_it_is_restored(
    client: Client, setting: Setting
) -> None:
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    path = f"/api/v1/meetings/{meeting['id']}"
    cancelled = client.delete(path, headers={**setting.coordinator, "If-Match": '"0"'})
    assert cancelled.status_code == 200, cancelled.text
    refused = client.patch(
        path, json={"title": "Nytt namn"}, headers={**setting.coordinator, "If-Match": '"1"'}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json() == {
        "status_code": 409,
        "detail": "the meeting is cancelled: restore it before changing it",
    }
    unchanged = client.get(path, headers=setting.coordinator).json()
    assert (unchanged["title"], unchanged["sequence"]) == ("Nätverksmöte SSPF", 1)
    stale = client.patch(
        path, json={"title": "Nytt namn"}, headers={**setting.coordinator, "If-Match": '"0"'}
    )
    assert stale.status_code == 412  # an old version is still told apart from a cancelled one

    restored = client.post(f"{path}/restore", headers={**setting.coordinator, "If-Match": '"1"'})
    assert restored.json()["status"] == "confirmed", restored.text
    changed = client.patch(
        path, json={"title": "Nytt namn"}, headers={**setting.coordinator, "If-Match": '"2"'}
    )
    assert (changed.status_code, changed.json()["title"]) == (200, "Nytt namn")


def test_the_occasions_of_a_cancelled_series_are_not_moved_cancelled_or_split(
    client: Client, setting: Setting
) -> None:
    body = meeting_body(setting, rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=4")
    body.update(starts_at="2027-03-09T13:00:00", ends_at="2027-03-09T15:00:00")
    meeting = post(client, setting.coordinator, "meetings", body)
    path = f"/api/v1/meetings/{meeting['id']}"
    assert client.delete(path, headers={**setting.coordinator, "If-Match": '"0"'}).is_success
    second = "2027-04-13T11:00:00Z"
    attempts = {
        "occurrences/move": {
            "recurrence_id": second,
            "starts_at": "2027-04-14T13:00:00",
            "ends_at": "2027-04-14T15:00:00",
        },
        "occurrences/cancel": {"recurrence_id": second},
        "split": {"recurrence_id": second, "changes": {"title": "Ny serie"}},
    }
    for action, data in attempts.items():
        refused = client.post(f"{path}/{action}", json=data, headers=setting.coordinator)
        assert refused.status_code == 409, (action, refused.text)
        assert refused.json()["detail"] == "the meeting is cancelled: restore it before changing it"
    unchanged = client.get(path, headers=setting.coordinator).json()
    assert unchanged["sequence"] == 1
    assert unchanged["rrule"] == "FREQ=MONTHLY;BYDAY=2TU;COUNT=4"
    listed = client.get("/api/v1/meetings", headers=setting.coordinator).json()
    assert [m["id"] for m in listed if m["title"] == "Ny serie"] == []


def test_move_and_cancel_single_occurrences(client: Client, setting: Setting) -> None:
    body = meeting_body(setting, rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=4")
    body.update(starts_at="2027-03-09T13:00:00", ends_at="2027-03-09T15:00:00")
    meeting = post(client, setting.coordinator, "meetings", body)
    base = f"meetings/{meeting['id']}/occurrences"
    post(
        client,
        setting.coordinator,
        f"{base}/move",
        {
            "recurrence_id": "2027-04-13T11:00:00Z",
            "starts_at": "2027-04-14T13:00:00",
            "ends_at": "2027-04-14T15:00:00",
        },
    )
    after = post(
        client, setting.coordinator, f"{base}/cancel", {"recurrence_id": "2027-05-11T11:00:00Z"}
    )
    assert after["sequence"] == 2
    occurrences = {o["recurrence_id"]: o for o in after["occurrences"]}
    assert occurrences["2027-04-13T11:00:00Z"]["starts_at"] == "2027-04-14T11:00:00Z"
    assert occurrences["2027-04-13T11:00:00Z"]["moved"] is True
    assert occurrences["2027-05-11T11:00:00Z"]["cancelled"] is True
    assert sorted(occurrences) == [
        "2027-03-09T12:00:00Z",
        "2027-04-13T11:00:00Z",
        "2027-05-11T11:00:00Z",
        "2027-06-08T11:00:00Z",
    ]
    wrong = client.post(
        f"/api/v1/{base}/cancel",
        json={"recurrence_id": "2027-05-12T11:00:00Z"},
        headers=setting.coordinator,
    )
    assert wrong.status_code == 422
    assert wrong.json()["extra"] == [
        {"key": "recurrence_id", "message": "2027-05-12T13:00:00+02:00 is not an occurrence"}
    ]  # the instant in ISO 8601, at the meeting's wall time


def test_this_and_following_splits_the_series(client: Client, setting: Setting) -> None:
    body = meeting_body(setting, rrule="FREQ=WEEKLY;COUNT=5", starts_at="2027-09-07T09:00:00")
    body["ends_at"] = "2027-09-07T10:00:00"
    meeting = post(client, setting.coordinator, "meetings", body)
    new = post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/split",
        {
            "recurrence_id": "2027-09-21T07:00:00Z",
            "changes": {"location": "Polishuset", "starts_at": "2027-09-21T10:00:00"},
        },
    )
    assert new["split_from_id"] == meeting["id"]
    assert new["uid"] != meeting["uid"]
    assert new["rrule"] == "FREQ=WEEKLY;COUNT=3"
    assert [o["starts_at"] for o in new["occurrences"]] == [
        "2027-09-21T08:00:00Z",
        "2027-09-28T08:00:00Z",
        "2027-10-05T08:00:00Z",
    ]
    old = client.get(f"/api/v1/meetings/{meeting['id']}", headers=setting.coordinator).json()
    assert old["rrule"] == "FREQ=WEEKLY;UNTIL=20270921T065959Z"
    assert old["sequence"] == 1
    assert [o["starts_at"] for o in old["occurrences"]] == [
        "2027-09-07T07:00:00Z",
        "2027-09-14T07:00:00Z",
    ]


def test_partner_outside_the_network_does_not_see_its_meetings(
    client: Client, setting: Setting
) -> None:
    body = meeting_body(setting, invited_organizations=[])
    meeting = post(client, setting.coordinator, "meetings", body)
    assert client.get("/api/v1/meetings", headers=setting.outside_partner).json() == []
    hidden = client.get(f"/api/v1/meetings/{meeting['id']}", headers=setting.outside_partner)
    assert hidden.status_code == 404
    seen = client.get(f"/api/v1/meetings/{meeting['id']}", headers=setting.member_partner)
    assert seen.json()["agenda"] == "Lägesbild och erfarenhetsutbyte"


@pytest.mark.parametrize(
    ("changes", "kept"),
    [({"location": "Polishuset"}, True), ({"starts_at": "2027-09-21T13:00:00"}, False)],
)
def test_split_keeps_exceptions_only_when_the_occurrences_stay(
    client: Client, setting: Setting, changes: dict[str, str], kept: bool
) -> None:
    body = meeting_body(setting, rrule="FREQ=WEEKLY;COUNT=5", starts_at="2027-09-07T09:00:00")
    body["ends_at"] = "2027-09-07T10:00:00"
    meeting = post(client, setting.coordinator, "meetings", body)
    post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/occurrences/cancel",
        {"recurrence_id": "2027-09-28T07:00:00Z"},
    )
    new = post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/split",
        {"recurrence_id": "2027-09-21T07:00:00Z", "changes": changes},
    )
    cancelled = [o["recurrence_id"] for o in new["occurrences"] if o["cancelled"]]
    assert cancelled == (["2027-09-28T07:00:00Z"] if kept else [])
    assert len(new["occurrences"]) == 3


def test_openapi_schema_describes_the_meeting_and_feed_routes(client: Client) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    paths = response.json()["paths"]
    for path in (
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}/split",
        "/api/v1/meetings/conflicts",
        "/api/v1/meetings/report",
        "/api/v1/feed-tokens",
        "/api/v1/external-calendars/{calendar_id}/events",
        "/feeds/{filename}",
    ):
        assert path in paths, path


def test_moving_the_whole_series_drops_its_exceptions(client: Client, setting: Setting) -> None:
    body = meeting_body(setting, rrule="FREQ=WEEKLY;COUNT=3")
    meeting = post(client, setting.coordinator, "meetings", body)
    post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/occurrences/cancel",
        {"recurrence_id": "2027-03-09T08:00:00Z"},
    )
    retitled = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"title": "Nytt namn"},
        headers={**setting.coordinator, "If-Match": '"1"'},
    ).json()
    assert [o["cancelled"] for o in retitled["occurrences"]] == [False, True, False]
    moved = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"starts_at": "2027-03-02T13:00:00", "ends_at": "2027-03-02T14:00:00"},
        headers={**setting.coordinator, "If-Match": '"2"'},
    ).json()
    assert [o["starts_at"] for o in moved["occurrences"] if not o["cancelled"]] == [
        "2027-03-02T12:00:00Z",
        "2027-03-09T12:00:00Z",
        "2027-03-16T12:00:00Z",
    ]
