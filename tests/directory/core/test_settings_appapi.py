"""AppAPI's environment variables become typed settings, with clear errors when incomplete."""

from __future__ import annotations

import pytest

from directory.core.settings import SettingsError, load_settings


def test_appapi_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "APP_ID": "samverkan",
        "APP_SECRET": "x" * 32,
        "APP_VERSION": "0.1.0",
        "APP_HOST": "192.0.2.10",
        "APP_PORT": "23000",
        "NEXTCLOUD_URL": "https://moln.example.se/index.php",
        "NEXTCLOUD_ROLE_GROUPS": "admin:admin, samverkan:coord:coordinator",
    }.items():
        monkeypatch.setenv(name, value)
    appapi = load_settings().appapi
    assert appapi is not None
    assert appapi.nextcloud_url == "https://moln.example.se"
    assert (appapi.app_host, appapi.app_port) == ("192.0.2.10", 23000)
    assert appapi.role_groups == (("admin", "admin"), ("samverkan:coord", "coordinator"))
    assert "x" * 32 not in repr(appapi)


def test_without_app_id_there_is_no_appapi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_ID", raising=False)
    assert load_settings().appapi is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("APP_SECRET", "", "APP_SECRET"),
        ("NEXTCLOUD_ROLE_GROUPS", "admin:boss", "NEXTCLOUD_ROLE_GROUPS"),
        ("NEXTCLOUD_ROLE_GROUPS", "admins", "NEXTCLOUD_ROLE_GROUPS"),
        ("NEXTCLOUD_DEFAULT_ROLE", "guest", "NEXTCLOUD_DEFAULT_ROLE"),
        ("APP_PORT", "http", "APP_PORT"),
    ],
)
def test_incomplete_or_wrong_appapi_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv("APP_ID", "samverkan")
    monkeypatch.setenv("APP_SECRET", "secret")
    monkeypatch.setenv("APP_VERSION", "0.1.0")
    monkeypatch.setenv("NEXTCLOUD_URL", "http://127.0.0.1:1")
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message):
        load_settings()
