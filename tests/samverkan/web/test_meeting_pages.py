"""Scheduling, the meeting page and subscribing, through plain form posts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from babel.dates import format_date

from directory.accounts.tables import Account
from directory.core.settings import get_settings
from directory.meetings.tables import Meeting
from directory.records.tables import Contact
from tests.conftest import run_async
from tests.samverkan.web.conftest import Client, Writer, csrf_token


def _nth_tuesday(first_of_month: dt.date, nth: int = 2) -> dt.date:
    first_tuesday = first_of_month + dt.timedelta(days=(1 - first_of_month.weekday()) % 7)
    return first_tuesday + dt.timedelta(weeks=nth - 1)


def _month_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _account_id(username: str) -> Any:
    return run_async(Account.select(Account.id).where(Account.username == username).first())["id"]


def _network_with_coordinator(
    browser: Callable[[str], Client], writer: Writer
) -> tuple[Client, Any, Any, Any]:
    coordinator = browser("coordinator")
    school = writer.organization("Skolan")
    police = writer.organization("Polisen", kind="authority")
    rector = writer.contact(school.id, "Rektorn")
    network = writer.network(
        "SSPF",
        member_organization_ids=[school.id, police.id],
        member_contact_ids=[rector.id],
        coordinator_account_ids=[_account_id("coordinator-1")],
    )
    return coordinator, network, school, police


def _schedule(client: Client, network_id: Any, **fields: Any) -> Any:
    path = f"/networks/{network_id}/meetings/new"
    form = {
        "_csrf_token": csrf_token(client, path),
        "title": "Arbetsgruppen",
        "date": "2030-01-08",
        "start": "09:00",
        "end": "10:30",
        "repeat": "none",
        "action": "save",
        **fields,
    }
    return client.post(path, data=form, follow_redirects=False)


def test_a_coordinator_schedules_a_monthly_meeting_on_the_second_tuesday(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, police = _network_with_coordinator(browser, writer)
    assert "Boka ett möte" in client.get(f"/networks/{network.id}").text
    rector = run_async(Contact.select(Contact.id).where(Contact.name == "Rektorn").first())["id"]
    first = _nth_tuesday(_month_after(dt.date.today(), 2))
    second = _nth_tuesday(_month_after(dt.date.today(), 3))
    response = _schedule(
        client,
        network.id,
        date=first.isoformat(),
        repeat="monthly",
        count="6",
        invited_organizations=[str(school.id), str(police.id)],
        invited_contacts=[str(rector)],
        levels=["selective"],
    )
    assert response.status_code in (302, 303), response.text
    stored = run_async(Meeting.select().first())
    assert str(rector) in stored["invited_contacts"]
    assert stored["rrule"] == "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"
    page = client.get(response.headers["location"]).text
    assert "Arbetsgruppen" in page and "Skolan" in page
    assert format_date(second, "EEEE d MMMM", locale="sv_SE") in page  # next second Tuesday
    network_page = client.get(f"/networks/{network.id}").text
    assert format_date(first, "EEEE d MMMM", locale="sv_SE") + " 09:00–10:30" in network_page


def test_weekly_until_a_date_becomes_an_utc_until(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    _schedule(client, network.id, repeat="weekly", until="2030-03-26")
    stored = run_async(Meeting.select().first())
    assert stored["rrule"] == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20300326T225959Z"


def test_schedule_errors_are_shown_next_to_the_field(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    response = _schedule(client, network.id, end="08:00")
    assert response.status_code == 422
    assert re.search(r'id="s-end"[^>]*aria-invalid="true"', response.text)
    assert 'id="err-end"' in response.text
    both = _schedule(client, network.id, repeat="weekly", until="2030-02-01", count="3")
    assert both.status_code == 422 and 'id="err-count"' in both.text
    assert run_async(Meeting.count()) == 0


def test_conflicts_and_free_slots_are_offered_before_saving(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, _ = _network_with_coordinator(browser, writer)
    _schedule(client, network.id, title="Befintligt möte", invited_organizations=[str(school.id)])
    check = _schedule(
        client,
        network.id,
        title="Nytt möte",
        invited_organizations=[str(school.id)],
        action="check",
    )
    assert check.status_code == 200
    assert "Befintligt möte" in check.text
    slot = re.search(r'name="slot" value="([^"]+)"', check.text)
    assert slot is not None
    moved = _schedule(
        client,
        network.id,
        title="Nytt möte",
        invited_organizations=[str(school.id)],
        action="check",
        slot=slot.group(1),
    )
    assert "Ingen inbjuden organisation har ett annat möte då." in moved.text
    assert run_async(Meeting.count()) == 1


def test_staff_cannot_schedule(browser: Callable[[str], Client], writer: Writer) -> None:
    _, network, _, _ = _network_with_coordinator(browser, writer)
    staff = browser("staff")
    assert "Boka ett möte" not in staff.get(f"/networks/{network.id}").text
    assert staff.get(f"/networks/{network.id}/meetings/new").status_code == 403
    assert _schedule(staff, network.id).status_code == 403


def test_attendance_notes_and_follow_ups_on_a_past_meeting(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, police = _network_with_coordinator(browser, writer)
    response = _schedule(
        client,
        network.id,
        date=(dt.date.today() - dt.timedelta(days=10)).isoformat(),
        invited_organizations=[str(school.id), str(police.id)],
    )
    path = response.headers["location"].split("?")[0]
    meeting_id = path.rsplit("/", 1)[1]
    page = client.get(path).text
    occurrence = re.search(r'name="occurrence_start">\s*<option value="([^"]+)"', page)
    assert occurrence is not None
    token = csrf_token(client, path)
    client.post(
        f"/meetings/{meeting_id}/attendance",
        data={
            "_csrf_token": token,
            "occurrence_start": occurrence.group(1),
            "organization_ids": [str(school.id)],
        },
    )
    client.post(
        f"/meetings/{meeting_id}/notes",
        data={
            "_csrf_token": token,
            "occurrence_start": occurrence.group(1),
            "kind": "decision",
            "body": "Vi <b>beslutar</b>",
        },
    )
    added = client.post(
        f"/meetings/{meeting_id}/follow-ups",
        data={
            "_csrf_token": token,
            "title": "Ta fram rutin",
            "owner": "Skolan",
            "due_date": "2024-06-01",
        },
    )
    assert added.status_code == 200, added.text[-1500:]
    page = client.get(path).text
    assert "Skolan" in page.split('id="attendance"')[1].split("</ul>")[0]
    assert "Vi &lt;b&gt;beslutar&lt;/b&gt;" in page and "Beslut" in page
    section = page.split('id="follow-ups"')[1]
    assert "Ta fram rutin" in section, section[:800]
    assert "1 juni 2024" in section
    partner = browser("partner")
    assert "Vi &lt;b&gt;beslutar" not in partner.get(path).text


@pytest.fixture(params=["http://127.0.0.1:8000", "https://samverkan.example.se"])
def public_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SAMVERKAN_PUBLIC_URL", request.param)
    monkeypatch.setenv("SAMVERKAN_SECURE_COOKIES", "false")  # the test client speaks http
    get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_coordinator_creates_a_subscription_link_shown_once(
    public_url: str, browser: Callable[[str], Client], writer: Writer
) -> None:
    """A webcal link only where the public address is https; on http the panel says why not."""
    client, network, _, _ = _network_with_coordinator(browser, writer)
    page = client.get(f"/networks/{network.id}").text
    for client_name in ("Outlook", "Google", "Apple", "Nextcloud"):
        assert client_name in page
    https = public_url.startswith("https://")
    assert ("Inga webcal-länkar här" in page) is not https
    response = client.post(
        f"/networks/{network.id}/feed",
        data={"_csrf_token": csrf_token(client, f"/networks/{network.id}"), "detail": "partner"},
    )
    links = re.findall(r'value="((?:https?|webcal)://[^"]+\.ics)" readonly', response.text)
    assert links[0].startswith(f"{public_url}/feeds/")
    if https:
        assert len(links) == 2 and links[1] == "webcal://" + links[0].removeprefix("https://")
    else:
        assert len(links) == 1 and "webcal" not in response.text.split("<h3>")[0]
        assert "Inga webcal-länkar här" in response.text
    feed = client.get("/feeds/" + links[0].rsplit("/feeds/", 1)[1])
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text


def _feed(client: Client, network_id: Any) -> str:
    """The network's calendar feed, through a subscription link made on the network page."""
    response = client.post(
        f"/networks/{network_id}/feed",
        data={"_csrf_token": csrf_token(client, f"/networks/{network_id}"), "detail": "staff"},
    )
    link = re.search(r'value="https?://[^/"]+(/[^"]+\.ics)" readonly', response.text)
    assert link is not None, response.text
    feed = client.get(link.group(1))
    assert feed.status_code == 200
    return feed.text.replace("\r\n ", "")


