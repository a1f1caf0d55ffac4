"""After a meeting: attendance, notes and decisions, follow-ups, and the follow-up report for the
local crime prevention council (meetings held, attendance, prevention-level coverage)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from directory.core import spreadsheet
from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, InvalidField, NotFound
from directory.core.validation import check_instant
from directory.meetings.access import (
    can_read_meeting,
    require_coordinator,
    require_follow_up_reader,
)
from directory.meetings.schemas import (
    AttendanceIn,
    AttendanceOut,
    FollowUpIn,
    FollowUpOut,
    FollowUpPatch,
    FollowUpReport,
    NoteIn,
    NoteOut,
    OrganizationAttendance,
)
from directory.meetings.store import Series, decode_row, in_window, load_series
from directory.meetings.tables import (
    Meeting,
    MeetingAttendance,
    MeetingContactAttendance,
    MeetingFollowUp,
    MeetingNote,
)
from directory.records.access import only_readable
from directory.records.tables import Contact, Organization

ZONE = ZoneInfo("Europe/Stockholm")


async def _existing(
    table: type[Organization | Contact], field: str, ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """``ids`` once each, in order; raises :class:`InvalidField` naming the first unknown one."""
    found = {
        row["id"]
        for row in await table.select(table.id).where(table.id.is_in(ids or [uuid.uuid4()]))
    }
    for index, ref in enumerate(ids):
        if ref not in found:
            what = (
                N_("no such organisation %(id)s")
                if table is Organization
                else N_("no such contact %(id)s")
            )
            raise InvalidField(f"{field}[{index}]", what, {"id": ref})
    return list(dict.fromkeys(ids))


def _utc(value: dt.datetime) -> dt.datetime:
    return (value.replace(tzinfo=ZONE) if value.tzinfo is None else value).astimezone(dt.UTC)


def _checked(field: str, value: dt.datetime) -> dt.datetime:
    check_instant(field, value)
    return value


class FollowUpService:
    """Recording what a meeting exchanged, on behalf of one principal."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def _meeting(self, meeting_id: uuid.UUID) -> dict[str, Any]:
        """The meeting, if the principal may see it."""
        row = await Meeting.select().where(Meeting.id == meeting_id).first()
        if row is None or not await can_read_meeting(self.principal, decode_row(row)):
            raise NotFound("meeting", str(meeting_id))
        return row

    async def record_attendance(self, meeting_id: uuid.UUID, data: AttendanceIn) -> AttendanceOut:
        """Replace the lists of organisations and of contacts that came to one occurrence."""
        meeting = await self._meeting(meeting_id)
        await require_coordinator(self.principal, meeting["network_id"])
        check_instant("occurrence_start", data.occurrence_start)
        start = _utc(data.occurrence_start)
        orgs = await _existing(Organization, "organization_ids", data.organization_ids)
        contacts = await _existing(Contact, "contact_ids", data.contact_ids)
        async with transaction():
            for table in (MeetingAttendance, MeetingContactAttendance):
                await table.delete().where(
                    (table.meeting_id == meeting_id) & (table.occurrence_start == start)
                )
            for org in orgs:
                await MeetingAttendance.insert(
                    MeetingAttendance(
                        meeting_id=meeting_id, occurrence_start=start, organization_id=org
                    )
                )
            for contact in contacts:
                await MeetingContactAttendance.insert(
                    MeetingContactAttendance(
                        meeting_id=meeting_id, occurrence_start=start, contact_id=contact
                    )
                )
            await log_change(
                self.principal,
                "attendance",
                "meeting",
                meeting_id,
                {},
                {"organizations": orgs, "contacts": contacts},
            )
        return AttendanceOut(occurrence_start=start, organization_ids=orgs, contact_ids=contacts)

    async def attendance(self, meeting_id: uuid.UUID) -> list[AttendanceOut]:
        """Each occurrence with attendance recorded, with the attendees the principal may see."""
        meeting = await self._meeting(meeting_id)
        await require_follow_up_reader(self.principal, meeting["network_id"])
        grouped: dict[dt.datetime, tuple[list[uuid.UUID], list[uuid.UUID]]] = {}
        for row in await MeetingAttendance.select().where(
            MeetingAttendance.meeting_id == meeting_id
        ):
            start = row["occurrence_start"].astimezone(dt.UTC)
            grouped.setdefault(start, ([], []))[0].append(row["organization_id"])
        for row in await MeetingContactAttendance.select().where(
            MeetingContactAttendance.meeting_id == meeting_id
        ):
            start = row["occurrence_start"].astimezone(dt.UTC)
            grouped.setdefault(start, ([], []))[1].append(row["contact_id"])
        return [
            AttendanceOut(
                occurrence_start=start,
                organization_ids=await only_readable(self.principal, Organization, orgs),
                contact_ids=await only_readable(self.principal, Contact, contacts),
            )
            for start, (orgs, contacts) in sorted(grouped.items())
        ]

    async def add_note(self, meeting_id: uuid.UUID, data: NoteIn) -> NoteOut:
        meeting = await self._meeting(meeting_id)
        await require_coordinator(self.principal, meeting["network_id"])
        note = MeetingNote(
            id=uuid.uuid4(),
            meeting_id=meeting_id,
            occurrence_start=_utc(_checked("occurrence_start", data.occurrence_start)),
            kind=data.kind,
            body=data.body,
            author=self.principal.shown_name[:150],
        )
        async with transaction():
            await MeetingNote.insert(note)
            await log_change(self.principal, "note", "meeting", meeting_id, {}, {"kind": data.kind})
        return (await self.notes(meeting_id))[-1]

    async def notes(self, meeting_id: uuid.UUID) -> list[NoteOut]:
        meeting = await self._meeting(meeting_id)
        await require_follow_up_reader(self.principal, meeting["network_id"])
        rows = (
            await MeetingNote.select()
            .where(MeetingNote.meeting_id == meeting_id)
            .order_by(MeetingNote.created_at)
        )
        return [
            NoteOut(
                id=row["id"],
                occurrence_start=row["occurrence_start"].astimezone(dt.UTC),
                kind=row["kind"],
                body=row["body"],
                author=row["author"],
                created_at=row["created_at"],
            )
            for row in rows
        ]

    async def add_follow_up(self, meeting_id: uuid.UUID, data: FollowUpIn) -> FollowUpOut:
        meeting = await self._meeting(meeting_id)
        await require_coordinator(self.principal, meeting["network_id"])
        check_instant("due_date", data.due_date)
        follow_up_id = uuid.uuid4()
        async with transaction():
            await MeetingFollowUp.insert(
                MeetingFollowUp(
                    id=follow_up_id,
                    meeting_id=meeting_id,
                    network_id=meeting["network_id"],
                    title=data.title,
                    owner=data.owner,
                    due_date=data.due_date,
                )
            )
            await log_change(
                self.principal, "follow_up", "meeting", meeting_id, {}, {"title": data.title}
            )
        return await self._follow_up(follow_up_id)

    async def set_follow_up_done(self, follow_up_id: uuid.UUID, data: FollowUpPatch) -> FollowUpOut:
        current = await self._follow_up(follow_up_id)
        meeting = await self._meeting(current.meeting_id)
        await require_coordinator(self.principal, meeting["network_id"])
        done_at = dt.datetime.now(dt.UTC) if data.done else None
        async with transaction():
            await MeetingFollowUp.update({MeetingFollowUp.done_at: done_at}).where(
                MeetingFollowUp.id == follow_up_id
            )
            await log_change(
                self.principal,
                "follow_up",
                "meeting",
                current.meeting_id,
                {"done_at": current.done_at},
                {"done_at": done_at},
            )
        return await self._follow_up(follow_up_id)

    async def follow_ups(self, meeting_id: uuid.UUID) -> list[FollowUpOut]:
        meeting = await self._meeting(meeting_id)
        await require_follow_up_reader(self.principal, meeting["network_id"])
        rows = await MeetingFollowUp.select().where(MeetingFollowUp.meeting_id == meeting_id)
        return [_follow_up_out(row) for row in rows]

    async def _follow_up(self, follow_up_id: uuid.UUID) -> FollowUpOut:
        row = await MeetingFollowUp.select().where(MeetingFollowUp.id == follow_up_id).first()
        if row is None:
            raise NotFound("follow_up", str(follow_up_id))
        return _follow_up_out(row)

    async def report(self, network_id: uuid.UUID, start: dt.date, end: dt.date) -> FollowUpReport:
        """Meetings held in ``[start, end]`` (local dates), who came, which prevention levels
        they covered, and the network's open follow-ups."""
        await require_follow_up_reader(self.principal, network_id)
        check_instant("start", start)
        check_instant("end", end)
        if end < start:
            raise InvalidField("end", N_("must not be before start"))
        low = dt.datetime.combine(start, dt.time(), ZONE).astimezone(dt.UTC)
        high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), ZONE).astimezone(dt.UTC)
        high = min(high, dt.datetime.now(dt.UTC))
        series = await load_series([Meeting.network_id == network_id, in_window(low, high)])
        held, levels = _held(series, low, high)
        attended = await MeetingAttendance.select().where(
            MeetingAttendance.meeting_id.is_in([s.id for s in series] or [uuid.uuid4()])
        )
        counts = Counter(
            row["organization_id"]
            for row in attended
            if (row["meeting_id"], row["occurrence_start"].astimezone(dt.UTC)) in held
        )
        readable = set(await only_readable(self.principal, Organization, list(counts)))
        counts = Counter({org: count for org, count in counts.items() if org in readable})
        orgs = {
            row["id"]: row
            for row in await Organization.select(
                Organization.id, Organization.name, Organization.kind
            ).where(Organization.id.is_in(list(counts) or [uuid.uuid4()]))
        }
        by_org = sorted(
            (
                OrganizationAttendance(
                    organization_id=org,
                    name=orgs[org]["name"],
                    kind=orgs[org]["kind"],
                    attended=count,
                )
                for org, count in counts.items()
                if org in orgs
            ),
            key=lambda item: (-item.attended, item.name),
        )
        by_kind: Counter[str] = Counter()
        for item in by_org:
            by_kind[item.kind] += item.attended
        open_rows = (
            await MeetingFollowUp.select()
            .where((MeetingFollowUp.network_id == network_id) & MeetingFollowUp.done_at.is_null())
            .order_by(MeetingFollowUp.due_date)
        )
        return FollowUpReport(
            network_id=network_id,
            period_start=start,
            period_end=end,
            meetings_held=len(held),
            attendance_by_organization=by_org,
            attendance_by_kind=dict(sorted(by_kind.items())),
            level_coverage={code: levels[code] for code in ("general", "selective", "indicated")},
            open_follow_ups=[_follow_up_out(row) for row in open_rows],
        )


