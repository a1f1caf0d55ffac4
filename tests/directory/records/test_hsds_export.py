"""The HSDS export: every object valid against the official HSDS 3.0 schemas, for each audience."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from directory.core.access import Principal, Role
from directory.demo.loader import load_demo_if_empty
from directory.records.hsds_export import Audience, hsds_document
from directory.records.resources import ORGANIZATIONS, SERVICES
from directory.records.service import RecordService
from samverkan.cli import main
from tests.conftest import run_async
from tests.directory.records.hsds_schemas import errors

SCHEMAS = {
    "organizations": "organization.json",
    "contacts": "contact.json",
    "services": "service.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
ADMIN = Principal(account_id=uuid.UUID(int=1), username="admin", role=Role.ADMIN)


def invalid(document: dict[str, Any]) -> list[str]:
    return [
        f"{key}[{index}] {problem}"
        for key, schema in SCHEMAS.items()
        for index, item in enumerate(document[key])
        for problem in errors(schema, item)
    ]


@pytest.fixture
def demo() -> None:
    run_async(load_demo_if_empty())


@pytest.mark.usefixtures("demo")
def test_every_exported_object_is_valid_hsds_for_every_audience() -> None:
    for audience in Audience:
        document = run_async(hsds_document(audience))
        assert document["organizations"] and document["services"] and document["contacts"]
        assert invalid(document) == [], audience


@pytest.mark.usefixtures("demo")
def test_an_export_for_others_holds_nothing_they_may_not_read() -> None:
    public = run_async(hsds_document(Audience.PUBLIC))
    partners = run_async(hsds_document(Audience.PARTNERS))
    internal = run_async(hsds_document(Audience.INTERNAL))
    for key in ("organizations", "contacts", "services", "networks"):
        assert {o["visibility"] for o in public[key]} == {"public"}, key
        assert "internal" not in {o["visibility"] for o in partners[key]}, key
        assert len(public[key]) < len(internal[key]), key
    readable = {o["id"] for o in public["organizations"]}
    for key in ("contacts", "services"):
        assert {o["organization_id"] for o in public[key]} <= readable
    for organization in public["organizations"]:
        assert organization.get("parent_organization_id", next(iter(readable))) in readable


@pytest.mark.usefixtures("demo")
def test_hsds_names_phones_schedules_places_and_terms() -> None:
    document = run_async(hsds_document(Audience.INTERNAL))
    services = document["services"]
    assert any("eligibility_description" in s for s in services)
    assert any("application_process" in s and "fees_description" in s for s in services)
    with_hours = next(s for s in services if s["schedules"])
    assert with_hours["schedules"][0]["description"]
    organizations = document["organizations"]
    assert any(o.get("parent_organization_id") for o in organizations)
    assert {loc["location_type"] for o in organizations for loc in o["locations"]} == {
        "physical",
        "postal",
    }
    terms = {t["id"]: t for t in document["taxonomy_terms"]}
    assert {t["language"] for t in terms.values()} == {"swe"}
    for organization in organizations:
        kinds = [a for a in organization["attributes"] if a["link_type"] == "kind"]
        assert [terms[a["taxonomy_term_id"]]["code"] for a in kinds] == [organization["kind"]]
    for item in (*organizations, *document["contacts"], *services):
        for phone in item["phones"]:
            uuid.UUID(phone["id"])
        for key in ("email", "website", "url", "alternate_name", "title"):
            assert item.get(key, "x") not in ("", None)
        assert item["metadata"], item["name"]
    assert run_async(hsds_document(Audience.INTERNAL)) == document, "ids must be stable"


@pytest.mark.usefixtures("demo")
def test_a_service_is_at_its_organisations_visiting_address() -> None:
    service = run_async(hsds_document(Audience.INTERNAL))["services"][0]
    records = RecordService(ORGANIZATIONS, ADMIN)
    patch = ORGANIZATIONS.patch(visiting_address="Storgatan 1, 135 81 Tyresö")  # type: ignore[call-arg]
    run_async(records.update(uuid.UUID(service["organization_id"]), patch, "*"))
    after = run_async(hsds_document(Audience.INTERNAL))
    owner = next(o for o in after["organizations"] if o["id"] == service["organization_id"])
    physical = next(loc for loc in owner["locations"] if loc["location_type"] == "physical")
    address = physical["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["city"]) == (
        "Storgatan 1",
        "135 81",
        "Tyresö",
    )
    placed = next(s for s in after["services"] if s["id"] == service["id"])
    assert [sal["location_id"] for sal in placed["service_at_locations"]] == [physical["id"]]
    assert errors("organization.json", owner) == errors("service.json", placed) == []


@pytest.mark.usefixtures("demo")
def test_a_retired_service_is_inactive_and_its_change_is_metadata() -> None:
    service = run_async(hsds_document(Audience.INTERNAL))["services"][0]
    records = RecordService(SERVICES, ADMIN)
    run_async(records.retire(uuid.UUID(service["id"]), "*"))
    after = run_async(hsds_document(Audience.INTERNAL))
    retired = next(s for s in after["services"] if s["id"] == service["id"])
    assert retired["status"] == "inactive"
    assert errors("service.json", retired) == []
    last = retired["metadata"][-1]
    assert (last["field_name"], last["previous_value"], last["replacement_value"]) == (
        "status",
        "active",
        "inactive",
    )
    assert (last["last_action_type"], last["updated_by"]) == ("retire", "admin")


@pytest.mark.usefixtures("demo")
def test_an_edit_is_one_metadata_object_per_changed_field() -> None:
    organization = run_async(hsds_document(Audience.INTERNAL))["organizations"][0]
    records = RecordService(ORGANIZATIONS, ADMIN)
    patch = ORGANIZATIONS.patch(email="ny@example.se", website="https://ny.example.se")  # type: ignore[call-arg]
    run_async(records.update(uuid.UUID(organization["id"]), patch, "*"))
    after = run_async(hsds_document(Audience.INTERNAL))
    changed = next(o for o in after["organizations"] if o["id"] == organization["id"])
    updates = [m for m in changed["metadata"] if m["last_action_type"] == "update"]
    assert {m["field_name"]: m["replacement_value"] for m in updates} == {
        "email": "ny@example.se",
        "website": "https://ny.example.se",
    }


@pytest.mark.usefixtures("demo")
def test_cli_writes_hsds_json_and_a_tabular_package(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--audience", "partners"], catch_exceptions=False)
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["version"] == "3.0" and document["audience"] == "partners"
    assert invalid(document) == []

    folder = tmp_path / "package"
    result = runner.invoke(main, ["export", "--format", "tabular", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    names = {resource["path"] for resource in package["resources"]}
    assert {"organizations.csv", "services.csv", "phones.csv", "attributes.csv"} <= names
    assert {"metadata.csv", "locations.csv", "addresses.csv", "taxonomy_terms.csv"} <= names
    with (folder / "services.csv").open(encoding="utf-8", newline="") as stream:
        services = list(csv.DictReader(stream))
    public = run_async(hsds_document(Audience.PUBLIC))
    assert [row["id"] for row in services] == [s["id"] for s in public["services"]]
    assert {row["status"] for row in services} <= {"active", "inactive"}
