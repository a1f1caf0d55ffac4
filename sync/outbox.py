"""The outbox worker: applies ``change_event`` rows to a consumer, in order, exactly once.

Each consumer (the search index, CardDAV and CalDAV push) has a name, an apply callback and a
row in ``outbox_cursor`` holding the last event it applied. A step first checks, without any
lock, whether events are waiting; then it takes the consumer's lease (one conditional UPDATE,
so two worker processes never hold it at once), applies the events and advances the cursor only
while it still holds the lease. The lease is a row, not an open transaction: a consumer that
talks to a slow CalDAV server holds no database lock meanwhile, so SQLite writers never wait on
it. A failing apply leaves the cursor where it was: the changes wait until the consumer is back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Max

from directory.metrics import SYNC_FAILURES
from directory.tables import ChangeEvent
from sync.tables import OutboxCursor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """One outbox event as a consumer sees it."""

    id: int
    resource_type: str
    resource_id: uuid.UUID
    operation: str


Apply = Callable[[Sequence[Change]], Awaitable[None]]


class LeaseLost(RuntimeError):
    """Another worker took the consumer over (our lease ran out); its cursor is not ours to move."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _cursor(consumer: str) -> int:
    await OutboxCursor.raw(
        "INSERT INTO outbox_cursor (consumer, last_id, updated_at, lease_owner) "
        "VALUES ({}, 0, CURRENT_TIMESTAMP, '') ON CONFLICT (consumer) DO NOTHING",
        consumer,
    )
    row = (
        await OutboxCursor.select(OutboxCursor.last_id)
        .where(OutboxCursor.consumer == consumer)
        .first()
    )
    return int(row["last_id"]) if row else 0


async def _newest_event() -> int:
    row = await ChangeEvent.select(Max(ChangeEvent.id).as_alias("newest")).first()
    return int(row["newest"] or 0) if row else 0


async def take_lease(consumer: str, owner: str, seconds: float) -> int | None:
    """The cursor if ``owner`` now holds the consumer's lease, ``None`` if another worker does."""
    now = _now()
    taken = (
        await OutboxCursor.update(
            {
                OutboxCursor.lease_owner: owner,
                OutboxCursor.lease_until: now + dt.timedelta(seconds=seconds),
            }
        )
        .where(
            (OutboxCursor.consumer == consumer)
            & (
                OutboxCursor.lease_until.is_null()
                | (OutboxCursor.lease_until < now)
                | (OutboxCursor.lease_owner == owner)
            )
        )
        .returning(OutboxCursor.last_id)
    )
    return int(taken[0]["last_id"]) if taken else None


async def advance(consumer: str, owner: str, last_id: int) -> None:
    """Move the cursor and give the lease back; raises :class:`LeaseLost` if it is not ours."""
    moved = (
        await OutboxCursor.update(
            {
                OutboxCursor.last_id: last_id,
                OutboxCursor.updated_at: _now(),
                OutboxCursor.lease_owner: "",
                OutboxCursor.lease_until: None,
            }
        )
        .where((OutboxCursor.consumer == consumer) & (OutboxCursor.lease_owner == owner))
        .returning(OutboxCursor.consumer)
    )
    if not moved:
        raise LeaseLost(consumer)


async def release(consumer: str, owner: str) -> None:
    await OutboxCursor.update({OutboxCursor.lease_owner: "", OutboxCursor.lease_until: None}).where(
        (OutboxCursor.consumer == consumer) & (OutboxCursor.lease_owner == owner)
    )


class OutboxWorker:
    """Runs one consumer: :meth:`drain` once (tests, CLI) or :meth:`run` until cancelled."""

    def __init__(
        self,
        consumer: str,
        apply: Apply,
        batch_size: int = 200,
        interval: float = 0.2,
        max_backoff: float = 30.0,
        lease_seconds: float = 300.0,
    ) -> None:
        self.consumer = consumer
        self.owner = secrets.token_hex(8)
        self.lease_seconds = lease_seconds
        self.apply = apply
        self.batch_size = batch_size
        self.interval = interval
        self.max_backoff = max_backoff

    async def pending(self) -> bool:
        """Whether events wait for this consumer (a read; takes no lease and no lock)."""
        return await _cursor(self.consumer) < await _newest_event()

    async def step(self) -> int:
        """Apply the next batch; returns how many events it applied (0: nothing to do here).

        The lease must outlast one batch; a batch that takes longer loses it and raises
        :class:`LeaseLost` rather than move a cursor another worker now owns.
        """
        if not await self.pending():
            return 0
        last_id = await take_lease(self.consumer, self.owner, self.lease_seconds)
        if last_id is None:
            return 0
        try:
            rows = (
                await ChangeEvent.select()
                .where(ChangeEvent.id > last_id)
                .order_by(ChangeEvent.id)
                .limit(self.batch_size)
            )
            changes = [
                Change(row["id"], row["resource_type"], row["resource_id"], row["operation"])
                for row in rows
            ]
            if changes:
                await self.apply(changes)
                await advance(self.consumer, self.owner, changes[-1].id)
            return len(changes)
        finally:
            await release(self.consumer, self.owner)

    async def drain(self) -> int:
        """Apply everything waiting; returns the number of events applied."""
        total = 0
        while applied := await self.step():
            total += applied
        return total

    async def run(self) -> None:
        """Drain, then poll every ``interval``; on failure retry with exponential backoff."""
        delay = self.interval
        while True:
            try:
                await self.drain()
                delay = self.interval
            except asyncio.CancelledError:
                raise
            except Exception as error:
                SYNC_FAILURES.labels(self.consumer).inc()
                delay = min(self.max_backoff, max(delay * 2, self.interval * 2))
                log.warning(
                    "outbox consumer %s failed (%s: %s); retrying in %.1f s",
                    self.consumer,
                    type(error).__name__,
                    error,
                    delay,
                )
            await asyncio.sleep(delay)
