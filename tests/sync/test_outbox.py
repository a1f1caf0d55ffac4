"""The outbox worker: order, cursor, retries with backoff, nothing lost, no double apply."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
from piccolo.engine.postgres import PostgresEngine
from prometheus_client import REGISTRY

from directory.core.access import Principal, Role
from directory.core.database import engine
from directory.core.settings import get_settings
from directory.core.tables import ChangeEvent
from directory.records.resources import ORGANIZATIONS
from directory.records.schemas import OrganizationIn
from directory.records.service import RecordService
from search.embedded import EmbeddedBackend
from sync.indexing import reindex
from sync.outbox import Change, Lease, LeaseBusy, LeaseLost, OutboxWorker
from sync.tables import OutboxCursor
from tests.conftest import IS_POSTGRES, run_async

ADMIN = Principal(uuid.uuid4(), "outbox-test", Role.ADMIN)


def _write(count: int) -> None:
    service = RecordService(ORGANIZATIONS, ADMIN)
    for n in range(count):
        run_async(service.create(OrganizationIn(name=f"Enhet {n}", kind="internal")))


def _cursor(consumer: str) -> int:
    row = run_async(OutboxCursor.select().where(OutboxCursor.consumer == consumer).first())
    return int(row["last_id"]) if row else 0


def _event_ids() -> list[int]:
    return [
        row["id"] for row in run_async(ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id))
    ]


def test_drain_applies_every_change_in_order_and_moves_the_cursor() -> None:
    applied: list[int] = []

    async def apply(changes: Sequence[Change]) -> None:
        applied.extend(change.id for change in changes)

    _write(5)
    worker = OutboxWorker("test", apply, batch_size=2)
    assert run_async(worker.drain()) == 5
    assert applied == _event_ids()
    assert _cursor("test") == applied[-1]
    assert run_async(worker.drain()) == 0
    _write(1)
    assert run_async(worker.drain()) == 1
    assert applied == _event_ids()


def test_consumers_keep_their_own_positions() -> None:
    seen: dict[str, list[int]] = {"carddav": [], "caldav": []}

    def recorder(name: str):  # type: ignore[no-untyped-def]
        async def apply(changes: Sequence[Change]) -> None:
            seen[name].extend(change.id for change in changes)

        return apply

    _write(2)
    run_async(OutboxWorker("carddav", recorder("carddav")).drain())
    _write(1)
    run_async(OutboxWorker("caldav", recorder("caldav")).drain())
    assert seen["carddav"] == _event_ids()[:2]
    assert seen["caldav"] == _event_ids()


def test_a_failing_consumer_loses_nothing_and_writes_continue() -> None:
    applied: list[int] = []
    down = True

    async def apply(changes: Sequence[Change]) -> None:
        if down:
            raise ConnectionError("backend down")
        applied.extend(change.id for change in changes)

    _write(2)
    with pytest.raises(ConnectionError):
        run_async(OutboxWorker("test", apply).drain())
    assert _cursor("test") == 0
    _write(2)
    down = False
    assert run_async(OutboxWorker("test", apply).drain()) == 4
    assert applied == _event_ids()


def test_run_retries_with_exponential_backoff() -> None:
    attempts: list[float] = []

    async def apply(changes: Sequence[Change]) -> None:
        attempts.append(time.monotonic())
        if len(attempts) <= 3:
            raise ConnectionError("backend down")

    _write(1)
    failures = {"consumer": "test"}
    before = REGISTRY.get_sample_value("samverkan_sync_failures_total", failures) or 0

    async def scenario() -> None:
        task = asyncio.create_task(OutboxWorker("test", apply, interval=0.05).run())
        while len(attempts) < 4:
            await asyncio.sleep(0.01)
        cursor = OutboxCursor.select(OutboxCursor.last_id).where(OutboxCursor.consumer == "test")
        while not (await cursor.first() or {}).get("last_id"):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(asyncio.wait_for(scenario(), timeout=10))
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.1
    assert gaps[1] >= 0.2
    assert gaps[2] >= 0.4
    assert REGISTRY.get_sample_value("samverkan_sync_failures_total", failures) == before + 3
    assert _cursor("test") == _event_ids()[-1]


_CONCURRENT = """
import asyncio, sys
from sync.outbox import OutboxWorker

