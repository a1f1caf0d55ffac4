"""Samverkan's options in Nextcloud's admin settings (AppAPI declarative settings)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from samverkan.nextcloud.admin_settings import FORM_ID, RuntimeOptions
from samverkan.nextcloud.ocs import OcsClient
from tests.conftest import run_async
from tests.samverkan.nextcloud.conftest import (
    FakeNextcloud,
    appapi_headers,
    appapi_settings,
    exapp_client,
)


def test_enabling_registers_the_form_in_appapis_section(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
) -> None:
    client.put("/enabled", params={"enabled": "1"}, headers=appapi_headers(""))
    form = nextcloud.ui["settings"][FORM_ID]
    assert (form["section_type"], form["section_id"]) == ("admin", "declarative_settings")
    fields = {field["id"]: field for field in form["fields"]}
    assert set(fields) == {"role_groups", "default_role", "address_books"}
    assert fields["role_groups"]["default"] == (
        "admin:admin,samverkan-coordinators:coordinator,kommunen:staff"
    )
    assert fields["default_role"]["default"] == "partner"
    assert fields["default_role"]["options"] == ["admin", "coordinator", "staff", "partner"]


@pytest.mark.parametrize(
    ("config", "groups", "role"),
    [
        ({}, ["kommunen"], "staff"),  # nothing set in Nextcloud: the environment's mapping
        ({"role_groups": "fotbollslaget:coordinator"}, ["fotbollslaget"], "coordinator"),
        ({"role_groups": "fotbollslaget:coordinator"}, ["kommunen"], "partner"),
        ({"default_role": "staff"}, ["fotbollslaget"], "staff"),
        ({"role_groups": "kommunen:chief"}, ["kommunen"], "staff"),  # invalid: environment's
    ],
)
def test_the_role_follows_the_mapping_set_in_nextcloud(
    nextcloud: FakeNextcloud, config: dict[str, str], groups: list[str], role: str
) -> None:
    nextcloud.config.update(config)
    nextcloud.groups["alice"] = groups
    with exapp_client(nextcloud) as client:
        response = client.get("/api/v1/me", headers=appapi_headers("alice"))
    assert response.status_code == 200, response.text
    assert response.json()["role"] == role
    [call] = nextcloud.calls_to("/ex-app/config/get-values")
    assert call.body == {"configKeys": ["role_groups", "default_role", "address_books"]}


def test_address_books_set_in_nextcloud_or_the_environment(nextcloud: FakeNextcloud) -> None:
    settings = appapi_settings(nextcloud, groups_ttl_seconds=0)
    options = RuntimeOptions(settings, OcsClient(settings), ("internal", "partners"))
    assert run_async(options.current()).address_books == ("internal", "partners")
    nextcloud.config["address_books"] = "internal"
    assert run_async(options.current()).address_books == ("internal",)
    nextcloud.failing = True  # unreachable: the last values read
    assert run_async(options.current()).address_books == ("internal",)
