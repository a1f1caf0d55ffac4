"""The demo data: a directory from the action plan and meetings around the day it is loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from litestar.testing import TestClient

from directory.demo.data import _id
from directory.demo.loader import load_demo_if_empty
from tests.conftest import run_async

Client = TestClient[Any]
Auth = dict[str, dict[str, str]]


def test_demo_networks_have_past_and_coming_meetings(client: Client, auth: Auth) -> None:
    assert run_async(load_demo_if_empty()) > 100
    assert run_async(load_demo_if_empty()) == 0, "a second load must not add anything"
    meetings = client.get("/api/v1/meetings", headers=auth["staff"]).json()
    assert len(meetings) == 5
    now = dt.datetime.now(dt.UTC)
    for meeting in meetings:
        start = dt.datetime.fromisoformat(meeting["starts_at"])
        if meeting["rrule"]:
            # DTSTART is itself an occurrence, so every calendar client counts the same dates.
            local = start.astimezone(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None)
            first = rrulestr(meeting["rrule"], dtstart=local)[0]
            assert first == local, meeting["title"]
    starts = [dt.datetime.fromisoformat(o["starts_at"]) for m in meetings for o in m["occurrences"]]
    assert min(starts) < now < max(starts)


def test_demo_follow_up_shows_attendance_and_hides_internal_meetings(
    client: Client, auth: Auth
) -> None:
    run_async(load_demo_if_empty())
    network = _id("network/sspf-tyreso")
    today = dt.date.today()
    report = client.get(
        "/api/v1/meetings/report",
        params={
            "network_id": network,
            "start": str(today - dt.timedelta(days=90)),
            "end": str(today),
        },
        headers=auth["staff"],
    ).json()
    assert report["meetings_held"] >= 1
    assert sum(row["attended"] for row in report["attendance_by_organization"]) >= 3
    assert report["open_follow_ups"][0]["title"] == "Återkoppla erfarenheterna till styrgruppen"
    partner = client.get("/api/v1/meetings", headers=auth["partner"]).json()
    assert [m["title"] for m in partner] == ["Dialogforum med trossamfund"]


def test_demo_plan_cycle_shows_a_picture_measures_and_gaps(client: Client, auth: Auth) -> None:
    run_async(load_demo_if_empty())
    period = f"{dt.date.today().year}-H{1 if dt.date.today().month <= 6 else 2}"
    report = client.get("/api/v1/plan/report", params={"period": period}, headers=auth["staff"])
    assert report.status_code == 200
    body = report.json()
    assert body["plan_title"] == "Handlingsplan mot våldsbejakande extremism"
    # Seven kinds of report, two of them under the threshold this half-year.
    assert len(body["picture"]["cells"]) == 5 and body["picture"]["hidden_cells"] == 2
    assert body["measures"][0]["overdue"] is True
    coverage = {item["actor"]: item["last_12_months"] for item in body["coverage"]}
    assert coverage["school"] > 0 and coverage["police"] > 0
    # The BRÅ working group has all five required actors and works at every level.
    assert [gap["missing"] for gap in body["level_gaps"]] == [[], [], []]
