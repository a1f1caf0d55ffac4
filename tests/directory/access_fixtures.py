"""One seeded directory with every role the access tests need, built once per test module.

The data is built through the API as an admin; the accounts are the real roles, with a
password each (for the web pages) and a bearer token (for the API). Names that must never reach
a partner contain ``HEMLIG``, so a leak test can look for that word in any body.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar.testing import TestClient

from directory.accounts import service as accounts
from search.embedded import EmbeddedBackend
from sync.indexing import search_worker
from tests.conftest import _clean, run_async

PASSWORD = "en tillräckligt lång fras för test"
SECRET = "HEMLIG"
Client = TestClient  # type: ignore[type-arg]

IDENTITIES = (
    "admin",
    "coordinator",  # coordinates the open network and the internal one
    "other_coordinator",  # coordinates a third network only
    "staff",
    "member_partner",  # a partner whose organisation is a member of the internal network
    "partner",  # a partner of an organisation in no network
)
PARTNERS = ("member_partner", "partner")


@dataclass
class Seeded:
    """The ids of the seeded records, the internal ones, and each identity's credentials."""

    ids: dict[str, str] = field(default_factory=dict)
    internal_ids: set[str] = field(default_factory=set)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    cookies: dict[str, httpx.Cookies] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)

    def as_web(self, client: Client, identity: str) -> None:
        """Make ``client`` browse as ``identity`` (its signed-in session cookies)."""
        client.cookies = httpx.Cookies(self.cookies[identity])


def _account(identity: str, organization_id: str | None = None) -> tuple[str, str]:
    role = identity.rsplit("_", 1)[-1]
    account = run_async(
        accounts.create_account(
            f"{identity}-user",
            role,
            display_name=f"{identity.replace('_', ' ').title()}",
            email=f"{identity}@tyreso.se",
            organization_id=None if organization_id is None else uuid.UUID(organization_id),
        )
    )
    run_async(accounts.set_password(f"{identity}-user", PASSWORD))
    return str(account.id), run_async(accounts.create_token(account.id))


