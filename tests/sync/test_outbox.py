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
from prometheus_client import REGISTRY

from directory.access import Principal, Role
from directory.records import RecordService
from directory.resources import ORGANIZATIONS
from directory.schemas import OrganizationIn
from directory.tables import ChangeEvent
from sync.outbox import Change, OutboxWorker
from sync.tables import OutboxCursor
from tests.conftest import run_async

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
    while await worker.step():
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
