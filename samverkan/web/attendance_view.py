"""The meeting page's attendance: what was recorded for each occasion, by name, and the form
for one chosen occasion with its invitees ticked as they were recorded, so reopening the form
shows what it holds instead of empty boxes."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from directory.core.access import Principal
from directory.meetings.schemas import AttendanceOut, MeetingOut
from directory.records.resources import CONTACTS, ORGANIZATIONS
from directory.records.service import ListQuery, RecordService
from samverkan.web.calendar_views import ZONE, Entry


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    name: str
    came: bool


@dataclass(frozen=True)
class Recorded:
    starts_at: dt.datetime
    organizations: list[str]
    contacts: list[str]


@dataclass(frozen=True)
class Attendance:
    recorded: list[Recorded]
    occasions: list[dt.datetime]
    chosen: dt.datetime | None
    organizations: list[Choice]
    contacts: list[Choice]


def _chosen(occasions: list[dt.datetime], asked: str) -> dt.datetime | None:
    """The occasion ``asked`` names (an ISO start), else the latest held one."""
    for start in occasions:
        if start.isoformat() == asked:
            return start
    return occasions[0] if occasions else None


def _choices(
    invited: list[uuid.UUID], came: list[uuid.UUID], names: dict[uuid.UUID, str]
) -> list[Choice]:
    """The invitees, and anyone recorded who is no longer invited, as far as one may see."""
    ids = [ref for ref in dict.fromkeys([*invited, *came]) if ref in names]
    return [Choice(ref, names[ref], ref in came) for ref in ids]


async def _names(principal: Principal, spec: Any) -> dict[uuid.UUID, str]:
    rows = (await RecordService(spec, principal).page(ListQuery(per_page=500))).contents
    return {row.id: row.name for row in rows}


async def attendance_view(
    principal: Principal,
    meeting: MeetingOut,
    held: list[Entry],
    records: list[AttendanceOut],
    asked: str,
) -> Attendance:
    """``held``: the occasions attendance can be given for, latest first."""
    orgs, contacts = await _names(principal, ORGANIZATIONS), await _names(principal, CONTACTS)
    by_start = {item.occurrence_start.astimezone(ZONE): item for item in records}
    occasions = [entry.starts_at for entry in held]
    chosen = _chosen(occasions, asked)
    record = by_start.get(chosen) if chosen else None
    return Attendance(
        recorded=[
            Recorded(
                start,
                [orgs[ref] for ref in item.organization_ids if ref in orgs],
                [contacts[ref] for ref in item.contact_ids if ref in contacts],
            )
            for start, item in by_start.items()
        ],
        occasions=occasions,
        chosen=chosen,
        organizations=_choices(
            meeting.invited_organizations, record.organization_ids if record else [], orgs
        ),
        contacts=_choices(meeting.invited_contacts, record.contact_ids if record else [], contacts),
    )
