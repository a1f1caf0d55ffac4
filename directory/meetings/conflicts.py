"""Conflict help for scheduling: who among the invitees is already in a meeting at the proposed
time, and the next free slots in working hours (Monday to Friday, 08–17 Europe/Stockholm)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from directory.core.errors import N_, InvalidField
from directory.core.validation import check_instant
from directory.meetings import recurrence
from directory.meetings.schemas import Busy, ConflictQuery, ConflictReport
from directory.meetings.store import Condition, Series, feed_window, in_window, load_series
from directory.meetings.tables import Meeting
from directory.records.tables import Contact

ZONE = ZoneInfo("Europe/Stockholm")
WORKDAY = (dt.time(8), dt.time(17))
STEP = dt.timedelta(minutes=30)
HORIZON = dt.timedelta(days=14)
SLOTS = 5


def _utc(value: dt.datetime) -> dt.datetime:
    return (value.replace(tzinfo=ZONE) if value.tzinfo is None else value).astimezone(dt.UTC)


async def _organizations_of(contacts: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    ids = list(contacts)
    if not ids:
        return {}
    rows = await Contact.select(Contact.id, Contact.organization_id).where(Contact.id.is_in(ids))
    return {row["id"]: row["organization_id"] for row in rows}


async def _contacts_of(organizations: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    if not organizations:
        return {}
    rows = await Contact.select(Contact.id, Contact.organization_id).where(
        Contact.organization_id.is_in(organizations)
    )
    return {row["id"]: row["organization_id"] for row in rows}


def _involved(
    series: Series,
    organizations: set[uuid.UUID],
    contact_org: dict[uuid.UUID, uuid.UUID],
    contacts: set[uuid.UUID],
) -> list[tuple[uuid.UUID | None, uuid.UUID | None]]:
    """(organisation, contact) pairs among the invitees that this meeting also involves."""
    row = series.row
    pairs: list[tuple[uuid.UUID | None, uuid.UUID | None]] = []
    pairs += [(org, None) for org in row["invited_organizations"] if org in organizations]
    for contact in row["invited_contacts"]:
        if contact in contacts:
            pairs.append((contact_org.get(contact), contact))
        elif contact_org.get(contact) in organizations:
            pairs.append((contact_org[contact], contact))
    return pairs


def proposed_occurrences(query: ConflictQuery) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) in UTC of every proposed occurrence up to the end of the feed window
    (:func:`~directory.meetings.store.feed_window`), the first always included; raises
    :class:`InvalidField` ("rrule") for a rule this service does not publish."""
    check_instant("starts_at", query.starts_at)
    check_instant("ends_at", query.ends_at)
    start, end = _utc(query.starts_at), _utc(query.ends_at)
    if end <= start:
        raise InvalidField("ends_at", N_("must be after starts_at"))
    if not query.rrule:
        return [(start, end)]
    # A proposed rule is checked as strictly as a stored one is on saving; expanding a stored
    # rule (below) is lenient, so that one bad row never breaks a page.
    recurrence.parse_rule(query.rrule, start, str(ZONE), query.all_day)
    horizon = feed_window(dt.datetime.now(dt.UTC))[1]
    starts = recurrence.original_starts(
        query.rrule, start, str(ZONE), query.all_day, start, max(horizon, start) + STEP
    )
    return [(first, first + (end - start)) for first in starts]


async def find_conflicts(query: ConflictQuery) -> ConflictReport:
    """Who among the invitees is busy at any proposed occurrence (each clash once, by date),
    and free slots near the first one."""
    proposed = proposed_occurrences(query)
    start, end = proposed[0]
    organizations = set(query.invited_organizations)
    contacts = set(query.invited_contacts)
    contact_org = await _contacts_of(list(organizations))
    contact_org |= await _organizations_of(contacts - contact_org.keys())
    organizations |= {contact_org[c] for c in contacts if c in contact_org}
    last_end = max(proposed[-1][1], end + HORIZON)
    conditions: list[Condition] = [in_window(start, last_end), Meeting.status != "cancelled"]
    if query.ignore_meeting_id is not None:
        conditions.append(Meeting.id != query.ignore_meeting_id)
    busy: list[Busy] = []
    for series in await load_series(conditions):
        pairs = _involved(series, organizations, contact_org, contacts)
        if not pairs:
            continue
        for occurrence in series.occurrences(start, last_end):
            if occurrence.cancelled:
                continue
            busy.extend(
                Busy(
                    organization_id=org,
                    contact_id=contact,
                    meeting_id=series.id,
                    title=series.row["title"],
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                )
                for org, contact in pairs
            )
    clashes = [b for b in busy if any(b.starts_at < e and b.ends_at > s for s, e in proposed)]
    clashes.sort(key=lambda b: (b.starts_at, b.title))
    return ConflictReport(
        conflicts=clashes,
        free_slots=_free_slots(start, end - start, busy),
        occurrences_checked=len(proposed),
    )


def _free_slots(start: dt.datetime, duration: dt.timedelta, busy: list[Busy]) -> list[dt.datetime]:
    """The first free starts after ``start`` on the half hour, inside working hours."""
    local = start.astimezone(ZONE)
    minute = 0 if local.minute == 0 and local.second == 0 else 30 if local.minute <= 30 else 60
    candidate = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(minutes=minute)
    slots: list[dt.datetime] = []
    while len(slots) < SLOTS and candidate < local + HORIZON:
        slot_start = candidate.astimezone(dt.UTC)
        slot_end = slot_start + duration
        local_end = slot_end.astimezone(ZONE)
        in_hours = (
            candidate.weekday() < 5
            and candidate.time() >= WORKDAY[0]
            and local_end.date() == candidate.date()
            and local_end.time() <= WORKDAY[1]
        )
        if in_hours and not any(b.starts_at < slot_end and b.ends_at > slot_start for b in busy):
            slots.append(slot_start)
        candidate = (candidate + STEP).astimezone(ZONE)
    return slots
