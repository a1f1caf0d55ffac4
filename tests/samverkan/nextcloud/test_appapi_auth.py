"""Signing in through AppAPI: Nextcloud users become principals with roles from their groups."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import TestClient

from directory.accounts.service import create_service_token
from directory.accounts.tables import Account
from tests.conftest import run_async
from tests.samverkan.nextcloud.conftest import (
    APP_SECRET,
    FakeNextcloud,
    appapi_headers,
    exapp_client,
)


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["admin"], "admin"),
        (["samverkan-coordinators", "kommunen"], "coordinator"),
        (["kommunen"], "staff"),
        (["fotbollslaget"], "partner"),
        ([], "partner"),
    ],
)
def test_nextcloud_groups_decide_the_role(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
    groups: list[str],
    role: str,
) -> None:
    nextcloud.groups["alice"] = groups
    response = client.get("/api/v1/me", headers=appapi_headers("alice"))
    assert response.status_code == 200
    assert response.json()["username"] == "nc:alice"
    assert response.json()["role"] == role
    [call] = nextcloud.calls_to("/cloud/users/")
    assert call.path == "/ocs/v1.php/cloud/users/alice"
    assert call.appapi_user == "alice"


def test_account_is_created_on_first_sight_and_only_once(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    nextcloud.groups["bo.ek"] = ["kommunen"]
    for _ in range(3):
        assert client.get("/api/v1/me", headers=appapi_headers("bo.ek")).status_code == 200
    rows = run_async(Account.select(Account.role).where(Account.username == "nc:bo.ek"))
    assert rows == [{"role": "staff"}]


def test_the_account_takes_the_nextcloud_display_name_and_email(
    nextcloud: FakeNextcloud,
) -> None:
    nextcloud.groups["bo.ek"] = ["kommunen"]
    for profile in (("Bo Ek", "bo.ek@tyreso.se"), ("Bo Ekström", "bo@tyreso.se")):
        nextcloud.profiles["bo.ek"] = profile
        with exapp_client(nextcloud, groups_ttl_seconds=0) as client:
            assert client.get("/api/v1/me", headers=appapi_headers("bo.ek")).status_code == 200
        row = run_async(
            Account.select(Account.display_name, Account.email)
            .where(Account.username == "nc:bo.ek")
            .first()
        )
        assert row == {"display_name": profile[0], "email": profile[1]}


def test_groups_are_asked_once_while_the_cache_is_fresh(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    nextcloud.groups["alice"] = ["kommunen"]
    for _ in range(3):
        client.get("/api/v1/me", headers=appapi_headers("alice"))
    assert len(nextcloud.calls_to("/cloud/users/")) == 1


def test_role_follows_a_group_change_once_the_cache_expires(nextcloud: FakeNextcloud) -> None:
    nextcloud.groups["alice"] = ["kommunen"]
    with exapp_client(nextcloud, groups_ttl_seconds=0) as client:
        assert client.get("/api/v1/me", headers=appapi_headers("alice")).json()["role"] == "staff"
        nextcloud.groups["alice"] = ["admin"]
        assert client.get("/api/v1/me", headers=appapi_headers("alice")).json()["role"] == "admin"
    assert run_async(Account.count().where(Account.username == "nc:alice")) == 1


def test_cached_role_is_used_when_nextcloud_is_down(nextcloud: FakeNextcloud) -> None:
    nextcloud.groups["alice"] = ["samverkan-coordinators"]
    with exapp_client(nextcloud, groups_ttl_seconds=0) as client:
        client.get("/api/v1/me", headers=appapi_headers("alice"))
        nextcloud.failing = True
        response = client.get("/api/v1/me", headers=appapi_headers("alice"))
        assert response.json()["role"] == "coordinator"
        assert client.get("/api/v1/me", headers=appapi_headers("new")).status_code == 503


@pytest.mark.parametrize(
    "headers",
    [
        appapi_headers("alice", secret="wrong-secret-1234"),
        appapi_headers("alice", app_id="another-app"),
        {**appapi_headers("alice"), "EX-APP-VERSION": "9.9.9"},
        {**appapi_headers("alice"), "AUTHORIZATION-APP-API": "not base64!"},
        {k: v for k, v in appapi_headers("alice").items() if k != "AUTHORIZATION-APP-API"},
        {k: v for k, v in appapi_headers("alice").items() if k != "EX-APP-ID"},
        appapi_headers(""),
    ],
    ids=["secret", "app-id", "version", "not-base64", "no-auth", "no-app-id", "no-user"],
)
def test_missing_or_wrong_appapi_headers_get_401_and_no_account(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
    headers: dict[str, str],
) -> None:
    nextcloud.groups["alice"] = ["admin"]
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert nextcloud.calls == []
    assert run_async(Account.count()) == 0


def test_secrets_never_reach_the_log(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-secret-that-must-not-be-logged"
    nextcloud.groups["alice"] = ["admin"]
    assert client.get("/api/v1/me", headers=appapi_headers("alice", wrong)).status_code == 401
    assert client.get("/api/v1/me", headers=appapi_headers("alice")).status_code == 200
    client.post("/init", headers=appapi_headers(""))
    assert caplog.text.count("rejected an AppAPI request") == 1, "one refusal, logged once"
    assert wrong not in caplog.text
    assert APP_SECRET not in caplog.text


def test_bearer_tokens_keep_working_beside_appapi(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    token = run_async(create_service_token("staff"))
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["role"] == "staff"


def test_partner_from_nextcloud_never_reads_internal_entries(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    token = run_async(create_service_token("admin"))
    admin = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/organizations",
        json={"name": "Intern enhet", "kind": "internal", "visibility": "internal"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    nextcloud.groups["partner.anna"] = []
    listed = client.get("/api/v1/organizations", headers=appapi_headers("partner.anna"))
    assert listed.status_code == 200
    assert listed.json()["contents"] == []
    nextcloud.groups["kommun.karin"] = ["kommunen"]
    staff_view = client.get("/api/v1/organizations", headers=appapi_headers("kommun.karin"))
    assert [org["name"] for org in staff_view.json()["contents"]] == ["Intern enhet"]
