"""The links a running server hands out point where users reach it: the address ``serve``
listens on when standalone, AppAPI's proxy under Nextcloud, ``SAMVERKAN_PUBLIC_URL`` if set."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from directory.core.settings import load_settings, serve_environment
from tests.samverkan.nextcloud.conftest import APP_ID, APP_SECRET, APP_VERSION

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data_dir: Path, **extra: str) -> dict[str, str]:
    names = {"DATABASE_URL", "SAMVERKAN_DATA_DIR", "SAMVERKAN_PUBLIC_URL", "APP_ID"}
    env = {key: value for key, value in os.environ.items() if key not in names}
    return env | {"SAMVERKAN_DATA_DIR": str(data_dir), "SAMVERKAN_WORKER_IN_APP": "false"} | extra


@contextmanager
def _serving(env: dict[str, str], *args: str) -> Iterator[str]:
    """``samverkan serve ARGS`` until the block ends; yields a bearer token of an admin."""
    token = subprocess.run(
        [sys.executable, "-m", "samverkan", "token", "create", "--role", "admin"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()[-1]
    process = subprocess.Popen(
        [sys.executable, "-m", "samverkan", "serve", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield token
    finally:
        process.terminate()
        process.wait(timeout=10)


def _feed_link(port: int, token: str) -> str:
    deadline = time.monotonic() + 45
    while True:
        try:
            response = httpx.post(
                f"http://127.0.0.1:{port}/api/v1/feed-tokens",
                json={"scope": "public", "label": "links"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "samverkan serve did not start"
            time.sleep(0.3)
    assert response.status_code == 201, response.text
    return str(response.json()["https_url"])


def test_standalone_links_follow_the_port_serve_listens_on(tmp_path: Path) -> None:
    port = _free_port()
    with _serving(_environment(tmp_path), "--host", "127.0.0.1", "--port", str(port)) as token:
        link = _feed_link(port, token)
    assert link.startswith(f"http://127.0.0.1:{port}/feeds/"), link


def test_configured_public_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMVERKAN_PUBLIC_URL", "https://samverkan.example.se/")
    monkeypatch.setenv("APP_ID", APP_ID)
    monkeypatch.setenv("APP_SECRET", APP_SECRET)
    monkeypatch.setenv("APP_VERSION", APP_VERSION)
    monkeypatch.setenv("NEXTCLOUD_URL", "http://127.0.0.1:9")
    assert load_settings().public_url == "https://samverkan.example.se"
    assert serve_environment("127.0.0.1", 8123) == {}


def test_under_nextcloud_links_go_through_appapis_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMVERKAN_PUBLIC_URL", raising=False)
    monkeypatch.setenv("APP_ID", APP_ID)
    monkeypatch.setenv("APP_SECRET", APP_SECRET)
    monkeypatch.setenv("APP_VERSION", APP_VERSION)
    monkeypatch.setenv("NEXTCLOUD_URL", "http://127.0.0.1:9/nextcloud/index.php")
    proxy = f"http://127.0.0.1:9/nextcloud/index.php/apps/app_api/proxy/{APP_ID}"
    assert load_settings().public_url == proxy
    assert serve_environment("0.0.0.0", 23000) == {}  # noqa: S104


def test_a_wildcard_listening_address_is_named_by_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SAMVERKAN_PUBLIC_URL", raising=False)
    monkeypatch.delenv("APP_ID", raising=False)
    named = serve_environment("0.0.0.0", 8123)["SAMVERKAN_PUBLIC_URL"]  # noqa: S104
    assert named == f"http://{socket.getfqdn()}:8123"
    assert serve_environment("::1", 8123) == {"SAMVERKAN_PUBLIC_URL": "http://[::1]:8123"}
