"""The access rules of network meetings and what follows them (see :mod:`directory.core.access`).

Only the network's coordinators and admins schedule, change and cancel, record attendance, notes
and follow-ups, and mint its feed tokens. Municipal staff read every meeting; a partner reads,
of the networks it may see, the open (public) meetings, those its organisation is invited to,
and its networks' meetings. Notes, decisions, attendance, follow-ups and reports are for staff
and the network's members. A meeting of an internal network is hidden from every partner.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from piccolo.columns.combination import Where

from directory.core.access import Principal, Role, audience_condition, visibilities_for
from directory.core.errors import PermissionDenied
from directory.meetings.tables import Meeting
from directory.records.access import (
    can_read_network,
    is_coordinator_of,
    is_member,
    only_readable,
    require_coordinator,
    require_network_reader,
)
from directory.records.tables import Contact, Network, Organization

__all__ = [
    "can_read_meeting",
    "feed_network_condition",
    "is_coordinator_of",
    "is_member",
    "meeting_view",
    "require_coordinator",
    "require_follow_up_reader",
    "shows_agenda",
]


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
