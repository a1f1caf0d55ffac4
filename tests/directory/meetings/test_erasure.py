"""Erasing a contact for good also takes them out of meetings and their attendance, and deletes
feed links for them."""

from __future__ import annotations

from litestar.testing import TestClient

from directory.meetings.tables import FeedToken, MeetingContactAttendance
from tests.conftest import run_async
from tests.directory.meetings.fixtures import build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue

Client = TestClient  # type: ignore[type-arg]


def test_an_erased_contact_leaves_meetings_and_their_feeds(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    erased, kept = setting.contacts
    meeting = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(setting, invited_contacts=[erased, kept]),
    )
    attended = {
        "occurrence_start": meeting["starts_at"],
        "organization_ids": [],
        "contact_ids": [erased, kept],
    }
    path = f"/api/v1/meetings/{meeting['id']}/attendance"
    assert client.put(path, json=attended, headers=setting.coordinator).status_code == 200
    network_feed = issue(client, setting)
    issue(client, setting, scope="contact", subject_id=erased)
    response = client.post(f"/api/v1/contacts/{erased}/erase", headers=auth["admin"])
    assert response.status_code == 204, response.text
    after = client.get(f"/api/v1/meetings/{meeting['id']}", headers=setting.coordinator).json()
    assert after["invited_contacts"] == [kept]
    assert after["sequence"] == meeting["sequence"] + 1
    assert client.get(path, headers=setting.coordinator).json()[0]["contact_ids"] == [kept]
    assert not run_async(
        MeetingContactAttendance.exists().where(MeetingContactAttendance.contact_id == erased)
    )
    assert not run_async(FeedToken.exists().where(FeedToken.subject_id == erased))
    assert erased not in fetch(client, network_feed).text
    assert fetch(client, network_feed).status_code == 200
