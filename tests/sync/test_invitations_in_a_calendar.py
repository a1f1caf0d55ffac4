"""Every message of a series' life (invitation, moved and cancelled occurrences, a split of a
begun series, a cancelled meeting, a withdrawn invitation) applied to a real CalDAV calendar
(Radicale) the way an invitee's client applies iTIP, then the calendar's occurrences compared
with the API's.

The client is sabre/vobject's ``Sabre\\VObject\\ITip\\Broker::processMessage`` in small: a
REQUEST whose SEQUENCE is not older than the stored object replaces it (``processMessageRequest``),
a CANCEL marks every component STATUS:CANCELLED (``processMessageCancel``), and the METHOD
property is dropped before the object is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import recurring_ical_events
from icalendar import Calendar
from litestar.testing import TestClient

from sync.invitations import mail_pending
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.sync.conftest import DavServer, auth_for, start_server
from tests.sync.smtp_sink import Inbox, inbox, itip
from tests.sync.test_invitations import contact, patch

__all__ = ["inbox"]
Client = TestClient  # type: ignore[type-arg]
INVITEE = "falt@tyreso.example.se"
WINDOW = (
    dt.datetime.now(dt.UTC) - dt.timedelta(days=60),
    dt.datetime.now(dt.UTC) + dt.timedelta(days=400),
)


@pytest.fixture
def radicale(tmp_path: Path) -> Any:
    server: DavServer = start_server("radicale", tmp_path)
    yield server
    server.stop()


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


class InviteeCalendar:
    """The invitee's calendar on the CalDAV server, changed only by applying iTIP messages."""

    def __init__(self, server: DavServer) -> None:
        self.url = server.new_home() + "kalender/"
        response = httpx.request("MKCALENDAR", self.url, auth=auth_for(self.url))
        assert response.status_code == 201, response.text
        self.hrefs: dict[str, str] = {}

    def _get(self, uid: str) -> Calendar | None:
        if uid not in self.hrefs:
            return None
        response = httpx.get(self.hrefs[uid], auth=auth_for(self.url))
        return Calendar.from_ical(response.text) if response.status_code == 200 else None

    def apply(self, message: Calendar) -> None:
        method = str(message["METHOD"])
        uid = str(message.walk("VEVENT")[0]["UID"])
        stored = self._get(uid)
        if method == "REQUEST":
            sequence = int(message.walk("VEVENT")[0].get("SEQUENCE", 0))
            if stored is not None and int(stored.walk("VEVENT")[0].get("SEQUENCE", 0)) > sequence:
                return
            stored = message
        elif method == "CANCEL":
            if stored is None:
                return
            for event in stored.walk("VEVENT"):
                event["STATUS"] = "CANCELLED"
        stored.pop("METHOD", None)
        href = self.hrefs.setdefault(uid, f"{self.url}{uuid.uuid4().hex}.ics")
        response = httpx.put(
            href,
            content=stored.to_ical(),
            headers={"Content-Type": "text/calendar; charset=utf-8"},
            auth=auth_for(self.url),
        )
        assert response.status_code in (201, 204), response.text

    def occurrences(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Every occurrence the calendar shows, duplicates kept."""
        found = []
        for href in self.hrefs.values():
            text = httpx.get(href, auth=auth_for(self.url)).text
            for event in recurring_ical_events.of(Calendar.from_ical(text)).between(*WINDOW):
                if str(event.get("STATUS", "")) != "CANCELLED":
                    found.append((_utc(event.start), _utc(event.end)))
        return sorted(found)


def _utc(value: dt.datetime | dt.date) -> dt.datetime:
    assert isinstance(value, dt.datetime)
    return value.astimezone(dt.UTC)


def api_occurrences(
    client: Client, setting: Setting, ids: list[str]
) -> list[tuple[dt.datetime, dt.datetime]]:
    found = []
    for meeting_id in ids:
        meeting = client.get(f"/api/v1/meetings/{meeting_id}", headers=setting.coordinator).json()
        if (
            meeting["status"] == "cancelled"
            or setting.contacts[-1] not in meeting["invited_contacts"]
        ):
            continue
        for item in meeting["occurrences"]:
            start, end = (
                dt.datetime.fromisoformat(item["starts_at"]),
                dt.datetime.fromisoformat(item["ends_at"]),
            )
            if not item["cancelled"] and end > WINDOW[0] and start < WINDOW[1]:
                found.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    return sorted(found)


def test_every_message_applied_by_a_client_gives_the_apis_occurrences(
    client: Client, setting: Setting, inbox: Inbox, radicale: DavServer
) -> None:
    calendar = InviteeCalendar(radicale)
    setting.contacts.append(contact(client, setting, "Fältgruppen", INVITEE))
    others = [contact(client, setting, "Mottagningen", "mottagning@tyreso.example.se")]
    applied = 0

    def deliver() -> None:
        nonlocal applied
        run_async(mail_pending())
        for mail in inbox.to(INVITEE)[applied:]:
            calendar.apply(itip(mail)[1])
        applied = len(inbox.to(INVITEE))

    begun = dt.date.today() - dt.timedelta(days=21)
    series = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(
            setting,
            starts_at=f"{begun}T00:05:00",
            ends_at=f"{begun}T00:50:00",
            rrule="FREQ=WEEKLY;COUNT=12",
            invited_organizations=[],
            invited_contacts=[setting.contacts[-1], *others],
        ),
    )
    single = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(
            setting,
            title="Lägesbild",
            invited_organizations=[],
            invited_contacts=[setting.contacts[-1]],
        ),
    )
    dropped = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(
            setting,
            title="Utbildning",
            invited_organizations=[],
            invited_contacts=[setting.contacts[-1]],
        ),
    )
    deliver()
    future = [
        o["recurrence_id"]
        for o in client.get(f"/api/v1/meetings/{series['id']}", headers=setting.coordinator).json()[
            "occurrences"
        ]
        if o["starts_at"][:10] > dt.date.today().isoformat()
    ]
    moved_start = dt.datetime.fromisoformat(future[1]) + dt.timedelta(days=1, hours=3)
    response = client.post(
        f"/api/v1/meetings/{series['id']}/occurrences/move",
        json={
            "recurrence_id": future[1],
            "starts_at": moved_start.isoformat(),
            "ends_at": (moved_start + dt.timedelta(hours=1)).isoformat(),
        },
        headers=setting.coordinator,
    )
    assert response.status_code in (200, 201), response.text
    response = client.post(
        f"/api/v1/meetings/{series['id']}/occurrences/cancel",
        json={"recurrence_id": future[2]},
        headers=setting.coordinator,
    )
    assert response.status_code in (200, 201), response.text
    deliver()
    split = client.post(
        f"/api/v1/meetings/{series['id']}/split",
        json={"recurrence_id": future[0], "changes": {"location": "Polishuset"}},
        headers=setting.coordinator,
    )
    assert split.status_code == 201, split.text
    deliver()
    client.delete(
        f"/api/v1/meetings/{single['id']}", headers={**setting.coordinator, "If-Match": '"0"'}
    )
    patch(client, setting, dropped, 0, invited_contacts=[])
    deliver()

    ids = [series["id"], split.json()["id"], single["id"], dropped["id"]]
    expected = api_occurrences(client, setting, ids)
    assert len(expected) == 12 - 1  # twelve occurrences, one cancelled, none duplicated
    assert calendar.occurrences() == expected
