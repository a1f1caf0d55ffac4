"""References between records: existence checks, parent cycles, and network memberships."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from directory.accounts.tables import Account
from directory.core.errors import N_, InvalidField
from directory.records.resources import ResourceSpec
from directory.records.tables import Contact, NetworkCoordinator, NetworkMember, Organization


async def _existing(table: Any, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    rows = await table.select(table.id).where(table.id.is_in(list(ids)))
    return {row["id"] for row in rows}


async def _require_all(field: str, table: Any, ids: Sequence[uuid.UUID]) -> None:
    found = await _existing(table, ids)
    for index, ref in enumerate(ids):
        if ref not in found:
            raise InvalidField(f"{field}[{index}]", N_("no such record %(id)s"), {"id": ref})


async def check_references(
    spec: ResourceSpec, values: Mapping[str, Any], record_id: uuid.UUID | None
) -> None:
    """Raise :class:`InvalidField` if a referenced record is missing or a parent makes a cycle."""
    organization_id = values.get("organization_id")
    if organization_id is not None and not await _existing(Organization, [organization_id]):
        raise InvalidField(
            "organization_id", N_("no such organisation %(id)s"), {"id": organization_id}
        )
    parent_id = values.get("parent_id")
    if parent_id is not None:
        await _check_parent(parent_id, record_id)
    await _require_all(
        "member_organization_ids", Organization, values.get("member_organization_ids", [])
    )
    await _require_all("member_contact_ids", Contact, values.get("member_contact_ids", []))
    await _require_all(
        "coordinator_account_ids", Account, values.get("coordinator_account_ids", [])
    )


async def _check_parent(parent_id: uuid.UUID, record_id: uuid.UUID | None) -> None:
    """Walk up from the proposed parent; meeting the record itself means a cycle."""
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = parent_id
    while current is not None and current not in seen:
        if current == record_id:
            raise InvalidField("parent_id", N_("an organisation cannot be nested under itself"))
        seen.add(current)
        row = (
            await Organization.select(Organization.parent_id)
            .where(Organization.id == current)
            .first()
        )
        if row is None:
            raise InvalidField("parent_id", N_("no such organisation %(id)s"), {"id": current})
        current = row["parent_id"]


async def load_relations(
    spec: ResourceSpec, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, list[uuid.UUID]]]:
    """Membership and coordinator lists of networks, keyed by network id."""
    if not spec.relations or not ids:
        return {}
    result: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = defaultdict(
        lambda: {name: [] for name in spec.relations}
    )
    members = await NetworkMember.select().where(NetworkMember.network_id.is_in(list(ids)))
    for member in members:
        entry = result[member["network_id"]]
        if member["organization_id"] is not None:
            entry["member_organization_ids"].append(member["organization_id"])
        if member["contact_id"] is not None:
            entry["member_contact_ids"].append(member["contact_id"])
    coordinators = await NetworkCoordinator.select().where(
        NetworkCoordinator.network_id.is_in(list(ids))
    )
    for coordinator in coordinators:
        result[coordinator["network_id"]]["coordinator_account_ids"].append(
            coordinator["account_id"]
        )
    return {key: value for key, value in result.items()}


async def save_relations(
    spec: ResourceSpec, record_id: uuid.UUID, values: Mapping[str, Any] | None
) -> None:
    """Replace the lists ``values`` names; ``None`` removes all of them (erasure)."""
    if not spec.relations:
        return
    given = values if values is not None else {name: [] for name in spec.relations}
    if "member_organization_ids" in given:
        await NetworkMember.delete().where(
            (NetworkMember.network_id == record_id) & NetworkMember.organization_id.is_not_null()
        )
        rows = [
            NetworkMember(network_id=record_id, organization_id=ref)
            for ref in dict.fromkeys(given["member_organization_ids"])
        ]
        if rows:
            await NetworkMember.insert(*rows)
    if "member_contact_ids" in given:
        await NetworkMember.delete().where(
            (NetworkMember.network_id == record_id) & NetworkMember.contact_id.is_not_null()
        )
        rows = [
            NetworkMember(network_id=record_id, contact_id=ref)
            for ref in dict.fromkeys(given["member_contact_ids"])
        ]
        if rows:
            await NetworkMember.insert(*rows)
    if "coordinator_account_ids" in given:
        await NetworkCoordinator.delete().where(NetworkCoordinator.network_id == record_id)
        coordinators = [
            NetworkCoordinator(network_id=record_id, account_id=ref)
            for ref in dict.fromkeys(given["coordinator_account_ids"])
        ]
        if coordinators:
            await NetworkCoordinator.insert(*coordinators)