def _tuesday_in_weeks(weeks: int) -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=(1 - today.weekday()) % 7 + 7 * weeks)


def _day(value: dt.date) -> str:
    return format_date(value, "EEEE d MMMM", locale="sv_SE")


def test_an_all_day_meeting_is_a_date_on_the_page_and_in_the_feed(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    first = _tuesday_in_weeks(2)
    last = first + dt.timedelta(weeks=2)
    response = _schedule(
        client,
        network.id,
        title="Temadag",
        date=first.isoformat(),
        all_day="on",
        repeat="weekly",
        until=last.isoformat(),
    )
    assert response.status_code in (302, 303), response.text
    stored = run_async(Meeting.select().first())
    assert stored["all_day"] is True
    assert stored["rrule"] == f"FREQ=WEEKLY;BYDAY=TU;UNTIL={last:%Y%m%d}"
    page = client.get(response.headers["location"]).text
    assert f"{_day(first)} · hela dagen" in page and f"{_day(last)} · hela dagen" in page
    feed = _feed(client, network.id)
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}\r\n" in feed
    assert f"DTEND;VALUE=DATE:{first + dt.timedelta(days=1):%Y%m%d}\r\n" in feed


def _occasions(page: str, prefix: str) -> list[str]:
    select = re.search(rf'<select id="{prefix}-occurrence".*?</select>', page, re.S)
    assert select is not None, "no occasion picker"
    return re.findall(r'<option value="([^"]+)"', select.group(0))


