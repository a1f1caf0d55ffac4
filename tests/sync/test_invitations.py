"""Invitations by email through a real SMTP server on loopback (aiosmtpd): REQUEST, update and
CANCEL, each with the iTIP object attached."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from icalendar import Calendar
from litestar.testing import TestClient

from directory.core.settings import get_settings
from sync.invitations import invitation_worker
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post

Client = TestClient  # type: ignore[type-arg]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "natverk@tyreso.example.se")
    get_settings.cache_clear()
    try:
        yield handler
    finally:
        controller.stop()
        monkeypatch.delenv("SMTP_HOST")
        get_settings.cache_clear()


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


def itip(mail: EmailMessage) -> tuple[str, Calendar]:
    attachment = next(
        part for part in mail.iter_attachments() if part.get_filename() == "invite.ics"
    )
    inline = next(part for part in mail.walk() if part.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(attachment.get_content())
    return str(inline.get_param("method")), calendar


def deliver() -> int:
    return run_async(invitation_worker().drain())  # type: ignore[no-any-return]


def test_invitee_gets_request_update_and_cancel(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    contact = post(
        client,
        setting.coordinator,
        "contacts",
        {
            "organization_id": setting.orgs[1],
            "name": "Kontaktperson VBE",
            "is_function": True,
            "email": "vbe@polisen.example.se",
        },
    )
    body = meeting_body(
        setting,
        title="SSPF\r\nBcc: evil@example.org",
        invited_organizations=[],
        invited_contacts=[contact["id"]],
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    meeting = post(client, setting.coordinator, "meetings", body)
    deliver()
    assert len(inbox.messages) == 1
    first = inbox.messages[0]
    assert first["To"] == "vbe@polisen.example.se"
    assert first["Subject"] == "Inbjudan: SSPF Bcc: evil@example.org"
    assert first["Bcc"] is None
    method, calendar = itip(first)
    assert method == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == meeting["uid"]
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]) == "mailto:vbe@polisen.example.se"
    assert str(event["ORGANIZER"]) == "mailto:natverk@tyreso.example.se"
    assert "Lägesbild" not in first.as_string()  # the agenda is internal

    post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/notes",
        {"occurrence_start": meeting["starts_at"], "body": "anteckning"},
    )
    deliver()
    assert len(inbox.messages) == 1  # a note changes nothing for the invitee

    changed = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"location": "Polishuset"},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert changed.status_code == 200
    deliver()
    method, calendar = itip(inbox.messages[1])
    assert inbox.messages[1]["Subject"].startswith("Ändrat:")
    assert (method, int(calendar.walk("VEVENT")[0]["SEQUENCE"])) == ("REQUEST", 1)

    client.delete(
        f"/api/v1/meetings/{meeting['id']}", headers={**setting.coordinator, "If-Match": '"1"'}
    )
    deliver()
    method, calendar = itip(inbox.messages[2])
    event = calendar.walk("VEVENT")[0]
    assert (method, str(calendar["METHOD"])) == ("CANCEL", "CANCEL")
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 2)
    assert str(event["UID"]) == meeting["uid"]
    deliver()
    assert len(inbox.messages) == 3


def test_uninvited_contact_gets_a_cancel_and_the_rest_an_update(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    contacts = [
        post(
            client,
            setting.coordinator,
            "contacts",
            {"organization_id": setting.orgs[0], "name": name, "email": address},
        )
        for name, address in (
            ("Mottagningen", "mottagning@tyreso.example.se"),
            ("Fältgruppen", "falt@tyreso.example.se"),
        )
    ]
    body = meeting_body(
        setting, invited_organizations=[], invited_contacts=[c["id"] for c in contacts]
    )
    meeting = post(client, setting.coordinator, "meetings", body)
    deliver()
    assert sorted(m["To"] for m in inbox.messages) == [
        "falt@tyreso.example.se",
        "mottagning@tyreso.example.se",
    ]
    changed = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"invited_contacts": [contacts[0]["id"]]},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert changed.status_code == 200
    deliver()
    latest = {m["To"]: itip(m)[0] for m in inbox.messages[2:]}
    assert latest == {"mottagning@tyreso.example.se": "REQUEST", "falt@tyreso.example.se": "CANCEL"}
    cancel = next(m for m in inbox.messages[2:] if m["To"] == "falt@tyreso.example.se")
    event = itip(cancel)[1].walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["ATTENDEE"]) == "mailto:falt@tyreso.example.se"
