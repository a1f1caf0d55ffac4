"""Fixtures for the web interface: a browser-like client per role, signed in with a password."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from directory.accounts import service as accounts
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS
from directory.records.service import RecordService
from samverkan.app import create_app
from tests.conftest import run_async

PASSWORD = "a long enough secret"
ROLES = ("admin", "coordinator", "staff", "partner")
Client = TestClient  # type: ignore[type-arg]


def csrf_token(client: Client, path: str = "/sign-in") -> str:
    """The CSRF token a page's forms carry (the cookie alone is not enough)."""
    match = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None, f"no CSRF field on {path}"
    return match.group(1)


def make_account(role: str, username: str | None = None) -> Any:
    name = username or f"{role}-user"
    account = run_async(accounts.create_account(name, role, display_name=f"{role.title()} User"))
    run_async(accounts.set_password(name, PASSWORD))
    return account


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/sign-in",
        data={
            "username": username,
            "password": password,
            "next": "/",
            "_csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )


def search_until(
    client: Client, expected: str, headers: dict[str, str] | None = None, **params: str
) -> str:
    """The start page for ``params`` once ``expected`` shows: the outbox worker indexes new
    records a moment after they are written. The marks of matched words are taken out, so a
    test can look for a whole name."""
    deadline = time.monotonic() + 10
    while True:
        page = re.sub("</?mark>", "", client.get("/", params=params, headers=headers or {}).text)
        if expected in page or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


@pytest.fixture
def anonymous() -> Iterator[Client]:
    with TestClient(app=create_app()) as client:
        yield client


@pytest.fixture
def browser() -> Iterator[Callable[[str], Client]]:
    """``browser("staff")``: a client signed in as a fresh account of that role."""
    clients: list[Client] = []

    def open_as(role: str) -> Client:
        client = TestClient(app=create_app())
        client.__enter__()
        clients.append(client)
        make_account(role, f"{role}-{len(clients)}")
        response = sign_in(client, f"{role}-{len(clients)}")
        assert response.status_code in (302, 303), response.text
        return client

    yield open_as
    for client in clients:
        client.__exit__(None, None, None)


class Writer:
    """Creates records directly through the domain service, as an admin."""

    def __init__(self) -> None:
        self.principal = run_async(_admin_principal())

    def create(self, spec: Any, **values: Any) -> Any:
        record = msgspec.convert(values, spec.create)
        return run_async(RecordService(spec, self.principal).create(record))

    def organization(self, name: str, **values: Any) -> Any:
        return self.create(ORGANIZATIONS, name=name, kind=values.pop("kind", "internal"), **values)

    def contact(self, organization_id: Any, name: str, **values: Any) -> Any:
        return self.create(CONTACTS, organization_id=organization_id, name=name, **values)

    def network(self, name: str, **values: Any) -> Any:
        return self.create(NETWORKS, name=name, **values)


async def _admin_principal() -> Any:
    account = await accounts.create_account("seed-admin", "admin")
    return await accounts.principal_for_account(account.id)


@pytest.fixture
def writer() -> Writer:
    return Writer()
