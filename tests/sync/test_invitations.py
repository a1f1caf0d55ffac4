"""Invitations by email through a real SMTP server on loopback (aiosmtpd): REQUEST, update and
CANCEL, each with the iTIP object attached, per recipient, with their delivery recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.testing import TestClient

from directory.accounts import service as accounts
from directory.core.settings import get_settings
from sync.invitation_delivery import deliver_due
from sync.invitation_tables import InvitationDelivery
from sync.invitations import mail_pending
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.samverkan.web.conftest import PASSWORD, sign_in
from tests.sync.smtp_sink import Inbox, free_port, inbox, itip, text_of

__all__ = ["inbox"]
Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


def deliver() -> int:
    return run_async(mail_pending())  # type: ignore[no-any-return]


def contact(client: Client, setting: Setting, name: str, address: str, **fields: object) -> str:
    body = {"organization_id": setting.orgs[0], "name": name, "email": address, **fields}
    return str(post(client, setting.coordinator, "contacts", body)["id"])


def patch(
    client: Client, setting: Setting, meeting: dict[str, str], etag: int, **fields: object
) -> None:
    response = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json=fields,
        headers={**setting.coordinator, "If-Match": f'"{etag}"'},
    )
    assert response.status_code == 200, response.text


def local(days: int, hour: int = 9) -> str:
    day = dt.date.today() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00"


def test_invitee_gets_request_update_and_cancel(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    person = contact(
        client, setting, "Kontaktperson VBE", "vbe@polisen.example.se", is_function=True
    )
    body = meeting_body(
        setting,
        title="SSPF\r\nBcc: evil@example.org",
        invited_organizations=[],
        invited_contacts=[person],
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    # A line break in a title never reaches a mail header: the API refuses it at input.
    refused = client.post("/api/v1/meetings", json=body, headers=setting.coordinator)
    assert refused.status_code == 400 and "title" in refused.text
    body["title"] = "SSPF Bcc: evil@example.org"
    meeting = post(client, setting.coordinator, "meetings", body)
    deliver()
    assert len(inbox.messages) == 1
    first = inbox.messages[0]
    assert inbox.received[0].to == "vbe@polisen.example.se"
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

    patch(client, setting, meeting, 0, location="Polishuset")
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
    assert inbox.messages[2]["Subject"].startswith("Inställt:")
    deliver()
    assert len(inbox.messages) == 3


def test_uninvited_contact_gets_a_withdrawal_and_the_rest_nothing(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    kept = contact(client, setting, "Mottagningen", "mottagning@tyreso.example.se")
    dropped = contact(client, setting, "Fältgruppen", "falt@tyreso.example.se")
    body = meeting_body(setting, invited_organizations=[], invited_contacts=[kept, dropped])
    meeting = post(client, setting.coordinator, "meetings", body)
    deliver()
    assert sorted(item.to for item in inbox.received) == [
        "falt@tyreso.example.se",
        "mottagning@tyreso.example.se",
    ]
    patch(client, setting, meeting, 0, invited_contacts=[kept])
    deliver()
    assert [item.to for item in inbox.received[2:]] == ["falt@tyreso.example.se"]
    cancel = inbox.received[2].mail
    method, calendar = itip(cancel)
    event = calendar.walk("VEVENT")[0]
    assert method == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["ATTENDEE"]) == "mailto:falt@tyreso.example.se"
    assert cancel["Subject"].startswith("Inbjudan återkallad:")  # not "Inställt": it goes ahead
    assert "inte längre inbjuden" in text_of(cancel)


def test_split_of_a_begun_series_mails_the_old_series_its_until(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    person = contact(client, setting, "Fältgruppen", "falt@tyreso.example.se")
    start = dt.date.today() - dt.timedelta(days=14)
    body = meeting_body(
        setting,
        starts_at=f"{start.isoformat()}T00:05:00",
        ends_at=f"{start.isoformat()}T00:35:00",
        rrule="FREQ=WEEKLY;COUNT=6",
        invited_organizations=[],
        invited_contacts=[person],
    )
    meeting = post(client, setting.coordinator, "meetings", body)
    deliver()
    assert len(inbox.messages) == 1
    # Today's occurrence has been held; change from the next one on.
    rid = next(
        o["recurrence_id"]
        for o in client.get(
            f"/api/v1/meetings/{meeting['id']}", headers=setting.coordinator
        ).json()["occurrences"]
        if o["starts_at"][:10] > dt.date.today().isoformat()
    )
    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/split",
        json={"recurrence_id": rid, "changes": {"location": "Polishuset"}},
        headers=setting.coordinator,
    )
    assert response.status_code == 201, response.text
    deliver()
    uids = {str(itip(m)[1].walk("VEVENT")[0]["UID"]): m for m in inbox.messages[1:]}
    assert set(uids) == {meeting["uid"], response.json()["uid"]}
    old = itip(uids[meeting["uid"]])[1].walk("VEVENT")[0]
    assert "UNTIL" in old["RRULE"] and "COUNT" not in old["RRULE"]
    assert uids[meeting["uid"]]["Subject"].startswith("Ändrat:")
    assert "Ny upprepning: varje vecka på " in text_of(uids[meeting["uid"]])
    assert "Nästa tillfälle" not in text_of(uids[meeting["uid"]])  # none left
    assert "Nästa tillfälle: " in text_of(inbox.messages[0])  # it had begun
    continued = text_of(uids[response.json()["uid"]])
    assert "fortsätter med ändringar från och med" in continued


def test_refused_and_throttled_addresses_are_recorded_and_block_no_one(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    addresses = ["a@tyreso.example.se", "b@throttled.example.se", "c@gone.example.se"]
    people = [contact(client, setting, f"Person {a[0]}", a) for a in addresses]
    inbox.refuse["b@throttled.example.se"] = ["451 4.7.1 Try again later", "451 4.7.1 Later"]
    inbox.refuse["c@gone.example.se"] = ["550 5.1.1 No such user"]
    first = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(setting, invited_organizations=[], invited_contacts=people),
    )
    deliver()
    assert [item.to for item in inbox.received] == ["a@tyreso.example.se"]
    second = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(
            setting, title="Uppföljning", invited_organizations=[], invited_contacts=people[:1]
        ),
    )
    deliver()  # the throttled address holds nothing back
    assert [item.to for item in inbox.received] == ["a@tyreso.example.se"] * 2
    rows = run_async(
        InvitationDelivery.select().where(InvitationDelivery.meeting_id == first["id"])
    )
    status = {row["recipient"]: (row["status"], row["last_error"]) for row in rows}
    assert status["a@tyreso.example.se"] == ("sent", "")
    assert status["b@throttled.example.se"][0] == "pending"
    assert status["b@throttled.example.se"][1].startswith("451")
    assert status["c@gone.example.se"] == ("failed", "550 5.1.1 No such user")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    settings = get_settings()
    run_async(deliver_due(settings, later))  # second 451: backs off again
    run_async(deliver_due(settings, later))  # not due yet: nothing tried
    assert inbox.rcpt_tries["b@throttled.example.se"] == 2
    run_async(deliver_due(settings, later + dt.timedelta(hours=2)))
    assert [item.to for item in inbox.received].count("b@throttled.example.se") == 1
    assert [item.to for item in inbox.received].count("a@tyreso.example.se") == 2
    assert inbox.rcpt_tries["c@gone.example.se"] == 1  # a permanent refusal is never retried
    run_async(accounts.set_password("samordnare", PASSWORD))
    assert sign_in(client, "samordnare").status_code in (302, 303)
    page = client.get(f"/meetings/{first['id']}")
    assert page.status_code == 200
    assert "c@gone.example.se" in page.text and "550 5.1.1 No such user" in page.text
    assert second["id"]


def test_messages_have_date_message_id_and_travel_as_ascii(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    person = contact(client, setting, "Öppna förskolan", "forskola@tyreso.example.se")
    body = meeting_body(
        setting, title="Samverkansmöte Tyresö", invited_organizations=[], invited_contacts=[person]
    )
    post(client, setting.coordinator, "meetings", body)
    deliver()
    received = inbox.received[0]
    assert received.mail["Date"] is not None
    assert received.mail["Message-ID"].endswith("@tyreso.example.se>")
    assert received.raw.isascii() or "BODY=8BITMIME" in received.mail_options
    assert "Samverkansmöte" in text_of(received.mail)
    calendar_part = next(p for p in received.mail.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_content_charset() == "utf-8"
    assert "SUMMARY:Samverkansmöte Tyresö" in calendar_part.get_content()


def test_each_recipient_sees_only_their_own_address(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    internal = contact(
        client, setting, "Säkerhetssamordnare", "sakerhet@tyreso.example.se", visibility="internal"
    )
    partner = contact(client, setting, "Polisen VBE", "vbe@polisen.example.se")
    body = meeting_body(setting, invited_organizations=[], invited_contacts=[internal, partner])
    post(client, setting.coordinator, "meetings", body)
    deliver()
    for item in inbox.received:
        other = ({"sakerhet@tyreso.example.se", "vbe@polisen.example.se"} - {item.to}).pop()
        assert other.encode() not in item.raw
        attendees = itip(item.mail)[1].walk("VEVENT")[0]["ATTENDEE"]
        assert str(attendees) == f"mailto:{item.to}"


def test_an_unreachable_server_keeps_the_messages_for_later(
    client: Client, setting: Setting, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = get_settings().smtp_port
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    get_settings.cache_clear()
    people = [contact(client, setting, f"P{i}", f"p{i}@tyreso.example.se") for i in range(2)]
    body = meeting_body(setting, invited_organizations=[], invited_contacts=people)
    post(client, setting.coordinator, "meetings", body)
    assert deliver() == 0
    rows = run_async(InvitationDelivery.select())
    assert [row["status"] for row in rows] == ["pending", "pending"]
    assert all(row["last_error"].startswith("ConnectionRefusedError") for row in rows)
    monkeypatch.setenv("SMTP_PORT", str(port))
    get_settings.cache_clear()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert run_async(deliver_due(get_settings(), later)) == 2
    assert sorted(item.to for item in inbox.received) == [
        "p0@tyreso.example.se",
        "p1@tyreso.example.se",
    ]
