"""Demo accounts, one per role, so that a newcomer can sign in right after ``serve --demo``.

They are made only together with the demo directory (on an empty database), each with a fresh
random password that is printed once and stored only as a hash.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from directory.accounts import service as accounts
from directory.core.access import Principal, Role
from directory.demo.data import _id, _org_id
from directory.records.resources import NETWORKS
from directory.records.service import RecordService

#: (username, display name, role, organisation slug)
DEMO_PEOPLE = (
    ("anna", "Anna Lindqvist", Role.ADMIN, "kommunledningskontoret"),
    ("kim", "Kim Berg", Role.COORDINATOR, "socialforvaltningen"),
    ("sara", "Sara Nilsson", Role.STAFF, "buf"),
    ("pelle", "Pelle Ek", Role.PARTNER, "lpo-nacka"),
)
#: The networks the demo coordinator runs.
COORDINATED = ("network/sspf-tyreso", "network/anhorigstod")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role

    def line(self) -> str:
        """What the console prints: ``user NAME password PASSWORD (ROLE)``."""
        return f"user {self.username} password {self.password} ({self.role.value})"


async def create_demo_accounts() -> list[DemoAccount]:
    """One account per role with a random password; the coordinator runs two demo networks."""
    made = []
    for username, display_name, role, organization in DEMO_PEOPLE:
        password = secrets.token_urlsafe(12)
        organization_id = uuid.UUID(_org_id(organization))
        email = f"{username}@example.se"
        account = await accounts.create_account(
            username, role.value, display_name, email, organization_id
        )
        await accounts.set_password(username, password)
        made.append(DemoAccount(username, password, role))
        if role is Role.COORDINATOR:
            await _coordinate(account.id)
    return made


async def _coordinate(account_id: uuid.UUID) -> None:
    system = Principal(uuid.uuid4(), "demo", Role.ADMIN)
    service = RecordService(NETWORKS, system)
    for slug in COORDINATED:
        network_id = uuid.UUID(_id(slug))
        current = await service.get(network_id)
        ids = [*current.coordinator_account_ids, account_id]  # type: ignore[attr-defined]
        version = f'"{current.version}"'  # type: ignore[attr-defined]
        await service.update(network_id, NETWORKS.patch(coordinator_account_ids=ids), version)
