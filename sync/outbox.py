"""The outbox worker: applies ``change_event`` rows to a consumer, in order, exactly once.

Each consumer (the search index, CardDAV and CalDAV push, invitations) has a name, an apply
callback and a row in ``outbox_cursor`` holding the last event it applied. A worker claims a
consumer with a *lease* on that row rather than an open transaction: one conditional UPDATE
takes it when it is free or has run out, the batch is applied outside any transaction (so a push
to a slow CalDAV server holds no database lock and SQLite writers never wait on it), and the
cursor moves only while the worker still holds the lease (fencing). A long batch or a rebuild
renews the lease as it goes; a killed worker's lease runs out after
``SAMVERKAN_OUTBOX_LEASE_SECONDS``. A failing apply leaves the cursor where it was: the changes
wait in the outbox until the consumer is back.

Consumers must be idempotent: a worker that stalls past its lease may have applied a batch that
the next holder applies again. Only the cursor is fenced, never the consumer's own side effects.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from directory.core.database import engine
from directory.core.metrics import SYNC_FAILURES
from directory.core.settings import get_settings
from directory.core.tables import ChangeEvent
from sync.tables import OutboxCursor

log = logging.getLogger(__name__)
RELEASE_TIMEOUT_SECONDS = 10.0
_WAIT_STEP_SECONDS = 0.2
# The database's clock in milliseconds, so that workers on several hosts agree on expiry.
_NOW_POSTGRES = "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)"
_NOW_SQLITE = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"


@dataclass(frozen=True)
class Change:
    """One outbox event as a consumer sees it."""

    id: int
    resource_type: str
    resource_id: uuid.UUID
    operation: str


Apply = Callable[[Sequence[Change]], Awaitable[None]]


class LeaseLost(RuntimeError):
    """Our lease ran out and another worker took the consumer; its cursor is not ours to move."""


class LeaseBusy(RuntimeError):
    """Another worker kept the consumer for longer than we were willing to wait."""


def new_owner() -> str:
    """A worker's identity in ``leased_by``: host and pid for the operator, random for safety."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _now_sql() -> str:
    return _NOW_POSTGRES if isinstance(engine(), PostgresEngine) else _NOW_SQLITE


async def _write(sql: str, *args: Any) -> list[dict[str, Any]]:
    """One statement, committed at once (the worker opens no transaction around it)."""
    rows: list[dict[str, Any]] = await OutboxCursor.raw(sql.replace("NOW_MS", _now_sql()), *args)
    return rows


