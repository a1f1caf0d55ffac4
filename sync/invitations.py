"""Invitations by email: an iTIP REQUEST (RFC 5546, sent as RFC 6047 describes) when what an
invitee's calendar holds of a meeting changes, and a CANCEL when the meeting is cancelled or
the invitee is no longer invited.

An outbox consumer: every meeting write appends a ``change_event``; for each invitee the
consumer compares what their calendar holds (``invitation_recipient.held``, see
:mod:`sync.invitation_content`) with the meeting as it is now, and queues a message only when
that differs, so notes, attendance, the agenda and ``is_public`` mail no one and a batch applied
twice queues nothing twice. A meeting that has ended is never offered to someone who does not
hold it, but anyone who holds it gets its changes, a move into the past and the UNTIL that a
"this and following" split writes on the old series included. Queuing and the record of what
each invitee holds are one transaction; sending is :mod:`sync.invitation_delivery`'s, after.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import msgspec

from directory.core.database import transaction
from directory.core.metrics import SYNC_FAILURES
from directory.core.settings import Settings, get_settings
from directory.core.tables import ChangeEvent
from directory.meetings.store import Series, load_series
from directory.meetings.tables import Meeting
from directory.records.tables import Contact, Network, Organization
from sync.invitation_content import Held, held_of
from sync.invitation_delivery import deliver_due
from sync.invitation_digest import next_digest, wants_digest
from sync.invitation_mail import KINDS, Invitee, Organizer, body_text, itip_calendar, message
from sync.invitation_replies import read_replies
from sync.invitation_tables import InvitationDelivery, InvitationRecipient, SentInvitation
from sync.outbox import Change, OutboxWorker

CONSUMER = "invitations"
log = logging.getLogger(__name__)


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


@dataclass
class Holder:
    """One invitee as the mail knows them: what they hold and what they replied."""

    invitee: Invitee
    held: str
    partstat: str = "NEEDS-ACTION"
    stored: bool = False


async def holders(meeting_id: uuid.UUID) -> dict[str, Holder]:
    """Who holds the meeting, by lower-cased address; invitees mailed before per-recipient
    records existed are read from ``sent_invitation`` (they hold an unknown version)."""
    rows = await InvitationRecipient.select().where(InvitationRecipient.meeting_id == meeting_id)
    if rows:
        return {
            row["email"]: Holder(
                Invitee(row["name"], row["email"]), row["held"], row["partstat"], True
            )
            for row in rows
        }
    sent = await SentInvitation.select().where(SentInvitation.meeting_id == meeting_id).first()
    legacy = msgspec.json.decode(sent["recipients"]) if sent else []
    return {email.lower(): Holder(Invitee(name, email), "unknown") for name, email in legacy}


@dataclass(frozen=True)
class Outgoing:
    kind: str
    holder: Holder
    held: str


def plan(
    series: Series, people: Sequence[Invitee], known: dict[str, Holder], now: dt.datetime
) -> list[Outgoing]:
    """The messages this state of the meeting calls for, one per invitee at most."""
    row = series.row
    held = held_of(series).encode()
    ended = row["series_ends_at"] is not None and row["series_ends_at"] <= now
    invited = {} if row["status"] == "cancelled" else {p.email.lower(): p for p in people}
    found: list[Outgoing] = []
    for key, person in invited.items():
        holder = known.get(key) or Holder(person, "")
        holder.invitee = person
        if holder.held == held or (not holder.held and ended):
            continue
        found.append(Outgoing("update" if holder.held else "invitation", holder, held))
    for key, holder in known.items():
        if key not in invited and holder.held:
            kind = "cancelled" if row["status"] == "cancelled" else "removed"
            found.append(Outgoing(kind, holder, ""))
    return found


async def _organizer(series: Series, settings: Settings) -> tuple[str, Organizer]:
    network = (
        await Network.select(Network.name).where(Network.id == series.row["network_id"]).first()
    )
    name = network["name"] if network else settings.sender_name or "Samverkan"
    return name, Organizer(name, settings.reply_address, rsvp=bool(settings.imap_host))


async def queue_meeting(series: Series, settings: Settings, now: dt.datetime | None = None) -> int:
    """Queue the messages the meeting's present state calls for; returns how many."""
    moment = now or dt.datetime.now(dt.UTC)
    known = await holders(series.id)
    people = [] if series.row["status"] == "cancelled" else await invitees(series)
    outgoing = plan(series, people, known, moment)
    if not outgoing:
        return 0
    network, organizer = await _organizer(series, settings)
    current = held_of(series)
    async with transaction():
        for item in outgoing:
            await _queue(series, item, network, organizer, current, settings, moment)
    return len(outgoing)


