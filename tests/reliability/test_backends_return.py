"""Faults: the search backend or the CalDAV server going away and coming back loses no change.

The workers keep running throughout, as in production: they fail, back off, and catch up once the
server answers again. Meilisearch is played by the loopback fake of the search suite, restarted
on the same port with its data; CalDAV by a real Radicale, pushed to by a real
``samverkan serve`` with two worker processes (so two CalDAV consumers share the lease).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pytest
from litestar.testing import TestClient
from prometheus_client import REGISTRY

from directory.core.access import Principal, Role
from directory.records.resources import ORGANIZATIONS
from directory.records.schemas import OrganizationIn
from directory.records.service import RecordService
from search.meili import MeilisearchBackend
from sync.caldav_push import calendar_url
from sync.indexing import search_worker
from tests.directory.meetings.fixtures import build_setting, meeting_body
from tests.reliability.conftest import start_server, stop_server
from tests.reliability.test_faults import wait_for
from tests.search.fake_meilisearch import FakeServer
from tests.sync.conftest import PASSWORD, auth_for, list_items
from tests.sync.conftest import start_server as start_dav_server

ADMIN = Principal(uuid.uuid4(), "fault-test", Role.ADMIN)


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _failures() -> float:
    return REGISTRY.get_sample_value("samverkan_sync_failures_total", {"consumer": "search"}) or 0


def test_changes_made_while_the_search_backend_is_down_all_arrive() -> None:
    server = FakeServer().__enter__()
    fake, port = server.fake, server.port
    service = RecordService(ORGANIZATIONS, ADMIN)

    def indexed() -> dict[str, str]:
        return {key: doc["title"] for key, doc in fake.indexes.get("samverkan", {}).items()}

    async def scenario() -> dict[str, str]:
        nonlocal server
        backend = MeilisearchBackend(server.url, "master-key", index="samverkan", timeout=2)
        await backend.start()
        worker = search_worker(backend, interval=0.05)
        worker.max_backoff = 0.5
        task = asyncio.create_task(worker.run())
        try:
            kept = [
                await service.create(OrganizationIn(name=f"Förening {n}", kind="ngo"))
                for n in range(3)
            ]
            await _until(lambda: len(indexed()) == 3, 30)
            await asyncio.to_thread(server.__exit__)
            failures = _failures()
            added = [
                await service.create(OrganizationIn(name=f"Ny förening {n}", kind="ngo"))
                for n in range(3)
            ]
            await service.update(kept[0].id, ORGANIZATIONS.patch(name="Omdöpt förening"), "*")
            await service.retire(kept[1].id, "*")
            await _until(lambda: _failures() >= failures + 2, 30)  # it tried, and failed
            server = FakeServer(port, fake).__enter__()
            expected = {f"organization-{kept[0].id}": "Omdöpt förening"}
            expected[f"organization-{kept[2].id}"] = "Förening 2"
            expected |= {f"organization-{org.id}": org.name for org in added}
            await _until(lambda: indexed() == expected, 60)
            return expected
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await backend.close()

    try:
        expected = asyncio.run(asyncio.wait_for(scenario(), timeout=120))
    finally:
        server.__exit__()
    assert indexed() == expected


def _uids(url: str) -> set[str]:
    try:
        hrefs = list_items(url)
    except AssertionError:  # the calendar does not exist yet
        return set()
    return {unquote(href.rsplit("/", 1)[-1]).removesuffix(".ics") for href in hrefs}


def _event(url: str, uid: str) -> str:
    return httpx.get(f"{url}{quote(uid, safe='')}.ics", auth=auth_for(url), timeout=10).text


def test_meetings_changed_while_the_caldav_server_is_down_all_arrive(
    tmp_path: Path,
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setting = build_setting(client, auth)
    dav = start_dav_server("radicale", tmp_path)
    home = dav.new_home()
    url = calendar_url(home, uuid.UUID(setting.network))
    monkeypatch.setenv("CALDAV_URL", home)
    monkeypatch.setenv("DAV_USERNAME", auth_for(home)[0])
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)
    app, base_url = start_server(workers=2)
    try:
        with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as http:

            def schedule(title: str) -> dict[str, str]:
                response = http.post(
                    "/meetings",
                    json=meeting_body(setting, title=title),
                    headers=setting.coordinator,
                )
                assert response.status_code == 201, response.text
                return dict(response.json())

            first = [schedule(f"Möte {n}") for n in range(2)]
            assert wait_for(lambda: _uids(url) == {m["uid"] for m in first}, 60, 0.2)
            dav.stop()
            added = [schedule(f"Nytt möte {n}") for n in range(3)]
            renamed = http.patch(
                f"/meetings/{first[0]['id']}",
                json={"title": "Flyttat möte"},
                headers={**setting.coordinator, "If-Match": "*"},
            )
            assert renamed.status_code == 200, renamed.text
            cancelled = http.delete(
                f"/meetings/{first[1]['id']}", headers={**setting.coordinator, "If-Match": "*"}
            )
            assert cancelled.status_code == 200, cancelled.text
            time.sleep(1.5)  # the workers try (at least once) while the server is down
            dav.start()
            expected = {meeting["uid"] for meeting in first + added}
            assert wait_for(lambda: _uids(url) == expected, 90, 0.2), _uids(url)
            assert wait_for(lambda: "Flyttat möte" in _event(url, first[0]["uid"]), 60, 0.2)
            assert wait_for(lambda: "STATUS:CANCELLED" in _event(url, first[1]["uid"]), 60, 0.2)
            for meeting in first + added:
                assert _event(url, meeting["uid"]).count("BEGIN:VEVENT") == 1
    finally:
        stop_server(app)
        dav.stop()
