"""Nextcloud notifications through AppAPI's notification API, for the Nextcloud users concerned."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from directory.accounts.service import create_service_token, principal_for_external_user
from directory.accounts.tables import Account
from directory.core.access import Role
from directory.core.settings import get_settings
from directory.records.tables import Contact, NetworkCoordinator, NetworkMember
from samverkan.app import create_app
from samverkan.nextcloud.notifications import Notifier, notification_worker
from samverkan.nextcloud.ocs import OcsClient
from tests.conftest import run_async
from tests.directory.meetings.fixtures import Setting, build_setting, meeting_body, post
from tests.samverkan.nextcloud.conftest import FakeNextcloud, appapi_settings

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def world(nextcloud: FakeNextcloud) -> Iterator[tuple[Client, Setting, Notifier]]:
    """A network with, in Nextcloud: anna (its coordinator), karin (email of a member contact),
    olle (of an invited organisation) and petra (none of these); plus a local coordinator."""
    settings = dataclasses.replace(
        get_settings(), appapi=appapi_settings(nextcloud), worker_in_app=False
    )
    with TestClient(app=create_app(settings)) as client:  # the test runs the notifier itself
        auth = {
            role: {"Authorization": f"Bearer {run_async(create_service_token(role))}"}
            for role in ("admin", "coordinator")
        }
        setting = build_setting(client, auth)
        nextcloud.groups.update({name: ["kommunen"] for name in ("anna", "karin", "olle", "petra")})

        async def people() -> None:
            accounts = {}
            for name in ("anna", "karin", "olle", "petra"):
                principal = await principal_for_external_user(
                    f"nc:{name}", Role.STAFF, name.title(), f"{name}@tyreso.se"
                )
                assert principal is not None
                accounts[name] = principal.account_id
            await NetworkCoordinator.insert(
                NetworkCoordinator(network_id=setting.network, account_id=accounts["anna"])
            )
            await Contact.update({Contact.email: "Karin@tyreso.se"}).where(
                Contact.id == setting.contacts[0]
            )
            await NetworkMember.insert(
                NetworkMember(network_id=setting.network, contact_id=setting.contacts[0])
            )
            await Account.update({Account.organization_id: setting.orgs[0]}).where(
                Account.id == accounts["olle"]
            )

        run_async(people())
        appapi = appapi_settings(nextcloud)
        yield client, setting, Notifier(appapi, OcsClient(appapi), "samverkan")


def _drain(notifier: Notifier) -> None:
    worker = notification_worker(notifier)
    while run_async(worker.step()):
        pass


def _sent(nextcloud: FakeNextcloud) -> list[dict[str, Any]]:
    sent = list(nextcloud.notifications)
    nextcloud.notifications.clear()
    return sent


def test_a_meeting_is_announced_to_the_nextcloud_users_it_concerns_once_per_change(
    world: tuple[Client, Setting, Notifier], nextcloud: FakeNextcloud
) -> None:
    client, setting, notifier = world
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    _drain(notifier)
    sent = _sent(nextcloud)
    assert sorted(n["user"] for n in sent) == ["anna", "karin", "olle"]
    link = (
        f"{nextcloud.url}/index.php/apps/app_api/embedded/samverkan/samverkan"
        f"/networks/{setting.network}/meetings/{meeting['id']}"
    )
    assert {(n["object_type"], n["object_id"], n["link"]) for n in sent} == {
        ("meeting", meeting["id"], link)
    }
    assert sent[0]["subject"] == "Du är inbjuden: Nätverksmöte SSPF"
    calls = nextcloud.calls_to("/api/v1/notification")
    assert {call.appapi_user for call in calls} == {"anna", "karin", "olle"}
    assert all(call.body["params"]["subject_type"] == "app_api_ex_app" for call in calls)

    note = {"occurrence_start": meeting["starts_at"], "kind": "note", "body": "Bra möte"}
    post(client, setting.coordinator, f"meetings/{meeting['id']}/notes", note)
    _drain(notifier)
    assert _sent(nextcloud) == []  # a note leaves SEQUENCE alone

    moved = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"starts_at": "2027-03-03T09:00:00", "ends_at": "2027-03-03T10:30:00"},
        headers={**setting.coordinator, "If-Match": '"0"'},
    )
    assert moved.status_code == 200, moved.text
    _drain(notifier)
    sent = _sent(nextcloud)
    assert len(sent) == 3 and sent[0]["subject"] == "Mötet har ändrats: Nätverksmöte SSPF"
    assert "3 mars 2027" in sent[0]["message"]

    cancelled = client.delete(
        f"/api/v1/meetings/{meeting['id']}", headers={**setting.coordinator, "If-Match": '"1"'}
    )
    assert cancelled.status_code == 200, cancelled.text
    _drain(notifier)
    sent = _sent(nextcloud)
    assert len(sent) == 3 and sent[0]["subject"] == "Mötet är inställt: Nätverksmöte SSPF"


def test_a_due_follow_up_reaches_its_owner_and_the_coordinators_once(
    world: tuple[Client, Setting, Notifier], nextcloud: FakeNextcloud
) -> None:
    client, setting, notifier = world
    meeting = post(client, setting.coordinator, "meetings", meeting_body(setting))
    today = dt.date.today()
    for title, owner, due in (
        ("Ta fram rutin", "Petra", today),
        ("Boka lokal", "olle@tyreso.se", today + dt.timedelta(days=3)),
    ):
        body = {"title": title, "owner": owner, "due_date": due.isoformat()}
        post(client, setting.coordinator, f"meetings/{meeting['id']}/follow-ups", body)
    assert run_async(notifier.announce_due_follow_ups(today)) == 2
    sent = _sent(nextcloud)
    assert sorted(n["user"] for n in sent) == ["anna", "petra"]
    assert sent[0]["subject"] == "Uppföljning förfaller: Ta fram rutin"
    assert sent[0]["link"].endswith(f"/networks/{setting.network}/follow-up")
    assert run_async(notifier.announce_due_follow_ups(today)) == 0
    later = today + dt.timedelta(days=3)
    assert run_async(notifier.announce_due_follow_ups(later)) == 2
    assert sorted(n["user"] for n in _sent(nextcloud)) == ["anna", "olle"]
