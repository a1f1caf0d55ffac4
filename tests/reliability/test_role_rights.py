"""Every role tries every ``/api/v1`` operation in the OpenAPI schema and gets exactly its rights.

The table below is the specification: an operation missing from it fails the test, so a new
endpoint cannot ship without someone deciding who may call it.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from directory.accounts.service import hash_token
from directory.accounts.tables import ApiToken
from directory.core.tables import TaxonomyTerm
from directory.records import hsds
from tests.conftest import run_async

ALL = frozenset({"admin", "coordinator", "staff", "partner"})
WRITERS = frozenset({"admin", "coordinator"})
STAFF = frozenset({"admin", "coordinator", "staff"})
ADMINS = frozenset({"admin"})
RESOURCES = {
    "organization": "organizations",
    "contact": "contacts",
    "service": "services",
    "network": "networks",
}

RIGHTS: dict[str, frozenset[str]] = {
    **{f"list_{path}": ALL for path in RESOURCES.values()},
    **{f"get_{name}": ALL for name in RESOURCES},
    **{f"create_{name}": WRITERS for name in RESOURCES},
    **{f"update_{name}": WRITERS for name in RESOURCES},
    **{f"retire_{name}": WRITERS for name in RESOURCES},
    **{f"erase_{name}": ADMINS for name in RESOURCES},
    "list_taxonomy_terms": ALL,
    "create_taxonomy_term": ADMINS,
    "update_taxonomy_term": ADMINS,
    "list_audit_entries": WRITERS,
    "whoami": ALL,
    "list_api_tokens": ALL,
    "create_api_token": ALL,
    "revoke_api_token": ALL,  # one's own (others' are not found), admins anyone's
    "list_meetings": ALL,
    "get_meeting": ALL,
    "create_meeting": WRITERS,
    "update_meeting": WRITERS,
    "cancel_meeting": WRITERS,
    "restore_meeting": WRITERS,
    "move_occurrence": WRITERS,
    "cancel_occurrence": WRITERS,
    "restore_occurrence": WRITERS,
    "change_this_and_following": WRITERS,
    "list_attendance": STAFF,
    "record_attendance": WRITERS,
    "list_notes": STAFF,
    "add_note": WRITERS,
    "list_follow_ups": STAFF,
    "add_follow_up": WRITERS,
    "update_follow_up": WRITERS,
    "meeting_conflicts": WRITERS,
    "meeting_report": STAFF,
    "list_feed_tokens": WRITERS,
    "create_feed_token": WRITERS,
    "revoke_feed_token": WRITERS,
    "rotate_feed_token": WRITERS,
    "add_external_calendar": WRITERS,
    "list_external_calendars": STAFF,
    "refresh_external_calendar": WRITERS,
    "remove_external_calendar": WRITERS,
    "external_calendar_events": STAFF,
    "search": ALL,
    "searchFacetValues": ALL,
    "listSynonyms": ADMINS,
    "saveSynonym": ADMINS,
    "deleteSynonym": ADMINS,
    "report_observation": ALL,
    "situation_picture": ALL,
    "list_plans": STAFF,
    "get_plan": STAFF,
    "draft_plan": WRITERS,
    "adopt_plan": ADMINS,
    "list_measures": STAFF,
    "get_measure": STAFF,
    "create_measure": WRITERS,
    "update_measure": WRITERS,
    "record_indicator_value": WRITERS,
    "list_trainings": STAFF,
    "create_training": WRITERS,
    "record_training_participation": WRITERS,
    "training_coverage": STAFF,
    "get_service_evidence": STAFF,
    "set_service_evidence": WRITERS,
    "council_report": STAFF,
    **{
        f"hsds_{name}": ALL
        for name in (
            "root",
            "list_services",
            "get_service",
            "list_organizations",
            "get_organization",
            "list_service_at_locations",
            "get_service_at_location",
            "list_taxonomies",
            "get_taxonomy",
            "list_taxonomy_terms",
            "get_taxonomy_term",
        )
    },
}


def operations(client: TestClient) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    schema = client.get("/schema/openapi.json").json()
    return sorted(
        (operation["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    )


def records(client: TestClient, auth: dict[str, dict[str, str]]) -> dict[str, str]:  # type: ignore[type-arg]
    """One public record of each kind, a term, a public meeting in a network the coordinator
    coordinates, a feed token and a follow-up, to fill the path parameters."""
    admin = auth["admin"]

    def create(path: str, body: dict[str, Any]) -> str:
        response = client.post(f"/api/v1/{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    organization = create("organizations", {"name": "Polisen Nacka–Tyresö", "kind": "authority"})
    term = run_async(TaxonomyTerm.select(TaxonomyTerm.id).first())
    coordinator = run_async(
        ApiToken.select(ApiToken.account)
        .where(ApiToken.token_hash == hash_token(auth["coordinator"]["Authorization"][7:]))
        .first()
    )["account"]
    network = create(
        "networks", {"name": "SSPF Tyresö", "coordinator_account_ids": [str(coordinator)]}
    )
    meeting = create(
        "meetings",
        {
            "network_id": network,
            "title": "SSPF styrgrupp",
            "starts_at": "2027-03-02T09:00:00+01:00",
            "ends_at": "2027-03-02T10:00:00+01:00",
            "rrule": "FREQ=WEEKLY;COUNT=4",
            "is_public": True,
        },
    )
    follow_up = create(
        f"meetings/{meeting}/follow-ups",
        {"title": "Bjud in fritidsgården", "owner": "SSPF-koordinator", "due_date": "2027-04-01"},
    )
    feed = client.post(
        "/api/v1/feed-tokens", json={"scope": "network", "subject_id": network}, headers=admin
    )
    assert feed.status_code == 201, feed.text
    external = create(  # a loopback address: refused at once, but the subscription is stored
        "external-calendars", {"network_id": network, "url": "http://127.0.0.1:9/x.ics"}
    )
    plan = create("plan/plans", {"title": "Handlingsplan mot VBE"})
    measure = create("plan/measures", {"plan_id": plan, "title": "Utbildning", "level": "general"})
    training = create(
        "plan/trainings", {"title": "Grundkurs", "level": "general", "held_on": "2026-10-01"}
    )
    return {
        "plan_id": plan,
        "measure_id": measure,
        "training_id": training,
        "organization": organization,
        "contact": create("contacts", {"name": "Kommunpolis", "organization_id": organization}),
        "service": create("services", {"name": "Orosanmälan", "organization_id": organization}),
        "network": network,
        "meeting_id": meeting,
        "follow_up_id": follow_up,
        "token_id": str(feed.json()["id"]),
        "calendar_id": external,
        "term_id": str(term["id"]),
        "service_id": create("services", {"name": "Stödlinjen", "organization_id": organization}),
        "organization_id": organization,
        "taxonomy_id": hsds.taxonomy_id("kind"),
        "place_id": organization,
        "facet": "kind",
        "term": "vbe",
    }


def request_for(
    operation_id: str, method: str, path: str, ids: dict[str, str]
) -> tuple[str, str, dict[str, Any] | None]:
    """A request for the operation: its path with real ids, and an (empty) JSON body."""
    kind = next((name for name in RESOURCES if operation_id.endswith(f"_{name}")), "")
    url = path.replace("{record_id}", ids.get(kind, ""))
    for name, value in ids.items():
        url = url.replace(f"{{{name}}}", value)
    if operation_id == "meeting_report":
        url += f"?network_id={ids['network']}&start=2027-01-01&end=2027-12-31"
    if operation_id == "list_external_calendars":
        url += f"?network_id={ids['network']}"
    if operation_id == "external_calendar_events":
        url += "?start=2027-01-01T00:00:00Z&end=2027-02-01T00:00:00Z"
    return method, url, ({} if method in {"POST", "PATCH", "PUT"} else None)


def test_the_rights_table_covers_exactly_the_api(client: TestClient) -> None:  # type: ignore[type-arg]
    assert {operation for operation, _, _ in operations(client)} == set(RIGHTS)


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_gets_exactly_its_rights(
    role: str,
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    ids = records(client, auth)
    outcome: dict[str, int] = {}
    for operation_id, method, path in operations(client):
        if operation_id.startswith("erase_"):
            continue  # checked last, so that the records stay for the other operations
        method, url, body = request_for(operation_id, method, path, ids)
        outcome[operation_id] = client.request(
            method, url, json=body, headers=auth[role]
        ).status_code
    for operation_id, method, path in operations(client):
        if operation_id.startswith("erase_"):
            method, url, body = request_for(operation_id, method, path, ids)
            outcome[operation_id] = client.request(method, url, headers=auth[role]).status_code
    wrong = {
        operation_id: status
        for operation_id, status in outcome.items()
        if (status == 403) == (role in RIGHTS.get(operation_id, frozenset()))
        or status in {401, 429}
        or status >= 500
    }
    assert wrong == {}, f"{role} got the wrong answer (status shown) from {wrong}"


def test_without_a_token_every_operation_is_401(
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    ids = records(client, auth)
    for operation_id, method, path in operations(client):
        _, url, body = request_for(operation_id, method, path, ids)
        status = client.request(method, url, json=body).status_code
        assert status == 401, f"{operation_id} answered {status} without a token"
