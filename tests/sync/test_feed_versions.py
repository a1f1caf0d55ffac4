"""A feed renders again only when what it shows changed: its meetings or the names it shows.
An unrelated write costs no render and moves neither ETag nor Last-Modified, and a changed
meeting re-renders only its own fragment."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.testing import TestClient

from sync.feed_cache import FeedCache
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    return build_setting(client, auth)


def _cache(client: Client) -> FeedCache:
    cache: FeedCache = client.app.state["feeds"]
    return cache


def _schedule(client: Client, setting: Setting, title: str) -> Any:
    return post(client, setting.coordinator, "meetings", meeting_body(setting, title=title))


def test_an_unrelated_write_renders_nothing_and_keeps_etag_and_last_modified(
    client: Client, setting: Setting, auth: dict[str, dict[str, str]]
) -> None:
    _schedule(client, setting, "Nätverksmöte")
    token = issue(client, setting)
    fetch(client, token)
    time.sleep(1.1)  # Last-Modified is sent once its second has passed
    first = fetch(client, token)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    renders = _cache(client).renders
    post(client, auth["admin"], "organizations", {"name": "Fritidsgården", "kind": "internal"})
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}):
        again = fetch(client, token, **headers)
        assert again.status_code == 304, headers
        assert again.headers["last-modified"] == last_modified
    assert fetch(client, token).headers["etag"] == etag
    assert _cache(client).renders == renders


def test_a_changed_meeting_renders_only_its_own_fragment(
    client: Client, setting: Setting, auth: dict[str, dict[str, str]]
) -> None:
    meetings = [_schedule(client, setting, f"Möte {n}") for n in range(3)]
    token = issue(client, setting)
    fetch(client, token)
    fragments = _cache(client).fragments
    rendered = fragments.rendered
    changed = client.patch(
        f"/api/v1/meetings/{meetings[1]['id']}",
        json={"title": "Flyttat möte"},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert changed.status_code == 200
    body = fetch(client, token).text
    assert "Flyttat möte" in body and "Möte 0" in body and "Möte 2" in body
    assert fragments.rendered == rendered + 1


def test_a_renamed_network_changes_the_feed_without_rendering_a_meeting(
    client: Client, setting: Setting, auth: dict[str, dict[str, str]]
) -> None:
    _schedule(client, setting, "Nätverksmöte")
    token = issue(client, setting)
    first = fetch(client, token)
    rendered = _cache(client).fragments.rendered
    current = client.get(f"/api/v1/networks/{setting.network}", headers=auth["admin"])
    renamed = client.patch(
        f"/api/v1/networks/{setting.network}",
        json={"name": "SSPF Tyresö centrum"},
        headers={**auth["admin"], "If-Match": current.headers["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    again = fetch(client, token, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert "X-WR-CALNAME;VALUE=TEXT:SSPF Tyresö centrum" in again.text
    assert _cache(client).fragments.rendered == rendered
