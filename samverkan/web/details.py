"""What a record's page shows besides the record: its relations, each filtered by visibility."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from msgspec import Struct

from directory.core.access import Principal
from directory.core.errors import NotFound
from directory.meetings.access import is_coordinator_of, is_member
from directory.meetings.feed_tokens import FeedTokenService
from directory.meetings.service import MeetingService
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS, SERVICES, ResourceSpec
from directory.records.service import ListQuery, RecordService, visibility_filter
from directory.records.tables import Network, NetworkMember, Organization
from samverkan.web.calendar_views import ZONE, Entry, entries, split_by_now

_ALL = 500


async def _listed(spec: ResourceSpec, principal: Principal, query: ListQuery) -> list[Struct]:
    return list((await RecordService(spec, principal).page(query)).contents)


async def _maybe(spec: ResourceSpec, principal: Principal, record_id: Any) -> Struct | None:
    """The record if it exists and the principal may see it (a hidden parent stays hidden)."""
    if record_id is None:
        return None
    try:
        return await RecordService(spec, principal).get(record_id)
    except NotFound:
        return None


async def networks_of(
    principal: Principal,
    organization_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """The visible, live networks an organisation or contact takes part in."""
    member = (
        NetworkMember.organization_id == organization_id
        if organization_id
        else NetworkMember.contact_id == contact_id
    )
    ids = NetworkMember.select(NetworkMember.network_id).where(member)
    return list(
        await Network.select(Network.id, Network.name)
        .where(
            Network.id.is_in(ids)
            & Network.retired_at.is_null()
            & visibility_filter(NETWORKS, principal)
        )
        .order_by(Network.name)
    )


async def organization_context(principal: Principal, record: Struct) -> dict[str, Any]:
    org_id: uuid.UUID = record.id  # type: ignore[attr-defined]
    by_org = ListQuery(per_page=_ALL, organization_id=org_id)
    units = (
        await Organization.select(Organization.id, Organization.name)
        .where(
            (Organization.parent_id == org_id)
            & Organization.retired_at.is_null()
            & visibility_filter(ORGANIZATIONS, principal)
        )
        .order_by(Organization.name)
    )
    return {
        "parent": await _maybe(ORGANIZATIONS, principal, record.parent_id),  # type: ignore[attr-defined]
        "units": units,
        "contacts": await _listed(CONTACTS, principal, by_org),
        "services": await _listed(SERVICES, principal, by_org),
        "networks": await networks_of(principal, organization_id=org_id),
    }


async def contact_context(principal: Principal, record: Struct) -> dict[str, Any]:
    return {
        "organization": await _maybe(ORGANIZATIONS, principal, record.organization_id),  # type: ignore[attr-defined]
        "networks": await networks_of(principal, contact_id=record.id),  # type: ignore[attr-defined]
    }


async def service_context(principal: Principal, record: Struct) -> dict[str, Any]:
    return {
        "organization": await _maybe(ORGANIZATIONS, principal, record.organization_id),  # type: ignore[attr-defined]
    }


async def network_context(principal: Principal, record: Struct) -> dict[str, Any]:
    in_network = ListQuery(per_page=_ALL, network=record.id)  # type: ignore[attr-defined]
    network_id: uuid.UUID = record.id  # type: ignore[attr-defined]
    upcoming, past = await _network_meetings(principal, network_id)
    is_coordinator = await is_coordinator_of(principal, network_id)
    feeds = FeedTokenService(principal)
    return {
        "network_feeds": await feeds.list(network_id) if is_coordinator else [],
        "own_feeds": await feeds.own(network_id),
        "may_subscribe": await is_member(principal, network_id),
        "member_organizations": await _listed(ORGANIZATIONS, principal, in_network),
        "member_contacts": await _listed(CONTACTS, principal, in_network),
        "coordinators": record.coordinators,  # type: ignore[attr-defined]
        "is_coordinator": is_coordinator,
        "upcoming": upcoming,
        "past": past,
    }


async def _network_meetings(
    principal: Principal, network_id: uuid.UUID
) -> tuple[list[Entry], list[Entry]]:
    """Upcoming and recent occurrences of the network's meetings the principal may read."""
    meetings = await MeetingService(principal).list(network_id, None, None)
    upcoming, past = split_by_now(entries(meetings), dt.datetime.now(ZONE))
    return upcoming[:10], past[:10]


CONTEXT = {
    ORGANIZATIONS.name: organization_context,
    CONTACTS.name: contact_context,
    SERVICES.name: service_context,
    NETWORKS.name: network_context,
}
