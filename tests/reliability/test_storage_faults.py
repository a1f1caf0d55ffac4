"""A read-only database or a full disk: writes get 503 with the reason, /ready turns 503, web
sign-in says it could not sign in, reads go on, and the service recovers without a restart.

SQLite runs in a data folder on a small tmpfs of its own (made immutable, then filled);
PostgreSQL is made read-only with ``default_transaction_read_only``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import IS_POSTGRES, run_async
from tests.reliability.conftest import ROOT, start_server, stop_server

PASSWORD = "a long enough secret"


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The server's data folder: on PostgreSQL a plain folder, on SQLite a 32 MiB tmpfs."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("SAMVERKAN_DATA_DIR", str(folder))
    if IS_POSTGRES:
        yield folder
        return
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the development machines run as root)")
    _mount("-t", "tmpfs", "-o", "size=32m", "tmpfs", str(folder))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder}/samverkan.sqlite")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "samverkan", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


async def _set_read_only(on: bool) -> None:
    url = os.environ["DATABASE_URL"]
    # Its own session may write whatever the database's default is.
    connection = await asyncpg.connect(
        url, server_settings={"default_transaction_read_only": "off"}
    )
    try:
        name = await connection.fetchval("SELECT current_database()")
        value = "on" if on else "off"
        await connection.execute(
            f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}'
        )
    finally:
        await connection.close()


def _read_only(folder: Path, on: bool) -> None:
    """PostgreSQL: the database refuses writes. SQLite: the database file, its WAL and the
    data folder are made immutable (a remount would be refused while the server has them open,
    and root writes through file modes)."""
    if IS_POSTGRES:
        run_async(_set_read_only(on))
        return
    paths = [*folder.glob("samverkan.sqlite*"), folder / "sessions", folder]
    subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], check=True)


def _sign_in(base_url: str) -> httpx.Response:
    with httpx.Client(base_url=base_url) as browser:
        form = browser.get("/sign-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        return browser.post(
            "/sign-in",
            data={"username": "web", "password": PASSWORD, "next": "/", "_csrf_token": token[1]},
            headers={"Accept": "text/html"},
        )


def test_read_only_storage_and_a_full_disk_get_503_with_the_reason(data_dir: Path) -> None:
    process, base_url = start_server(workers=1, pool_size=0)
    try:
        token = _cli("token", "create", "--role", "admin")
        _cli("account", "create", "--username", "web", "--role", "staff")
        _cli("account", "set-password", "--username", "web")
        headers = {"Authorization": f"Bearer {token}"}
        api = httpx.Client(base_url=base_url, headers=headers, timeout=30)

        def create(name: str, description: str = "") -> httpx.Response:
            body = {"name": name, "kind": "ngo", "description": description}
            return api.post("/api/v1/organizations", json=body)

        assert create("Före felet").status_code == 201
        _read_only(data_dir, True)
        try:
            refused = create("Under felet")
            assert refused.status_code == 503, refused.text
            assert "read-only" in refused.json()["detail"]
            assert api.get("/api/v1/organizations").status_code == 200  # reads go on
            ready = httpx.get(f"{base_url}/ready")
            assert ready.status_code == 503
            assert "read-only" in ready.text
            if not IS_POSTGRES:  # the sessions live in the same (read-only) data folder
                page = _sign_in(base_url)
                assert page.status_code == 503
                assert "Det gick inte att logga in" in page.text
        finally:
            _read_only(data_dir, False)
        assert create("Efter felet").status_code == 201  # no restart needed
        assert httpx.get(f"{base_url}/ready").status_code == 200
        assert _sign_in(base_url).status_code == 302  # signed in, sent on
        if IS_POSTGRES:
            return
        filler = data_dir / "filler"
        subprocess.run(
            ["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=64"], capture_output=True
        )
        try:
            full = create("Disken full", "x" * 20_000)
            assert full.status_code == 503, full.text
            assert "full" in full.json()["detail"]
            assert httpx.get(f"{base_url}/ready").status_code == 503
            page = _sign_in(base_url)
            assert page.status_code == 503 and "Det gick inte att logga in" in page.text
        finally:
            filler.unlink()
        assert create("Plats igen").status_code == 201
        assert httpx.get(f"{base_url}/ready").status_code == 200
    finally:
        stop_server(process)