async def apply(changes):
    with open(sys.argv[1], "a") as log:
        for change in changes:
            log.write(f"{change.id}\\n")
    await asyncio.sleep(0.02)

async def main():
    worker = OutboxWorker("shared", apply, batch_size=2)
    while await worker.pending():
        await worker.step()  # 0 while the other process holds the lease
        await asyncio.sleep(0.05)  # as run() polls: gives the other process its turn

asyncio.run(main())
"""


def test_two_worker_processes_never_apply_a_change_twice(tmp_path: Path) -> None:
    _write(40)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [
        subprocess.Popen([sys.executable, "-c", _CONCURRENT, str(log)], cwd=Path.cwd())
        for log in logs
    ]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0]
    applied = [int(line) for log in logs if log.exists() for line in log.read_text().split()]
    assert sorted(applied) == _event_ids()
    assert len(applied) == len(set(applied))
    assert all(log.exists() for log in logs), "both processes should have claimed some work"
    assert _cursor("shared") == _event_ids()[-1]
    assert _holder("shared") == "", "a finished worker left its lease behind"


def _holder(consumer: str) -> str:
    row = run_async(OutboxCursor.select().where(OutboxCursor.consumer == consumer).first())
    return str(row["leased_by"]) if row else ""


def test_a_worker_that_finds_the_consumer_held_applies_nothing() -> None:
    applied: list[int] = []

    async def apply(changes: Sequence[Change]) -> None:
        applied.extend(change.id for change in changes)

    _write(3)
    other = Lease("test", 60)
    assert run_async(other.take()) == 0
    assert run_async(OutboxWorker("test", apply).step()) == 0
    assert applied == []
    assert _cursor("test") == 0
    run_async(other.release())
    assert run_async(OutboxWorker("test", apply).drain()) == 3


def test_a_worker_whose_lease_ran_out_cannot_move_the_cursor() -> None:
    _write(2)
    stalled, successor = Lease("test", 60), Lease("test", 60)
    assert run_async(stalled.take()) == 0
    assert run_async(successor.take()) is None
    run_async(
        OutboxCursor.update({OutboxCursor.lease_until: 0}).where(OutboxCursor.consumer == "test")
    )
    assert run_async(successor.take()) == 0
    with pytest.raises(LeaseLost):
        run_async(stalled.advance(_event_ids()[-1]))
    assert _cursor("test") == 0
    run_async(successor.advance(_event_ids()[-1]))
    assert _cursor("test") == _event_ids()[-1]


def test_a_batch_longer_than_the_lease_keeps_it_by_renewing() -> None:
    _write(2)

    async def slow(changes: Sequence[Change]) -> None:
        await asyncio.sleep(2.5)

    intruded: list[int] = []

    async def intruder(changes: Sequence[Change]) -> None:
        intruded.extend(change.id for change in changes)

    async def scenario() -> int:
        batch = asyncio.create_task(OutboxWorker("test", slow, lease_seconds=1).step())
        while not await _holder_now("test"):
            await asyncio.sleep(0.01)
        for _ in range(4):  # past the 1 s lease several times over
            assert await OutboxWorker("test", intruder, lease_seconds=1).step() == 0
            await asyncio.sleep(0.5)
        return await batch

    assert run_async(asyncio.wait_for(scenario(), timeout=30)) == 2
    assert intruded == []
    assert _cursor("test") == _event_ids()[-1]
    assert _holder("test") == ""


async def _holder_now(consumer: str) -> str:
    row = await OutboxCursor.select().where(OutboxCursor.consumer == consumer).first()
    return str(row["leased_by"]) if row else ""


def test_writes_proceed_while_a_consumer_waits_on_the_network() -> None:
    """The claim is no open transaction: on SQLite a push used to hold the write lock."""
    _write(1)
    release = asyncio.Event()

    async def push(changes: Sequence[Change]) -> None:
        await release.wait()  # a slow CalDAV server

    async def scenario() -> float:
        batch = asyncio.create_task(OutboxWorker("caldav", push).step())
        while not await _holder_now("caldav"):
            await asyncio.sleep(0.01)
        started = time.monotonic()
        service = RecordService(ORGANIZATIONS, ADMIN)
        await service.create(OrganizationIn(name="Skrivs under push", kind="internal"))
        took = time.monotonic() - started
        release.set()
        assert await batch == 1
        return took

    assert run_async(asyncio.wait_for(scenario(), timeout=30)) < 2
    assert _cursor("caldav") == _event_ids()[0]


def test_a_worker_cancelled_mid_batch_gives_the_lease_back_at_once() -> None:
    """The case that made the first lease unusable: reindex waited on a cancelled worker."""
    _write(3)
    started = asyncio.Event()

    async def hang(changes: Sequence[Change]) -> None:
        started.set()
        await asyncio.sleep(3600)

    async def scenario() -> float:
        task = asyncio.create_task(OutboxWorker("search", hang).run())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        began = time.monotonic()
        assert await reindex(EmbeddedBackend()) == 3
        return time.monotonic() - began

    assert run_async(asyncio.wait_for(scenario(), timeout=30)) < 5
    assert _holder("search") == ""
    assert _cursor("search") == _event_ids()[-1]


def test_a_second_cancellation_does_not_skip_the_release(monkeypatch: pytest.MonkeyPatch) -> None:
    _write(1)
    started = asyncio.Event()
    real_release = Lease.release

    async def slow_release(self: Lease) -> None:
        await asyncio.sleep(0.5)  # a slow database: the caller is cancelled again meanwhile
        await real_release(self)

    monkeypatch.setattr(Lease, "release", slow_release)

    async def hang(changes: Sequence[Change]) -> None:
        started.set()
        await asyncio.sleep(3600)

    async def scenario() -> None:
        task = asyncio.create_task(OutboxWorker("test", hang).step())
        await started.wait()
        task.cancel()
        await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(asyncio.wait_for(scenario(), timeout=30))
    assert _holder("test") == ""
    assert _cursor("test") == 0


@pytest.mark.skipif(not IS_POSTGRES, reason="the connection pool exists only on PostgreSQL")
def test_the_lease_is_released_even_after_the_pool_closed() -> None:
    _write(1)
    started = asyncio.Event()

    async def hang(changes: Sequence[Change]) -> None:
        started.set()
        await asyncio.sleep(3600)

    async def scenario() -> None:
        db = engine()
        assert isinstance(db, PostgresEngine)
        await db.start_connection_pool(min_size=1, max_size=2)
        try:
            task = asyncio.create_task(OutboxWorker("test", hang).step())
            await started.wait()
        finally:
            await db.close_connection_pool()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(asyncio.wait_for(scenario(), timeout=30))
    assert _holder("test") == ""


def test_reindex_gives_up_with_a_clear_error_on_a_lease_held_too_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAMVERKAN_OUTBOX_LEASE_SECONDS", "2")
    get_settings.cache_clear()
    try:
        other = Lease("search", 600, owner="host:4242:stuck")  # a live worker that never lets go
        assert run_async(other.take()) == 0
        began = time.monotonic()
        with pytest.raises(LeaseBusy, match="host:4242:stuck"):
            run_async(reindex(EmbeddedBackend()))
        assert 3.5 < time.monotonic() - began < 15
    finally:
        monkeypatch.delenv("SAMVERKAN_OUTBOX_LEASE_SECONDS")
        get_settings.cache_clear()


def test_an_event_that_commits_late_is_never_skipped() -> None:
    """A consumer reads past its cursor, so events must commit in the order of their ids: while
    one write is open, a later write may not commit an event a worker could read past it."""
    from directory.core.change_log import log_change
    from directory.core.database import transaction

    async def scenario() -> tuple[list[int], list[int]]:
        first_inserted, release = asyncio.Event(), asyncio.Event()

        async def slow_write() -> None:
            async with transaction():
                await log_change(ADMIN, "update", "organization", uuid.uuid4(), {}, {})
                first_inserted.set()
                await release.wait()

        async def quick_write() -> None:
            await first_inserted.wait()
            async with transaction():
                await log_change(ADMIN, "update", "organization", uuid.uuid4(), {}, {})

        slow, quick = asyncio.create_task(slow_write()), asyncio.create_task(quick_write())
        await first_inserted.wait()
        await asyncio.sleep(1.0)  # time for the quick write to commit, if it could
        seen_while_open = [row["id"] for row in await ChangeEvent.select(ChangeEvent.id)]
        release.set()
        await asyncio.gather(slow, quick)
        return seen_while_open, [row["id"] for row in await ChangeEvent.select(ChangeEvent.id)]

    seen_while_open, committed = run_async(scenario())
    assert seen_while_open == []
    assert committed == sorted(committed) and len(committed) == 2
