"""Pushing on every change: the outbox consumers, the app's workers and ``samverkan sync``."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from directory.core.settings import DavSettings, get_settings
from directory.records.resources import CONTACTS
from samverkan.app import create_app
from samverkan.cli import main
from sync.caldav_push import calendar_url, push_meetings
from sync.dav_collection import PushReport
from sync.dav_session import DavError
from sync.dav_tables import DavEntry
from sync.dav_workers import caldav_worker, carddav_worker
from sync.tables import OutboxCursor
from tests.conftest import run_async
from tests.directory.meetings.fixtures import build_setting, meeting_body, post
from tests.sync.conftest import (
    PASSWORD,
    Directory,
    auth_for,
    dav_session,
    list_items,
    read_cards,
    start_server,
)

PUBLIC_URL = "https://samverkan.example.se"


def dav_settings(home: str) -> DavSettings:
    return DavSettings(
        carddav_url=home,
        caldav_url=home,
        username=auth_for(home)[0],
        password=PASSWORD,
        address_books=("internal", "partners", "public"),  # these tests read the public book
    )


def test_carddav_consumer_pushes_each_change_once(dav_home: str, directory: Directory) -> None:
    worker = carddav_worker(dav_settings(dav_home), PUBLIC_URL)
    org = directory.organization("Fritidsgården Kulturhuset", visibility="public")
    assert run_async(worker.drain()) == 1
    assert set(read_cards(f"{dav_home}samverkan-public/")) == {str(org.id)}
    assert run_async(worker.drain()) == 0
    contact = directory.contact(org, "Fritidsledare", is_function=True, visibility="public")
    directory.retire(CONTACTS, contact)
    assert run_async(worker.drain()) == 2
    assert set(read_cards(f"{dav_home}samverkan-public/")) == {str(org.id)}


def test_caldav_consumer_pushes_meetings(
    dav_home: str,
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    setting = build_setting(client, auth)
    worker = caldav_worker(dav_settings(dav_home))
    run_async(worker.drain())
    post(client, setting.coordinator, "meetings", meeting_body(setting))
    assert run_async(worker.drain()) == 1
    assert len(list_items(calendar_url(dav_home, setting.network))) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_consumer_keeps_changes_while_the_server_is_down(
    kind: str, tmp_path: Path, directory: Directory
) -> None:
    server = start_server(kind, tmp_path)
    try:
        home = server.new_home()
        worker = carddav_worker(dav_settings(home), PUBLIC_URL)
        server.stop()
        org = directory.organization("Rädda Barnen", kind="ngo", visibility="public")
        with pytest.raises(DavError):
            run_async(worker.drain())
        cursor = run_async(OutboxCursor.select().where(OutboxCursor.consumer == "carddav").first())
        assert cursor["last_id"] == 0
        server.start()
        assert run_async(worker.drain()) == 1
        assert set(read_cards(f"{home}samverkan-public/")) == {str(org.id)}
    finally:
        server.stop()


@pytest.fixture
def dav_environment(dav_home: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "CARDDAV_URL": dav_home,
        "CALDAV_URL": dav_home,
        "DAV_USERNAME": auth_for(dav_home)[0],
        "DAV_PASSWORD": PASSWORD,
        "CARDDAV_ADDRESS_BOOKS": "internal,partners,public",  # the tests read the public book
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield dav_home
    monkeypatch.undo()
    get_settings.cache_clear()


def test_sync_carddav_command_pushes_once_and_reports(
    dav_environment: str, directory: Directory
) -> None:
    directory.organization("Socialtjänsten", visibility="internal")
    first = CliRunner().invoke(main, ["sync", "carddav"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "internal: 1 created" in first.output
    again = CliRunner().invoke(main, ["sync", "carddav"], catch_exceptions=False)
    assert "internal: 0 created, 0 updated, 0 deleted, 1 unchanged" in again.output


@pytest.fixture
def without_app_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's own background jobs off, so that only the command under test pushes."""
    monkeypatch.setenv("SAMVERKAN_WORKER_IN_APP", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_sync_caldav_command_pushes_meetings(
    dav_environment: str,
    without_app_worker: None,
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    setting = build_setting(client, auth)
    post(client, setting.coordinator, "meetings", meeting_body(setting, rrule="FREQ=WEEKLY"))
    result = CliRunner().invoke(main, ["sync", "caldav"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output


def test_two_pushers_at_once_record_each_object_once(
    dav_home: str,
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    """`samverkan sync caldav` run while the worker pushes: both find the object unrecorded."""
    setting = build_setting(client, auth)
    post(client, setting.coordinator, "meetings", meeting_body(setting, rrule="FREQ=WEEKLY"))

    async def push_twice() -> list[dict[str, PushReport]]:
        async with dav_session(dav_home) as first, dav_session(dav_home) as second:
            return list(
                await asyncio.gather(
                    push_meetings(first, dav_home), push_meetings(second, dav_home)
                )
            )

    reports = run_async(push_twice())
    collection = calendar_url(dav_home, uuid.UUID(setting.network))
    assert sum(report[collection].created for report in reports) >= 1
    entries = run_async(DavEntry.select().where(DavEntry.collection == collection))
    assert len(entries) == 1
    assert list(list_items(collection).values()) == [entries[0]["etag"]]


def test_sync_without_a_dav_url_says_which_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARDDAV_URL", raising=False)
    monkeypatch.delenv("CALDAV_URL", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["sync", "caldav"])
    get_settings.cache_clear()
    assert result.exit_code != 0
    assert "CALDAV_URL" in result.output


def _public_uids(home: str) -> set[str]:
    """The UIDs in the public address book, or none while it does not exist yet."""
    book = f"{home}samverkan-public/"
    response = httpx.request("PROPFIND", book, headers={"Depth": "0"}, auth=auth_for(book))
    if response.status_code != 207 or "404 Not Found" in response.text:
        return set()
    return set(read_cards(book))


def test_the_app_pushes_a_directory_change_without_being_asked(
    dav_home: str, directory: Directory
) -> None:
    settings = dataclasses.replace(
        get_settings(), dav=dav_settings(dav_home), public_url=PUBLIC_URL
    )
    with TestClient(app=create_app(settings)):
        org = directory.organization("Svenska kyrkan Tyresö", kind="faith", visibility="public")
        deadline = time.monotonic() + 20
        while str(org.id) not in _public_uids(dav_home):
            assert time.monotonic() < deadline, "the worker did not push the change"
            time.sleep(0.2)


def test_samverkan_worker_runs_the_dav_consumers_for_the_web_processes(
    dav_environment: str, directory: Directory, tmp_path: Path
) -> None:
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "samverkan", "worker"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        org = directory.organization("Tyresö församling", kind="faith", visibility="public")
        deadline = time.monotonic() + 60
        while str(org.id) not in _public_uids(dav_environment):
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "samverkan worker did not push the change"
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
