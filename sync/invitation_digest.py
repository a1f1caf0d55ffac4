"""The daily digest: for invitees who asked for it (``invitation_preference.digest``), the day's
invitation messages are held and, at ``INVITATION_DIGEST_HOUR``, gathered into one mail.

A held message waits with status ``held`` until the next digest hour. Then each recipient's
held messages become one mail: the text of each, one after another, and each meeting's newest
iTIP object as an attachment (an older message about the same meeting is superseded, since the
newer object replaces it in the calendar anyway). The held rows become ``digested`` and name
the digest's row in ``last_error`` so the meeting page can follow them to its delivery.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections import defaultdict
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from directory.core.database import transaction
from directory.core.settings import Settings
from sync.invitation_tables import InvitationDelivery, InvitationPreference

ZONE = ZoneInfo("Europe/Stockholm")


async def wants_digest(address: str) -> bool:
    row = (
        await InvitationPreference.select(InvitationPreference.digest)
        .where(InvitationPreference.email == address.lower())
        .first()
    )
    return bool(row and row["digest"])


async def set_digest(address: str, digest: bool) -> None:
    key = address.lower()
    now = dt.datetime.now(dt.UTC)
    if await InvitationPreference.exists().where(InvitationPreference.email == key):
        await InvitationPreference.update(
            {InvitationPreference.digest: digest, InvitationPreference.updated_at: now},
            use_auto_update=False,
        ).where(InvitationPreference.email == key)
    else:
        await InvitationPreference.insert(
            InvitationPreference(email=key, digest=digest, updated_at=now)
        )


def next_digest(now: dt.datetime, hour: int) -> dt.datetime:
    """The next digest time after ``now``, at ``hour`` Stockholm time."""
    local = now.astimezone(ZONE)
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if due <= local:
        due = (local + dt.timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return due.astimezone(dt.UTC)


def _parts(stored: str) -> tuple[str, str, bytes]:
    """Subject, text and iTIP attachment of one stored message."""
    mail = email.message_from_string(stored, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    body = mail.get_body(("plain",))
    text = str(body.get_content()) if body is not None else ""
    ics = b""
    for part in mail.iter_attachments():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            ics = payload
    return str(mail["Subject"]), text, ics


def digest_message(
    recipient: str, stored: list[str], settings: Settings, now: dt.datetime
) -> EmailMessage:
    mail = EmailMessage(policy=email.policy.SMTP)
    parts = [_parts(text) for text in stored]
    count = len(parts)
    mail["Subject"] = f"Samverkan: {count} {'möte' if count == 1 else 'möten'} har nyheter"
    mail["From"] = settings.smtp_from
    mail["To"] = recipient
    if settings.reply_address != settings.sender_address:
        mail["Reply-To"] = settings.reply_address
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=settings.sender_address.rpartition("@")[2])
    mail["Auto-Submitted"] = "auto-generated"
    sections = [f"{subject}\n\n{text.strip()}" for subject, text, _ in parts]
    intro = "Dagens sammanfattning av dina inbjudningar. Öppna de bifogade filerna så uppdateras "
    intro += "mötena i din kalender."
    mail.set_content(intro + "\n\n" + "\n\n----\n\n".join(sections) + "\n", cte="quoted-printable")
    for index, (_, _, ics) in enumerate(parts, start=1):
        mail.add_attachment(
            ics, maintype="application", subtype="ics", filename=f"mote-{index}.ics"
        )
    return mail


async def compose_digests(settings: Settings, now: dt.datetime) -> int:
    """Gather every recipient's due held messages into one digest each; returns how many."""
    due = (InvitationDelivery.status == "held") & (InvitationDelivery.next_attempt_at <= now)
    rows = await InvitationDelivery.select().where(due).order_by(InvitationDelivery.id)
    by_recipient: defaultdict[str, dict[object, dict[str, object]]] = defaultdict(dict)
    for row in rows:
        by_recipient[row["recipient"].lower()][row["meeting_id"]] = row  # the newest wins
    for recipient, newest in by_recipient.items():
        mail = digest_message(
            recipient, [str(r["message"]) for r in newest.values()], settings, now
        )
        first = next(iter(newest.values()))
        async with transaction():
            created = await InvitationDelivery.insert(
                InvitationDelivery(
                    meeting_id=first["meeting_id"],
                    recipient=recipient,
                    kind="digest",
                    message_id=str(mail["Message-ID"]),
                    message=mail.as_string(),
                    next_attempt_at=now,
                    created_at=now,
                )
            ).returning(InvitationDelivery.id)
            ids = [r["id"] for r in rows if r["recipient"].lower() == recipient]
            kept = [r["id"] for r in newest.values()]
            await InvitationDelivery.update(
                {
                    InvitationDelivery.status: "digested",
                    InvitationDelivery.last_error: f"digest:{created[0]['id']}",
                },
                use_auto_update=False,
            ).where(InvitationDelivery.id.is_in(kept))
            superseded = [i for i in ids if i not in kept]
            if superseded:
                await InvitationDelivery.update(
                    {InvitationDelivery.status: "superseded"}, use_auto_update=False
                ).where(InvitationDelivery.id.is_in(superseded))
    return len(by_recipient)
