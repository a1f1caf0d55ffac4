"""The meeting page's forms for one occasion of a series, through plain form posts: what a
refused change says and that it changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.samverkan.web.conftest import Client, Writer, csrf_token
from tests.samverkan.web.test_meeting_pages import (
    _network_with_coordinator,
    _occasions,
    _schedule,
    _tuesday_in_weeks,
)


def _weekly_series(browser: Callable[[str], Client], writer: Writer) -> tuple[Client, str]:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    first = _tuesday_in_weeks(2)
    response = _schedule(client, network.id, date=first.isoformat(), repeat="weekly", count="5")
    assert response.status_code in (302, 303), response.text
    return client, response.headers["location"].split("?")[0]


def test_an_occasion_that_is_not_in_the_series_is_named_in_swedish_local_time(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, path = _weekly_series(browser, writer)
    response = client.post(
        f"{path}/occurrences",
        data={
            "_csrf_token": csrf_token(client, path),
            "action": "move",
            "recurrence_id": "2026-12-30T08:00:00+00:00",  # a Wednesday; the series is Tuesdays
            "date": "2026-12-31",
            "start": "09:00",
            "end": "10:30",
        },
    )
    assert response.status_code == 422
    message = '<span class="field-error" id="err-move-occurrence">'
    assert f"{message}30 dec. 2026 09:00 är inget tillfälle i serien</span>" in response.text
    assert "T08:00:00" not in response.text.split('id="occurrences"', 1)[1].split("<form", 1)[0]
    assert re.search(r'id="move-occurrence"[^>]*aria-invalid="true"', response.text)
    assert len(_occasions(response.text, "move")) == 5


def test_an_occasion_is_cancelled_only_with_the_box_ticked(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, path = _weekly_series(browser, writer)
    third = _occasions(client.get(path).text, "skip")[2]
    form = {"_csrf_token": csrf_token(client, path), "action": "cancel", "recurrence_id": third}
    refused = client.post(f"{path}/occurrences", data=form)
    assert refused.status_code == 422
    assert '<span class="field-error" id="err-skip-confirm">Kryssa i rutan' in refused.text
    assert f'<option value="{third}" selected>' in refused.text
    assert 'id="restore-occurrence"' not in refused.text
    done = client.post(f"{path}/occurrences", data={**form, "confirm": "yes"})
    assert done.status_code == 200 and "Tillfället är inställt." in done.text
    assert _occasions(done.text, "restore") == [third]
    staff = browser("staff")  # the role is checked before the box
    denied = staff.post(
        f"{path}/occurrences", data={**form, "_csrf_token": csrf_token(staff, path)}
    )
    assert denied.status_code == 403
