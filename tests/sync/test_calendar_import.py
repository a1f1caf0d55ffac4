"""Importing an external ICS feed from a real HTTP server on loopback: conditional requests, and
a malformed, huge, slow or gone feed keeping the last good copy with the error reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from directory.core.settings import get_settings
from directory.core.tables import AuditEntry
from sync.calendar_import import ImportLimits, refresh, refresh_due
from sync.calendar_import_tables import ExternalCalendar
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, post
from tests.sync.feed_server import FeedBehaviour, feed_server

Client = TestClient  # type: ignore[type-arg]
WINDOW = {"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z"}


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, FeedBehaviour]]:
    """The feed server on loopback, which the service may reach only when told to."""
    monkeypatch.setenv("IMPORT_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    with feed_server() as running:
        yield running
    monkeypatch.delenv("IMPORT_ALLOW_PRIVATE")
    get_settings.cache_clear()


def events(client: Client, setting: Setting, calendar_id: str) -> list[str]:
    response = client.get(
        f"/api/v1/external-calendars/{calendar_id}/events",
        params=WINDOW,
        headers=setting.member_partner,
    )
    assert response.status_code == 200, response.text
    return [event["starts_at"] for event in response.json()]


def test_feed_is_imported_and_refetched_conditionally(
    client: Client, setting: Setting, server: tuple[str, FeedBehaviour]
) -> None:
    url, behaviour = server
    calendar = post(
        client,
        setting.coordinator,
        "external-calendars",
        {"network_id": setting.network, "url": url, "label": "Haninge"},
    )
    assert calendar["event_count"] == 1
    assert calendar["last_error"] == ""
    assert events(client, setting, calendar["id"]) == [
        "2027-01-12T12:00:00Z",
        "2027-01-19T12:00:00Z",
        "2027-01-26T12:00:00Z",
    ]
    again = post(client, setting.coordinator, f"external-calendars/{calendar['id']}/refresh", {})
    assert behaviour.requests[-1]["If-None-Match"] == '"v1"'
    assert again["last_error"] == ""
    assert again["event_count"] == 1


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("malformed", "not valid iCalendar"),
        ("gone", "HTTP 410"),
        ("huge", "larger than 100000 bytes"),
        ("slow", "did not answer within 1 s"),
    ],
)
def test_bad_feed_keeps_the_last_good_copy_and_reports_why(
    client: Client, setting: Setting, server: tuple[str, FeedBehaviour], mode: str, error: str
) -> None:
    url, behaviour = server
    calendar = post(
        client,
        setting.coordinator,
        "external-calendars",
        {"network_id": setting.network, "url": url},
    )
    behaviour.mode = mode
    behaviour.etag = '"v2"'
    # Generous for an answer, short for the server that sleeps 2 s: a busy machine is no slow feed.
    timeout = 1.0 if mode == "slow" else 15.0
    limits = ImportLimits(timeout=timeout, max_bytes=100_000, allow_private=True)
    stored = run_async(refresh(calendar["id"], limits))
    assert error in stored["last_error"]
    assert stored["last_good_at"] == calendar_good_at(calendar["id"])
    assert len(events(client, setting, calendar["id"])) == 3
    listed = client.get(
        "/api/v1/external-calendars",
        params={"network_id": setting.network},
        headers=setting.coordinator,
    ).json()
    assert error in listed[0]["last_error"]


def calendar_good_at(calendar_id: str) -> object:
    row = run_async(
        ExternalCalendar.select(ExternalCalendar.last_good_at)
        .where(ExternalCalendar.id == calendar_id)
        .first()
    )
    return row["last_good_at"]


def test_scheduled_round_fetches_only_feeds_that_are_due(
    client: Client, setting: Setting, server: tuple[str, FeedBehaviour]
) -> None:
    url, behaviour = server
    post(
        client,
        setting.coordinator,
        "external-calendars",
        {"network_id": setting.network, "url": url},
    )
    assert run_async(refresh_due()) == 0
    run_async(ExternalCalendar.update({ExternalCalendar.last_checked_at: None}, force=True))
    assert run_async(refresh_due()) == 1
    assert len(behaviour.requests) == 2


def test_only_the_networks_coordinators_subscribe_and_urls_are_checked(
    client: Client, setting: Setting, auth: dict[str, dict[str, str]]
) -> None:
    body = {"network_id": setting.network, "url": "https://example.se/x.ics"}
    denied = client.post("/api/v1/external-calendars", json=body, headers=auth["coordinator"])
    assert denied.status_code == 403
    bad = client.post(
        "/api/v1/external-calendars",
        json={**body, "url": "file:///etc/passwd"},
        headers=setting.coordinator,
    )
    assert bad.status_code == 422
    assert bad.json()["extra"][0]["key"] == "url"
    outsider = client.get(
        "/api/v1/external-calendars",
        params={"network_id": setting.network},
        headers=setting.outside_partner,
    )
    assert outsider.status_code == 403


def test_feeds_on_private_addresses_are_refused_by_default(
    client: Client, setting: Setting
) -> None:
    with feed_server() as (url, behaviour):
        calendar = post(
            client,
            setting.coordinator,
            "external-calendars",
            {"network_id": setting.network, "url": url},
        )
        assert "is on a private network (127.0.0.1)" in calendar["last_error"]
        assert calendar["last_good_at"] is None
        assert behaviour.requests == []
    removed = client.delete(
        f"/api/v1/external-calendars/{calendar['id']}", headers=setting.coordinator
    )
    assert removed.status_code == 204
    actions = run_async(
        AuditEntry.select(AuditEntry.action).where(AuditEntry.resource_id == calendar["id"])
    )
    assert [row["action"] for row in actions] == ["create", "delete"]
