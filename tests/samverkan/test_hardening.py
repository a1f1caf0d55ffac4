"""A real ``samverkan serve`` believes ``X-Forwarded-For`` only from the configured proxies, and
the SQLite file is created readable by its owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import ROOT, start_server, stop_server

LIMIT = 3


def _statuses_with_forged_addresses(monkeypatch: pytest.MonkeyPatch, trusted: str) -> list[int]:
    """Unknown tokens, each from a different claimed address, to a server on loopback."""
    monkeypatch.setenv("SAMVERKAN_TOKEN_MISSES_PER_MINUTE", str(LIMIT))
    monkeypatch.setenv("SAMVERKAN_TRUSTED_PROXIES", trusted)
    process, base_url = start_server(workers=1, pool_size=2)
    try:
        return [
            httpx.get(
                f"{base_url}/api/v1/me",
                headers={
                    "Authorization": f"Bearer sv_guess{attempt}",
                    "X-Forwarded-For": f"203.0.113.{attempt + 1}",
                },
                timeout=10,
            ).status_code
            for attempt in range(LIMIT + 2)
        ]
    finally:
        stop_server(process)
        monkeypatch.undo()


def test_forwarded_addresses_count_only_from_trusted_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    untrusted = _statuses_with_forged_addresses(monkeypatch, "")
    assert untrusted[-1] == 429, "a loopback client cannot pick a fresh address per guess"
    trusted = _statuses_with_forged_addresses(monkeypatch, "127.0.0.1")
    assert set(trusted) == {401}, "behind a trusted proxy each client has its own address"


def test_the_sqlite_file_is_created_for_its_owner_only(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SAMVERKAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/samverkan.sqlite",
    }
    subprocess.run(
        [sys.executable, "-m", "samverkan", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    mode = stat.S_IMODE((tmp_path / "samverkan.sqlite").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_trusted_proxies_must_be_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    from directory.core.settings import SettingsError, load_settings
    from samverkan.cli import proxy_options

    monkeypatch.setenv("SAMVERKAN_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
    trusted = load_settings().trusted_proxies
    assert trusted == ("10.0.0.0/8", "192.0.2.7/32")
    assert proxy_options(trusted) == {"proxy_headers": True, "forwarded_allow_ips": list(trusted)}
    assert proxy_options(()) == {"proxy_headers": False}
    monkeypatch.setenv("SAMVERKAN_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(SettingsError, match="SAMVERKAN_TRUSTED_PROXIES"):
        load_settings()
