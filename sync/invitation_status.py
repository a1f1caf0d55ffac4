"""What the coordinator sees of a meeting's invitations: per invitee, the latest message's
delivery and the participation they replied."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sync.invitation_tables import InvitationDelivery, InvitationPreference, InvitationRecipient


@dataclass(frozen=True)
class InviteeStatus:
    """``delivery``: sent, pending (``next_attempt_at`` says when it is tried again), held (for
    the daily digest), failed, or '' when nothing was mailed; ``error`` is the mail server's last
    answer. A message gone out in a digest shows the digest's delivery (``kind`` "digest")."""

    name: str
    email: str
    digest: bool
    invited: bool
    partstat: str
    replied_at: dt.datetime | None
    delivery: str
    kind: str
    error: str
    attempts: int
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None


async def invitation_status(meeting_id: uuid.UUID) -> list[InviteeStatus]:
    recipients = await InvitationRecipient.select().where(
        InvitationRecipient.meeting_id == meeting_id
    )
    deliveries = (
        await InvitationDelivery.select(
            InvitationDelivery.recipient,
            InvitationDelivery.kind,
            InvitationDelivery.status,
            InvitationDelivery.last_error,
            InvitationDelivery.attempts,
            InvitationDelivery.sent_at,
            InvitationDelivery.next_attempt_at,
        )
        .where(
            (InvitationDelivery.meeting_id == meeting_id)
            & (InvitationDelivery.status != "superseded")
        )
        .order_by(InvitationDelivery.id)
    )
    latest = {row["recipient"].lower(): row for row in deliveries}
    digests = [
        int(r["last_error"].removeprefix("digest:"))
        for r in latest.values()
        if r["status"] == "digested"
    ]
    if digests:
        for row in await InvitationDelivery.select(
            InvitationDelivery.id,
            InvitationDelivery.status,
            InvitationDelivery.last_error,
            InvitationDelivery.attempts,
            InvitationDelivery.sent_at,
            InvitationDelivery.next_attempt_at,
        ).where(InvitationDelivery.id.is_in(digests)):
            for key, item in latest.items():
                if item["last_error"] == f"digest:{row['id']}":
                    latest[key] = {**item, **row, "kind": "digest"}
    preferences = {
        row["email"]
        for row in await InvitationPreference.select(InvitationPreference.email).where(
            InvitationPreference.digest == True  # noqa: E712
        )
    }
    found = []
    for row in sorted(recipients, key=lambda r: (r["name"].lower(), r["email"])):
        sent = latest.get(row["email"], {})
        waiting = sent.get("status") in {"pending", "held"}
        found.append(
            InviteeStatus(
                name=row["name"],
                email=row["email"],
                digest=row["email"] in preferences,
                invited=bool(row["held"]),
                partstat=row["partstat"],
                replied_at=row["replied_at"],
                delivery=sent.get("status", ""),
                kind=sent.get("kind", ""),
                error=sent.get("last_error", ""),
                attempts=sent.get("attempts", 0),
                sent_at=sent.get("sent_at"),
                next_attempt_at=sent.get("next_attempt_at") if waiting else None,
            )
        )
    return found
