"""Who may see and who may change a network's meetings.

Only the network's coordinators (a ``NetworkCoordinator`` row) and admins schedule, change and
cancel. Municipal staff read every meeting; a partner reads the meetings of networks its
organisation belongs to, meetings it is invited to, and open (public) events. Agenda and notes
are for staff and the network's members.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from directory.core.access import Principal, Role
from directory.core.errors import PermissionDenied
from directory.records.tables import Contact, NetworkCoordinator, NetworkMember


async def is_coordinator_of(principal: Principal, network_id: uuid.UUID) -> bool:
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
    """Raises :class:`PermissionDenied` unless ``principal`` may schedule in the network."""
    if not await is_coordinator_of(principal, network_id):
        raise PermissionDenied("only the network's coordinators and admins schedule its meetings")


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


async def can_read(principal: Principal, row: Mapping[str, Any]) -> bool:
    if principal.is_staff or row["is_public"]:
        return True
    org = principal.organization_id
    if org is not None and org in row["invited_organizations"]:
        return True
    return await is_member(principal, row["network_id"])


async def shows_agenda(principal: Principal, row: Mapping[str, Any]) -> bool:
    return principal.is_staff or await is_member(principal, row["network_id"])


async def require_notes_reader(principal: Principal, network_id: uuid.UUID) -> None:
    """Notes and decisions: staff roles and the network's members only."""
    if not (principal.is_staff or await is_member(principal, network_id)):
        raise PermissionDenied("notes are for municipal staff and the network's members")
