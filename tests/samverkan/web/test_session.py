"""Sign-in, sessions, CSRF and security headers of the web interface."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from directory.accounts import service as accounts
from directory.core.settings import get_settings
from samverkan.app import create_app
from samverkan.cli import main
from tests.conftest import run_async
from tests.samverkan.web.conftest import PASSWORD, Client, csrf_token, make_account, sign_in


def test_pages_redirect_to_sign_in_and_back(anonymous: Client) -> None:
    response = anonymous.get("/networks", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/sign-in?next=%2Fnetworks"
    make_account("staff", "sara")
    token = csrf_token(anonymous)
    response = anonymous.post(
        "/sign-in",
        data={"username": "sara", "password": PASSWORD, "next": "/networks", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/networks"
    assert anonymous.get("/networks").status_code == 200


def test_sign_in_never_redirects_off_site(anonymous: Client) -> None:
    make_account("staff", "sara")
    token = csrf_token(anonymous)
    response = anonymous.post(
        "/sign-in",
        data={
            "username": "sara",
            "password": PASSWORD,
            "next": "//evil.example",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_wrong_password_is_refused_with_a_message(anonymous: Client) -> None:
    make_account("staff", "sara")
    response = sign_in(anonymous, "sara", "not the password")
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord." in response.text
    assert "samverkan_session" not in response.headers.get("set-cookie", "")
    assert sign_in(anonymous, "nobody", PASSWORD).status_code == 401


def test_disabled_account_loses_its_session(browser: Callable[[str], Client]) -> None:
    from directory.accounts.tables import Account

    client = browser("staff")
    assert client.get("/networks").status_code == 200
    run_async(
        Account.update({Account.disabled_at: Account.created_at}).where(Account.role == "staff")
    )
    assert client.get("/networks", follow_redirects=False).status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(anonymous: Client) -> None:
    make_account("staff", "sara")
    cookie = sign_in(anonymous, "sara").headers["set-cookie"]
    assert "samverkan_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the test settings serve plain http


@pytest.fixture
def https_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("SAMVERKAN_PUBLIC_URL", "https://samverkan.example.se")
    get_settings.cache_clear()
    try:
        with TestClient(app=create_app(), base_url="https://testserver.local") as client:
            yield client
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_cookies_are_secure_behind_https(https_app: Client) -> None:
    make_account("staff", "sara")
    response = sign_in(https_app, "sara")
    assert "Secure" in response.headers["set-cookie"]
    assert response.status_code == 302


def test_sign_out_ends_the_session(browser: Callable[[str], Client]) -> None:
    client = browser("staff")
    session_cookie = client.cookies.get("samverkan_session")
    response = client.post(
        "/sign-out", data={"_csrf_token": csrf_token(client, "/")}, follow_redirects=False
    )
    assert response.headers["location"] == "/sign-in"
    assert client.get("/", follow_redirects=False).status_code == 302
    # replaying the old cookie does not bring the session back: it is gone from the store
    client.cookies.set("samverkan_session", session_cookie or "")
    assert client.get("/", follow_redirects=False).status_code == 302


def test_forms_without_the_csrf_token_are_rejected(
    anonymous: Client, browser: Callable[[str], Client]
) -> None:
    make_account("staff", "sara")
    anonymous.get("/sign-in")
    response = anonymous.post("/sign-in", data={"username": "sara", "password": PASSWORD})
    assert response.status_code == 403
    admin = browser("admin")
    assert admin.post("/sign-out").status_code == 403
    assert admin.post("/language", data={"language": "en"}).status_code == 403
    assert admin.post("/sign-out", data={"_csrf_token": "forged"}).status_code == 403


def test_every_page_has_a_strict_content_security_policy(
    browser: Callable[[str], Client], anonymous: Client
) -> None:
    client = browser("admin")
    for response in (anonymous.get("/sign-in"), client.get("/"), client.get("/vid-oro")):
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "style-src 'self'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
    page = client.get("/").text
    assert "<script>" not in page
    assert "style=" not in page


def test_the_api_accepts_the_session_for_reads_only(browser: Callable[[str], Client]) -> None:
    client = browser("admin")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["role"] == "admin"
    created = client.post("/api/v1/organizations", json={"name": "X", "kind": "internal"})
    assert created.status_code == 401


def test_cli_sets_a_password_that_signs_in(anonymous: Client) -> None:
    run_async(accounts.create_account("kim", "coordinator"))
    result = CliRunner().invoke(
        main, ["account", "set-password", "--username", "kim"], input="sju kakor och te\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert "password set for kim" in result.output
    assert sign_in(anonymous, "kim", "sju kakor och te").status_code == 302
    short = CliRunner().invoke(
        main, ["account", "set-password", "--username", "kim", "--password", "kort"]
    )
    assert short.exit_code != 0
    assert "password" in short.output


def test_passwords_are_stored_as_salted_scrypt_hashes() -> None:
    first, second = accounts.hash_password("same"), accounts.hash_password("same")
    assert first.startswith("scrypt$") and first != second
    assert accounts.password_matches("same", first)
    assert not accounts.password_matches("other", first)


def test_sign_in_gives_a_fresh_session_id(anonymous: Client) -> None:
    make_account("staff", "sara")
    make_account("staff", "olle")
    sign_in(anonymous, "olle")
    planted = anonymous.cookies.get("samverkan_session")
    assert planted
    sign_in(anonymous, "sara")
    assert anonymous.cookies.get("samverkan_session") != planted
    with TestClient(app=create_app()) as attacker:
        attacker.cookies.set("samverkan_session", planted)
        assert attacker.get("/", follow_redirects=False).status_code == 302


def test_anonymous_and_api_requests_store_no_session(anonymous: Client) -> None:
    assert "samverkan_session" not in anonymous.get("/sign-in").headers.get("set-cookie", "")
    assert "samverkan_session" not in anonymous.get("/health").headers.get("set-cookie", "")