def _held(
    series: list[Series], low: dt.datetime, high: dt.datetime
) -> tuple[set[tuple[uuid.UUID, dt.datetime]], Counter[str]]:
    """Occurrences that took place (not cancelled, started before ``high``) and level counts."""
    held: set[tuple[uuid.UUID, dt.datetime]] = set()
    levels: Counter[str] = Counter()
    for item in series:
        if item.row["status"] == "cancelled":
            continue
        for occurrence in item.occurrences(low, high):
            if occurrence.cancelled or occurrence.starts_at < low:
                continue
            held.add((item.id, occurrence.recurrence_id))
            levels.update(item.row["levels"])
    return held, levels


def _follow_up_out(row: dict[str, Any]) -> FollowUpOut:
    return FollowUpOut(
        id=row["id"],
        meeting_id=row["meeting_id"],
        title=row["title"],
        owner=row["owner"],
        due_date=row["due_date"],
        done_at=row["done_at"],
    )


class _SafeWriter:
    """A CSV writer whose text cells are defused (:func:`spreadsheet.defuse`)."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([spreadsheet.defuse(cell) for cell in row])


def report_csv(report: FollowUpReport) -> str:
    """The report as CSV: one section per table, each with a header row."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["section", "key", "name", "value"])
    writer.writerow(["meetings_held", "", "", report.meetings_held])
    for item in report.attendance_by_organization:
        writer.writerow(
            ["attendance_by_organization", item.organization_id, item.name, item.attended]
        )
    for kind, count in report.attendance_by_kind.items():
        writer.writerow(["attendance_by_kind", kind, "", count])
    for level, count in report.level_coverage.items():
        writer.writerow(["level_coverage", level, "", count])
    for follow_up in report.open_follow_ups:
        writer.writerow(
            ["open_follow_up", follow_up.due_date.isoformat(), follow_up.title, follow_up.owner]
        )
    return out.getvalue()
