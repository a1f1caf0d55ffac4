"""A database made by the code before the domain sub-packages upgrades without a manual step.

The layout change moved the tables between modules, not between Piccolo apps or tablenames: the
tables must still match the committed migrations exactly, and a database that the old layout
migrated (taken from git history, run with its own code) must migrate cleanly under the new one
with its rows intact.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager

from directory.piccolo_conf import APP_REGISTRY
from tests.conftest import IS_POSTGRES, create_scratch_database, drop_scratch_database

ROOT = Path(__file__).resolve().parents[2]
BEFORE_LAYOUT = "4f1a688"  # main before directory/ was split into domain sub-packages


def test_tables_match_the_committed_migrations() -> None:
    for app_name in ("directory", "sync", "search"):
        statements = asyncio.run(
            AutoMigrationManager(auto_input="y").get_alter_statements(
                app_config=APP_REGISTRY.get_app_config(app_name)
            )
        )
        assert sum(len(group.statements) for group in statements) == 0, app_name


def _old_tree(into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", BEFORE_LAYOUT],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    tar_path = into / "old.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into / "old", filter="data")
    return into / "old"


_OLD_SCRIPT = """
import asyncio, uuid
from directory.database import engine, migrate
async def main():
    await migrate()
    await engine().run_ddl(
        "INSERT INTO organization (id, name, kind) "
        "VALUES ('{org}', 'Gamla förvaltningen', 'municipal')"
    )
asyncio.run(main())
"""

_NEW_SCRIPT = """
import asyncio
from directory.core.database import migrate
from directory.records.tables import Organization
from piccolo.apps.migrations.commands.check import CheckMigrationManager
async def main():
    await migrate()
    rows = await Organization.select(Organization.name).where(Organization.id == '{org}')
    assert rows == [{{"name": "Gamla förvaltningen"}}], rows
    for app in ("directory", "sync", "search"):
        status = await CheckMigrationManager(app_name=app).get_migration_statuses()
        assert status and all(item.has_ran for item in status), app
    print("upgraded")
asyncio.run(main())
"""


def _run(script: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_database_migrated_by_the_old_layout_upgrades_under_the_new_one() -> None:
    if subprocess.run(["git", "cat-file", "-e", BEFORE_LAYOUT], cwd=ROOT).returncode != 0:
        pytest.fail(f"the upgrade test needs the git history back to {BEFORE_LAYOUT}")
    org = uuid.uuid4()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        data_dir.mkdir()
        env = {**os.environ, "SAMVERKAN_DATA_DIR": str(data_dir)}
        if IS_POSTGRES:
            env["DATABASE_URL"] = create_scratch_database()
        else:
            env["DATABASE_URL"] = f"sqlite:///{data_dir}/upgrade.sqlite"
        try:
            _run(_OLD_SCRIPT.format(org=org), _old_tree(Path(scratch)), env)
            assert "upgraded" in _run(_NEW_SCRIPT.format(org=org), ROOT, env)
        finally:
            if IS_POSTGRES:
                drop_scratch_database(env["DATABASE_URL"])
