"""The outbox worker: applies ``change_event`` rows to a consumer, in order, exactly once.

Each consumer (the search index now; CardDAV and CalDAV push later) has a name, an apply
callback and a row in ``outbox_cursor`` holding the last event it applied. A step claims the
consumer by locking that row (``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` on
SQLite), reads the events after the cursor, applies them and advances the cursor in the same
transaction. So two worker processes never apply the same change twice, and a failing apply
leaves the cursor where it was: the changes wait in the outbox until the consumer is back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from piccolo.engine.postgres import PostgresEngine

from directory.database import engine, transaction
from directory.metrics import SYNC_FAILURES
from directory.tables import ChangeEvent
from sync.tables import OutboxCursor

log = logging.getLogger(__name__)
# SQLite's BEGIN IMMEDIATE (see directory.database.transaction) already locks the database.
_LOCK_SQLITE = "SELECT last_id FROM outbox_cursor WHERE consumer = {}"
_LOCK_POSTGRES = _LOCK_SQLITE + " FOR UPDATE"


@dataclass(frozen=True)
class Change:
    """One outbox event as a consumer sees it."""

    id: int
    resource_type: str
    resource_id: uuid.UUID
    operation: str


Apply = Callable[[Sequence[Change]], Awaitable[None]]


@asynccontextmanager
async def claimed(consumer: str) -> AsyncIterator[int]:
    """A transaction holding ``consumer``'s cursor lock; yields the last applied event id."""
    await OutboxCursor.raw(
        "INSERT INTO outbox_cursor (consumer, last_id, updated_at) "
        "VALUES ({}, 0, CURRENT_TIMESTAMP) ON CONFLICT (consumer) DO NOTHING",
        consumer,
    )
    async with transaction():
        sql = _LOCK_POSTGRES if isinstance(engine(), PostgresEngine) else _LOCK_SQLITE
        rows = await OutboxCursor.raw(sql, consumer)
        yield int(rows[0]["last_id"])


async def advance(consumer: str, last_id: int) -> None:
    """Move the cursor (inside :func:`claimed`)."""
    await OutboxCursor.update(
        {OutboxCursor.last_id: last_id, OutboxCursor.updated_at: dt.datetime.now(dt.UTC)}
    ).where(OutboxCursor.consumer == consumer)


class OutboxWorker:
    """Runs one consumer: :meth:`drain` once (tests, CLI) or :meth:`run` until cancelled."""

    def __init__(
        self,
        consumer: str,
        apply: Apply,
        batch_size: int = 200,
        interval: float = 0.2,
        max_backoff: float = 30.0,
    ) -> None:
        self.consumer = consumer
        self.apply = apply
        self.batch_size = batch_size
        self.interval = interval
        self.max_backoff = max_backoff

    async def step(self) -> int:
        """Apply the next batch; returns how many events it applied (0: nothing waiting)."""
        async with claimed(self.consumer) as last_id:
            rows = (
                await ChangeEvent.select()
                .where(ChangeEvent.id > last_id)
                .order_by(ChangeEvent.id)
                .limit(self.batch_size)
            )
            if not rows:
                return 0
            changes = [
                Change(row["id"], row["resource_type"], row["resource_id"], row["operation"])
                for row in rows
            ]
            await self.apply(changes)
            await advance(self.consumer, changes[-1].id)
            return len(changes)

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
