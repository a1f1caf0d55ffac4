"""Requests that once got a 5xx get a clear 4xx, are logged as one INFO line without the values
sent, and leave the service serving everyone else."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from directory.accounts.service import create_service_token
from directory.accounts.tables import Account, ApiToken
from directory.core.settings import get_settings
from directory.core.tables import TaxonomyTerm
from samverkan.app import create_app
from samverkan.web import STATIC_DIR as STATIC
from tests.conftest import run_async
from tests.samverkan.web.conftest import browser, csrf_token

__all__ = ["browser"]

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


def test_json_nested_ten_thousand_deep_is_a_400(client: Client, auth: Auth) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    response = client.post(
        "/api/v1/organizations",
        content=deep,
        headers={**auth["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["extra"][0]["message"] == "Expected `object`, got `array`"
    assert client.get("/api/v1/organizations", headers=auth["partner"]).status_code == 200


def test_taxonomy_positions_and_labels_are_checked_against_the_column(
    client: Client, auth: Auth
) -> None:
    term = {"taxonomy": "area", "code": "lang_etikett", "label_sv": "a", "label_en": "b"}
    for position in (2**31, -(2**31) - 1, 10**20):
        response = client.post(
            "/api/v1/taxonomy-terms", json={**term, "position": position}, headers=auth["admin"]
        )
        assert response.status_code == 400, response.text
        assert "position" in response.text
    long = {**term, "label_sv": "å" * 300, "label_en": "e" * 300, "position": 2**31 - 1}
    created = client.post("/api/v1/taxonomy-terms", json=long, headers=auth["admin"])
    assert created.status_code == 201, created.text
    stored = run_async(TaxonomyTerm.select().where(TaxonomyTerm.code == "lang_etikett").first())
    assert stored["label_sv"] == "å" * 300
    assert client.get("/api/v1/taxonomy-terms", headers=auth["partner"]).status_code == 200


def test_a_user_for_an_organisation_that_is_not_a_uuid_is_refused(
    browser: Callable[[str], Client],
) -> None:
    admin = browser("admin")
    token = csrf_token(admin, "/admin/users")
    form = {"_csrf_token": token, "username": "nina", "role": "partner", "password": "x" * 12}
    for organization in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = admin.post("/admin/users", data={**form, "organization_id": organization})
        assert response.status_code == 422, response.text
    assert not run_async(Account.exists().where(Account.username == "nina"))
    assert admin.get("/admin/users").status_code == 200


def test_like_wildcards_in_list_filters_match_only_themselves(client: Client, auth: Auth) -> None:
    body = {"name": "Fritidsgården", "kind": "ngo", "areas": ["civil_society"]}
    assert client.post("/api/v1/organizations", json=body, headers=auth["admin"]).is_success
    for area in ("%", "_", "civil%", "civil_society"):
        found = client.get("/api/v1/organizations", params={"area": area}, headers=auth["staff"])
        assert found.status_code in (200, 422), found.text
        expected = 1 if area == "civil_society" else 0
        total = found.json().get("total_items", 0) if found.status_code == 200 else 0
        assert total == expected, (area, found.text)


def test_client_errors_are_logged_at_info_without_values_or_tracebacks(
    client: Client, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "hemligt-värde-1234"
    with caplog.at_level(logging.DEBUG):
        for body in (
            {"name": secret, "kind": "nonsense"},
            {"name": secret * 50, "kind": "ngo"},
            {"name": secret, "kind": "ngo", "website": f"ftp://{secret}"},
        ):
            response = client.post("/api/v1/organizations", json=body, headers=auth["admin"])
            assert 400 <= response.status_code < 500
        response = client.post(
            "/api/v1/organizations", json={"name": secret, "kind": "ngo"}, headers=auth["partner"]
        )
        assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "litestar"]
    assert refused and all(r.levelno == logging.INFO for r in refused)
    assert all(r.exc_info is None for r in caplog.records)
    assert secret not in caplog.text


def test_sql_parameters_are_not_logged_at_debug(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SAMVERKAN_LOG_LEVEL", "DEBUG")
    get_settings.cache_clear()
    try:
        with TestClient(app=create_app()) as debug_client, caplog.at_level(logging.DEBUG):
            token = run_async(create_service_token("admin"))
            headers = {"Authorization": f"Bearer {token}"}
            body = {"name": "Loggtest", "kind": "ngo", "email": "erased.person@example.se"}
            assert debug_client.post("/api/v1/organizations", json=body, headers=headers).is_success
            assert debug_client.get("/api/v1/organizations", headers=headers).status_code == 200
    finally:
        get_settings.cache_clear()
    token_hash = run_async(ApiToken.select(ApiToken.token_hash).first())["token_hash"]
    assert caplog.records, "nothing was logged at DEBUG"
    assert "erased.person@example.se" not in caplog.text
    assert token_hash not in caplog.text
    assert token not in caplog.text


def test_every_response_carries_the_security_headers(
    client: Client, auth: Auth, browser: Callable[[str], Client]
) -> None:
    static = next(name for name in sorted(os.listdir(STATIC)) if name.endswith(".js"))
    responses = {
        "api": client.get("/api/v1/organizations", headers=auth["partner"]),
        "api error": client.get("/api/v1/organizations/not-a-uuid", headers=auth["partner"]),
        "unauthorised": client.get("/api/v1/organizations"),
        "static": client.get(f"/static/{static}"),
        "feed": client.get("/feeds/" + "x" * 43 + ".ics"),
        "health": client.get("/health"),
        "ready": client.get("/ready"),
        "unknown": client.get("/no/such/page", headers={"Accept": "text/html"}),
        "sign-in": client.get("/sign-in"),
    }
    for name, response in responses.items():
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get("referrer-policy") == "same-origin", name
        if response.headers.get("content-type", "").startswith("text/html"):
            assert "default-src 'self'" in response.headers["content-security-policy"], name
    assert "cache-control" not in responses["sign-in"].headers
    staff = browser("staff")
    for path in ("/", "/networks", "/calendar"):
        page = staff.get(path)
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store", path
        assert "frame-ancestors" in page.headers["content-security-policy"]
