"""Bad configuration stops the CLI at start-up with one line naming the variable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from directory.core.settings import load_settings

BAD_SETTINGS = [
    ("DATABASE_URL", "mysql://db/samverkan"),
    ("DATABASE_URL", "postgres://"),
    ("DATABASE_URL", "sqlite:///"),
    ("DATABASE_POOL_SIZE", "many"),
    ("DATABASE_POOL_SIZE", "-1"),
    ("SEARCH_BACKEND", "elastic"),
    ("MEILI_URL", "meili:7700"),
    ("SAMVERKAN_PUBLIC_URL", "ftp://example.se"),
    ("SAMVERKAN_LOG_LEVEL", "chatty"),
    ("SAMVERKAN_LOG_FORMAT", "xml"),
    ("SAMVERKAN_TOKEN_MISSES_PER_MINUTE", "0"),
]


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "samverkan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=Path(__file__).parents[2],
    )


@pytest.mark.parametrize(("name", "value"), BAD_SETTINGS)
def test_a_bad_setting_stops_the_cli_with_one_line_naming_it(
    name: str, value: str, tmp_path: Path
) -> None:
    env = {**os.environ, "SAMVERKAN_DATA_DIR": str(tmp_path), name: value}
    result = run_cli(env, "migrate")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    message = result.stderr.strip().splitlines()
    assert len(message) == 1
    assert name in message[0]


def test_meilisearch_without_its_url_is_refused_by_name(tmp_path: Path) -> None:
    env = {**os.environ, "SAMVERKAN_DATA_DIR": str(tmp_path), "SEARCH_BACKEND": "meilisearch"}
    env.pop("MEILI_URL", None)
    result = run_cli(env, "serve")
    assert result.returncode != 0
    assert "MEILI_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    env = {**os.environ, "SAMVERKAN_DATA_DIR": str(not_a_dir)}
    result = run_cli(env, "migrate")
    assert result.returncode != 0
    assert "SAMVERKAN_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_default_database_is_the_same_file_whatever_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SAMVERKAN_DATA_DIR", "APP_PERSISTENT_STORAGE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    paths = set()
    for folder in (tmp_path, tmp_path / "elsewhere"):
        folder.mkdir(exist_ok=True)
        monkeypatch.chdir(folder)
        paths.add(load_settings().sqlite_path)
    assert paths == {tmp_path / "share" / "samverkan" / "samverkan.sqlite"}


def test_a_relative_sqlite_url_is_under_the_data_dir_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMVERKAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///samverkan.sqlite")
    assert load_settings().sqlite_path == tmp_path / "samverkan.sqlite"


def test_the_cli_says_which_database_it_created(tmp_path: Path) -> None:
    env = {**os.environ, "SAMVERKAN_DATA_DIR": str(tmp_path / "new")}
    env.pop("DATABASE_URL")
    first = run_cli(env, "migrate")
    assert first.returncode == 0, first.stderr
    database = tmp_path / "new" / "samverkan.sqlite"
    assert f"created a new database: the SQLite file {database}" in first.stderr
    again = run_cli(env, "migrate")
    assert "created" not in again.stderr


def test_good_settings_start_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "SAMVERKAN_DATA_DIR": str(tmp_path), "SAMVERKAN_LOG_LEVEL": "warning"}
    result = run_cli(env, "migrate")
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout


def test_an_unreachable_database_is_named_not_traced(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SAMVERKAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://127.0.0.1:{port}/samverkan",
    }
    result = run_cli(env, "migrate")
    assert result.returncode != 0
    assert "cannot reach the database named by DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
