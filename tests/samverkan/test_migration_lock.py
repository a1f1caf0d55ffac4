"""Migrations from several processes at once on a fresh database: each waits for the one
migrating (a file lock on SQLite, an advisory lock on PostgreSQL), so none fails with
``table "feed_token" already exists``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IS_POSTGRES, create_scratch_database, drop_scratch_database


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    if IS_POSTGRES:
        url = create_scratch_database()
        yield url
        drop_scratch_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"


def test_processes_migrating_a_fresh_database_at_once_all_succeed(
    fresh_database: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": fresh_database, "SAMVERKAN_DATA_DIR": str(tmp_path)}
    commands = [["migrate"]] * 3 + [["token", "create", "--role", "staff"]]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "samverkan", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for command in commands
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    for code, _, stderr in results:
        assert code == 0, stderr.decode()
    assert len(results[-1][1].decode().strip().splitlines()[-1]) >= 32  # the token