class Lease:
    """A worker's claim on one consumer's cursor row."""

    def __init__(self, consumer: str, seconds: float, owner: str | None = None) -> None:
        self.consumer = consumer
        self.seconds = seconds
        self.owner = owner or new_owner()

    async def take(self) -> int | None:
        """The cursor if we now hold the lease, ``None`` if another worker holds it."""
        await _write(
            "INSERT INTO outbox_cursor (consumer, last_id, updated_at, leased_by, lease_until) "
            "VALUES ({}, 0, CURRENT_TIMESTAMP, '', 0) ON CONFLICT (consumer) DO NOTHING",
            self.consumer,
        )
        rows = await _write(
            "UPDATE outbox_cursor SET leased_by = {}, lease_until = NOW_MS + {} "
            "WHERE consumer = {} AND (leased_by = '' OR leased_by = {} OR lease_until < NOW_MS) "
            "RETURNING last_id",
            self.owner,
            int(self.seconds * 1000),
            self.consumer,
            self.owner,
        )
        return int(rows[0]["last_id"]) if rows else None

    async def renew(self) -> bool:
        """Extend the lease; ``False`` if it is no longer ours."""
        rows = await _write(
            "UPDATE outbox_cursor SET lease_until = NOW_MS + {} "
            "WHERE consumer = {} AND leased_by = {} RETURNING consumer",
            int(self.seconds * 1000),
            self.consumer,
            self.owner,
        )
        return bool(rows)

    async def advance(self, last_id: int) -> None:
        """Move the cursor; raises :class:`LeaseLost` unless we still hold the lease."""
        rows = await _write(
            "UPDATE outbox_cursor SET last_id = {}, updated_at = CURRENT_TIMESTAMP "
            "WHERE consumer = {} AND leased_by = {} RETURNING consumer",
            last_id,
            self.consumer,
            self.owner,
        )
        if not rows:
            raise LeaseLost(f"outbox consumer {self.consumer}: lease lost; cursor not moved")

    async def release(self) -> None:
        """Give the lease back; through a fresh connection if the pool is already closing."""
        sql = (
            "UPDATE outbox_cursor SET leased_by = '', lease_until = 0 "
            "WHERE consumer = {} AND leased_by = {}"
        )
        try:
            await _write(sql, self.consumer, self.owner)
        except Exception:
            await OutboxCursor.raw(sql, self.consumer, self.owner).run(in_pool=False)

    async def holder(self) -> str:
        row = (
            await OutboxCursor.select(OutboxCursor.leased_by)
            .where(OutboxCursor.consumer == self.consumer)
            .first()
        )
        return str(row["leased_by"]) if row else ""

    async def _take_within(self, wait: float) -> int | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (last_id := await self.take()) is None:
            if loop.time() >= deadline:
                if wait > 0:
                    raise LeaseBusy(
                        f"outbox consumer {self.consumer} is held by {await self.holder()!r}; "
                        f"gave up after {wait:.0f} s, try again"
                    )
                return None
            await asyncio.sleep(_WAIT_STEP_SECONDS)
        return last_id

    async def _keep(self) -> None:
        """Renew every third of the lease until cancelled (or until the lease is lost)."""
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                if not await self.renew():
                    log.warning("outbox consumer %s: lease lost to another worker", self.consumer)
                    return
            except Exception as error:
                log.warning("outbox consumer %s: lease not renewed (%s)", self.consumer, error)

    async def _release_surely(self) -> None:
        """Release even if we are cancelled again meanwhile: the release runs as its own task
        that a second ``cancel()`` does not reach, bounded by ``RELEASE_TIMEOUT_SECONDS``. If it
        still fails (the database is gone), the lease runs out by itself."""
        release = asyncio.ensure_future(self.release())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RELEASE_TIMEOUT_SECONDS
        cancelled = False
        while not release.done() and loop.time() < deadline:
            try:
                await asyncio.wait({release}, timeout=deadline - loop.time())
            except asyncio.CancelledError:
                cancelled = True
        if not release.done():
            release.cancel()
        elif not release.cancelled() and (error := release.exception()) is not None:
            log.warning(
                "outbox consumer %s: lease not released (%s); it runs out in %.0f s",
                self.consumer,
                error,
                self.seconds,
            )
        if cancelled:
            raise asyncio.CancelledError

    @asynccontextmanager
    async def held(self, wait: float = 0.0) -> AsyncIterator[int | None]:
        """Hold the lease for the block, renewing it, and yield the cursor; yield ``None`` at
        once if another worker holds it (``wait=0``) or raise :class:`LeaseBusy` after
        ``wait`` seconds. The lease is released on every exit, cancellation included."""
        try:
            last_id = await self._take_within(wait)
        except BaseException:
            await self._release_surely()  # the UPDATE may have committed before we were stopped
            raise
        if last_id is None:
            yield None
            return
        keeper = asyncio.create_task(self._keep())
        try:
            yield last_id
        finally:
            keeper.cancel()
            await self._release_surely()


class OutboxWorker:
    """Runs one consumer: :meth:`drain` once (tests, CLI) or :meth:`run` until cancelled."""

    def __init__(
        self,
        consumer: str,
        apply: Apply,
        batch_size: int = 200,
        interval: float = 0.2,
        max_backoff: float = 30.0,
        lease_seconds: float | None = None,
    ) -> None:
        self.consumer = consumer
        self.apply = apply
        self.batch_size = batch_size
        self.interval = interval
        self.max_backoff = max_backoff
        self.lease = Lease(consumer, lease_seconds or get_settings().outbox_lease_seconds)

    async def pending(self) -> bool:
        """Whether events wait for this consumer (one read: no lease, no lock, no write)."""
        rows = await ChangeEvent.raw(
            "SELECT coalesce((SELECT max(id) FROM change_event), 0) > coalesce("
            "(SELECT last_id FROM outbox_cursor WHERE consumer = {}), 0) AS pending",
            self.consumer,
        )
        return bool(rows[0]["pending"])

    async def step(self) -> int:
        """Apply the next batch; returns how many events it applied (0: nothing waiting, or
        another worker holds the consumer this round)."""
        if not await self.pending():
            return 0
        async with self.lease.held() as last_id:
            if last_id is None:
                return 0
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
                await self.lease.advance(changes[-1].id)
            return len(changes)

    async def drain(self) -> int:
        """Apply everything waiting that no other worker is applying; returns how many."""
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
