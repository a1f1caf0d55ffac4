"""Who may write records, and what a partner may read of them, through the JSON API."""

from __future__ import annotations

from directory.accounts.tables import Account
from tests.conftest import run_async
from tests.directory.records.requests import Auth, Client, create, org


def test_only_admins_and_coordinators_write(client: Client, auth: Auth) -> None:
    for role in ("staff", "partner"):
        response = client.post("/api/v1/organizations", json=org(), headers=auth[role])
        assert response.status_code == 403
    record = create(client, auth, "organizations", org())
    for role in ("staff", "partner"):
        response = client.patch(
            f"/api/v1/organizations/{record['id']}",
            json={"name": "X"},
            headers={**auth[role], "If-Match": '"1"'},
        )
        assert response.status_code == 403
        erase = client.post(f"/api/v1/organizations/{record['id']}/erase", headers=auth[role])
        assert erase.status_code == 403


def test_requests_without_a_valid_token_get_401(client: Client, auth: Auth) -> None:
    assert client.get("/api/v1/organizations").status_code == 401
    bad = {"Authorization": "Bearer sv_not-a-token"}
    assert client.get("/api/v1/organizations", headers=bad).status_code == 401
    assert client.get("/api/v1/me", headers=auth["partner"]).json()["role"] == "partner"


def test_partner_never_sees_internal_entries(client: Client, auth: Auth) -> None:
    internal = create(
        client,
        auth,
        "organizations",
        org(name="Säkerhetsfunktionen", visibility="internal", areas=["security"]),
    )
    public = create(
        client, auth, "organizations", org(name="Polisen", kind="authority", areas=["police"])
    )
    hidden_contact = create(
        client,
        auth,
        "contacts",
        {"organization_id": internal["id"], "name": "Säkerhetssamordnare", "visibility": "public"},
    )
    partner = auth["partner"]

    listed = client.get("/api/v1/organizations", headers=partner).json()
    assert [o["id"] for o in listed["contents"]] == [public["id"]]
    assert client.get(f"/api/v1/organizations/{internal['id']}", headers=partner).status_code == 404
    by_filter = client.get("/api/v1/organizations?area=security", headers=partner).json()
    assert by_filter["total_items"] == 0
    by_kind = client.get("/api/v1/organizations?kind=internal", headers=partner).json()
    assert by_kind["contents"] == []
    # a public contact of an internal unit is hidden too, so the unit does not leak through it
    assert (
        client.get(f"/api/v1/contacts/{hidden_contact['id']}", headers=partner).status_code == 404
    )
    assert client.get("/api/v1/contacts", headers=partner).json()["total_items"] == 0
    assert client.get("/api/v1/organizations", headers=auth["staff"]).json()["total_items"] == 2


def test_partner_sees_only_the_members_it_may_read(client: Client, auth: Auth) -> None:
    unit = create(
        client, auth, "organizations", org(name="Säkerhetsfunktionen", visibility="internal")
    )
    police = create(client, auth, "organizations", org(name="Polisen", kind="authority"))
    officer = create(
        client, auth, "contacts", {"organization_id": police["id"], "name": "Kommunpolis"}
    )
    insider = create(
        client, auth, "contacts", {"organization_id": police["id"], "name": "Analytiker",
                                   "visibility": "internal"},
    )  # fmt: skip
    network = create(
        client,
        auth,
        "networks",
        {
            "name": "Lokal samverkansgrupp",
            "visibility": "partners",
            "member_organization_ids": [unit["id"], police["id"]],
            "member_contact_ids": [officer["id"], insider["id"]],
        },
    )

    def members(role: str) -> tuple[list[str], list[str]]:
        body = client.get(f"/api/v1/networks/{network['id']}", headers=auth[role]).json()
        return body["member_organization_ids"], body["member_contact_ids"]

    assert members("partner") == ([police["id"]], [officer["id"]])
    listed = client.get("/api/v1/networks", headers=auth["partner"]).json()["contents"]
    assert listed[0]["member_organization_ids"] == [police["id"]]
    staff_orgs, staff_contacts = members("staff")
    assert set(staff_orgs) == {unit["id"], police["id"]}
    assert set(staff_contacts) == {officer["id"], insider["id"]}


def test_a_coordinator_is_told_why_they_cannot_remove_their_own_coordinator_role(
    client: Client, auth: Auth
) -> None:
    username = client.get("/api/v1/me", headers=auth["coordinator"]).json()["username"]
    account = run_async(Account.select(Account.id).where(Account.username == username).first())
    network = create(
        client,
        auth,
        "networks",
        {"name": "SSPF Tyresö", "coordinator_account_ids": [str(account["id"])]},
    )
    path = f"/api/v1/networks/{network['id']}"
    own = {**auth["coordinator"], "If-Match": f'"{network["version"]}"'}
    refused = client.patch(path, json={"coordinator_account_ids": []}, headers=own)
    assert refused.status_code == 403
    assert "cannot remove their own coordinator role" in refused.json()["detail"]
    assert "ask an admin" in refused.json()["detail"]
    renamed = client.patch(path, json={"name": "SSPF Tyresö kommun"}, headers=own)
    assert renamed.status_code == 200, renamed.text
    admin = {**auth["admin"], "If-Match": renamed.headers["ETag"]}
    removed = client.patch(path, json={"coordinator_account_ids": []}, headers=admin)
    assert removed.status_code == 200 and removed.json()["coordinator_account_ids"] == []
