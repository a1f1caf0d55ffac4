"""Importing published HSDS 3.0: the specification's own examples as a third party's files,
Samverkan's exports back again (JSON and Tabular Data Package), warnings and all-or-nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from directory.core.tables import AuditEntry
from directory.demo.loader import load_demo_if_empty
from directory.records.tables import Contact, Organization, Service
from samverkan.cli import main
from tests.conftest import _clean, run_async
from tests.directory.records.hsds_schemas import example, schema_dir

EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_PHONE = "1554f2e2-a373-45db-a3fa-9fc48a61c15e"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def load(path: Path) -> Any:
    result = invoke("import", str(path))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    ("name", "organizations", "services", "contacts"),
    [
        ("service_full.json", 1, 1, 1),
        ("organization_full.json", 1, 1, 1),
        ("service_at_location_full.json", 1, 1, 1),
        ("service_list.json", 1, 1, 0),
        ("organization_list.json", 1, 0, 0),
        ("service_at_location_list.json", 1, 1, 0),
        ("location.json", 0, 0, 0),
        ("taxonomy_list.json", 0, 0, 0),
        ("taxonomy_term_list.json", 0, 0, 0),
    ],
)
def test_the_specifications_examples_import(
    name: str, organizations: int, services: int, contacts: int
) -> None:
    load(schema_dir() / "examples" / name)
    assert run_async(Organization.count()) == organizations
    assert run_async(Service.count()) == services
    assert run_async(Contact.count()) == contacts


def test_a_nested_service_keeps_ids_dates_phone_ids_and_reports_what_it_drops() -> None:
    result = load(schema_dir() / "examples" / "service_full.json")
    assert "warning: service.wait_time: not held by Samverkan; left out" in result.output
    assert "warning: service.organization.funding: not held by Samverkan" in result.output
    assert "service.organization.parent_organization_id" in result.output
    service = run_async(Service.objects().where(Service.id == EXAMPLE_SERVICE).first())
    assert service.organization_id.hex == EXAMPLE_ORGANIZATION.replace("-", "")
    assert service.last_modified.isoformat().startswith("2023-03-15T10:30:45.123")
    assert json.loads(service.phones)[0]["id"] == EXAMPLE_PHONE
    assert json.loads(service.phones)[0]["number"] == "+44 1234 234567"
    assert service.audience.startswith("This service is intended")
    assert service.hours.startswith("The service is available from 10 am")
    organization = run_async(Organization.objects().first())
    assert (organization.kind, organization.website) == ("other", "http://example.com")
    exported = json.loads(invoke("export").output)
    assert exported["services"][0]["phones"][0]["id"] == EXAMPLE_PHONE
    assert exported["services"][0]["last_modified"] == "2023-03-15T10:30:45.123000Z"


def test_the_specifications_tabular_example_imports_as_a_package(tmp_path: Path) -> None:
    for name, rows in example("tabular.json").items():
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(
                stream, fieldnames=list(dict.fromkeys(k for r in rows for k in r))
            )
            writer.writeheader()
            writer.writerows(rows)
    result = load(tmp_path)
    assert "organizations.csv line 2: kind not given; set to 'other'" in result.output
    assert "contacts.csv line 2.organization_id" in result.output
    assert "funding.csv: not held by Samverkan" in result.output
    assert run_async(Service.count()) == run_async(Contact.count()) == 1
    contact = run_async(Contact.objects().first())
    assert contact.organization_id.hex == EXAMPLE_ORGANIZATION.replace("-", "")


def test_a_page_with_the_same_object_twice_imports_it_once(tmp_path: Path) -> None:
    page = example("service_list.json")
    page["contents"] = page["contents"] * 2
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    load(path)
    assert run_async(Service.count()) == 1


def test_a_bad_value_anywhere_refuses_the_whole_file(tmp_path: Path) -> None:
    service = example("service_full.json")
    service["organization"]["email"] = "inte en adress"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(service))
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code != 0
    assert "service.organization: email" in result.output
    assert run_async(Organization.count()) == run_async(Service.count()) == 0


def test_json_and_tabular_round_trips_are_identical(tmp_path: Path) -> None:
    run_async(load_demo_if_empty())
    for audience in ("public", "internal"):
        before = invoke("export", "--audience", audience).output
        package = tmp_path / audience
        assert invoke("export", "--audience", audience, "-o", str(package), "--format", "tabular")
        run_async(_clean())
        result = load(package)
        assert "warning" not in result.output
        assert invoke("export", "--audience", audience).output == before
        histories = run_async(AuditEntry.count())
        run_async(_clean())
        (tmp_path / "doc.json").write_text(before)
        assert "warning" not in load(tmp_path / "doc.json").output
        assert invoke("export", "--audience", audience).output == before
        assert run_async(AuditEntry.count()) == histories
