"""The access rules of directory records and networks (see :mod:`directory.core.access`).

Who sees which records a list names (members), who changes a network (its own coordinators and
admins only, its member and coordinator lists included), and how a network's coordinators are
shown (to partners: a display name and an address, never an account id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.table import Table

from directory.accounts.tables import Account
from directory.core.access import WRITER_ROLES, Principal, Role, record_condition
from directory.core.errors import NotFound, PermissionDenied
from directory.records.tables import (
    Contact,
    Network,
    NetworkCoordinator,
    NetworkMember,
    Organization,
)


async def readable_ids(
    principal: Principal, table: type[Table], ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of ``ids`` that name a record of ``table`` the principal may see."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return set()
    rows = await table.select(table.id).where(  # type: ignore[attr-defined]
        table.id.is_in(wanted) & record_condition(table, principal)  # type: ignore[attr-defined]
    )
    return {row["id"] for row in rows}


async def only_readable(
    principal: Principal, table: type[Table], ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """``ids`` without the ones the principal may not see, in their order."""
    if principal.is_staff:
        return list(ids)
    readable = await readable_ids(principal, table, ids)
    return [ref for ref in ids if ref in readable]


class NetworkCoordinatorsOnly(PermissionDenied):
    """Only the network's own coordinators and admins may (the web's 403 page says so)."""


class OwnCoordinatorRole(PermissionDenied):
    """A coordinator took their own account off a network's coordinators (the web's 403 page
    says why and whom to ask)."""


def keeps_own_coordinator_role(principal: Principal, account_id: uuid.UUID) -> bool:
    """Whether removing ``account_id`` from a network's coordinators is refused to
    ``principal``: a network is changed only by its own coordinators and admins, so a
    coordinator who took themselves off could not change it again, nor put themselves back."""
    return principal.role is not Role.ADMIN and account_id == principal.account_id


def require_coordinators_change(
    principal: Principal, before: Sequence[uuid.UUID], after: Sequence[uuid.UUID]
) -> None:
    """Raises :class:`OwnCoordinatorRole` if the change drops the principal's own account
    (see :func:`keeps_own_coordinator_role`); an admin does that."""
    for account_id in set(before) - set(after):
        if keeps_own_coordinator_role(principal, account_id):
            raise OwnCoordinatorRole(
                "a coordinator cannot remove their own coordinator role: only a network's "
                "coordinators and admins change it, so ask an admin to do it"
            )


def require_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise PermissionDenied("only admins and coordinators change the directory", WRITER_ROLES)


async def is_coordinator_of(principal: Principal, network_id: uuid.UUID) -> bool:
    """Admins coordinate every network; a coordinator those that name their account."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is not Role.COORDINATOR:
        return False
    return bool(
        await NetworkCoordinator.exists().where(
            (NetworkCoordinator.network_id == network_id)
            & (NetworkCoordinator.account_id == principal.account_id)
        )
    )


async def require_coordinator(principal: Principal, network_id: uuid.UUID) -> None:
    """Raises :class:`PermissionDenied` unless ``principal`` may change the network, its member
    and coordinator lists, its meetings, their follow-up and its feed tokens."""
    if not await is_coordinator_of(principal, network_id):
        raise NetworkCoordinatorsOnly("only the network's coordinators and admins change it")


async def can_read_network(principal: Principal, network_id: uuid.UUID) -> bool:
    if principal.is_staff:
        return True
    return bool(
        await Network.exists().where(
            (Network.id == network_id) & record_condition(Network, principal)
        )
    )


async def require_network_reader(principal: Principal, network_id: uuid.UUID) -> None:
    """Raises :class:`NotFound` for a network the principal may not see, as if it did not exist."""
    if not await can_read_network(principal, network_id):
        raise NotFound("network", str(network_id))


async def readable_network_ids(principal: Principal) -> set[str] | None:
    """The ids (as text) of the networks the principal may see; ``None`` means every one."""
    if principal.is_staff:
        return None
    rows = await Network.select(Network.id).where(record_condition(Network, principal))
    return {str(row["id"]) for row in rows}


async def is_member(principal: Principal, network_id: uuid.UUID) -> bool:
    """Whether the principal's organisation (or one of its contacts) belongs to the network."""
    if principal.organization_id is None:
        return False
    org = principal.organization_id
    contacts = Contact.select(Contact.id).where(Contact.organization_id == org)
    return bool(
        await NetworkMember.exists().where(
            (NetworkMember.network_id == network_id)
            & ((NetworkMember.organization_id == org) | NetworkMember.contact_id.is_in(contacts))
        )
    )


async def coordinator_contacts(account_ids: Sequence[uuid.UUID]) -> list[dict[str, str]]:
    """How a reader reaches a network's coordinators: display name and address, no account id."""
    if not account_ids:
        return []
    rows = (
        await Account.select(Account.display_name, Account.email)
        .where(Account.id.is_in(list(account_ids)) & Account.disabled_at.is_null())
        .order_by(Account.display_name)
    )
    return [{"display_name": row["display_name"], "email": row["email"]} for row in rows]


async def network_view(
    principal: Principal, relations: dict[str, list[uuid.UUID]]
) -> dict[str, Any]:
    """A network's member and coordinator lists as ``principal`` may see them."""
    view: dict[str, Any] = dict(relations)
    coordinators = list(relations.get("coordinator_account_ids", []))
    view["coordinators"] = await coordinator_contacts(coordinators)
    if principal.is_staff:
        return view
    view["coordinator_account_ids"] = []
    view["member_organization_ids"] = await only_readable(
        principal, Organization, relations.get("member_organization_ids", [])
    )
    view["member_contact_ids"] = await only_readable(
        principal, Contact, relations.get("member_contact_ids", [])
    )
    return view
