"""Real CardDAV/CalDAV servers (Radicale and Xandikos) on loopback, directory writers, and the
directory's client and role tokens for the feed tests.

Each server runs as a subprocess with its own temporary storage; ``dav`` is parametrized so the
same suite runs against both. Each test gets a fresh collection home on the shared server;
tests that stop and restart a server start their own with :func:`start_server`.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import vobject

from directory.accounts.service import create_account
from directory.core.access import Principal, Role
from directory.records.resources import CONTACTS, ORGANIZATIONS, ResourceSpec
from directory.records.service import RecordService, etag_of
from sync.dav_session import Backoff, DavSession
from tests.conftest import run_async
from tests.directory.conftest import auth, client

__all__ = ["auth", "client"]

USER = "samverkan"
PASSWORD = "dav-test-password"
QUICK = Backoff(attempts=3, first_delay=0.01, factor=2.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DavServer:
    kind: str
    storage: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/{USER}/"

    def command(self) -> list[str]:
        if self.kind == "radicale":
            return [
                sys.executable, "-m", "radicale", "--config=",
                f"--storage-filesystem-folder={self.storage}",
                f"--server-hosts=127.0.0.1:{self.port}",
                "--auth-type=none", "--logging-level=warning",
            ]  # fmt: skip
        return [
            sys.executable, "-m", "xandikos.web", "-d", str(self.storage / "data"),
            "--state-dir", str(self.storage / "state"), "--autocreate",
            "-l", "127.0.0.1", "-p", str(self.port), "--current-user-principal", f"/{USER}/",
        ]  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.request(
                    "PROPFIND", self.base, headers={"Depth": "0"}, auth=(USER, PASSWORD)
                )
                if response.status_code == 207:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, f"{self.kind} exited"
            assert time.monotonic() < deadline, f"{self.kind} did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def new_home(self) -> str:
        """A fresh user's home for one test's address books and calendars (Radicale lets a
        user write only directly under their principal, so each test is its own user)."""
        home = f"http://127.0.0.1:{self.port}/{USER}-{uuid.uuid4().hex[:12]}/"
        if self.kind == "radicale":
            response = httpx.request("PROPFIND", home, headers={"Depth": "0"}, auth=auth_for(home))
            assert response.status_code == 207, response.text
        else:
            response = httpx.request("MKCOL", home)
            assert response.status_code == 201, response.text
        return home


def start_server(kind: str, storage: Path) -> DavServer:
    server = DavServer(kind, storage)
    server.start()
    return server


@pytest.fixture(scope="session", params=["radicale", "xandikos"])
def dav_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DavServer]:
    server = start_server(str(request.param), tmp_path_factory.mktemp(str(request.param)))
    yield server
    server.stop()


@pytest.fixture
def dav_home(dav_server: DavServer) -> str:
    return dav_server.new_home()


def auth_for(url: str) -> tuple[str, str]:
    """The test user owning ``url``: the first segment of its path."""
    return httpx.URL(url).path.split("/")[1], PASSWORD


def dav_session(home: str, backoff: Backoff = QUICK) -> DavSession:
    return DavSession(*auth_for(home), backoff)


def list_items(collection: str) -> dict[str, str]:
    """``href`` → ETag of every resource in a collection (PROPFIND Depth 1)."""
    body = (
        '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
    )
    response = httpx.request(
        "PROPFIND",
        collection,
        headers={"Depth": "1", "Content-Type": "application/xml"},
        content=body,
        auth=auth_for(collection),
    )
    assert response.status_code == 207, response.text
    import xml.etree.ElementTree as ET

    tree = ET.fromstring(response.text)  # noqa: S314 (our own test server)
    items = {}
    for node in tree.findall("{DAV:}response"):
        href = node.findtext("{DAV:}href") or ""
        etag = node.findtext(".//{DAV:}getetag")
        if etag and not href.endswith("/"):
            items[href] = etag
    return items


def read_cards(collection: str) -> dict[str, Any]:
    """UID → parsed vCard of every card in an address book."""
    cards = {}
    for href in list_items(collection):
        url = httpx.URL(collection).join(href)
        text = httpx.get(url, auth=auth_for(collection)).text
        card = vobject.readOne(text)
        cards[card.uid.value] = card
    return cards


class Directory:
    """Writes to the directory through :class:`RecordService`, as an admin would."""

    def __init__(self) -> None:
        account = run_async(create_account(f"admin-{uuid.uuid4().hex[:6]}", "admin"))
        self.principal = Principal(account.id, account.username, Role.ADMIN)

    def create(self, spec: ResourceSpec, **fields: Any) -> Any:
        data = msgspec.convert(fields, spec.create)
        return run_async(RecordService(spec, self.principal).create(data))

    def organization(self, name: str, **fields: Any) -> Any:
        return self.create(ORGANIZATIONS, name=name, **{"kind": "internal", **fields})

    def contact(self, organization: Any, name: str, **fields: Any) -> Any:
        return self.create(CONTACTS, organization_id=str(organization.id), name=name, **fields)

    def update(self, spec: ResourceSpec, record: Any, **fields: Any) -> Any:
        service = RecordService(spec, self.principal)
        current = run_async(service.get(record.id))
        patch = msgspec.convert(fields, spec.patch)
        return run_async(service.update(record.id, patch, etag_of(current)))

    def retire(self, spec: ResourceSpec, record: Any) -> Any:
        service = RecordService(spec, self.principal)
        current = run_async(service.get(record.id))
        return run_async(service.retire(record.id, etag_of(current)))


@pytest.fixture
def directory() -> Directory:
    return Directory()
