"""The access policy: who may read and who may change each kind of data.

Every read path (API routes, web pages, search, reports, feeds, DAV exports) and every write asks
this module; none decides on its own. The rules:

- A record's visibility is the strictest of its own and that of every record it belongs to: a
  unit's parent organisations, a contact's or service's organisation, a meeting's network (and
  so the meeting's notes, follow-ups, attendance and report).
- Internal networks, with everything that hangs from them, are invisible to partners, whether
  or not the partner's organisation is a member.
- A list that names other records (members, invitees, attendance) names only those the reader
  may see; a partner sees coordinators as a display name and an address, never an account id.
- Admins change everything; a coordinator changes the directory, but a network (its members and
  coordinators included) and its meetings only if they coordinate it; staff and partners change
  nothing.

``Principal``, roles and visibility levels live in :mod:`directory.access`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from piccolo.columns.combination import And, Where, WhereRaw
from piccolo.table import Table

from directory.access import Principal, Role, Visibility, visibilities_for
from directory.errors import NotFound, PermissionDenied
from directory.meeting_tables import Meeting
from directory.tables import (
    Account,
    Contact,
    Network,
    NetworkCoordinator,
    NetworkMember,
    Organization,
)

Condition = Where | And | WhereRaw

# --- records ---------------------------------------------------------------------------------


def outside_hidden_organizations(audience: Sequence[str], column: str) -> WhereRaw:
    """``column`` names no organisation hidden from ``audience``, that is, one whose own
    visibility, or that of any organisation above it, is outside ``audience`` (a recursive
    query, so a unit of a unit of an internal organisation is hidden too)."""
    placeholders = ", ".join("{}" for _ in audience) or "NULL"
    return WhereRaw(
        f"{column} NOT IN (WITH RECURSIVE hidden(id) AS ("  # noqa: S608 (only placeholders)
        f"SELECT o.id FROM organization o WHERE o.visibility NOT IN ({placeholders}) "
        "UNION SELECT u.id FROM organization u JOIN hidden h ON u.parent_id = h.id) "
        "SELECT id FROM hidden)",
        *audience,
    )


def audience_condition(table: type[Table], audience: Sequence[str]) -> Condition:
    """The rows of a directory table that an audience reading ``audience`` may see."""
    allowed = list(audience)
    condition: Condition = table.visibility.is_in(allowed)  # type: ignore[attr-defined]
    if Visibility.INTERNAL in allowed:
        return condition
    tablename = table._meta.tablename
    if table is Organization:
        return condition & outside_hidden_organizations(allowed, f'"{tablename}"."id"')
    if "organization_id" in {c._meta.name for c in table._meta.columns}:
        column = f'"{tablename}"."organization_id"'
        return condition & outside_hidden_organizations(allowed, column)
    return condition


def record_condition(table: type[Table], principal: Principal) -> Condition:
    return audience_condition(table, principal.readable_visibilities)


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


def require_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise PermissionDenied("only admins and coordinators change the directory")


# --- networks --------------------------------------------------------------------------------


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
        raise PermissionDenied("only the network's coordinators and admins change it")


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


# --- meetings and what follows them ----------------------------------------------------------


async def can_read_meeting(principal: Principal, row: Mapping[str, Any]) -> bool:
    """Staff read every meeting; others only meetings of a network they may see, and of those
    the open (public) ones, those their organisation is invited to, and their networks'."""
    if principal.is_staff:
        return True
    if not await can_read_network(principal, row["network_id"]):
        return False
    if row["is_public"]:
        return True
    org = principal.organization_id
    if org is not None and org in row["invited_organizations"]:
        return True
    return await is_member(principal, row["network_id"])


async def shows_agenda(principal: Principal, row: Mapping[str, Any]) -> bool:
    return principal.is_staff or await is_member(principal, row["network_id"])


async def require_follow_up_reader(principal: Principal, network_id: uuid.UUID) -> None:
    """Notes, decisions, attendance, follow-ups and the report: staff roles and the members of
    a network the principal may see. Raises :class:`NotFound` for a network hidden from them,
    :class:`PermissionDenied` for one they see but are no member of."""
    if principal.is_staff:
        return
    await require_network_reader(principal, network_id)
    if not await is_member(principal, network_id):
        raise PermissionDenied("notes are for municipal staff and the network's members")


async def meeting_view(principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    """A meeting's fields as ``principal`` may see them: invitees they may see, no account id."""
    if principal.is_staff:
        return fields
    return {
        **fields,
        "invited_organizations": await only_readable(
            principal, Organization, fields["invited_organizations"]
        ),
        "invited_contacts": await only_readable(principal, Contact, fields["invited_contacts"]),
        "coordinator_id": None,
    }


def feed_network_condition(staff_detail: bool) -> Where | None:
    """Which networks' meetings a calendar feed may carry: a feed without staff detail may be
    read by anyone holding the link, so it carries no meeting of an internal network."""
    if staff_detail:
        return None
    shown = Network.select(Network.id).where(
        audience_condition(Network, visibilities_for(Role.PARTNER))
    )
    return Meeting.network_id.is_in(shown)
