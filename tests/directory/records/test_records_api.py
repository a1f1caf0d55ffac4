"""The directory's JSON API through HTTP: CRUD, concurrency, validation, listing and audit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.directory.records.requests import Auth, Client, create, org


def test_organization_lifecycle_create_read_update_retire(client: Client, auth: Auth) -> None:
    created = client.post(
        "/api/v1/organizations", json=org(areas=["social_services"]), headers=auth["coordinator"]
    )
    assert created.status_code == 201
    record = created.json()
    assert created.headers["location"] == f"/api/v1/organizations/{record['id']}"
    assert created.headers["etag"] == '"1"'

    read = client.get(f"/api/v1/organizations/{record['id']}", headers=auth["staff"])
    assert read.json()["areas"] == ["social_services"]
    etag = read.headers["etag"]

    changed = client.patch(
        f"/api/v1/organizations/{record['id']}",
        json={"description": "Mottagning för barn och unga"},
        headers={**auth["coordinator"], "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "Mottagning för barn och unga"
    assert changed.json()["version"] == 2
    assert changed.headers["etag"] == '"2"'

    retired = client.delete(
        f"/api/v1/organizations/{record['id']}", headers={**auth["admin"], "If-Match": '"2"'}
    )
    assert retired.status_code == 200
    assert retired.json()["retired_at"] is not None
    listed = client.get("/api/v1/organizations", headers=auth["staff"]).json()
    assert listed["total_items"] == 0
    with_retired = client.get(
        "/api/v1/organizations?include_retired=true", headers=auth["staff"]
    ).json()
    assert with_retired["total_items"] == 1


def test_lost_update_is_refused_with_412(client: Client, auth: Auth) -> None:
    record = create(client, auth, "organizations", org())
    url = f"/api/v1/organizations/{record['id']}"
    first = client.patch(
        url, json={"email": "a@tyreso.se"}, headers={**auth["admin"], "If-Match": '"1"'}
    )
    assert first.status_code == 200
    second = client.patch(
        url, json={"email": "b@tyreso.se"}, headers={**auth["coordinator"], "If-Match": '"1"'}
    )
    assert second.status_code == 412
    assert second.headers["etag"] == '"2"'
    assert client.get(url, headers=auth["staff"]).json()["email"] == "a@tyreso.se"


def test_update_without_if_match_needs_precondition(client: Client, auth: Auth) -> None:
    record = create(client, auth, "organizations", org())
    response = client.patch(
        f"/api/v1/organizations/{record['id']}", json={"name": "X"}, headers=auth["admin"]
    )
    assert response.status_code == 428


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (org(email="inte-en-adress"), "email"),
        (org(phones=[{"number": "ring mig"}]), "phones[0].number"),
        (org(website="javascript:alert(1)"), "website"),
        (org(kind="sekt"), "kind"),
        (org(areas=["school", "astrology"]), "areas[1]"),
        (org(visibility="secret"), "visibility"),
        (org(name="   "), "name"),
        (org(parent_id="00000000-0000-0000-0000-000000000001"), "parent_id"),
        (org(languages=["svenska"]), "languages[0]"),
    ],
)
def test_invalid_input_is_rejected_naming_the_field(
    client: Client, auth: Auth, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/organizations", json=body, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.json()["extra"][0]["key"] == field
    assert client.get("/api/v1/organizations", headers=auth["admin"]).json()["total_items"] == 0


def test_every_invalid_field_is_named_at_once(client: Client, auth: Auth) -> None:
    body = org(email="x@y", website="ftp://x", areas=["astrology"])
    response = client.post("/api/v1/organizations", json=body, headers=auth["admin"])
    assert response.status_code == 422
    assert [e["key"] for e in response.json()["extra"]] == ["email", "website", "areas[0]"]


def test_missing_name_and_unknown_fields_are_rejected(client: Client, auth: Auth) -> None:
    missing = client.post("/api/v1/organizations", json={"kind": "internal"}, headers=auth["admin"])
    assert missing.status_code == 400
    assert "name" in missing.text
    unknown = client.post(
        "/api/v1/organizations", json=org(personnummer="19800101-1234"), headers=auth["admin"]
    )
    assert unknown.status_code == 400
    assert "personnummer" in unknown.text


def test_parent_that_would_make_a_cycle_is_rejected(client: Client, auth: Auth) -> None:
    kommun = create(client, auth, "organizations", org(name="Tyresö kommun"))
    forvaltning = create(
        client, auth, "organizations", org(name="Socialförvaltningen", parent_id=kommun["id"])
    )
    enhet = create(
        client, auth, "organizations", org(name="Mottagningsenheten", parent_id=forvaltning["id"])
    )
    response = client.patch(
        f"/api/v1/organizations/{kommun['id']}",
        json={"parent_id": enhet["id"]},
        headers={**auth["admin"], "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["extra"][0]["key"] == "parent_id"
    itself = client.patch(
        f"/api/v1/organizations/{kommun['id']}",
        json={"parent_id": kommun["id"]},
        headers={**auth["admin"], "If-Match": '"1"'},
    )
    assert itself.status_code == 422


def test_list_filters_paging_and_sorting(client: Client, auth: Auth) -> None:
    a = create(
        client,
        auth,
        "organizations",
        org(name="A skola", areas=["school"], levels=["general"], assured_date="2026-10-01"),
    )
    b = create(
        client,
        auth,
        "organizations",
        org(
            name="B polis",
            kind="authority",
            areas=["police"],
            levels=["selective"],
            municipality="Nacka",
        ),
    )
    c = create(
        client,
        auth,
        "organizations",
        org(
            name="C fritid",
            areas=["leisure"],
            levels=["general", "indicated"],
            assured_date="2024-01-01",
        ),
    )
    network = create(
        client,
        auth,
        "networks",
        {"name": "SSPF Tyresö", "member_organization_ids": [a["id"], b["id"]]},
    )
    headers = auth["staff"]

    def names(query: str) -> list[str]:
        body = client.get(f"/api/v1/organizations?{query}", headers=headers).json()
        return [o["name"] for o in body["contents"]]

    assert names("kind=authority") == ["B polis"]
    assert names("area=school") == ["A skola"]
    assert names("level=general") == ["A skola", "C fritid"]
    assert names("municipality=Nacka") == ["B polis"]
    assert names(f"network={network['id']}") == ["A skola", "B polis"]
    assert names("stale_since=2025-11-24") == ["B polis", "C fritid"]
    assert names("sort=-name") == ["C fritid", "B polis", "A skola"]
    page = client.get("/api/v1/organizations?per_page=2&page=2", headers=headers).json()
    assert page["contents"][0]["id"] == c["id"]
    assert (page["total_items"], page["total_pages"], page["page_number"]) == (3, 2, 2)
    assert page["last_page"] and not page["first_page"]
    assert client.get("/api/v1/organizations?sort=secret", headers=headers).status_code == 422
    assert client.get("/api/v1/organizations?per_page=5000", headers=headers).status_code == 400


def test_contacts_services_and_networks_have_the_same_api(client: Client, auth: Auth) -> None:
    owner = create(client, auth, "organizations", org())
    contact = create(
        client,
        auth,
        "contacts",
        {
            "organization_id": owner["id"],
            "name": "Socialtjänstens mottagning",
            "is_function": True,
            "phones": [{"number": "08-578 29 100", "description": "Växel"}],
        },
    )
    service = create(
        client,
        auth,
        "services",
        {
            "organization_id": owner["id"],
            "name": "Anhörigstöd",
            "levels": ["indicated"],
            "url": "https://www.tyreso.se/anhorigstod",
        },
    )
    network = create(
        client,
        auth,
        "networks",
        {
            "name": "SSPF",
            "member_organization_ids": [owner["id"]],
            "member_contact_ids": [contact["id"]],
        },
    )
    assert contact["phones"] == [{"number": "08-578 29 100", "description": "Växel"}]
    assert service["levels"] == ["indicated"]
    assert network["member_contact_ids"] == [contact["id"]]
    contacts = client.get(
        f"/api/v1/contacts?organization_id={owner['id']}", headers=auth["staff"]
    ).json()
    assert contacts["total_items"] == 1
    bad_owner = client.post(
        "/api/v1/services",
        json={"organization_id": "00000000-0000-0000-0000-000000000009", "name": "X"},
        headers=auth["admin"],
    )
    assert bad_owner.status_code == 422
    assert bad_owner.json()["extra"][0]["key"] == "organization_id"
    changed = client.patch(
        f"/api/v1/networks/{network['id']}",
        json={"member_contact_ids": []},
        headers={**auth["admin"], "If-Match": '"1"'},
    )
    assert changed.json()["member_contact_ids"] == []
    assert changed.json()["member_organization_ids"] == [owner["id"]]


def test_audit_log_keeps_who_what_when_and_previous_values(client: Client, auth: Auth) -> None:
    record = create(client, auth, "organizations", org(email="gammal@tyreso.se"))
    client.patch(
        f"/api/v1/organizations/{record['id']}",
        json={"email": "ny@tyreso.se"},
        headers={**auth["admin"], "If-Match": '"1"'},
    )
    client.delete(
        f"/api/v1/organizations/{record['id']}", headers={**auth["admin"], "If-Match": '"2"'}
    )
    entries = client.get(
        f"/api/v1/audit?resource_id={record['id']}", headers=auth["coordinator"]
    ).json()
    assert [e["action"] for e in entries] == ["retire", "update", "create"]
    update = entries[1]
    assert update["previous"] == {"email": "gammal@tyreso.se"}
    assert update["current"] == {"email": "ny@tyreso.se"}
    assert update["actor"].startswith("admin-")
    assert client.get("/api/v1/audit", headers=auth["staff"]).status_code == 403


def test_erase_deletes_for_good_and_purges_the_audit_values(client: Client, auth: Auth) -> None:
    owner = create(client, auth, "organizations", org())
    person = create(
        client,
        auth,
        "contacts",
        {"organization_id": owner["id"], "name": "Anna Andersson", "email": "anna@example.se"},
    )
    erase = client.post(f"/api/v1/contacts/{person['id']}/erase", headers=auth["admin"])
    assert erase.status_code == 204
    assert client.get(f"/api/v1/contacts/{person['id']}", headers=auth["admin"]).status_code == 404
    entries = client.get(f"/api/v1/audit?resource_id={person['id']}", headers=auth["admin"]).json()
    assert [e["action"] for e in entries] == ["erase", "create"]
    assert "Anna" not in str(entries)
    create(client, auth, "services", {"organization_id": owner["id"], "name": "Rådgivning"})
    blocked = client.post(f"/api/v1/organizations/{owner['id']}/erase", headers=auth["admin"])
    assert blocked.status_code == 409


def test_vocabulary_is_listed_with_labels_and_extended_by_admins(
    client: Client, auth: Auth
) -> None:
    levels = client.get("/api/v1/taxonomy-terms?taxonomy=level", headers=auth["partner"]).json()
    assert [(t["code"], t["label_sv"]) for t in levels] == [
        ("general", "Generell"),
        ("selective", "Selektiv"),
        ("indicated", "Indikerad"),
    ]
    term = {"taxonomy": "area", "code": "housing", "label_sv": "Bostad", "label_en": "Housing"}
    assert (
        client.post("/api/v1/taxonomy-terms", json=term, headers=auth["coordinator"]).status_code
        == 403
    )
    assert (
        client.post("/api/v1/taxonomy-terms", json=term, headers=auth["admin"]).status_code == 201
    )
    assert create(client, auth, "organizations", org(areas=["housing"]))["areas"] == ["housing"]


def test_openapi_schema_describes_the_api(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/organizations" in schema["paths"]
    assert "/api/v1/networks/{record_id}" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
