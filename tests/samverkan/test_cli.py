"""The ``samverkan`` command line, run in-process against the test database."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from litestar.testing import TestClient

from directory.accounts import service as accounts
from directory.accounts.tables import Account
from directory.core.tables import AuditEntry
from directory.demo.loader import load_demo_if_empty
from directory.records.tables import Contact, Network, NetworkCoordinator, Organization
from samverkan.app import create_app
from samverkan.cli import main
from tests.conftest import _clean

Run = Callable[[Any], Any]


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_token_create_prints_a_working_token_on_its_last_line() -> None:
    result = invoke("token", "create", "--role", "partner")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    with TestClient(app=create_app()) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "partner"


def test_demo_loads_once_through_the_import_path(run: Run) -> None:
    first = invoke("demo")
    assert first.exit_code == 0
    assert "loaded" in first.output
    printed = re.findall(r"^user (\S+) password (\S+) \((\w+)\)$", first.output, re.MULTILINE)
    assert sorted(role for _, _, role in printed) == ["admin", "coordinator", "partner", "staff"]
    for username, password, role in printed:
        principal = run(accounts.principal_for_password(username, password))
        assert principal is not None and principal.role == role
    coordinator = next(name for name, _, role in printed if role == "coordinator")
    runs = run(Account.select(Account.id).where(Account.username == coordinator).first())
    assert run(NetworkCoordinator.count().where(NetworkCoordinator.account_id == runs["id"])) >= 1
    count = run(Organization.count())
    assert count >= 30
    assert run(Contact.count()) >= 30
    assert run(Network.count()) >= 3
    second = invoke("demo")
    assert "not empty" in second.output
    assert "password" not in second.output
    assert run(Organization.count()) == count
    assert run(AuditEntry.count().where(AuditEntry.actor == "demo")) > count


def test_json_export_import_round_trip(tmp_path: Path, run: Run) -> None:
    run(load_demo_if_empty())  # the directory alone, no demo accounts
    exported = tmp_path / "directory.json"
    assert invoke("export", "--output", str(exported)).exit_code == 0
    before = json.loads(exported.read_text())
    run(_clean())
    imported = invoke("import", str(exported))
    assert imported.exit_code == 0, imported.output
    again = tmp_path / "again.json"
    invoke("export", "--output", str(again))
    assert json.loads(again.read_text()) == before


def test_csv_export_import_round_trip(tmp_path: Path, run: Run) -> None:
    run(load_demo_if_empty())  # the directory alone, no demo accounts
    files = {}
    for resource in ("organizations", "contacts", "services"):
        files[resource] = tmp_path / f"{resource}.csv"
        result = invoke(
            "export", "--format", "csv", "--type", resource, "--output", str(files[resource])
        )
        assert result.exit_code == 0
    before = {resource: path.read_text(encoding="utf-8") for resource, path in files.items()}
    run(_clean())
    for resource, path in files.items():
        result = invoke("import", str(path), "--type", resource)
        assert result.exit_code == 0, result.output
    for resource in files:
        again = invoke("export", "--format", "csv", "--type", resource).output
        assert again.replace("\r\n", "\n") == before[resource].replace("\r\n", "\n")


def test_a_bad_csv_is_rejected_whole_with_line_numbers(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "organizations.csv"
    path.write_text(
        "name,kind,email,areas,website\n"
        "Socialtjänsten,internal,soc@tyreso.se,social_services,https://www.tyreso.se\n"
        "Polisen,authority,inte-en-adress,police,\n"
        ",internal,,school,\n"
        "Fritidsgården,internal,,leisure;astrology,ftp://x\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["import", str(path), "--type", "organizations"])
    assert result.exit_code != 0
    assert "line 3: email" in result.output
    assert "line 4: name" in result.output
    assert "line 5: website" in result.output
    assert "nothing was written" in result.output
    assert run(Organization.count()) == 0


def test_a_bad_json_reference_is_rejected_and_nothing_written(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "organizations": [{"name": "Tyresö kommun", "kind": "internal"}],
                "contacts": [
                    {
                        "name": "Mottagningen",
                        "organization_id": "00000000-0000-0000-0000-00000000beef",
                    }
                ],
            }
        )
    )
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code != 0
    assert "contacts[0]: organization_id" in result.output
    assert run(Organization.count()) == 0


def test_import_update_replaces_edited_rows_and_leaves_the_rest(tmp_path: Path, run: Run) -> None:
    run(load_demo_if_empty())  # the directory alone, no demo accounts
    path = tmp_path / "organizations.csv"
    invoke("export", "--format", "csv", "--type", "organizations", "--output", str(path))
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    rows[0]["email"] = "ny.adress@tyreso.se"
    rows[1]["name"] = rows[1]["name"] + " (omorganiserad)"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    refused = invoke("import", str(path), "--type", "organizations")
    assert refused.exit_code != 0
    assert "line 2: id" in refused.output and "--update" in refused.output

    updated = invoke("import", str(path), "--type", "organizations", "--update")
    assert updated.exit_code == 0, updated.output
    assert f"imported 2 records from {path} ({len(rows) - 2} unchanged)" in updated.output
    first = run(Organization.objects().where(Organization.id == rows[0]["id"]).first())
    assert (first.email, first.version) == ("ny.adress@tyreso.se", 2)
    audit = run(
        AuditEntry.objects()
        .where(AuditEntry.resource_id == rows[1]["id"])
        .order_by(AuditEntry.id, ascending=False)
        .first()
    )
    assert (audit.action, audit.actor) == ("update", "import:organizations.csv")
    assert json.loads(audit.previous) == {"name": rows[1]["name"].removesuffix(" (omorganiserad)")}

    again = invoke("import", str(path), "--type", "organizations", "--update")
    assert f"imported 0 records from {path} ({len(rows)} unchanged)" in again.output


def test_import_update_is_all_or_nothing(tmp_path: Path, run: Run) -> None:
    run(load_demo_if_empty())  # the directory alone, no demo accounts
    path = tmp_path / "organizations.json"
    invoke("export", "--output", str(path))
    document = json.loads(path.read_text())
    organizations = document["organizations"]
    organizations[0]["name"] = "Ändrat namn"
    organizations[1]["parent_organization_id"] = organizations[1]["id"]  # its own parent
    path.write_text(json.dumps({"organizations": organizations[:2]}))
    result = invoke("import", str(path), "--update")
    assert result.exit_code != 0
    assert "organizations[1]: parent_id" in result.output
    assert run(Organization.count().where(Organization.name == "Ändrat namn")) == 0
