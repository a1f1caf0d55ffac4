"""Invitations by email: an iTIP REQUEST (RFC 5546, sent as RFC 6047 describes) when a meeting
is scheduled or changed, and a CANCEL when it is cancelled.

An outbox consumer: every meeting write appends a ``change_event``; a meeting whose SEQUENCE is
above the one last mailed is mailed again, so notes and attendance (which leave SEQUENCE alone)
send nothing. Each invitee gets their own message, so no one sees the other addresses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import msgspec
from icalendar import Calendar, vCalAddress

from directory.core.settings import Settings, get_settings
from directory.meetings.store import Series, load_series
from directory.meetings.tables import Meeting
from directory.records.tables import Contact, Organization
from sync.feeds import PRODID, series_components, vtimezone
from sync.invitation_tables import SentInvitation
from sync.outbox import Change, OutboxWorker

CONSUMER = "invitations"


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str


async def invitees(series: Series) -> list[Invitee]:
    """Invited contacts and invited organisations' own mailboxes that have an address."""
    row = series.row
    found: dict[str, Invitee] = {}
    if row["invited_contacts"]:
        for item in await Contact.select(Contact.name, Contact.email).where(
            Contact.id.is_in(row["invited_contacts"])
        ):
            if item["email"]:
                found.setdefault(item["email"].lower(), Invitee(item["name"], item["email"]))
    if row["invited_organizations"]:
        for item in await Organization.select(Organization.name, Organization.email).where(
            Organization.id.is_in(row["invited_organizations"])
        ):
            if item["email"]:
                found.setdefault(item["email"].lower(), Invitee(item["name"], item["email"]))
    return sorted(found.values(), key=lambda invitee: invitee.email)


def itip_calendar(
    series: Series, method: str, organizer: str, invitees: Sequence[Invitee]
) -> bytes:
    """The iTIP object: METHOD, the series with its moved occurrences, ORGANIZER and ATTENDEEs."""
    events = series_components(series, staff=False)
    for event in events:
        address = vCalAddress(f"mailto:{organizer}")
        address.params["CN"] = "Samverkan"
        event.add("ORGANIZER", address)
        for invitee in invitees:
            attendee = vCalAddress(f"mailto:{invitee.email}")
            attendee.params.update(
                {"CN": invitee.name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}
            )
            attendee.params["RSVP"] = "FALSE"
            event.add("ATTENDEE", attendee)
    calendar = Calendar.new(
        prodid=PRODID, method=method, uid=series.row["uid"], subcomponents=events
    )
    if not series.row["all_day"]:
        start_year = series.row["starts_at"].year - 1
        calendar.subcomponents.insert(
            0, vtimezone(series.row["timezone"], start_year, start_year + 12)
        )
    body: bytes = calendar.to_ical()
    return body


def _one_line(text: str) -> str:
    """A header value: line breaks in user text must not start new headers."""
    return " ".join(text.split())


def message(series: Series, method: str, invitee: Invitee, sender: str, ics: bytes) -> EmailMessage:
    row = series.row
    start = row["starts_at"].astimezone(ZoneInfo(row["timezone"]))
    verb = {"REQUEST": "Inbjudan" if row["sequence"] == 0 else "Ändrat", "CANCEL": "Inställt"}
    mail = EmailMessage()
    mail["Subject"] = _one_line(f"{verb[method]}: {row['title']}")
    mail["From"] = sender
    mail["To"] = invitee.email
    lines = [row["title"], f"Tid: {start:%Y-%m-%d %H:%M}"]
    lines += [f"Plats: {row['location']}"] if row["location"] else []
    lines += [f"Länk: {row['online_url']}"] if row["online_url"] else []
    mail.set_content("\n".join(lines))
    mail.add_alternative(ics, maintype="text", subtype="calendar", params={"method": method})
    mail.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return mail


def _send(settings: Settings, mails: Sequence[EmailMessage]) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        for mail in mails:
            smtp.send_message(mail)


def _mails(
    series: Series, method: str, people: Sequence[Invitee], sender: str
) -> list[EmailMessage]:
    if not people:
        return []
    if method == "CANCEL":
        series = Series({**series.row, "status": "cancelled"}, series.overrides)
    ics = itip_calendar(series, method, sender, people)
    return [message(series, method, person, sender, ics) for person in people]


async def mail_meeting(series: Series, settings: Settings) -> int:
    """Mail the meeting if its SEQUENCE is new: a REQUEST to everyone invited, a CANCEL to
    whoever was mailed before and is no longer invited (or to all, if it is cancelled).
    Returns the number of messages sent."""
    row = series.row
    sent = await SentInvitation.select().where(SentInvitation.meeting_id == row["id"]).first()
    if sent is not None and row["sequence"] <= sent["sequence"]:
        return 0
    previous = [Invitee(*item) for item in msgspec.json.decode(sent["recipients"])] if sent else []
    if row["status"] == "cancelled":
        invited: list[Invitee] = []
    else:
        invited = await invitees(series)
    still = {person.email.lower() for person in invited}
    removed = [person for person in previous if person.email.lower() not in still]
    mails = _mails(series, "REQUEST", invited, settings.smtp_from)
    mails += _mails(series, "CANCEL", removed, settings.smtp_from)
    if mails:
        await asyncio.to_thread(_send, settings, mails)
    values = {
        "sequence": row["sequence"],
        "recipients": msgspec.json.encode([[p.name, p.email] for p in invited]).decode(),
        "sent_at": dt.datetime.now(dt.UTC),
    }
    if sent is None:
        await SentInvitation.insert(SentInvitation(meeting_id=row["id"], **values))
    else:
        await SentInvitation.update(values).where(  # type: ignore[arg-type]
            SentInvitation.meeting_id == row["id"]
        )
    return len(mails)


def invitation_worker(interval: float = 1.0) -> OutboxWorker:
    """The outbox consumer that mails invitations (started when ``SMTP_HOST`` is set)."""

    async def apply(changes: Sequence[Change]) -> None:
        settings = get_settings()
        ids = list(dict.fromkeys(c.resource_id for c in changes if c.resource_type == "meeting"))
        if not ids or not settings.smtp_host:
            return
        # Past meetings are never mailed, e.g. when mail is switched on for the first time.
        upcoming = Meeting.series_ends_at.is_null() | (
            Meeting.series_ends_at > dt.datetime.now(dt.UTC)
        )
        for series in await load_series([Meeting.id.is_in(ids), upcoming]):
            await mail_meeting(series, settings)

    return OutboxWorker(CONSUMER, apply, interval=interval)
