"""Working with a whole series and what came of it, through plain form posts: the schedule
preview's daylight-saving warnings, editing and cancelling a series, attendance and follow-ups."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from directory.records.tables import Contact
from tests.conftest import run_async
from tests.samverkan.web.conftest import Client, Writer, csrf_token
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


def _past_meeting(client: Client, network_id: Any, **fields: Any) -> str:
    day = dt.date.today() - dt.timedelta(days=10)
    response = _schedule(client, network_id, date=day.isoformat(), **fields)
    assert response.status_code in (302, 303), response.text[-800:]
    return str(response.headers["location"].split("?")[0])


def test_follow_up_owners_are_offered_from_the_network_and_listed_as_mine(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, _, _ = _network_with_coordinator(browser, writer)
    path = _past_meeting(client, network.id)
    owners = client.get(path).text.split('<datalist id="fu-owners">')[1].split("</datalist>")[0]
    assert '<option value="Coordinator User">' in owners  # the network's coordinator
    assert '<option value="Rektorn">' in owners  # a contact in the network
    token = csrf_token(client, path)
    for title, due in (("Boka lokal", dt.date.today() - dt.timedelta(days=1)), ("Skicka ut", None)):
        added = client.post(
            f"{path}/follow-ups",
            data={
                "_csrf_token": token,
                "title": title,
                "owner": "Coordinator User" if due else "Någon utanför katalogen",
                "due_date": (due or dt.date.today()).isoformat(),
            },
        )
        assert added.status_code == 200
    mine = client.get("/").text.split('id="my-follow-ups"')[1].split("</section>")[0]
    assert "Boka lokal" in mine and "Skicka ut" not in mine
    assert '<li class="warning">' in mine and "försenad" in mine


def test_a_coordinator_edits_and_cancels_a_whole_series(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, police = _network_with_coordinator(browser, writer)
    response = _schedule(
        client,
        network.id,
        date="2030-01-08",
        repeat="weekly",
        count="4",
        invited_organizations=[str(school.id)],
    )
    path = response.headers["location"].split("?")[0]
    meeting_id = path.rsplit("/", 1)[1]
    form = client.get(f"{path}/edit").text
    assert 'name="version" value="0"' in form
    rector = run_async(Contact.select(Contact.id).first())["id"]
    changes = {
        "_csrf_token": csrf_token(client, f"{path}/edit"),
        "version": "0",
        "title": "Lägesbild",
        "location": "Stadshuset",
        "agenda": "1. Läget\n2. Insatser",
        "invited_organizations": [str(police.id)],
        "invited_contacts": [str(rector)],
    }
    saved = client.post(f"{path}/edit", data=changes, follow_redirects=False)
    assert saved.status_code in (302, 303)
    assert saved.headers["location"] == f"{path}?notice=series_saved"
    page = client.get(saved.headers["location"]).text
    assert "Ändringarna är sparade för alla tillfällen." in page
    api = client.get(f"/api/v1/meetings/{meeting_id}").json()
    assert (api["title"], api["location"], api["sequence"]) == ("Lägesbild", "Stadshuset", 1)
    assert api["invited_organizations"] == [str(police.id)]
    assert api["invited_contacts"] == [str(rector)]
    stale = client.post(f"{path}/edit", data={**changes, "title": "Gammal"})
    assert stale.status_code == 409 and "Någon annan ändrade mötet" in stale.text
    assert 'name="version" value="1"' in stale.text and 'value="Gammal"' in stale.text
    cancel = {"_csrf_token": csrf_token(client, path), "version": "1"}
    unconfirmed = client.post(f"{path}/cancel", data=cancel)
    assert unconfirmed.status_code == 422 and "Kryssa i rutan för att bekräfta." in unconfirmed.text
    cancelled = client.post(f"{path}/cancel", data={**cancel, "confirm": "yes"})
    assert cancelled.status_code == 200
    assert "Mötet är inställt, med alla tillfällen." in cancelled.text
    assert client.get(f"/api/v1/meetings/{meeting_id}").json()["status"] == "cancelled"
    assert 'id="series"' not in cancelled.text
    staff = browser("staff")
    assert staff.get(f"{path}/edit").status_code == 403
    assert staff.post(f"{path}/cancel", data={**cancel, "confirm": "yes"}).status_code == 403


def test_attendance_is_recorded_per_organisation_and_contact_and_shown_when_reopened(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    client, network, school, police = _network_with_coordinator(browser, writer)
    rector = run_async(Contact.select(Contact.id).first())["id"]
    path = _past_meeting(
        client,
        network.id,
        invited_organizations=[str(school.id), str(police.id)],
        invited_contacts=[str(rector)],
    )
    page = client.get(path).text
    occasion = re.search(r'name="occurrence_start" value="([^"]+)"', page)
    assert occasion is not None and "Ingen närvaro registrerad än." in page
    saved = client.post(
        f"{path}/attendance",
        data={
            "_csrf_token": csrf_token(client, path),
            "occurrence_start": occasion.group(1),
            "organization_ids": [str(police.id)],
            "contact_ids": [str(rector)],
        },
        follow_redirects=False,
    )
    assert saved.status_code in (302, 303)
    reopened = client.get(saved.headers["location"]).text
    section = reopened.split('id="attendance"')[1].split("</section>")[0]
    assert "Polisen, Rektorn · <a" in section
    assert f'name="organization_ids" value="{police.id}" checked' in section
    assert f'name="organization_ids" value="{school.id}">' in section
    assert f'name="contact_ids" value="{rector}" checked' in section
    api = client.get(f"/api/v1/meetings/{path.rsplit('/', 1)[1]}/attendance").json()
    assert api[0]["contact_ids"] == [str(rector)]
