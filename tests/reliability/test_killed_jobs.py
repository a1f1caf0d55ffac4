"""Faults: a ``samverkan reindex`` and a ``samverkan sync caldav`` killed (SIGKILL) mid-run leave
the database consistent, and simply running them again finishes the work exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
from litestar.testing import TestClient

from directory.core.tables import ChangeEvent
from directory.records.tables import Organization
from search.documents import all_documents
from search.embedded import EmbeddedBackend
from sync.caldav_push import calendar_url
from sync.dav_tables import DavEntry
from sync.indexing import CONSUMER
from sync.tables import OutboxCursor
from tests.conftest import run_async
from tests.directory.meetings.fixtures import build_setting, meeting_body, post
from tests.reliability.conftest import ROOT
from tests.reliability.test_faults import wait_for
from tests.sync.conftest import PASSWORD, auth_for, list_items, start_server

LEASE_SECONDS = 3
ORGANIZATIONS = 8_000
MEETINGS = 120


def samverkan(*args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "samverkan", *args],
        cwd=ROOT,
        env={**os.environ, "SAMVERKAN_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def search_cursor() -> dict[str, object]:
    row = run_async(OutboxCursor.select().where(OutboxCursor.consumer == CONSUMER).first())
    return dict(row) if row else {"last_id": 0, "leased_by": ""}


def held_by(process: subprocess.Popen[bytes]) -> bool:
    return f":{process.pid}:" in str(search_cursor()["leased_by"])


def index_keys() -> set[str]:
    return EmbeddedBackend().keys()


def rebuild_writing() -> bool:
    """True once a generation other than the live one exists (a rebuild's, being written)."""
    store = EmbeddedBackend().store
    live = store.live_name()
    return any(path.is_dir() and path.name != live for path in store.root.glob("*-*"))


async def _directory_keys() -> set[str]:
    return {document.key async for batch in all_documents() for document in batch}


def test_a_killed_reindex_changes_nothing_and_a_rerun_completes() -> None:
    for start in range(0, ORGANIZATIONS, 1000):
        run_async(
            Organization.insert(
                *[
                    Organization(name=f"Förening {n}", kind="ngo", municipality="Tyresö")
                    for n in range(start, start + 1000)
                ]
            )
        )
    run_async(
        ChangeEvent.insert(
            ChangeEvent(resource_type="organization", resource_id=uuid.uuid4(), operation="upsert")
        )
    )
    expected = run_async(_directory_keys())
    assert len(expected) == ORGANIZATIONS
    first = samverkan("reindex")
    try:
        assert wait_for(lambda: held_by(first) and rebuild_writing(), 120), "reindex never wrote"
        kill(first)
    finally:
        if first.poll() is None:
            first.kill()
    assert index_keys() == set(), "a partial rebuild became visible"
    assert search_cursor()["last_id"] == 0
    assert held_by(first), "the dead reindex's lease is left to run out"
    began = time.monotonic()
    rerun = samverkan("reindex")
    try:
        assert wait_for(lambda: held_by(rerun), LEASE_SECONDS + 20, 0.05)
        waited = time.monotonic() - began
        out, err = rerun.communicate(timeout=300)
    finally:
        if rerun.poll() is None:
            rerun.kill()
    assert rerun.returncode == 0, err.decode()
    assert f"indexed {ORGANIZATIONS} documents" in out.decode()
    assert waited < LEASE_SECONDS + 10, f"the dead reindex's lease blocked for {waited:.1f} s"
    assert index_keys() == expected
    newest = run_async(ChangeEvent.select().order_by(ChangeEvent.id, ascending=False).first())
    cursor = search_cursor()
    assert (cursor["last_id"], cursor["leased_by"]) == (newest["id"], "")


def _calendar_uids(url: str) -> list[str]:
    return sorted(unquote(href.rsplit("/", 1)[-1]).removesuffix(".ics") for href in list_items(url))


def test_a_killed_caldav_sync_resumes_without_duplicates(
    tmp_path: Path,
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    setting = build_setting(client, auth)
    uids = sorted(
        post(client, setting.coordinator, "meetings", meeting_body(setting, title=f"Möte {n}"))[
            "uid"
        ]
        for n in range(MEETINGS)
    )
    server = start_server("radicale", tmp_path)
    try:
        home = server.new_home()
        environment = {
            "CALDAV_URL": home,
            "DAV_USERNAME": auth_for(home)[0],
            "DAV_PASSWORD": PASSWORD,
        }
        first = samverkan("sync", "caldav", **environment)
        try:
            assert wait_for(lambda: run_async(DavEntry.count()) >= 5, 120), "no event was pushed"
            kill(first)
        finally:
            if first.poll() is None:
                first.kill()
        recorded = run_async(DavEntry.count())
        assert 5 <= recorded < MEETINGS, "the sync was not killed mid-run"
        rerun = samverkan("sync", "caldav", **environment)
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err.decode()
        url = calendar_url(home, uuid.UUID(setting.network))
        assert _calendar_uids(url) == uids
        assert run_async(DavEntry.count()) == MEETINGS
        again = samverkan("sync", "caldav", **environment)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
        assert f"0 created, 0 updated, 0 deleted, {MEETINGS} unchanged" in out.decode()
        body = httpx.get(f"{url}{quote(uids[0], safe='')}.ics", auth=auth_for(url)).text
        assert body.count("BEGIN:VEVENT") == 1
    finally:
        server.stop()
