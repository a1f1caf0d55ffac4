"""A push compares with the server every run and repairs what changed there behind its back:
objects deleted or edited, and whole calendars and address books deleted. Run against real
Radicale and Xandikos (both answer RFC 6578 sync-collection)."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.testing import TestClient

from sync.caldav_push import calendar_url
from tests.directory.meetings.fixtures import Setting, build_setting
from tests.sync.conftest import Directory, auth_for, list_items, read_cards
from tests.sync.test_caldav_push import events, schedule
from tests.sync.test_caldav_push import push as push_meetings
from tests.sync.test_carddav_push import book, seed
from tests.sync.test_carddav_push import push as push_directory

Client = TestClient  # type: ignore[type-arg]


def _delete(url: str) -> None:
    response = httpx.request("DELETE", url, auth=auth_for(url))
    assert response.status_code in (200, 204), response.text


def _edit(url: str, old: str, new: str) -> None:
    body = httpx.get(url, auth=auth_for(url)).text
    assert old in body
    kind = "text/vcard" if url.endswith(".vcf") else "text/calendar"
    response = httpx.put(
        url, content=body.replace(old, new).encode(), auth=auth_for(url),
        headers={"Content-Type": kind},
    )  # fmt: skip
    assert response.status_code in (201, 204), response.text


def _calendar(client: Client, auth: dict[str, dict[str, str]]) -> tuple[Setting, list[Any]]:
    setting = build_setting(client, auth)
    meetings = [schedule(client, setting, title=f"Möte {n}") for n in range(3)]
    return setting, meetings


def test_deleted_and_edited_events_are_put_back(
    dav_home: str, client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting, meetings = _calendar(client, auth)
    push_meetings(dav_home)
    url = calendar_url(dav_home, setting.network)  # type: ignore[arg-type]
    hrefs = sorted(list_items(url))
    base = httpx.URL(url)
    _delete(str(base.join(hrefs[0])))
    _delete(str(base.join(hrefs[1])))
    target = next(m for m in meetings if m["uid"] in hrefs[2].replace("%40", "@"))
    _edit(str(base.join(hrefs[2])), target["title"], "Ändrat på servern")
    reports, _ = push_meetings(dav_home)
    assert (reports[url].restored, reports[url].reverted, reports[url].unchanged) == (2, 1, 0)
    found = events(dav_home, setting)
    assert {uid: str(c.walk("VEVENT")[0]["SUMMARY"]) for uid, c in found.items()} == {
        m["uid"]: m["title"] for m in meetings
    }
    again, _ = push_meetings(dav_home)
    assert (again[url].restored, again[url].reverted, again[url].unchanged) == (0, 0, 3)


def test_a_deleted_calendar_is_made_again_with_its_events(
    dav_home: str, client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting, meetings = _calendar(client, auth)
    push_meetings(dav_home)
    url = calendar_url(dav_home, setting.network)  # type: ignore[arg-type]
    _delete(url)
    reports, _ = push_meetings(dav_home)
    assert (reports[url].recreated, reports[url].restored, reports[url].unchanged) == (1, 3, 0)
    assert set(events(dav_home, setting)) == {m["uid"] for m in meetings}


def test_a_deleted_address_book_and_a_deleted_card_are_made_again(
    dav_home: str, directory: Directory
) -> None:
    seed(directory)
    first, _ = push_directory(dav_home)
    public, partners = book(dav_home, "public"), book(dav_home, "partners")
    cards = read_cards(public)
    _delete(public)
    _delete(str(httpx.URL(partners).join(sorted(list_items(partners))[0])))
    reports, _ = push_directory(dav_home)
    assert (reports["public"].recreated, reports["public"].restored) == (1, len(cards))
    assert (reports["partners"].recreated, reports["partners"].restored) == (0, 1)
    assert set(read_cards(public)) == set(cards)
    assert len(list_items(partners)) == first["partners"].created
