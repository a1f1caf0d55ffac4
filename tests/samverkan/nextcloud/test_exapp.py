"""The ExApp lifecycle as AppAPI drives it: heartbeat, init with progress, enable and disable."""

from __future__ import annotations

import base64

from litestar.testing import TestClient

from tests.samverkan.nextcloud.conftest import (
    APP_ID,
    APP_SECRET,
    APP_VERSION,
    FakeNextcloud,
    appapi_headers,
    exapp_client,
)


def test_heartbeat_answers_ok_without_any_signature(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/heartbeat")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_init_reports_progress_to_nextcloud_until_100(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    response = client.post("/init", headers=appapi_headers(""))
    assert response.status_code == 200
    calls = nextcloud.calls_to("/ex-app/status")
    assert [call.body["progress"] for call in calls] == [10, 100]
    assert all(call.method == "PUT" for call in calls)
    assert calls[-1].body["error"] == ""
    headers = calls[-1].headers
    assert headers["ex-app-id"] == APP_ID
    assert headers["ex-app-version"] == APP_VERSION
    assert headers["ocs-apirequest"] == "true"
    assert base64.b64decode(headers["authorization-app-api"]).decode() == f":{APP_SECRET}"
    assert calls[-1].query["format"] == ["json"]


def test_init_refuses_a_call_not_signed_by_appapi(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    response = client.post("/init", headers=appapi_headers("", secret="guess"))
    assert response.status_code == 401
    assert nextcloud.calls == []


def test_enabling_registers_the_top_menu_entry(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    response = client.put("/enabled", params={"enabled": "1"}, headers=appapi_headers(""))
    assert response.status_code == 200
    assert response.json() == {"error": ""}
    [call] = nextcloud.calls_to("/ui/top-menu")
    assert call.method == "POST"
    assert call.path == "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu"
    assert call.body == {
        "name": "samverkan",
        "displayName": "Samverkan",
        "icon": "",
        "adminRequired": 0,
    }


def test_disabling_removes_the_top_menu_entry(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    response = client.put("/enabled", params={"enabled": "0"}, headers=appapi_headers(""))
    assert response.json() == {"error": ""}
    [call] = nextcloud.calls_to("/ui/top-menu")
    assert call.method == "DELETE"
    assert call.query["name"] == ["samverkan"]


def test_enabling_reports_nextcloud_failure_in_the_error_field(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    nextcloud.failing = True
    response = client.put("/enabled", params={"enabled": "1"}, headers=appapi_headers(""))
    assert response.status_code == 200
    assert "500" in response.json()["error"]


def test_enabled_flag_other_than_0_or_1_is_a_400_naming_it(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    response = client.put("/enabled", params={"enabled": "2"}, headers=appapi_headers(""))
    assert response.status_code == 400
    assert "enabled" in response.text


def test_enabled_refuses_a_call_for_another_app(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    response = client.put(
        "/enabled", params={"enabled": "1"}, headers=appapi_headers("", app_id="other")
    )
    assert response.status_code == 401
    assert nextcloud.calls == []


def test_enabling_registers_the_page_script_and_the_address_it_frames(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    response = client.put("/enabled", params={"enabled": "1"}, headers=appapi_headers(""))
    assert response.json() == {"error": ""}
    [script] = nextcloud.calls_to("/ui/script")
    assert script.method == "POST"
    assert script.body == {
        "type": "top_menu",
        "name": "samverkan",
        "path": "static/nextcloud-embed",
        "afterAppId": "",
    }
    [state] = nextcloud.calls_to("/ui/initial-state")
    assert state.body == {
        "type": "top_menu",
        "name": "samverkan",
        "key": "samverkan_embed",
        "value": {"url": "/index.php/apps/app_api/proxy/samverkan/"},
    }
    # AppAPI loads the script as {path}.js through the proxy; the app serves it there.
    served = client.get("/static/nextcloud-embed.js", headers=appapi_headers("anna"))
    assert served.status_code == 200
    assert f"initial-state-app_api-{state.body['key']}" in served.text


def test_the_framed_address_follows_nextclouds_web_root(nextcloud: FakeNextcloud) -> None:
    with exapp_client(nextcloud, nextcloud_url=nextcloud.url + "/moln") as client:
        client.put("/enabled", params={"enabled": "1"}, headers=appapi_headers(""))
    [state] = nextcloud.calls_to("/ui/initial-state")
    assert state.body["value"] == {"url": "/moln/index.php/apps/app_api/proxy/samverkan/"}


def test_disabling_removes_what_enabling_registered(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    client.put("/enabled", params={"enabled": "1"}, headers=appapi_headers(""))
    kinds = ("top-menu", "script", "initial-state", "settings")
    assert all(nextcloud.ui[kind] for kind in kinds)
    response = client.put("/enabled", params={"enabled": "0"}, headers=appapi_headers(""))
    assert response.json() == {"error": ""}
    assert not any(nextcloud.ui.values())
    deletions = [call for call in nextcloud.calls if call.method == "DELETE"]
    assert {call.path.rsplit("/", 1)[1] for call in deletions} == set(kinds)
    assert client.put("/enabled", params={"enabled": "0"}, headers=appapi_headers("")).json() == {
        "error": ""
    }
