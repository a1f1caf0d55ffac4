"""Issuing feed tokens and fetching feeds through HTTP."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar
from litestar.testing import TestClient

from tests.directory.meetings.fixtures import Setting, post

Client = TestClient  # type: ignore[type-arg]


def issue(
    client: Client, setting: Setting, scope: str = "network", detail: str = "partner", **more: Any
) -> dict[str, Any]:
    body = {"scope": scope, "detail": detail, **more}
    if scope == "network":
        body.setdefault("subject_id", setting.network)
    return post(client, setting.coordinator, "feed-tokens", body)  # type: ignore[no-any-return]


def path_of(token: dict[str, Any]) -> str:
    return "/feeds/" + token["https_url"].rsplit("/feeds/", 1)[1]


def fetch(client: Client, token: dict[str, Any], **headers: str) -> Any:
    return client.get(path_of(token), headers=headers)


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)
