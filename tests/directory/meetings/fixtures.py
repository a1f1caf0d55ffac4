"""Building blocks for the meeting tests: a network with a coordinator, organisations, contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient

from directory.accounts.service import create_account, create_token
from directory.accounts.tables import Account
from directory.records.tables import NetworkCoordinator, NetworkMember
from tests.conftest import run_async

Client = TestClient  # type: ignore[type-arg]


@dataclass
class Setting:
    network: str
    orgs: list[str]
    contacts: list[str]
    coordinator: dict[str, str]
    member_partner: dict[str, str]
    outside_partner: dict[str, str]


def post(client: Client, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _token(role: str, username: str, organization_id: str | None = None) -> str:
    account = await create_account(username, role, organization_id=organization_id)
    return await create_token(account.id)


def build_setting(client: Client, auth: dict[str, dict[str, str]]) -> Setting:
    admin = auth["admin"]
    network = post(client, admin, "networks", {"name": "SSPF Tyresö", "municipality": "Tyresö"})
    orgs = [
        post(client, admin, "organizations", {"name": name, "kind": kind, "visibility": "partners"})
        for name, kind in (("Socialtjänsten", "internal"), ("Polisen", "authority"))
    ]
    contacts = [
        post(
            client,
            admin,
            "contacts",
            {"organization_id": org["id"], "name": f"Samordnare {i}", "visibility": "partners"},
        )
        for i, org in enumerate(orgs)
    ]
    coordinator = run_async(_token("coordinator", "samordnare"))
    account = run_async(Account.select(Account.id).where(Account.username == "samordnare").first())
    run_async(
        NetworkCoordinator.insert(
            NetworkCoordinator(network_id=network["id"], account_id=account["id"])
        )
    )
    run_async(
        NetworkMember.insert(NetworkMember(network_id=network["id"], organization_id=orgs[1]["id"]))
    )
    member = run_async(_token("partner", "polis", orgs[1]["id"]))
    outsider = run_async(_token("partner", "utomstående", None))
    return Setting(
        network=network["id"],
        orgs=[o["id"] for o in orgs],
        contacts=[c["id"] for c in contacts],
        coordinator={"Authorization": f"Bearer {coordinator}"},
        member_partner={"Authorization": f"Bearer {member}"},
        outside_partner={"Authorization": f"Bearer {outsider}"},
    )


def meeting_body(setting: Setting, **fields: Any) -> dict[str, Any]:
    return {
        "network_id": setting.network,
        "title": "Nätverksmöte SSPF",
        "starts_at": "2027-03-02T09:00:00",
        "ends_at": "2027-03-02T10:30:00",
        "location": "Kommunhuset, sal 3",
        "online_url": "https://meet.example.se/sspf",
        "agenda": "Lägesbild och erfarenhetsutbyte",
        "invited_organizations": setting.orgs,
        "levels": ["general", "selective"],
        "topics": ["lägesbild"],
        **fields,
    }
