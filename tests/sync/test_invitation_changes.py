"""Which changes are mailed, what the messages say, who they come from, and how they go out:
through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from litestar.testing import TestClient

from directory.accounts import service as accounts
from directory.core.settings import SettingsError, get_settings, load_settings
from samverkan.cli import main
from sync.invitation_delivery import deliver_due
from sync.invitations import mail_pending
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.samverkan.web.conftest import PASSWORD, csrf_token, sign_in
from tests.sync.smtp_sink import Inbox, inbox, itip, text_of
from tests.sync.test_invitations import contact, patch

__all__ = ["inbox"]
Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


def deliver() -> int:
    return run_async(mail_pending())  # type: ignore[no-any-return]


def one_invitee(client: Client, setting: Setting, **fields: object) -> dict[str, str]:
    person = contact(client, setting, "Fältgruppen", "falt@tyreso.example.se")
    body = meeting_body(setting, invited_organizations=[], invited_contacts=[person], **fields)
    meeting: dict[str, str] = post(client, setting.coordinator, "meetings", body)
    deliver()
    return meeting


def test_changes_invitees_cannot_see_mail_no_one(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    meeting = one_invitee(client, setting)
    patch(client, setting, meeting, 0, agenda="Ny dagordning")
    patch(client, setting, meeting, 1, is_public=True)
    deliver()
    assert len(inbox.messages) == 1
    patch(
        client, setting, meeting, 2, starts_at="2027-03-02T13:00:00", ends_at="2027-03-02T14:00:00"
    )
    deliver()
    assert len(inbox.messages) == 2
    changed = text_of(inbox.messages[1])
    assert "Ny tid: tisdag 2 mars 2027 kl. 13:00–14:00" in changed
    assert "(tidigare: tisdag 2 mars 2027 kl. 09:00–10:30)" in changed


def test_a_meeting_moved_into_the_past_is_updated_in_invitees_calendars(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    meeting = one_invitee(
        client, setting, starts_at=f"{tomorrow}T09:00:00", ends_at=f"{tomorrow}T10:00:00"
    )
    last_week = dt.date.today() - dt.timedelta(days=7)
    patch(
        client,
        setting,
        meeting,
        0,
        starts_at=f"{last_week}T09:00:00",
        ends_at=f"{last_week}T10:00:00",
    )
    deliver()
    assert len(inbox.messages) == 2
    method, calendar = itip(inbox.messages[1])
    assert method == "REQUEST"
    assert calendar.walk("VEVENT")[0].start.date() == last_week


def test_a_past_meeting_is_never_offered_to_new_invitees(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    last_week = dt.date.today() - dt.timedelta(days=7)
    one_invitee(client, setting, starts_at=f"{last_week}T09:00:00", ends_at=f"{last_week}T10:00:00")
    assert inbox.messages == []


def test_sender_with_a_display_name_gives_a_mailto_organizer_named_after_the_network(
    client: Client, setting: Setting, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_FROM", "Samverkan Tyresö <natverk@tyreso.example.se>")
    get_settings.cache_clear()
    one_invitee(client, setting)
    mail = inbox.messages[0]
    assert mail["From"].addresses[0].display_name == "Samverkan Tyresö"
    assert inbox.received[0].mail_from == "natverk@tyreso.example.se"
    organizer = itip(mail)[1].walk("VEVENT")[0]["ORGANIZER"]
    assert str(organizer) == "mailto:natverk@tyreso.example.se"
    assert organizer.params["CN"] == "SSPF Tyresö"
    for bad in ("Samverkan Tyresö", "natverk@tyreso", "a@b.se, c@d.se", "x <a@b.se>\nBcc: e@f.se"):
        monkeypatch.setenv("SMTP_FROM", bad)
        with pytest.raises(SettingsError, match="SMTP_FROM"):
            load_settings()


def test_bodies_say_when_how_often_and_what_changed_in_swedish(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    meeting = one_invitee(client, setting, rrule="FREQ=WEEKLY;BYDAY=TU;INTERVAL=2;COUNT=4")
    first = inbox.messages[0]
    assert first["Subject"] == "Inbjudan: Nätverksmöte SSPF"
    text = text_of(first)
    assert "SSPF Tyresö bjuder in dig till Nätverksmöte SSPF." in text
    assert "Tid: varannan vecka på tisdagar, 4 gånger, kl. 09:00–10:30" in text
    assert "Första tillfället: tisdag 2 mars 2027" in text
    assert "Nästa tillfälle" not in text  # the first is still ahead
    assert "Plats: Kommunhuset, sal 3" in text
    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/occurrences/cancel",
        json={"recurrence_id": "2027-03-16T09:00:00"},
        headers=setting.coordinator,
    )
    assert response.status_code in (200, 201), response.text
    patch(client, setting, meeting, 1, location="Polishuset")
    deliver()
    update = inbox.messages[1]
    assert update["Subject"] == "Ändrat: Nätverksmöte SSPF"
    text = text_of(update)
    assert "Tillfället tisdag 16 mars 2027 kl. 09:00 är inställt" in text
    assert "Ny plats: Polishuset (tidigare: Kommunhuset, sal 3)" in text


def test_an_all_day_meeting_shows_no_clock_time(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    one_invitee(
        client,
        setting,
        all_day=True,
        starts_at="2027-03-02T00:00:00",
        ends_at="2027-03-03T00:00:00",
    )
    text = text_of(inbox.messages[0])
    assert "Tid: tisdag 2 mars 2027, hela dagen" in text
    assert "00:00" not in text


def test_many_messages_share_one_connection_and_are_paced(
    client: Client, setting: Setting, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PACE_MS", "40")
    get_settings.cache_clear()
    people = [contact(client, setting, f"P{i}", f"p{i}@tyreso.example.se") for i in range(2)]
    for day in range(2, 5):
        body = meeting_body(
            setting,
            starts_at=f"2027-03-0{day}T09:00:00",
            ends_at=f"2027-03-0{day}T10:00:00",
            invited_organizations=[],
            invited_contacts=people,
        )
        post(client, setting.coordinator, "meetings", body)
    began = time.monotonic()
    assert deliver() == 6
    assert time.monotonic() - began >= 5 * 0.04
    assert {item.session for item in inbox.received} == {1}
    assert inbox.sessions == 1


def test_demo_data_never_sends_mail(inbox: Inbox) -> None:
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert "loaded" in result.output
    assert deliver() == 0
    assert inbox.messages == []


def test_a_partner_who_chose_the_daily_digest_gets_one_mail_with_each_meetings_newest_version(
    client: Client, setting: Setting, inbox: Inbox
) -> None:
    partner = contact(client, setting, "Polisen VBE", "vbe@polisen.example.se")
    staff = contact(client, setting, "Fältgruppen", "falt@tyreso.example.se")
    first = post(
        client,
        setting.coordinator,
        "meetings",
        meeting_body(setting, invited_organizations=[], invited_contacts=[partner, staff]),
    )
    deliver()
    run_async(accounts.set_password("samordnare", PASSWORD))
    sign_in(client, "samordnare")
    chosen = client.post(
        f"/meetings/{first['id']}/invitations/digest",
        data={
            "email": "vbe@polisen.example.se",
            "digest": "on",
            "_csrf_token": csrf_token(client, f"/meetings/{first['id']}"),
        },
        follow_redirects=False,
    )
    assert chosen.status_code in (302, 303), chosen.text
    for day in (3, 4):
        body = meeting_body(
            setting,
            title=f"Möte {day}",
            starts_at=f"2027-03-0{day}T09:00:00",
            ends_at=f"2027-03-0{day}T10:00:00",
            invited_organizations=[],
            invited_contacts=[partner, staff],
        )
        post(client, setting.coordinator, "meetings", body)
    patch(client, setting, first, 0, location="Polishuset")
    patch(client, setting, first, 1, location="Stadshuset")
    deliver()
    assert len(inbox.to("falt@tyreso.example.se")) == 1 + 2 + 1  # both changes in one update
    assert len(inbox.to("vbe@polisen.example.se")) == 1  # the first, before the choice
    assert "Väntar på den dagliga sammanfattningen" in client.get(f"/meetings/{first['id']}").text
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)
    run_async(deliver_due(get_settings(), tomorrow))
    digests = inbox.to("vbe@polisen.example.se")[1:]
    assert len(digests) == 1
    digest = digests[0]
    assert digest["Subject"] == "Samverkan: 3 möten har nyheter"
    objects = [
        Calendar.from_ical(part.get_content())
        for part in digest.iter_attachments()
        if part.get_filename().endswith(".ics")
    ]
    assert sorted(str(c["METHOD"]) for c in objects) == ["REQUEST"] * 3
    newest = next(c for c in objects if str(c.walk("VEVENT")[0]["UID"]) == first["uid"])
    assert str(newest.walk("VEVENT")[0]["LOCATION"]) == "Stadshuset"
    assert "Ny plats: Stadshuset" in text_of(digest)
    run_async(deliver_due(get_settings(), tomorrow))
    assert len(inbox.to("vbe@polisen.example.se")) == 2
