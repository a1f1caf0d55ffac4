"""The signed-in start page's own part: my networks with their next meetings, my open
follow-ups and the entries I answer for that are due for checking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from directory.accounts.tables import Account
from directory.core.access import Principal
from directory.meetings.access import can_read_meeting
from directory.meetings.service import MeetingService
from directory.meetings.store import decode_row
from directory.meetings.tables import Meeting, MeetingFollowUp
from directory.records.resources import ALL_RESOURCES, NETWORKS
from directory.records.service import visibility_filter
from directory.records.tables import Contact, Network, NetworkCoordinator, NetworkMember
from samverkan.web.calendar_views import ZONE, Entry, entries
from samverkan.web.templating import STALE_AFTER

NEXT_DAYS: Final = 60
SHOWN: Final = 10


@dataclass(frozen=True)
class MyNetwork:
    id: Any
    name: str
    next_meetings: list[Entry]


async def _my_network_ids(principal: Principal) -> list[Any]:
    """Networks I coordinate, or that my organisation (or one of its contacts) belongs to."""
    ids = {
        row["network_id"]
        for row in await NetworkCoordinator.select(NetworkCoordinator.network_id).where(
            NetworkCoordinator.account_id == principal.account_id
        )
    }
    org = principal.organization_id
    if org is not None:
        contacts = Contact.select(Contact.id).where(Contact.organization_id == org)
        members = await NetworkMember.select(NetworkMember.network_id).where(
            (NetworkMember.organization_id == org) | NetworkMember.contact_id.is_in(contacts)
        )
        ids |= {row["network_id"] for row in members}
    return list(ids)


async def my_networks(principal: Principal) -> list[MyNetwork]:
    ids = await _my_network_ids(principal)
    if not ids:
        return []
    rows = (
        await Network.select(Network.id, Network.name)
        .where(
            Network.id.is_in(ids)
            & Network.retired_at.is_null()
            & visibility_filter(NETWORKS, principal)
        )
        .order_by(Network.name)
    )
    now = dt.datetime.now(ZONE)
    meetings = MeetingService(principal)
    found = []
    for row in rows:
        listed = await meetings.list(row["id"], now, now + dt.timedelta(days=NEXT_DAYS))
        upcoming = [e for e in entries(listed) if e.ends_at > now and not e.cancelled]
        found.append(MyNetwork(row["id"], row["name"], upcoming[:2]))
    return found


async def my_follow_ups(principal: Principal, account: dict[str, Any]) -> list[dict[str, Any]]:
    """Open follow-ups whose owner is written as my name, username or email (the owner is free
    text), in meetings I may read; the overdue first."""
    names = {
        str(account.get(key) or "").strip().casefold()
        for key in ("display_name", "username", "email")
    } - {""}
    rows = await MeetingFollowUp.select().where(MeetingFollowUp.done_at.is_null())
    mine = [row for row in rows if row["owner"].strip().casefold() in names]
    readable = []
    for row in sorted(mine, key=lambda r: r["due_date"]):
        meeting = await Meeting.select().where(Meeting.id == row["meeting_id"]).first()
        if meeting is not None and await can_read_meeting(principal, decode_row(meeting)):
            readable.append({**row, "overdue": row["due_date"] < dt.date.today()})
    return readable[:SHOWN]


async def my_due_records(principal: Principal, email: str) -> list[dict[str, Any]]:
    """Live entries that name me as the one who checks them and are unchecked or checked more
    than a year ago."""
    if not email:
        return []
    cutoff = dt.date.today() - STALE_AFTER
    due: list[dict[str, Any]] = []
    for spec in ALL_RESOURCES:
        table = spec.table
        rows = await table.select(table.id, table.name, table.assured_date).where(  # type: ignore[attr-defined]
            (table.assurer_email == email)  # type: ignore[attr-defined]
            & table.retired_at.is_null()  # type: ignore[attr-defined]
            & (table.assured_date.is_null() | (table.assured_date < cutoff))  # type: ignore[attr-defined]
            & visibility_filter(spec, principal)
        )
        due += [{**row, "collection": spec.path} for row in rows]
    return sorted(due, key=lambda r: (r["assured_date"] or dt.date.min, r["name"]))[:SHOWN]


async def overview(principal: Principal) -> dict[str, Any]:
    account = await Account.select().where(Account.id == principal.account_id).first() or {}
    return {
        "networks": await my_networks(principal),
        "follow_ups": await my_follow_ups(principal, account),
        "due_records": await my_due_records(principal, str(account.get("email") or "")),
    }
