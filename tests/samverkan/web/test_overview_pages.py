"""Calendar month, week and agenda views, the collaboration map and the follow-up charts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from tests.samverkan.web.conftest import Client, Writer, csrf_token
from tests.samverkan.web.test_meeting_pages import _network_with_coordinator, _schedule


def test_month_and_agenda_views_show_the_meetings(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, _ = _network_with_coordinator(browser, writer)
    day = dt.date.today() + dt.timedelta(days=3)
    _schedule(
        client,
        network.id,
        title="Lägesbild",
        date=day.isoformat(),
        invited_organizations=[str(school.id)],
    )
    month = day.strftime("%Y-%m")
    grid = client.get(f"/networks/{network.id}/calendar", params={"month": month}).text
    cell = re.search(
        rf'<span class="day-number">{day.day}</span>\s*<a class="event"[^>]*>09:00 Lägesbild</a>',
        grid,
    )
    assert cell is not None
    agenda = client.get(
        f"/networks/{network.id}/calendar", params={"month": month, "view": "agenda"}
    ).text
    assert "Lägesbild" in agenda and "09:00–10:30" in agenda
    assert "Lägesbild" in client.get("/calendar", params={"month": month}).text
    other = browser("staff")
    assert "Lägesbild" not in other.get("/calendar", params={"month": month}).text
    assert client.get("/calendar", params={"month": "garbage"}).status_code == 400


def test_the_week_view_runs_monday_to_sunday_with_holidays_and_whole_titles(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    title = "SSPF operativ arbetsgrupp om unga i riskzon"
    _schedule(client, network.id, title=title, date="2030-12-23", start="13:00", end="14:30")
    path = f"/networks/{network.id}/calendar"
    week = client.get(path, params={"view": "week", "week": "2030-W52"}).text
    assert "Vecka 52" in week and "23–29 dec. 2030" in week
    days = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})"', week)
    assert days == [f"2030-12-{day}" for day in range(23, 30)]
    assert '<p class="holiday-name">Juldagen</p>' in week
    assert '<span class="event-time">13:00–14:30</span>' in week
    assert f'<span class="event-title">{title}</span>' in week
    assert f"{path}?week=2030-W51&amp;view=week" in week
    assert f"{path}?week=2031-W01&amp;view=week" in week
    turn = client.get(path, params={"view": "week", "week": "2027-W01"}).text
    assert "?week=2026-W53&amp;view=week" in turn  # 2026 has 53 ISO weeks
    assert "Inga möten den här veckan." in turn
    assert client.get(path, params={"view": "week", "week": "2030-52"}).status_code == 400


def test_the_map_groups_organisations_by_kind_and_names_missing_kinds(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    school = writer.organization("Skolan", kind="internal", levels=["general"])
    police = writer.organization("Polisen", kind="authority", levels=["general", "selective"])
    hidden = writer.organization("Hemlig enhet", kind="internal", visibility="internal")
    writer.network(
        "SSPF", visibility="public", member_organization_ids=[school.id, police.id, hidden.id]
    )
    staff_map = browser("staff").get("/map").text
    assert staff_map.count("<line ") == 3
    assert f'href="/organizations/{school.id}"' in staff_map and "Hemlig enhet" in staff_map
    assert "Myndighet" in staff_map  # the column heading of the police
    missing = re.search(r"<th scope=\"row\">Selektiv</th><td>([^<]*)</td>", staff_map)
    assert missing is not None and "Kommunal verksamhet" in missing.group(1)
    partner_map = browser("partner").get("/map").text
    assert "Hemlig enhet" not in partner_map and partner_map.count("<line ") == 1


def test_the_follow_up_page_charts_meetings_and_attendance(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, police = _network_with_coordinator(browser, writer)
    response = _schedule(
        client,
        network.id,
        date=(dt.date.today() - dt.timedelta(days=8)).isoformat(),
        invited_organizations=[str(school.id), str(police.id)],
    )
    path = response.headers["location"].split("?")[0]
    occurrence = re.search(
        r'name="occurrence_start">\s*<option value="([^"]+)"', client.get(path).text
    )
    assert occurrence is not None
    client.post(
        f"{path}/attendance",
        data={
            "_csrf_token": csrf_token(client, path),
            "occurrence_start": occurrence.group(1),
            "organization_ids": [str(school.id), str(police.id)],
        },
    )
    page = client.get(f"/networks/{network.id}/follow-up").text
    assert "1 möten hållna" in page
    assert page.count("<rect ") >= 12 + 2  # twelve months, two kinds
    assert "Myndighet" in page and "Kommunal verksamhet" in page
