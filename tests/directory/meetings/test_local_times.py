"""Wall-clock times that daylight saving skips or doubles: the API warns and stores the instant
RFC 5545 section 3.3.5 gives them."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post

Client = TestClient  # type: ignore[type-arg]


def _schedule(client: Client, setting: Setting, start: str, end: str, **fields: Any) -> Any:
    body = meeting_body(setting, starts_at=start, ends_at=end, **fields)
    return post(client, setting.coordinator, "meetings", body)


def test_a_skipped_time_is_warned_about_and_stored_after_the_gap(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    created = _schedule(client, setting, "2027-03-28T02:30:00", "2027-03-28T04:00:00")
    assert created["starts_at"] == "2027-03-28T01:30:00Z"  # 03:30 summer time
    (warning,) = created["warnings"]
    assert warning["field"] == "starts_at"
    assert warning["code"] == "nonexistent_local_time"
    assert warning["local_time"] == "2027-03-28T02:30:00"
    assert warning["stored_at"] == "2027-03-28T01:30:00Z"
    assert "03:30 (UTC+02:00)" in warning["message"]


def test_a_doubled_time_is_warned_about_and_stored_as_the_first(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    created = _schedule(client, setting, "2027-10-31T02:30:00", "2027-10-31T04:00:00")
    assert created["starts_at"] == "2027-10-31T00:30:00Z"  # the first 02:30, summer time
    codes = [(w["field"], w["code"]) for w in created["warnings"]]
    assert codes == [("starts_at", "ambiguous_local_time")]
    again = client.get(f"/api/v1/meetings/{created['id']}", headers=setting.coordinator).json()
    assert [(w["field"], w["code"]) for w in again["warnings"]] == [
        ("starts_at", "ambiguous_local_time")
    ]


def test_a_series_warns_about_its_occurrences_on_changeover_days(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    setting = build_setting(client, auth)
    created = _schedule(
        client, setting, "2027-03-21T02:30:00", "2027-03-21T03:00:00", rrule="FREQ=WEEKLY;COUNT=40"
    )
    found = [(w["field"], w["code"], w["local_time"]) for w in created["warnings"]]
    assert found == [
        ("occurrences", "nonexistent_local_time", "2027-03-28T02:30:00"),
        ("occurrences", "ambiguous_local_time", "2027-10-31T02:30:00"),
    ]


def test_an_ordinary_time_has_no_warnings(client: Client, auth: dict[str, dict[str, str]]) -> None:
    setting = build_setting(client, auth)
    created = _schedule(client, setting, "2027-10-31T01:30:00", "2027-10-31T04:00:00")
    assert created["warnings"] == []