def _post(client: Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> str:
    response = client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return str(response.json().get("id", ""))


def _sign_in(client: Client, identity: str) -> httpx.Cookies:
    client.cookies = httpx.Cookies()
    page = client.get("/sign-in").text
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match is not None
    response = client.post(
        "/sign-in",
        data={
            "username": f"{identity}-user",
            "password": PASSWORD,
            "next": "/",
            "_csrf_token": match.group(1),
        },
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    cookies = httpx.Cookies(client.cookies)
    client.cookies = httpx.Cookies()
    return cookies


def seed(client: Client) -> Seeded:
    """Clean the database and build the shared directory."""
    asyncio.run(_clean())
    seeded = Seeded()
    admin_id, admin_token = _account("admin")
    admin = {"Authorization": f"Bearer {admin_token}"}
    ids = seeded.ids
    ids["partner_org"] = _post(
        client,
        "organizations",
        {"name": "Polisen Nacka", "kind": "authority", "visibility": "partners"},
        admin,
    )
    ids["lonely_org"] = _post(
        client, "organizations", {"name": "Röda Korset Tyresö", "kind": "ngo"}, admin
    )
    ids["internal_org"] = _post(
        client,
        "organizations",
        {"name": f"Säkerhetsenheten {SECRET}", "kind": "internal", "visibility": "internal"},
        admin,
    )
    ids["public_unit"] = _post(
        client,
        "organizations",
        {"name": "Fältgruppen Öster", "kind": "internal", "parent_id": ids["internal_org"]},
        admin,
    )
    ids["internal_contact"] = _post(
        client,
        "contacts",
        {
            "name": f"Samordnare {SECRET}",
            "organization_id": ids["internal_org"],
            "visibility": "internal",
        },
        admin,
    )
    ids["partner_contact"] = _post(
        client,
        "contacts",
        {"name": "Kommunpolis Nacka", "organization_id": ids["partner_org"]},
        admin,
    )
    ids["partner_service"] = _post(
        client,
        "services",
        {"name": "Orosanmälan Nacka", "organization_id": ids["partner_org"]},
        admin,
    )
    ids["internal_service"] = _post(
        client,
        "services",
        {"name": f"Tjänst {SECRET}", "organization_id": ids["internal_org"]},
        admin,
    )
    for identity in IDENTITIES[1:]:
        org = {"member_partner": ids["partner_org"], "partner": ids["lonely_org"]}.get(identity)
        account_id, token = _account(identity, org)
        seeded.accounts[identity] = account_id
        seeded.headers[identity] = {"Authorization": f"Bearer {token}"}
    seeded.accounts["admin"] = admin_id
    seeded.headers["admin"] = admin
    coordinator = seeded.accounts["coordinator"]
    ids["open_network"] = _post(
        client,
        "networks",
        {
            "name": "SSPF Tyresö",
            "visibility": "partners",
            "member_organization_ids": [ids["partner_org"], ids["internal_org"]],
            "member_contact_ids": [ids["partner_contact"], ids["internal_contact"]],
            "coordinator_account_ids": [coordinator],
        },
        admin,
    )
    ids["internal_network"] = _post(
        client,
        "networks",
        {
            "name": f"Lokal lägesbild {SECRET}",
            "visibility": "internal",
            "member_organization_ids": [ids["partner_org"], ids["internal_org"]],
            "coordinator_account_ids": [coordinator],
        },
        admin,
    )
    ids["other_network"] = _post(
        client,
        "networks",
        {
            "name": "Föräldrastöd Nätverket",
            "coordinator_account_ids": [seeded.accounts["other_coordinator"]],
        },
        admin,
    )
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=14)).replace(microsecond=0)
    when = {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=1)).isoformat()}
    ids["open_meeting"] = _post(
        client,
        "meetings",
        {
            "network_id": ids["open_network"],
            "title": "SSPF styrgrupp",
            **when,
            "rrule": "FREQ=WEEKLY;COUNT=6",
            "invited_organizations": [ids["partner_org"], ids["internal_org"]],
            "invited_contacts": [ids["internal_contact"]],
        },
        admin,
    )
    ids["internal_meeting"] = _post(
        client,
        "meetings",
        {
            "network_id": ids["internal_network"],
            "title": f"Lägesbild {SECRET}",
            "agenda": f"Agenda {SECRET}",
            **when,
            "invited_organizations": [ids["partner_org"]],
            "is_public": True,
        },
        admin,
    )
    for meeting in ("open_meeting", "internal_meeting"):
        path = f"meetings/{ids[meeting]}"
        secret = SECRET if meeting == "internal_meeting" else "öppen"
        attendance = {
            "occurrence_start": start.isoformat(),
            "organization_ids": [ids["partner_org"], ids["internal_org"]],
        }
        response = client.put(f"/api/v1/{path}/attendance", json=attendance, headers=admin)
        assert response.status_code == 200, response.text
        note = {"occurrence_start": start.isoformat(), "kind": "note", "body": f"Not {secret}"}
        _post(client, f"{path}/notes", note, admin)
        follow_up = {"title": f"Uppföljning {secret}", "owner": "SSPF", "due_date": "2030-01-01"}
        ids[f"{meeting}_follow_up"] = _post(client, f"{path}/follow-ups", follow_up, admin)
    for network in ("open_network", "internal_network"):
        prefix = network.removesuffix("_network")
        feed = {"scope": "network", "subject_id": ids[network], "detail": "staff"}
        ids[f"{prefix}_token"] = _post(client, "feed-tokens", feed, admin)
        calendar = {"network_id": ids[network], "url": "http://127.0.0.1:9/kalender.ics"}
        ids[f"{prefix}_calendar"] = _post(client, "external-calendars", calendar, admin)
    internal = ("internal_org", "internal_contact", "internal_service", "internal_network")
    for name in (*internal, "internal_meeting"):
        seeded.internal_ids.add(ids[name])
    seeded.internal_ids.add(ids["public_unit"])  # its parent is internal
    for name in ("internal_meeting_follow_up", "internal_token", "internal_calendar"):
        seeded.internal_ids.add(ids[name])
    spare = client.post(
        "/api/v1/tokens", json={"label": "reserv"}, headers=seeded.headers["member_partner"]
    )
    assert spare.status_code == 201, spare.text
    ids["spare_api_token"] = str(spare.json()["id"])
    terms = client.get("/api/v1/taxonomy-terms", headers=admin).json()
    ids["term"] = str(terms[0]["id"])
    run_async(search_worker(EmbeddedBackend()).drain())
    for identity in IDENTITIES:
        seeded.cookies[identity] = _sign_in(client, identity)
    return seeded


def open_client() -> Iterator[Client]:
    from samverkan.app import create_app

    with TestClient(app=create_app()) as client:
        yield client
