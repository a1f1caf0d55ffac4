"""Sending queued invitation messages: per recipient, over one SMTP connection, paced.

Every message is an ``invitation_delivery`` row. :func:`deliver_due` claims the rows that are
due (a conditional UPDATE moves their ``next_attempt_at`` past a claim period, so two workers
never send the same row at once, and a worker killed mid-send frees its rows when the period
ends), sends them one after another on one connection with ``SMTP_PACE_MS`` between them, and
records each outcome on its own row (RFC 5321 section 4.2.1: 4yz is transient, 5yz permanent):

- 2xx: ``sent``;
- 4xx, or the server unreachable: tried again after ``SMTP_RETRY_SECONDS``, doubling with each
  try, until ``SMTP_MAX_ATTEMPTS``; only that message waits, the others go on;
- 5xx: ``failed`` with the server's answer, never retried (the meeting page shows it).

Held messages whose daily digest is due are gathered first (:mod:`sync.invitation_digest`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass

from directory.core.settings import Settings
from sync.invitation_digest import compose_digests
from sync.invitation_tables import InvitationDelivery

log = logging.getLogger(__name__)
CLAIM = dt.timedelta(minutes=10)
BATCH = 200
MAX_DELAY = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Outcome:
    """What the server said to one message: ``code`` 250 for sent, 4xx/5xx as answered,
    0 when the server could not be reached (transient)."""

    code: int
    text: str

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    @property
    def said(self) -> str:
        """The answer as recorded: '' for sent, the text alone when no server answered."""
        if self.code == 250:
            return ""
        return self.text if self.code == 0 else f"{self.code} {self.text}".strip()


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient: str
    message: str
    attempts: int


def _outcome(error: Exception) -> Outcome:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(error.recipients.values()))
        return Outcome(int(code), answer.decode(errors="replace"))
    if isinstance(error, smtplib.SMTPResponseException):
        said: bytes | str = error.smtp_error
        text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
        return Outcome(error.smtp_code, text)
    return Outcome(0, f"{type(error).__name__}: {error}")


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    if settings.smtp_starttls:
        smtp.starttls()
    if settings.smtp_username:
        smtp.login(settings.smtp_username, settings.smtp_password)
    return smtp


def send_all(settings: Settings, items: Sequence[Claimed]) -> list[Outcome]:
    """Send ``items`` in order on one connection (a new one only if the server drops it);
    one outcome per item. A server that cannot be reached (or refuses the connection itself)
    is a transient outcome for every item left, whatever its code: no recipient was refused.
    Runs in a thread: smtplib blocks."""
    outcomes: list[Outcome] = []
    smtp: smtplib.SMTP | None = None
    try:
        for index, item in enumerate(items):
            if index and settings.smtp_pace_ms:
                time.sleep(settings.smtp_pace_ms / 1000)
            if smtp is None:
                try:
                    smtp = _connect(settings)
                except (smtplib.SMTPException, OSError) as error:
                    unreachable = Outcome(0, f"{type(error).__name__}: {error}")
                    outcomes += [unreachable] * (len(items) - index)
                    break
            try:
                smtp.sendmail(settings.sender_address, [item.recipient], item.message.encode())
                outcomes.append(Outcome(250, "OK"))
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPDataError,
                smtplib.SMTPSenderRefused,
            ) as error:
                outcomes.append(_outcome(error))
            except (smtplib.SMTPException, OSError) as error:
                outcomes.append(Outcome(0, f"{type(error).__name__}: {error}"))
                _close(smtp)
                smtp = None
    finally:
        if smtp is not None:
            _close(smtp)
    return outcomes


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


async def claim_due(now: dt.datetime, limit: int = BATCH) -> list[Claimed]:
    """The rows due at ``now``, claimed for :data:`CLAIM` so no other worker sends them."""
    due = (InvitationDelivery.status == "pending") & (InvitationDelivery.next_attempt_at <= now)
    ids = (
        InvitationDelivery.select(InvitationDelivery.id)
        .where(due)
        .order_by(InvitationDelivery.id)
        .limit(limit)
    )
    rows = (
        await InvitationDelivery.update(
            {InvitationDelivery.next_attempt_at: now + CLAIM}, use_auto_update=False
        )
        .where(due & InvitationDelivery.id.is_in(ids))
        .returning(
            InvitationDelivery.id,
            InvitationDelivery.recipient,
            InvitationDelivery.message,
            InvitationDelivery.attempts,
        )
    )
    return sorted(
        (Claimed(r["id"], r["recipient"], r["message"], r["attempts"]) for r in rows),
        key=lambda item: item.id,
    )


async def record(item: Claimed, outcome: Outcome, settings: Settings, now: dt.datetime) -> None:
    attempts = item.attempts + 1
    values: dict[object, object] = {
        InvitationDelivery.attempts: attempts,
        InvitationDelivery.last_error: outcome.said,
    }
    if outcome.code == 250:
        values.update({InvitationDelivery.status: "sent", InvitationDelivery.sent_at: now})
    elif outcome.permanent or attempts >= settings.smtp_max_attempts:
        values[InvitationDelivery.status] = "failed"
        log.warning(
            "invitation to %s failed for good: %s",
            item.recipient,
            values[InvitationDelivery.last_error],
        )
    else:
        delay = dt.timedelta(seconds=settings.smtp_retry_seconds * 2 ** (attempts - 1))
        values[InvitationDelivery.next_attempt_at] = now + min(delay, MAX_DELAY)
    await InvitationDelivery.update(values, use_auto_update=False).where(  # type: ignore[arg-type]
        (InvitationDelivery.id == item.id) & (InvitationDelivery.status == "pending")
    )


async def deliver_due(settings: Settings, now: dt.datetime | None = None) -> int:
    """Send every message due at ``now`` (default: the present); returns how many were sent."""
    sent = 0
    await compose_digests(settings, now or dt.datetime.now(dt.UTC))
    while True:
        moment = now or dt.datetime.now(dt.UTC)
        items = await claim_due(moment)
        if not items:
            return sent
        outcomes = await asyncio.to_thread(send_all, settings, items)
        finished = now or dt.datetime.now(dt.UTC)
        for item, outcome in zip(items, outcomes, strict=True):
            await record(item, outcome, settings, finished)
            sent += outcome.code == 250
        if len(items) < BATCH:
            return sent
