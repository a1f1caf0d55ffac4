"""Reading meetings from the database: rows to structs, series with their overrides, windows.

Shared by the meeting API, conflict help, the follow-up report and the calendar feeds, so every
view of a series applies the same moved and cancelled occurrences.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns.combination import And, Or, Where, WhereRaw

from directory.core.settings import get_settings
from directory.core.validation import clamp_instant
from directory.meetings import recurrence
from directory.meetings.schemas import MeetingOut, OccurrenceOut
from directory.meetings.tables import Meeting, MeetingOccurrence

Condition = Where | And | Or | WhereRaw
JSON_COLUMNS = ("invited_organizations", "invited_contacts", "levels", "topics")


@dataclass(frozen=True)
class Series:
    """A meeting row with its overrides, ready to expand."""

    row: dict[str, Any]
    overrides: dict[dt.datetime, recurrence.Override]

    @property
    def id(self) -> uuid.UUID:
        return self.row["id"]  # type: ignore[no-any-return]

    def occurrences(self, start: dt.datetime, end: dt.datetime) -> list[recurrence.Occurrence]:
        row = self.row
        return recurrence.expand(
            row["rrule"],
            row["starts_at"],
            row["ends_at"],
            row["timezone"],
            row["all_day"],
            self.overrides,
            start,
            end,
        )


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row with its JSON list columns decoded and times as aware UTC datetimes, held
    inside the accepted years (:func:`clamp_instant`) whatever the table holds."""
    decoded = dict(row)
    for column in JSON_COLUMNS:
        decoded[column] = msgspec.json.decode(row[column])
    for column in ("invited_organizations", "invited_contacts"):
        decoded[column] = [uuid.UUID(value) for value in decoded[column]]
    for column in ("starts_at", "ends_at", "series_ends_at", "last_modified", "cancelled_at"):
        if decoded.get(column) is not None:
            decoded[column] = clamp_instant(decoded[column].astimezone(dt.UTC))
    return decoded


def feed_window(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The span a calendar feed covers around ``moment``: ``FEED_PAST_DAYS`` back and
    ``FEED_FUTURE_DAYS`` ahead. The meeting pages and the API list occurrences in it,
    and the schedule check looks at every proposed occurrence up to its end, so none of them
    sees more or less of a series than a subscriber's calendar does."""
    settings = get_settings()
    return (
        moment - dt.timedelta(days=settings.feed_past_days),
        moment + dt.timedelta(days=settings.feed_future_days),
    )


def in_window(start: dt.datetime, end: dt.datetime) -> And:
    """Series with any occurrence that may overlap ``[start, end)``."""
    return (Meeting.starts_at < end) & (
        Meeting.series_ends_at.is_null() | (Meeting.series_ends_at > start)
    )


async def load_series(conditions: Sequence[Condition]) -> list[Series]:
    query = Meeting.select()
    for condition in conditions:
        query = query.where(condition)
    rows = [decode_row(row) for row in await query.order_by(Meeting.starts_at)]
    return await attach_overrides(rows)


async def attach_overrides(rows: list[dict[str, Any]]) -> list[Series]:
    recurring = [row["id"] for row in rows if row["rrule"]]
    grouped: defaultdict[uuid.UUID, list[recurrence.Override]] = defaultdict(list)
    if recurring:
        overrides = await MeetingOccurrence.select().where(
            MeetingOccurrence.meeting_id.is_in(recurring)
        )
        for item in overrides:
            grouped[item["meeting_id"]].append(
                recurrence.Override(
                    clamp_instant(item["recurrence_id"].astimezone(dt.UTC)),
                    clamp_instant(item["starts_at"].astimezone(dt.UTC)),
                    clamp_instant(item["ends_at"].astimezone(dt.UTC)),
                    item["cancelled"],
                )
            )
    return [Series(row, recurrence.overrides_by_id(grouped[row["id"]])) for row in rows]


def to_out(
    series: Series,
    show_agenda: bool,
    window: tuple[dt.datetime, dt.datetime] | None = None,
) -> MeetingOut:
    row = series.row
    fields = {name: row[name] for name in MeetingOut.__struct_fields__ if name in row}
    fields["agenda"] = row["agenda"] if show_agenda else None
    if window is not None:
        fields["occurrences"] = [
            OccurrenceOut(
                recurrence_id=o.recurrence_id,
                starts_at=o.starts_at,
                ends_at=o.ends_at,
                cancelled=o.cancelled,
                moved=o.moved,
            )
            for o in series.occurrences(*window)
        ]
    return MeetingOut(**fields)
