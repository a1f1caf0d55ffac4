"""Scheduling network meetings: create, change, cancel, move or cancel one occurrence, and
"this and following" changes by splitting a series (RFC 5545 practice: the old series gets an
UNTIL, the rest becomes a new series with its own UID linked to the old one).

Every write runs in one transaction that also appends the audit entry and the outbox event
(``resource_type`` "meeting"), and bumps SEQUENCE and LAST-MODIFIED so calendar clients see it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, InvalidField, NotFound, PreconditionRequired, VersionMismatch
from directory.core.schemas import as_builtins
from directory.core.validation import check_instant
from directory.meetings import recurrence
from directory.meetings.access import (
    can_read_meeting,
    meeting_view,
    require_coordinator,
    shows_agenda,
)
from directory.meetings.local_times import given_warnings, merged, series_warnings
from directory.meetings.schemas import (
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    OccurrenceChange,
    OccurrenceRef,
    SplitIn,
    TimeWarning,
)
from directory.meetings.store import (
    JSON_COLUMNS,
    Condition,
    Series,
    attach_overrides,
    decode_row,
    feed_window,
    in_window,
    load_series,
    to_out,
)
from directory.meetings.tables import Meeting, MeetingOccurrence
from directory.meetings.validation import (
    require_occurrence,
    require_planned,
    stored_times,
    validate_meeting,
)

TIMEZONE = "Europe/Stockholm"


def etag_of(meeting: MeetingOut) -> str:
    return f'"{meeting.sequence}"'


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uid() -> str:
    return f"{uuid.uuid4()}@samverkan"


def _row_values(values: dict[str, Any]) -> dict[str, Any]:
    """Columns for the values, JSON lists encoded and the series end recomputed."""
    row = dict(values)
    for column in JSON_COLUMNS:
        if column in row:
            row[column] = msgspec.json.encode(row[column]).decode()
    return row


class MeetingService:
    """Meeting operations on behalf of one principal."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def list(
        self, network_id: uuid.UUID | None, start: dt.datetime | None, end: dt.datetime | None
    ) -> list[MeetingOut]:
        """Meetings with an occurrence in the window (default: the feeds', see
        :func:`~directory.meetings.store.feed_window`)."""
        check_instant("start", start)
        check_instant("end", end)
        start = start or feed_window(now())[0]
        end = end or feed_window(now())[1]
        if end <= start:
            raise InvalidField("end", N_("must be after start"))
        conditions: list[Condition] = [in_window(start, end)]
        if network_id is not None:
            conditions.append(Meeting.network_id == network_id)
        result = []
        for series in await load_series(conditions):
            if await can_read_meeting(self.principal, series.row):
                agenda = await shows_agenda(self.principal, series.row)
                result.append(await self._view(to_out(series, agenda, (start, end))))
        return result

    async def get(self, meeting_id: uuid.UUID) -> MeetingOut:
        series = await self._series(meeting_id)
        start, end = feed_window(now())
        out = to_out(series, await shows_agenda(self.principal, series.row), (start, end))
        out.warnings = series_warnings(series, start, end)
        return await self._view(out)

    async def _view(self, meeting: MeetingOut) -> MeetingOut:
        """The meeting as the principal may see it (invitees they may see, no account id)."""
        fields = {name: getattr(meeting, name) for name in MeetingOut.__struct_fields__}
        return MeetingOut(**await meeting_view(self.principal, fields))

    async def create(self, data: MeetingIn) -> MeetingOut:
        values = as_builtins(data)
        await require_coordinator(self.principal, data.network_id)
        given = given_warnings(values, TIMEZONE)
        starts_at, ends_at = stored_times(values, TIMEZONE)
        values.update(starts_at=starts_at, ends_at=ends_at, timezone=TIMEZONE)
        await validate_meeting(values)
        return _warned(await self._insert(values, new_uid(), None), given)

    async def update(
        self, meeting_id: uuid.UUID, patch: MeetingPatch, if_match: str | None
    ) -> MeetingOut:
        changes = {
            k: as_builtins(v)
            for k in patch.__struct_fields__
            if (v := getattr(patch, k)) != msgspec.UNSET
        }
        async with transaction():
            current = await self._current(meeting_id, if_match)
            require_planned(current.row)
            merged = {**current.row, **changes}
            given = given_warnings({**changes, "all_day": merged["all_day"]}, TIMEZONE)
            if {"starts_at", "ends_at", "all_day"} & changes.keys():
                merged["starts_at"], merged["ends_at"] = stored_times(merged, TIMEZONE)
            await validate_meeting(merged)
            changed = {
                k: merged[k]
                for k in (*changes.keys(), "starts_at", "ends_at")
                if merged[k] != current.row[k]
            }
            if changed:
                await self._write(current, changed)
            if {"rrule", "starts_at", "all_day"} & changed.keys():
                # The occurrences are new: moves and cancellations of the old ones name none.
                await MeetingOccurrence.delete().where(MeetingOccurrence.meeting_id == meeting_id)
        return _warned(await self.get(meeting_id), given)

    async def cancel(self, meeting_id: uuid.UUID, if_match: str | None) -> MeetingOut:
        """Cancel the meeting (the whole series); it stays in feeds as STATUS:CANCELLED."""
        async with transaction():
            current = await self._current(meeting_id, if_match)
            await require_coordinator(self.principal, current.row["network_id"])
            if current.row["status"] != "cancelled":
                await self._write(current, {"status": "cancelled", "cancelled_at": now()})
        return await self.get(meeting_id)

    async def restore(self, meeting_id: uuid.UUID, if_match: str | None) -> MeetingOut:
        """Undo :meth:`cancel`: the meeting is planned again (occasions cancelled one by one
        stay cancelled), and feeds and invitations show it with a new SEQUENCE."""
        async with transaction():
            current = await self._current(meeting_id, if_match)
            if current.row["status"] == "cancelled":
                await self._write(current, {"status": "confirmed", "cancelled_at": None})
        return await self.get(meeting_id)

    async def move_occurrence(self, meeting_id: uuid.UUID, change: OccurrenceChange) -> MeetingOut:
        times = {"starts_at": change.starts_at, "ends_at": change.ends_at}
        starts_at, ends_at = stored_times(times, TIMEZONE)
        moved = await self._override(meeting_id, change.recurrence_id, starts_at, ends_at, False)
        return _warned(moved, given_warnings(times, TIMEZONE))

    async def cancel_occurrence(self, meeting_id: uuid.UUID, ref: OccurrenceRef) -> MeetingOut:
        return await self._override(meeting_id, ref.recurrence_id, None, None, True)

    async def restore_occurrence(self, meeting_id: uuid.UUID, ref: OccurrenceRef) -> MeetingOut:
        """Undo :meth:`cancel_occurrence`: the occasion is back at its time in the series.
        Raises :class:`InvalidField` ("recurrence_id") for one that is not cancelled."""
        rid = _utc(ref.recurrence_id)
        async with transaction():
            current = await self._series(meeting_id)
            await require_coordinator(self.principal, current.row["network_id"])
            existing = current.overrides.get(rid)
            if existing is None or not existing.cancelled:
                raise InvalidField("recurrence_id", N_("the occasion is not cancelled"))
            await MeetingOccurrence.delete().where(
                (MeetingOccurrence.meeting_id == meeting_id)
                & (MeetingOccurrence.recurrence_id == rid)
            )
            await self._write(current, {}, audit=False)
            await log_change(
                self.principal,
                "restore_occurrence",
                "meeting",
                meeting_id,
                {"recurrence_id": rid, "cancelled": True},
                {"recurrence_id": rid, "cancelled": False},
            )
        return await self.get(meeting_id)

    async def split(self, meeting_id: uuid.UUID, split: SplitIn) -> MeetingOut:
        """End the series before ``split.recurrence_id`` and continue it as a new series."""
        rid = _utc(split.recurrence_id)
        async with transaction():
            current = await self._series(meeting_id)
            row = current.row
            await require_coordinator(self.principal, row["network_id"])
            require_planned(row)
            require_occurrence(current.row, rid)
            if rid == row["starts_at"]:
                raise InvalidField(
                    "recurrence_id", N_("is the first occurrence: change the meeting")
                )
            until = recurrence.until_before(rid, row["timezone"], row["all_day"])
            await self._write(current, {"rrule": recurrence.with_until(row["rrule"], until)})
            changes = {
                k: as_builtins(v)
                for k in split.changes.__struct_fields__
                if (v := getattr(split.changes, k)) != msgspec.UNSET
            }
            duration = row["ends_at"] - row["starts_at"]
            values = {
                k: row[k] for k in MeetingIn.__struct_fields__ if k not in {"starts_at", "ends_at"}
            }
            values.update(changes)
            values["starts_at"] = _utc(changes.get("starts_at", rid), "changes.starts_at")
            values.setdefault("ends_at", values["starts_at"] + duration)
            values["rrule"] = changes.get("rrule") or recurrence.continuing_rule(
                row["rrule"], row["starts_at"], row["timezone"], row["all_day"], rid
            )
            given = given_warnings(changes, row["timezone"])
            values["starts_at"], values["ends_at"] = stored_times(values, TIMEZONE)
            values["timezone"] = row["timezone"]
            await validate_meeting(values)
            created = await self._insert(values, new_uid(), meeting_id, in_transaction=True)
            later = (MeetingOccurrence.meeting_id == meeting_id) & (
                MeetingOccurrence.recurrence_id >= rid
            )
            if values["starts_at"] == rid and "rrule" not in changes:
                # Same occurrences: their moves and cancellations carry over to the new series.
                await MeetingOccurrence.update({MeetingOccurrence.meeting_id: created.id}).where(
                    later
                )
            else:
                # Other occurrences: the old exceptions name none of them (as calendar apps do).
                await MeetingOccurrence.delete().where(later)
        return _warned(await self.get(created.id), given)

    async def _insert(
        self,
        values: dict[str, Any],
        uid: str,
        split_from: uuid.UUID | None,
        in_transaction: bool = False,
    ) -> MeetingOut:
        meeting_id = uuid.uuid4()
        timestamp = now()
        row = _row_values({k: values[k] for k in MeetingIn.__struct_fields__})
        row.update(
            id=meeting_id,
            uid=uid,
            timezone=values["timezone"],
            series_ends_at=_series_end(values),
            status="confirmed",
            sequence=0,
            created_at=timestamp,
            last_modified=timestamp,
            split_from_id=split_from,
        )
        if in_transaction:
            await self._insert_row(row, values)
        else:
            async with transaction():
                await self._insert_row(row, values)
        return await self.get(meeting_id)

    async def _insert_row(self, row: dict[str, Any], values: Mapping[str, Any]) -> None:
        await Meeting.insert(Meeting(**row))
        await log_change(self.principal, "create", "meeting", row["id"], {}, values)

    async def _override(
        self,
        meeting_id: uuid.UUID,
        recurrence_id: dt.datetime,
        starts_at: dt.datetime | None,
        ends_at: dt.datetime | None,
        cancelled: bool,
    ) -> MeetingOut:
        rid = _utc(recurrence_id)
        async with transaction():
            current = await self._series(meeting_id)
            await require_coordinator(self.principal, current.row["network_id"])
            require_planned(current.row)
            require_occurrence(current.row, rid)
            duration = current.row["ends_at"] - current.row["starts_at"]
            values: dict[str, Any] = {
                "starts_at": starts_at or rid,
                "ends_at": ends_at or rid + duration,
                "cancelled": cancelled,
                "last_modified": now(),
            }
            existing = current.overrides.get(rid)
            await MeetingOccurrence.delete().where(
                (MeetingOccurrence.meeting_id == meeting_id)
                & (MeetingOccurrence.recurrence_id == rid)
            )
            await MeetingOccurrence.insert(
                MeetingOccurrence(**{"meeting_id": meeting_id, "recurrence_id": rid, **values})
            )
            await self._write(current, {}, audit=False)
            previous = {} if existing is None else {"starts_at": existing.starts_at}
            await log_change(
                self.principal,
                "cancel_occurrence" if cancelled else "move_occurrence",
                "meeting",
                meeting_id,
                previous,
                {"recurrence_id": rid, **values},
            )
        return await self.get(meeting_id)

    async def _series(self, meeting_id: uuid.UUID) -> Series:
        row = await Meeting.select().where(Meeting.id == meeting_id).first()
        if row is None or not await can_read_meeting(self.principal, decode_row(row)):
            raise NotFound("meeting", str(meeting_id))
        return (await attach_overrides([decode_row(row)]))[0]

    async def _current(self, meeting_id: uuid.UUID, if_match: str | None) -> Series:
        """The meeting to change, if the principal coordinates its network and ``if_match``
        names its current version (who may comes before which version, so 403 before 428)."""
        series = await self._series(meeting_id)
        await require_coordinator(self.principal, series.row["network_id"])
        if if_match is None:
            raise PreconditionRequired
        etag = f'"{series.row["sequence"]}"'
        if if_match.strip() not in {etag, "*"}:
            raise VersionMismatch(etag)
        return series

    async def _write(self, current: Series, changed: dict[str, Any], audit: bool = True) -> None:
        """Store ``changed``, bump SEQUENCE and LAST-MODIFIED, refuse a lost update."""
        row = current.row
        merged = {**row, **changed}
        update = _row_values(changed)
        update.update(
            series_ends_at=_series_end(merged),
            sequence=row["sequence"] + 1,
            last_modified=now(),
        )
        written = (
            await Meeting.update(update, use_auto_update=False)  # type: ignore[arg-type]
            .where((Meeting.id == row["id"]) & (Meeting.sequence == row["sequence"]))
            .returning(Meeting.id)
        )
        if not written:
            raise VersionMismatch(f'"{row["sequence"] + 1}"')
        if audit:
            previous = {key: row.get(key) for key in changed}
            await log_change(self.principal, "update", "meeting", row["id"], previous, changed)


def _warned(meeting: MeetingOut, given: list[TimeWarning]) -> MeetingOut:
    """The meeting with the warnings about the times a request gave put first."""
    meeting.warnings = merged(given, meeting.warnings)
    return meeting


def _series_end(values: Mapping[str, Any]) -> dt.datetime | None:
    return recurrence.series_end(
        values["rrule"],
        values["starts_at"],
        values["ends_at"],
        values["timezone"],
        values["all_day"],
    )


def _utc(value: dt.datetime, field: str = "recurrence_id") -> dt.datetime:
    """An instant in UTC; a time without an offset is Stockholm wall time. Raises
    :class:`InvalidField` (``field``) for one outside the accepted years."""
    check_instant(field, value)
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(TIMEZONE)).astimezone(dt.UTC)
    return value.astimezone(dt.UTC)
