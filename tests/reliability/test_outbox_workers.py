"""Several outbox workers share one database: each change is applied exactly once, and a worker
killed mid-batch resumes where the last committed batch ended."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner

from directory.core.tables import ChangeEvent
from samverkan.cli import main
from sync.outbox import Change, OutboxWorker
from sync.tables import OutboxCursor
from tests.conftest import run_async
from tests.reliability.conftest import ROOT
from tests.reliability.test_faults import wait_for

EVENTS = 240


def test_two_workers_never_apply_the_same_change_twice() -> None:
    run_async(
        ChangeEvent.insert(
            *[
                ChangeEvent(resource_type="organization", resource_id=uuid.uuid4(), operation="u")
                for _ in range(EVENTS)
            ]
        )
    )
    applied: list[int] = []
    lock = threading.Lock()

    async def apply(changes: Sequence[Change]) -> None:
        await asyncio.sleep(0.005)  # widen the window in which a second worker could interfere
        with lock:
            applied.extend(change.id for change in changes)

    def worker() -> None:
        asyncio.run(OutboxWorker("test-consumer", apply, batch_size=7).drain())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    ids = [row["id"] for row in run_async(ChangeEvent.select(ChangeEvent.id))]
    assert sorted(applied) == sorted(ids)
    assert len(set(applied)) == len(applied) == EVENTS


def cursor() -> int:
    row = run_async(OutboxCursor.select().where(OutboxCursor.consumer == "search").first())
    return int(row["last_id"]) if row else 0


def start_worker() -> subprocess.Popen[bytes]:
    """``samverkan worker`` with a short lease, so a killed one's claim frees itself soon."""
    return subprocess.Popen(
        [sys.executable, "-m", "samverkan", "worker"],
        cwd=ROOT,
        env={**os.environ, "SAMVERKAN_OUTBOX_LEASE_SECONDS": "3"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_killed_worker_resumes_from_its_last_committed_batch(tmp_path: Path) -> None:
    source = tmp_path / "foreningar.json"
    source.write_text(
        json.dumps(
            {"organizations": [{"name": f"Förening {n}", "kind": "ngo"} for n in range(1500)]}
        )
    )
    assert CliRunner().invoke(main, ["import", str(source)]).exit_code == 0
    newest = run_async(ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id, ascending=False))
    last_event = newest[0]["id"]
    first = start_worker()
    try:
        assert wait_for(lambda: cursor() > 0, 60, 0.01), "the worker never applied a batch"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    stopped_at = cursor()
    assert 0 < stopped_at <= last_event
    second = start_worker()
    try:
        assert wait_for(lambda: cursor() == last_event, 120, 0.1), "the worker did not resume"
    finally:
        second.terminate()
        second.wait(timeout=30)