async def _queue(
    series: Series,
    item: Outgoing,
    network: str,
    organizer: Organizer,
    current: Held,
    settings: Settings,
    now: dt.datetime,
) -> None:
    person, key = item.holder.invitee, item.holder.invitee.email.lower()
    method = KINDS[item.kind][0]
    before = Held.decode(item.holder.held)
    shown = current if method == "REQUEST" else before or current
    calendar = itip_calendar(series, method, organizer, person, item.holder.partstat)
    continues = series.row.get("split_from_id") is not None
    body = body_text(item.kind, network, shown, before, organizer, continues)
    mail = message(item.kind, calendar, body, person, settings, now)
    meeting_id = series.id
    await InvitationDelivery.update(
        {InvitationDelivery.status: "superseded"}, use_auto_update=False
    ).where(
        (InvitationDelivery.meeting_id == meeting_id)
        & (InvitationDelivery.recipient == person.email)
        & InvitationDelivery.status.is_in(["pending", "held"])
    )
    held = await wants_digest(person.email)
    await InvitationDelivery.insert(
        InvitationDelivery(
            meeting_id=meeting_id,
            recipient=person.email,
            kind=item.kind,
            sequence=series.row["sequence"],
            message_id=str(mail["Message-ID"]),
            message=mail.as_string(),
            status="held" if held else "pending",
            next_attempt_at=next_digest(now, settings.invitation_digest_hour) if held else now,
            created_at=now,
        )
    )
    values = {
        InvitationRecipient.name: person.name,
        InvitationRecipient.held: item.held,
        InvitationRecipient.updated_at: now,
    }
    if item.holder.stored:
        await InvitationRecipient.update(values, use_auto_update=False).where(  # type: ignore[arg-type]
            (InvitationRecipient.meeting_id == meeting_id) & (InvitationRecipient.email == key)
        )
    else:
        await InvitationRecipient.insert(
            InvitationRecipient(
                meeting_id=meeting_id, email=key, name=person.name, held=item.held, updated_at=now
            )
        )
        item.holder.stored = True


def invitation_worker(interval: float = 1.0) -> OutboxWorker:
    """The outbox consumer that queues invitations (started when ``SMTP_HOST`` is set)."""

    async def apply(changes: Sequence[Change]) -> None:
        settings = get_settings()
        ids = list(dict.fromkeys(c.resource_id for c in changes if c.resource_type == "meeting"))
        if not ids or not settings.smtp_host:
            return
        for series in await load_series([Meeting.id.is_in(ids)]):
            await queue_meeting(series, settings)

    return OutboxWorker(CONSUMER, apply, interval=interval)


async def mail_pending(worker: OutboxWorker | None = None) -> int:
    """Queue what the outbox holds, then send what is due; returns the messages sent."""
    await (worker or invitation_worker()).drain()
    return await deliver_due(get_settings())


async def run_invitations(interval: float = 1.0, max_backoff: float = 60.0) -> None:
    """Queue and send until cancelled, and read replies every ``IMAP_INTERVAL_SECONDS``; a
    failing round is retried with backoff."""
    worker = invitation_worker(interval)
    loop = asyncio.get_running_loop()
    delay, replies_due = interval, loop.time()
    while True:
        try:
            await mail_pending(worker)
            settings = get_settings()
            if settings.imap_host and loop.time() >= replies_due:
                replies_due = loop.time() + settings.imap_interval_seconds
                await read_replies(settings)
            delay = interval
        except asyncio.CancelledError:
            raise
        except Exception as error:
            SYNC_FAILURES.labels(CONSUMER).inc()
            delay = min(max_backoff, max(delay * 2, interval * 2))
            log.warning(
                "invitations failed (%s: %s); retrying in %.1f s",
                type(error).__name__,
                error,
                delay,
            )
        await asyncio.sleep(delay)


async def without_invitations(load: Callable[[], Awaitable[int]]) -> int:
    """Run ``load`` (the demo data) so that nothing it writes is ever mailed: its addresses are
    invented and no one asked for its meetings. The invitations consumer is held while it runs
    and then moved past its changes, unless older changes still wait to be mailed."""
    lease = OutboxWorker(CONSUMER, _nothing).lease
    async with lease.held(wait=60) as cursor:
        before = await _last_change()
        made = await load()
        if made and cursor is not None and cursor >= before:
            await lease.advance(await _last_change())
    return made


async def _last_change() -> int:
    row = await ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id, ascending=False).first()
    return int(row["id"]) if row else 0


async def _nothing(changes: Sequence[Change]) -> None:
    return None
