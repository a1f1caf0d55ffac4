"""Faults: a killed import leaves the database as it was, and the import can simply be rerun;
a database that drops the app's connections costs only the requests in flight."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from directory.accounts.service import create_service_token
from directory.core.settings import get_settings
from directory.core.tables import AuditEntry, ChangeEvent
from directory.records.tables import Organization
from tests.conftest import IS_POSTGRES, run_async
from tests.reliability.conftest import ROOT, start_server, stop_server

Run = Callable[[Any], Any]
ORGANIZATIONS = 12_000


def large_import(path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "organizations": [
                    {
                        "name": f"Förening {number}",
                        "kind": "ngo",
                        "municipality": "Tyresö",
                        "areas": ["civil_society"],
                        "description": "Ideell förening som arbetar förebyggande. " * 4,
                    }
                    for number in range(ORGANIZATIONS)
                ]
            }
        )
    )
    return path


async def _postgres_writer_active() -> bool:
    connection = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        busy = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE 'INSERT%'"
        )
    finally:
        await connection.close()
    return bool(busy)


def writer_active() -> bool:
    """True while another process holds an open write transaction on the test database."""
    if IS_POSTGRES:
        return bool(asyncio.run(_postgres_writer_active()))
    probe = sqlite3.connect(get_settings().sqlite_path, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def wait_for(condition: Callable[[], bool], seconds: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def counts() -> tuple[int, int, int]:
    return (
        run_async(Organization.count()),
        run_async(AuditEntry.count()),
        run_async(ChangeEvent.count()),
    )


def cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "samverkan", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_an_import_killed_mid_write_changes_nothing_and_can_be_rerun(tmp_path: Path) -> None:
    source = large_import(tmp_path / "foreningar.json")
    before = counts()
    process = cli("import", str(source))
    try:
        assert wait_for(writer_active, 120), "the import never started writing"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert wait_for(lambda: not writer_active(), 30, 0.2), "the killed transaction stayed open"
    assert counts() == before
    rerun = cli("import", str(source))
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert f"imported {ORGANIZATIONS} records" in out.decode()
    assert counts()[0] == ORGANIZATIONS


async def _terminate_app_connections() -> int:
    connection = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        return int(
            await connection.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    finally:
        await connection.close()


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_POSTGRES, reason="the app keeps a connection pool only on PostgreSQL")
def test_dropped_database_connections_fail_only_requests_in_flight() -> None:
    process, base_url = start_server(workers=2, pool_size=3)
    try:
        headers = {"Authorization": f"Bearer {run_async(create_service_token('staff'))}"}

        async def traffic(rounds: int) -> list[int]:
            async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
                statuses = []
                for _ in range(rounds):
                    batch = await asyncio.gather(
                        *(http.get("/api/v1/organizations") for _ in range(6))
                    )
                    statuses.extend(response.status_code for response in batch)
                return statuses

        assert set(asyncio.run(traffic(5))) == {200}
        assert asyncio.run(_terminate_app_connections()) > 0
        during = asyncio.run(traffic(5))
        assert set(during) <= {200, 500, 503}
        assert during.count(200) >= len(during) - 6, f"errors beyond the pool: {during}"
        after = asyncio.run(traffic(10))
        assert set(after) == {200}, f"the app did not recover: {after}"
        assert httpx.get(f"{base_url}/ready", timeout=10).status_code == 200
    finally:
        stop_server(process)
