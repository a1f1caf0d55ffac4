"""Working with a whole series and what came of it, through plain form posts: the schedule
preview's daylight-saving warnings, editing and cancelling a series, attendance and follow-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.samverkan.web.conftest import Client, Writer
from tests.samverkan.web.test_meeting_pages import _network_with_coordinator, _schedule


def _last_sunday_of_next_october() -> dt.date:
    today = dt.date.today()
    year = today.year if today < dt.date(today.year, 10, 1) else today.year + 1
    last = dt.date(year, 10, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def test_the_schedule_preview_warns_about_skipped_and_doubled_times_before_saving(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    single = _schedule(
        client, network.id, date="2030-03-31", start="02:30", end="04:00", action="check"
    )
    assert single.status_code == 200
    assert "02:30 finns inte den 2030-03-31: klockan ställs fram en timme." in single.text
    change = _last_sunday_of_next_october()  # within the conflicts check's horizon
    weekly = _schedule(
        client,
        network.id,
        date=(change - dt.timedelta(weeks=1)).isoformat(),
        start="02:30",
        end="03:30",
        repeat="weekly",
        count="3",
        action="check",
    )
    assert "Sommartiden ställer om klockan vid den här tiden" in weekly.text
    assert f"Den {change.isoformat()} inträffar seriens tid 02:30 två gånger" in weekly.text
    plain = _schedule(client, network.id, date="2030-10-20", action="check")
    assert "time-warning" not in plain.text
