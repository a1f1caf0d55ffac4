"""Replies end to end: an invitation through a real SMTP server (aiosmtpd), the invitee's
calendar answering with an iTIP REPLY into a real IMAP mailbox (dovecot), and the worker
reading it and recording the invitee's participation."""

from __future__ import annotations

import datetime as dt
import imaplib
from email.message import EmailMessage

import pytest
from icalendar import Calendar, Event, vCalAddress
from litestar.testing import TestClient

from directory.accounts import service as accounts
from directory.core.settings import get_settings
from sync.invitation_replies import read_replies
from sync.invitations import mail_pending
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.samverkan.web.conftest import PASSWORD, sign_in
from tests.sync.imap_server import ImapServer, imap_server
from tests.sync.smtp_sink import Inbox, inbox, itip
from tests.sync.test_invitations import contact, patch

__all__ = ["imap_server", "inbox"]
Client = TestClient  # type: ignore[type-arg]
REPLY_TO = "svar@tyreso.example.se"


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


@pytest.fixture
def replies(imap_server: ImapServer, monkeypatch: pytest.MonkeyPatch) -> ImapServer:
    for name, value in {
        "SMTP_REPLY_TO": REPLY_TO,
        "IMAP_HOST": "127.0.0.1",
        "IMAP_PORT": str(imap_server.port),
        "IMAP_TLS": "false",
        "IMAP_USERNAME": imap_server.user,
        "IMAP_PASSWORD": imap_server.password,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return imap_server


def client_reply(request: EmailMessage, attendee: str, partstat: str, sender: str) -> bytes:
    """What a calendar client mails back (as sabre/vobject's ITip\\Broker builds a REPLY):
    METHOD:REPLY, the same UID and SEQUENCE, and the attendee alone with their PARTSTAT."""
    invitation = itip(request)[1].walk("VEVENT")[0]
    event = Event.new(
        uid=str(invitation["UID"]),
        sequence=int(invitation["SEQUENCE"]),
        stamp=dt.datetime.now(dt.UTC),
        start=invitation.start,
    )
    event.add("ORGANIZER", invitation["ORGANIZER"])
    answer = vCalAddress(f"mailto:{attendee}")
    answer.params["PARTSTAT"] = partstat
    event.add("ATTENDEE", answer)
    calendar = Calendar.new(prodid="-//Test client//EN", method="REPLY", subcomponents=[event])
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, REPLY_TO, f"Svar: {partstat}"
    mail.set_content("Jag kommer.")
    mail.add_alternative(
        calendar.to_ical().decode(), subtype="calendar", params={"method": "REPLY"}
    )
    return mail.as_bytes()


def append(server: ImapServer, raw: bytes) -> None:
    with imaplib.IMAP4("127.0.0.1", server.port) as imap:
        imap.login(server.user, server.password)
        imap.append("INBOX", "", imaplib.Time2Internaldate(dt.datetime.now(dt.UTC)), raw)


def test_a_reply_read_over_imap_records_the_invitees_participation(
    client: Client, setting: Setting, inbox: Inbox, replies: ImapServer
) -> None:
    person = contact(client, setting, "Fältgruppen", "falt@tyreso.example.se")
    other = contact(client, setting, "Mottagningen", "mottagning@tyreso.example.se")
    body = meeting_body(setting, invited_organizations=[], invited_contacts=[person, other])
    meeting = post(client, setting.coordinator, "meetings", body)
    run_async(mail_pending())
    request = inbox.to("falt@tyreso.example.se")[0]
    event = itip(request)[1].walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == f"mailto:{REPLY_TO}"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert request["Reply-To"] == REPLY_TO

    append(
        replies,
        client_reply(request, "falt@tyreso.example.se", "ACCEPTED", "falt@tyreso.example.se"),
    )
    # A forged answer for the other invitee, from someone else: not theirs to give.
    append(
        replies,
        client_reply(request, "mottagning@tyreso.example.se", "DECLINED", "falt@tyreso.example.se"),
    )
    assert run_async(read_replies(get_settings())) == 1
    assert run_async(read_replies(get_settings())) == 0  # each mail is read once

    run_async(accounts.set_password("samordnare", PASSWORD))
    sign_in(client, "samordnare")
    page = client.get(f"/meetings/{meeting['id']}").text
    section = page[page.index('id="invitations"') :]
    row = section[section.index("falt@tyreso.example.se") :].split("</tr>")[0]
    assert "Kommer" in row
    other_row = section[section.index("mottagning@tyreso.example.se") :].split("</tr>")[0]
    assert "Inget svar än" in other_row
    assert "1 kommer" in page

    patch(client, setting, meeting, 0, location="Polishuset")
    run_async(mail_pending())
    update = inbox.to("falt@tyreso.example.se")[-1]
    assert itip(update)[1].walk("VEVENT")[0]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
