"""A feed renders again only when what it shows changed: its meetings or the names it shows.
An unrelated write costs no render and moves neither ETag nor Last-Modified, and a changed
meeting re-renders only its own fragment."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.testing import TestClient

from samverkan.app import create_app
from sync.feed_cache import FeedCache, RenderedFeed
from sync.feed_tables import FeedVersion
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


def _stored_etags(run: Any) -> list[str]:
    return [row["etag"] for row in run(FeedVersion.select(FeedVersion.etag))]


def _rename_network(client: Client, setting: Setting, admin: dict[str, str], name: str) -> None:
    current = client.get(f"/api/v1/networks/{setting.network}", headers=admin)
    renamed = client.patch(
        f"/api/v1/networks/{setting.network}",
        json={"name": name},
        headers={**admin, "If-Match": current.headers["etag"]},
    )
    assert renamed.status_code == 200, renamed.text


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
    _rename_network(client, setting, auth["admin"], "SSPF Tyresö centrum")
    again = fetch(client, token, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert "X-WR-CALNAME;VALUE=TEXT:SSPF Tyresö centrum" in again.text
    assert _cache(client).fragments.rendered == rendered


def test_the_version_written_after_the_response_is_what_another_process_starts_from(
    client: Client, setting: Setting, run: Any
) -> None:
    _schedule(client, setting, "Nätverksmöte")
    token = issue(client, setting)
    first = fetch(client, token)
    assert not _cache(client).unsaved
    assert _stored_etags(run) == [first.headers["etag"]]
    time.sleep(1.1)  # Last-Modified is sent once its second has passed
    last_modified = fetch(client, token).headers["last-modified"]
    with TestClient(app=create_app()) as other:  # another web process, or after a restart
        again = fetch(other, token)
        assert _cache(other).renders == 1
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["last-modified"] == last_modified


def test_a_changed_meeting_moves_etag_and_last_modified_and_the_stored_version(
    client: Client, setting: Setting, run: Any
) -> None:
    meeting = _schedule(client, setting, "Nätverksmöte")
    token = issue(client, setting)
    fetch(client, token)
    time.sleep(1.1)
    first = fetch(client, token)
    changed = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"title": "Flyttat möte"},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert changed.status_code == 200
    fetch(client, token)
    time.sleep(1.1)
    again = fetch(client, token, **{"If-Modified-Since": first.headers["last-modified"]})
    assert again.status_code == 200 and "Flyttat möte" in again.text
    assert again.headers["etag"] != first.headers["etag"]
    assert again.headers["last-modified"] != first.headers["last-modified"]
    assert _stored_etags(run) == [again.headers["etag"]]


def test_a_feed_back_to_bytes_it_had_before_gets_a_later_last_modified(
    client: Client, setting: Setting, auth: dict[str, dict[str, str]]
) -> None:
    _schedule(client, setting, "Nätverksmöte")
    token = issue(client, setting)
    fetch(client, token)
    time.sleep(1.1)
    first = fetch(client, token)
    _rename_network(client, setting, auth["admin"], "SSPF Tyresö centrum")
    assert fetch(client, token).headers["etag"] != first.headers["etag"]
    _rename_network(client, setting, auth["admin"], "SSPF Tyresö")
    fetch(client, token)
    time.sleep(1.1)
    back = fetch(client, token, **{"If-Modified-Since": first.headers["last-modified"]})
    assert back.headers["etag"] == first.headers["etag"]
    assert back.status_code == 200
    assert back.headers["last-modified"] != first.headers["last-modified"]


def test_a_version_not_yet_saved_keeps_the_stored_one_from_moving_last_modified_back(
    client: Client, setting: Setting, auth: dict[str, dict[str, str]], run: Any
) -> None:
    _schedule(client, setting, "Nätverksmöte")
    token = issue(client, setting)["https_url"].rsplit("/feeds/", 1)[1].removesuffix(".ics")
    cache = FeedCache()

    async def get() -> RenderedFeed:
        feed, version = await cache.resolve(token)
        assert feed is not None
        return await cache.get(feed, version)

    first = run(get())
    run(cache.save())
    time.sleep(1.1)
    _rename_network(client, setting, auth["admin"], "SSPF Tyresö centrum")
    assert run(get()).etag != first.etag  # rendered, not yet saved
    _rename_network(client, setting, auth["admin"], "SSPF Tyresö")
    back = run(get())
    run(cache.close())
    assert back.etag == first.etag
    assert back.latest_change > first.latest_change
