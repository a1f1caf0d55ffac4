"""Invitees' replies: iTIP REPLY messages (RFC 5546 section 3.2.3) read from the reply
mailbox over IMAP, each updating that invitee's participation.

A calendar client answers an invitation by mailing a REPLY to the ORGANIZER's address (the
``SMTP_REPLY_TO`` mailbox): the same UID, and one ATTENDEE, the invitee, with their PARTSTAT.
A reply counts only when its ATTENDEE is someone the meeting's invitation was mailed to and the
mail comes from that same address, so no one answers for another invitee; an older reply
(by DTSTAMP) never overwrites a newer one. A reply for one occurrence (with a RECURRENCE-ID)
is not kept: participation is recorded per series. Every message read is flagged ``\\Seen`` so
it is read once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import imaplib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import Message

from icalendar import Calendar

from directory.core.settings import Settings
from directory.meetings.tables import Meeting
from sync.invitation_tables import InvitationRecipient

log = logging.getLogger(__name__)
PARTSTATS = frozenset({"ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION"})


@dataclass(frozen=True)
class Reply:
    uid: str
    attendee: str
    partstat: str
    stamp: dt.datetime
    sender: str


def _calendars(mail: Message) -> Iterator[Calendar]:
    for part in mail.walk():
        if part.get_content_type() in {"text/calendar", "application/ics"}:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                try:
                    yield Calendar.from_ical(payload)
                except ValueError:
                    continue


def replies_in(raw: bytes) -> list[Reply]:
    """The REPLYs one mail holds (usually one); anything else gives none."""
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    addresses: tuple[Address, ...] = getattr(mail.get("From"), "addresses", ())
    sender = addresses[0].addr_spec.lower() if len(addresses) == 1 else ""
    found: dict[tuple[str, str], Reply] = {}
    for calendar in _calendars(mail):
        if str(calendar.get("METHOD", "")).upper() != "REPLY":
            continue
        for event in calendar.walk("VEVENT"):
            if "RECURRENCE-ID" in event or "ATTENDEE" not in event:
                continue
            attendees = event["ATTENDEE"]
            for attendee in attendees if isinstance(attendees, list) else [attendees]:
                address = str(attendee).lower().removeprefix("mailto:")
                partstat = str(attendee.params.get("PARTSTAT", "")).upper()
                if partstat not in PARTSTATS:
                    continue
                stamp = event.get("DTSTAMP")
                when = stamp.dt if stamp is not None else dt.datetime.now(dt.UTC)
                reply = Reply(str(event["UID"]), address, partstat, when, sender)
                found[(reply.uid, reply.attendee)] = reply
    return list(found.values())


async def apply_reply(reply: Reply) -> bool:
    """Record one reply; ``False`` when it does not count (see the module's docstring)."""
    if reply.sender != reply.attendee:
        log.warning("reply for %s from %s ignored: not the attendee", reply.attendee, reply.sender)
        return False
    meeting = await Meeting.select(Meeting.id).where(Meeting.uid == reply.uid).first()
    if meeting is None:
        return False
    mine = (InvitationRecipient.meeting_id == meeting["id"]) & (
        InvitationRecipient.email == reply.attendee
    )
    row = await InvitationRecipient.select(InvitationRecipient.replied_at).where(mine).first()
    if row is None:
        return False
    if row["replied_at"] is not None and row["replied_at"] > reply.stamp:
        return False
    await InvitationRecipient.update(
        {InvitationRecipient.partstat: reply.partstat, InvitationRecipient.replied_at: reply.stamp},
        use_auto_update=False,
    ).where(mine)
    return True


def fetch_unseen(settings: Settings) -> list[bytes]:
    """Every unread mail in the reply folder, flagged read as it is fetched (blocking)."""
    kind = imaplib.IMAP4_SSL if settings.imap_tls else imaplib.IMAP4
    with kind(settings.imap_host, settings.imap_port, timeout=30) as imap:
        imap.login(settings.imap_username, settings.imap_password)
        imap.select(settings.imap_mailbox)
        _, found = imap.uid("SEARCH", "UNSEEN")
        messages = []
        for number in found[0].split():
            _, data = imap.uid("FETCH", number, "(RFC822)")
            messages += [item[1] for item in data if isinstance(item, tuple)]
            imap.uid("STORE", number, "+FLAGS", "(\\Seen)")
        return messages


async def read_replies(settings: Settings) -> int:
    """Read the reply mailbox once; returns how many replies were recorded."""
    if not settings.imap_host:
        return 0
    recorded = 0
    for raw in await asyncio.to_thread(fetch_unseen, settings):
        for reply in replies_in(raw):
            recorded += await apply_reply(reply)
    return recorded
