"""Calendar feeds over HTTP: tokens, detail levels, escaping, caching headers and conditional
requests."""

from __future__ import annotations

import datetime as dt
import logging
import re
from email.utils import format_datetime

import pytest
from litestar.testing import TestClient

from directory.core.settings import get_settings
from directory.meetings.tables import FeedToken, Meeting
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue, parse, path_of

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


@pytest.fixture
def setting(client: Client, auth: Auth) -> Setting:
    return build_setting(client, auth)


def _soon(days: int, hour: int = 9) -> str:
    day = dt.date.today() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00"


def schedule(client: Client, setting: Setting, **fields: object) -> dict[str, object]:
    body = meeting_body(setting, starts_at=_soon(10), ends_at=_soon(10, 10), **fields)
    return post(client, setting.coordinator, "meetings", body)  # type: ignore[no-any-return]


def test_feed_token_is_long_hashed_and_has_both_links(client: Client, setting: Setting) -> None:
    token = issue(client, setting)
    secret = token["https_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) >= 43  # 32 random bytes, url-safe base64: 256 bits
    # The test settings serve plain http, where a webcal link would not reach the feed.
    assert token["https_url"].startswith("http://") and token["webcal_url"] is None
    stored = run_async(FeedToken.select(FeedToken.token_hash))
    assert secret not in str(stored)
    listed = client.get(
        "/api/v1/feed-tokens", params={"network_id": setting.network}, headers=setting.coordinator
    ).json()
    assert [t["id"] for t in listed] == [token["id"]]
    assert "https_url" not in listed[0]


def test_partner_feed_has_time_title_place_link_but_no_agenda(
    client: Client, setting: Setting
) -> None:
    schedule(client, setting)
    response = fetch(client, issue(client, setting))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    event = parse(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Nätverksmöte SSPF"
    assert str(event["LOCATION"]) == "Kommunhuset, sal 3"
    assert str(event["URL"]) == "https://meet.example.se/sspf"
    assert "Lägesbild" not in response.text
    staff = fetch(client, issue(client, setting, detail="staff"))
    assert "Lägesbild och erfarenhetsutbyte" in str(
        parse(staff.content).walk("VEVENT")[0]["DESCRIPTION"]
    )


def test_notes_never_reach_a_feed(client: Client, setting: Setting) -> None:
    meeting = schedule(client, setting)
    post(
        client,
        setting.coordinator,
        f"meetings/{meeting['id']}/notes",
        {"occurrence_start": meeting["starts_at"], "body": "Hemlig anteckning"},
    )
    assert "Hemlig" not in fetch(client, issue(client, setting, detail="staff")).text


def test_calendar_properties_and_timezone(client: Client, setting: Setting) -> None:
    schedule(client, setting, rrule="FREQ=WEEKLY;COUNT=3")
    body = fetch(client, issue(client, setting)).text
    for line in (
        "NAME;VALUE=TEXT:SSPF Tyresö",
        "X-WR-CALNAME;VALUE=TEXT:SSPF Tyresö",
        "COLOR:darkcyan",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "PRODID:-//Samverkan//Natverkskalender//SV",
        "TZID:Europe/Stockholm",
    ):
        assert line in body.splitlines(), line
    assert "DESCRIPTION:" in body
    calendar = parse(body.encode())
    assert calendar.get_missing_tzids() == set()


@pytest.mark.parametrize(
    "title",
    [
        "Möte\r\nBEGIN:VEVENT\r\nSUMMARY:injected",
        "a;b,c\\d:e",
        "END:VCALENDAR",
        "Rad ett\nBEGIN:VEVENT",
    ],
)
def test_user_text_is_escaped_not_interpreted(client: Client, setting: Setting, title: str) -> None:
    schedule(client, setting, title=title, location="Sal;1,\\2\nBEGIN:VALARM")
    body = fetch(client, issue(client, setting)).content
    calendar = parse(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert calendar.walk("VALARM") == []
    # RFC 5545 TEXT has one line break, written \n; a CR or CRLF reads back as that break.
    assert str(events[0]["SUMMARY"]) == title.replace("\r\n", "\n").replace("\r", "\n")
    assert str(events[0]["LOCATION"]) == "Sal;1,\\2\nBEGIN:VALARM"
    assert not re.search(rb"\r\n(BEGIN:VEVENT\r\nSUMMARY:injected|END:VCALENDAR\r\n.)", body)


def test_unchanged_data_gives_identical_bytes_and_304(client: Client, setting: Setting) -> None:
    schedule(client, setting)
    token = issue(client, setting)
    first = fetch(client, token)
    second = fetch(client, token)
    assert first.content == second.content
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag)
    assert "content-encoding" not in first.headers
    not_modified = fetch(client, token, **{"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert fetch(client, token, **{"If-None-Match": '"other"'}).status_code == 200
    # RFC 9110 section 13.1.2: If-None-Match compares weakly.
    for header in (f"W/{etag}", f'"other", W/{etag}'):
        assert fetch(client, token, **{"If-None-Match": header}).status_code == 304
    assert fetch(client, token, **{"If-None-Match": 'W/"other"'}).status_code == 200
    gzip = fetch(client, token, **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in gzip.headers


def test_head_answers_with_the_headers_of_get_and_no_body(client: Client, setting: Setting) -> None:
    schedule(client, setting)
    token = issue(client, setting)
    full = fetch(client, token)
    head = client.head(path_of(token))
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert head.headers["content-type"] == full.headers["content-type"]
    assert (
        client.head(path_of(token), headers={"If-None-Match": full.headers["etag"]}).status_code
        == 304
    )
    assert client.head("/feeds/" + "x" * 43 + ".ics").status_code == 404
    assert "set-cookie" not in full.headers, "a calendar client gets no cookie"


def test_changed_feed_is_never_answered_304(client: Client, setting: Setting) -> None:
    meeting = schedule(client, setting)
    token = issue(client, setting)
    first = fetch(client, token)
    # Without a Last-Modified (rendered within the second of the last write) a client can only
    # claim a copy from before the change; a later claim would rightly be answered 304.
    before_change = format_datetime(dt.datetime.now(dt.UTC), True)
    changed = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"title": "Flyttat möte"},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert changed.status_code == 200
    since = first.headers.get("last-modified") or before_change
    for headers in ({"If-None-Match": first.headers["etag"]}, {"If-Modified-Since": since}):
        again = fetch(client, token, **headers)
        assert again.status_code == 200, headers
        assert "Flyttat möte" in again.text
        assert "SEQUENCE:1" in again.text


def test_if_modified_since_answers_304_for_unchanged_feed(client: Client, setting: Setting) -> None:
    schedule(client, setting)
    token = issue(client, setting)
    run_async(
        Meeting.update({Meeting.last_modified: dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, force=True)
    )
    first = fetch(client, token)
    last_modified = first.headers.get("last-modified")
    if last_modified is None:  # rendered within the second of the last write
        later = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1), True)
        assert fetch(client, token, **{"If-Modified-Since": later}).status_code == 304
    else:
        assert fetch(client, token, **{"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(dt.datetime(2020, 1, 1, tzinfo=dt.UTC), True)
    assert fetch(client, token, **{"If-Modified-Since": earlier}).status_code == 200


def test_cancelled_meeting_stays_30_days_then_leaves(client: Client, setting: Setting) -> None:
    meeting = schedule(client, setting)
    cancelled = client.delete(
        f"/api/v1/meetings/{meeting['id']}", headers={**setting.coordinator, "If-Match": '"0"'}
    )
    assert cancelled.status_code == 200
    token = issue(client, setting)
    event = parse(fetch(client, token).content).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    run_async(Meeting.update({Meeting.cancelled_at: long_ago}, force=True))
    post(client, setting.coordinator, "meetings", meeting_body(setting, title="Nästa"))
    assert parse(fetch(client, token).content).walk("VEVENT")[0]["SUMMARY"] == "Nästa"


def test_window_leaves_out_old_and_far_future_meetings(client: Client, setting: Setting) -> None:
    for days in (-120, -10, 400, 600):
        body = meeting_body(
            setting, title=f"dag {days}", starts_at=_soon(days), ends_at=_soon(days, 10)
        )
        post(client, setting.coordinator, "meetings", body)
    titles = {
        str(e["SUMMARY"])
        for e in parse(fetch(client, issue(client, setting)).content).walk("VEVENT")
    }
    assert titles == {"dag -10", "dag 400"}


def test_organization_contact_and_public_feeds(client: Client, setting: Setting) -> None:
    schedule(client, setting, title="Öppet möte", is_public=True, invited_organizations=[])
    schedule(
        client,
        setting,
        title="Polismöte",
        invited_organizations=[],
        invited_contacts=[setting.contacts[1]],
    )
    schedule(client, setting, title="Socialmöte", invited_organizations=[setting.orgs[0]])

    def titles(token: dict[str, object]) -> list[str]:
        return sorted(str(e["SUMMARY"]) for e in parse(fetch(client, token).content).walk("VEVENT"))

    assert titles(issue(client, setting, "public")) == ["Öppet möte"]
    org = issue(client, setting, "organization", subject_id=setting.orgs[1])
    assert titles(org) == ["Polismöte"]
    contact = issue(client, setting, "contact", subject_id=setting.contacts[0])
    assert titles(contact) == ["Socialmöte"]


def test_revoked_and_rotated_tokens(client: Client, setting: Setting, auth: Auth) -> None:
    token = issue(client, setting)
    assert fetch(client, token).status_code == 200
    forbidden = client.post(
        f"/api/v1/feed-tokens/{token['id']}/rotate", headers=auth["coordinator"]
    )
    assert forbidden.status_code == 403
    rotated = post(client, setting.coordinator, f"feed-tokens/{token['id']}/rotate", {})
    assert fetch(client, token).status_code == 410  # Gone: calendar clients stop polling
    assert fetch(client, rotated).status_code == 200
    again = client.post(f"/api/v1/feed-tokens/{token['id']}/rotate", headers=setting.coordinator)
    assert again.status_code == 409, again.text
    listed = client.get(
        "/api/v1/feed-tokens", params={"network_id": setting.network}, headers=setting.coordinator
    ).json()
    assert [t["revoked_at"] is None for t in listed] == [False, True]
    assert listed[1]["last_used_at"] is not None
    revoked = client.delete(f"/api/v1/feed-tokens/{rotated['id']}", headers=auth["admin"])
    assert revoked.json()["revoked_at"] is not None
    assert fetch(client, rotated).status_code == 410
    assert client.get("/feeds/not-a-token.ics").status_code == 404


def test_partners_cannot_issue_tokens_and_bad_scope_names_the_field(
    client: Client, setting: Setting
) -> None:
    denied = client.post(
        "/api/v1/feed-tokens",
        json={"scope": "network", "subject_id": setting.network},
        headers=setting.member_partner,
    )
    assert denied.status_code == 403
    missing = client.post(
        "/api/v1/feed-tokens", json={"scope": "organization"}, headers=setting.coordinator
    )
    assert missing.status_code == 422
    assert missing.json()["extra"][0]["key"] == "subject_id"


def test_unknown_tokens_are_rate_limited(client: Client, setting: Setting) -> None:
    limit = get_settings().token_misses_per_minute
    statuses = [client.get(f"/feeds/guess{i}.ics").status_code for i in range(limit + 2)]
    assert statuses[:limit] == [404] * limit
    assert statuses[-1] == 429
    assert path_of(issue(client, setting)).endswith(".ics")


def test_feed_tokens_never_reach_the_access_log(client: Client, setting: Setting) -> None:
    token = issue(client, setting)
    secret = path_of(token).removeprefix("/feeds/")
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path_of(token), "1.1", 200),
        None,
    )
    assert logging.getLogger("uvicorn.access").filter(record)
    assert secret not in record.getMessage()
    assert "/feeds/<token>.ics" in record.getMessage()