def test_a_coordinator_moves_cancels_and_splits_single_occurrences(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    first = _tuesday_in_weeks(2)
    path = (
        _schedule(client, network.id, date=first.isoformat(), repeat="weekly", count="6")
        .headers["location"]
        .split("?")[0]
    )
    meeting_id = path.rsplit("/", 1)[1]
    page = client.get(path).text
    occasions = _occasions(page, "move")
    assert len(occasions) == 6 and _occasions(page, "split") == occasions
    second, third, fourth = (first + dt.timedelta(weeks=n) for n in (1, 2, 3))
    token = csrf_token(client, path)

    def change(**fields: str) -> Any:
        data = {"_csrf_token": token, **fields}
        return client.post(f"/meetings/{meeting_id}/occurrences", data=data, follow_redirects=False)

    moved_to = second + dt.timedelta(days=1)
    moved = change(
        action="move",
        recurrence_id=occasions[1],
        date=moved_to.isoformat(),
        start="13:00",
        end="14:00",
    )
    assert moved.status_code in (302, 303), moved.text
    cancelled = change(action="cancel", recurrence_id=occasions[2], confirm="yes")
    assert cancelled.status_code in (302, 303), cancelled.text
    page = client.get(path).text
    assert f"{_day(moved_to)} 13:00–14:00" in page and f"{_day(second)} 09:00" not in page
    third_entry = page.split(_day(third), 1)[1].split("</li>", 1)[0]
    assert "Inställt" in third_entry
    feed = _feed(client, network.id)
    assert f"RECURRENCE-ID;TZID=Europe/Stockholm:{second:%Y%m%d}T090000" in feed
    assert f"DTSTART;TZID=Europe/Stockholm:{moved_to:%Y%m%d}T130000" in feed
    assert f"EXDATE;TZID=Europe/Stockholm:{third:%Y%m%d}T090000" in feed

    split = change(action="split", recurrence_id=occasions[3], start="10:00", end="11:30")
    assert split.status_code in (302, 303), split.text
    new_path = split.headers["location"].split("?")[0]
    assert new_path != path
    assert f"{_day(fourth)} 10:00–11:30" in client.get(new_path).text
    rules = {row["id"].hex: row["rrule"] for row in run_async(Meeting.select())}
    assert rules[new_path.rsplit("/", 1)[1].replace("-", "")] == "FREQ=WEEKLY;BYDAY=TU;COUNT=3"
    assert "UNTIL=" in rules[meeting_id.replace("-", "")]
    feed = _feed(client, network.id)
    assert feed.count("BEGIN:VEVENT") == 3  # the shortened series, its moved occasion, the new one
    assert f"DTSTART;TZID=Europe/Stockholm:{fourth:%Y%m%d}T100000" in feed


def test_an_occurrence_change_with_a_bad_time_is_shown_next_to_the_field(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    first = _tuesday_in_weeks(2)
    path = (
        _schedule(client, network.id, date=first.isoformat(), repeat="weekly")
        .headers["location"]
        .split("?")[0]
    )
    occasions = _occasions(client.get(path).text, "move")
    response = client.post(
        f"{path}/occurrences",
        data={
            "_csrf_token": csrf_token(client, path),
            "action": "move",
            "recurrence_id": occasions[1],
            "date": "",
            "start": "10:00",
            "end": "11:00",
        },
    )
    assert response.status_code == 422
    assert re.search(r'id="move-date"[^>]*aria-invalid="true"', response.text)
    assert '<span class="field-error" id="err-move-date">välj ett datum</span>' in response.text
    staff = browser("staff")
    assert 'id="occurrences"' not in staff.get(path).text
    denied = staff.post(
        f"{path}/occurrences",
        data={
            "_csrf_token": csrf_token(staff, path),
            "action": "cancel",
            "recurrence_id": occasions[1],
        },
    )
    assert denied.status_code == 403


def test_the_meeting_page_warns_that_a_time_is_skipped_by_daylight_saving(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    response = _schedule(client, network.id, date="2030-03-31", start="02:30", end="04:00")
    assert response.status_code in (302, 303), response.text
    page = client.get(response.headers["location"]).text
    assert "02:30 finns inte den 2030-03-31: klockan ställs fram en timme." in page
    assert "Mötet sparas kl. 03:30 (UTC+02:00)." in page
    stored = run_async(Meeting.select(Meeting.starts_at).first())
    assert stored["starts_at"].astimezone(dt.UTC) == dt.datetime(2030, 3, 31, 1, 30, tzinfo=dt.UTC)
