"""``export --all`` / ``import --all``: a complete backup that restores into an empty database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from litestar.testing import TestClient

from directory.accounts.service import create_service_token
from directory.core.tables import AuditEntry, ChangeEvent, TaxonomyTerm
from directory.piccolo_conf import APP_REGISTRY
from directory.records.tables import Organization
from samverkan.app import create_app
from samverkan.cli import main
from sync.tables import OutboxCursor
from tests.conftest import (
    _SERVER_URL,
    IS_POSTGRES,
    _admin_sql,
    _clean,
    _with_database,
    run_async,
)

Run = Callable[[Any], Any]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def fill(run: Run) -> str:
    """Demo data, a token, a changed term and an outbox cursor; returns the token."""
    assert invoke("demo").exit_code == 0
    token = str(run(create_service_token("staff", "backup test")))
    run(
        TaxonomyTerm.update({TaxonomyTerm.label_en: "Schools"}).where(TaxonomyTerm.code == "school")
    )
    run(OutboxCursor.insert(OutboxCursor(consumer="carddav", last_id=7)))
    return token


def backup(path: Path) -> dict[str, Any]:
    result = invoke("export", "--all", "--output", str(path))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_a_backup_holds_every_table_of_every_app(tmp_path: Path, run: Run) -> None:
    fill(run)
    document = backup(tmp_path / "backup.json")
    assert (document["format"], document["version"]) == ("samverkan-backup", 1)
    expected = {
        table._meta.tablename
        for app in APP_REGISTRY.app_configs.values()
        for table in app.table_classes
    }
    assert set(document["tables"]) == expected - {"token_miss"}, "all but transient counters"
    cursors = document["tables"]["outbox_cursor"]
    assert {"carddav": 7}.items() <= {c["consumer"]: c["last_id"] for c in cursors}.items()
    assert len(document["tables"]["api_token"][0]["token_hash"]) == 64
    assert len(document["tables"]["audit_entry"]) == run(AuditEntry.count())
    assert set(document["migrations"]) == set(APP_REGISTRY.app_configs)


def test_a_round_trip_restores_every_row_and_working_tokens(tmp_path: Path, run: Run) -> None:
    token = fill(run)
    before = backup(tmp_path / "before.json")
    run(_clean())
    restored = invoke("import", "--all", str(tmp_path / "before.json"))
    assert restored.exit_code == 0, restored.output
    assert f"restored {sum(len(rows) for rows in before['tables'].values())} rows" in (
        restored.output
    )
    after = backup(tmp_path / "after.json")
    assert after["tables"] == before["tables"]
    assert after["migrations"] == before["migrations"]
    with TestClient(app=create_app()) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=headers).json()["role"] == "staff"
        admin = {"Authorization": f"Bearer {run(create_service_token('admin'))}"}
        created = client.post(
            "/api/v1/organizations", json={"name": "Ny förening", "kind": "ngo"}, headers=admin
        )
        assert created.status_code == 201, created.text
    newest = run(ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id, ascending=False))
    assert newest[0]["id"] > max(row["id"] for row in before["tables"]["change_event"])


def test_a_restore_into_a_database_with_data_is_refused(tmp_path: Path, run: Run) -> None:
    fill(run)
    backup(tmp_path / "backup.json")
    count = run(Organization.count())
    result = invoke("import", "--all", str(tmp_path / "backup.json"))
    assert result.exit_code != 0
    assert "the database is not empty" in result.output
    assert run(Organization.count()) == count


def test_a_restore_with_a_changed_vocabulary_present_is_refused(tmp_path: Path, run: Run) -> None:
    fill(run)
    backup(tmp_path / "backup.json")
    run(_clean())
    run(TaxonomyTerm.update({TaxonomyTerm.label_sv: "Ändrad"}).where(TaxonomyTerm.code == "police"))
    result = invoke("import", "--all", str(tmp_path / "backup.json"))
    assert result.exit_code != 0
    assert "taxonomy_term" in result.output


def test_a_broken_backup_writes_nothing(tmp_path: Path, run: Run) -> None:
    fill(run)
    document = backup(tmp_path / "backup.json")
    run(_clean())
    document["tables"]["contact"][-1]["organization_id"] = "not-a-uuid"
    (tmp_path / "broken.json").write_text(json.dumps(document))
    result = invoke("import", "--all", str(tmp_path / "broken.json"))
    assert result.exit_code != 0
    assert "contact.organization_id: bad value 'not-a-uuid'" in result.output
    assert run(Organization.count()) == 0
    assert run(AuditEntry.count()) == 0


def test_a_backup_from_a_newer_version_or_another_format_is_refused(
    tmp_path: Path, run: Run
) -> None:
    fill(run)
    document = backup(tmp_path / "backup.json")
    run(_clean())
    newer = {**document, "migrations": {"directory": ["2099_01_01t00_00_00_000000"]}}
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    result = invoke("import", "--all", str(tmp_path / "newer.json"))
    assert result.exit_code != 0
    assert "newer Samverkan" in result.output
    (tmp_path / "other.json").write_text(json.dumps({"organizations": []}))
    result = invoke("import", "--all", str(tmp_path / "other.json"))
    assert result.exit_code != 0
    assert "not a Samverkan backup" in result.output
    (tmp_path / "text.json").write_text("{not json")
    result = invoke("import", "--all", str(tmp_path / "text.json"))
    assert result.exit_code != 0
    assert "not JSON" in result.output
    assert run(Organization.count()) == 0


def _fresh_install_env(tmp_path: Path) -> dict[str, str]:
    """A new machine: a new, empty data folder on SQLite, a new database on PostgreSQL."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAMVERKAN_DATA_DIR"] = str(tmp_path / "new-data")
    if IS_POSTGRES:
        name = f"restore_{uuid.uuid4().hex[:12]}"
        run_async(_admin_sql(f'CREATE DATABASE "{name}"'))
        env["DATABASE_URL"] = _with_database(_SERVER_URL, name)
    return env


def _samverkan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "samverkan", *args],
        env=env,
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_into_a_fresh_install_as_the_readme_says(
    tmp_path: Path, run: Run
) -> None:
    fill(run)
    # README, Backups: export on the old machine ...
    old = backup(tmp_path / "samverkan-2026-11-24.json")
    env = _fresh_install_env(tmp_path)
    try:
        # ... then, on the new one, a fresh install (which seeds the vocabulary and synonyms),
        assert _samverkan(env, "migrate").returncode == 0
        # and the restore, exactly as written there.
        restored = _samverkan(env, "import", "--all", str(tmp_path / "samverkan-2026-11-24.json"))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        again = _samverkan(env, "export", "--all", "-o", str(tmp_path / "again.json"))
        assert again.returncode == 0, again.stderr
        new = json.loads((tmp_path / "again.json").read_text())
        assert new["tables"] == old["tables"]
        twice = _samverkan(env, "import", "--all", str(tmp_path / "samverkan-2026-11-24.json"))
        assert twice.returncode != 0 and "not empty" in twice.stdout + twice.stderr
    finally:
        if IS_POSTGRES:
            name = env["DATABASE_URL"].rsplit("/", 1)[1]
            run_async(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
