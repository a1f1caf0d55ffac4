"""What crosses the wire for meetings, their occurrences, follow-up and feed tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

from directory.core.schemas import SINGLE_LINE, Code, LongText, Name, Url, line

Ids = Annotated[list[UUID], Meta(max_length=500)]
Topics = Annotated[list[Annotated[str, line(100)]], Meta(max_length=50)]
Rule = Annotated[str, line(500)]


class MeetingIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A meeting to schedule; a time without an offset is Europe/Stockholm wall time."""

    network_id: UUID
    title: Name
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool = False
    location: LongText = ""
    online_url: Url = ""
    agenda: LongText = ""
    invited_organizations: Ids = []
    invited_contacts: Ids = []
    levels: Annotated[list[Code], Meta(max_length=3)] = []
    topics: Topics = []
    is_public: bool = False
    coordinator_id: UUID | None = None
    rrule: Rule = ""


class MeetingPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    title: Name | UnsetType = UNSET
    starts_at: dt.datetime | UnsetType = UNSET
    ends_at: dt.datetime | UnsetType = UNSET
    all_day: bool | UnsetType = UNSET
    location: LongText | UnsetType = UNSET
    online_url: Url | UnsetType = UNSET
    agenda: LongText | UnsetType = UNSET
    invited_organizations: Ids | UnsetType = UNSET
    invited_contacts: Ids | UnsetType = UNSET
    levels: Annotated[list[Code], Meta(max_length=3)] | UnsetType = UNSET
    topics: Topics | UnsetType = UNSET
    is_public: bool | UnsetType = UNSET
    coordinator_id: UUID | UnsetType | None = UNSET
    rrule: Rule | UnsetType = UNSET


class OccurrenceOut(Struct, kw_only=True):
    recurrence_id: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool
    moved: bool


class TimeWarning(Struct, kw_only=True):
    """A wall-clock time that is skipped or doubled by a daylight-saving change (RFC 5545
    section 3.3.5): ``local_time`` as given or as the series repeats it, ``stored_at`` the
    instant Samverkan keeps and publishes for it."""

    field: str
    code: Literal["nonexistent_local_time", "ambiguous_local_time"]
    local_time: dt.datetime
    stored_at: dt.datetime
    message: str


class MeetingOut(Struct, kw_only=True):
    id: UUID
    uid: str
    network_id: UUID
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    timezone: str
    location: str
    online_url: str
    agenda: str | None
    invited_organizations: list[UUID]
    invited_contacts: list[UUID]
    levels: list[str]
    topics: list[str]
    is_public: bool
    coordinator_id: UUID | None
    rrule: str
    status: str
    sequence: int
    created_at: dt.datetime
    last_modified: dt.datetime
    cancelled_at: dt.datetime | None
    split_from_id: UUID | None
    occurrences: list[OccurrenceOut] | None = None
    warnings: list[TimeWarning] = []


class OccurrenceChange(Struct, kw_only=True, forbid_unknown_fields=True):
    """Move one occurrence (new start and end) of a series, named by its original start."""

    recurrence_id: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime


class OccurrenceRef(Struct, kw_only=True, forbid_unknown_fields=True):
    recurrence_id: dt.datetime


class SplitIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """Change this and all following occurrences: from ``recurrence_id`` on, the series is a new
    meeting with ``changes`` applied."""

    recurrence_id: dt.datetime
    changes: MeetingPatch


class AttendanceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    occurrence_start: dt.datetime
    organization_ids: Ids
    contact_ids: Ids = []


class AttendanceOut(Struct, kw_only=True):
    occurrence_start: dt.datetime
    organization_ids: list[UUID]
    contact_ids: list[UUID]


class NoteIn(Struct, kw_only=True, forbid_unknown_fields=True):
    occurrence_start: dt.datetime
    body: Annotated[str, Meta(min_length=1, max_length=20_000)]
    kind: Literal["note", "decision"] = "note"


class NoteOut(Struct, kw_only=True):
    id: UUID
    occurrence_start: dt.datetime
    kind: str
    body: str
    author: str
    created_at: dt.datetime


class FollowUpIn(Struct, kw_only=True, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=2_000)]
    owner: Annotated[str, Meta(min_length=1, max_length=300, pattern=SINGLE_LINE)]
    due_date: dt.date


class FollowUpPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    done: bool


class FollowUpOut(Struct, kw_only=True):
    id: UUID
    meeting_id: UUID
    title: str
    owner: str
    due_date: dt.date
    done_at: dt.datetime | None


class ConflictQuery(Struct, kw_only=True, forbid_unknown_fields=True):
    starts_at: dt.datetime
    ends_at: dt.datetime
    invited_organizations: Ids = []
    invited_contacts: Ids = []
    ignore_meeting_id: UUID | None = None
    #: The proposed series' RFC 5545 RRULE; every occurrence in the feed window is checked.
    rrule: Annotated[str, Meta(max_length=500)] = ""
    all_day: bool = False


class Busy(Struct, kw_only=True):
    organization_id: UUID | None
    contact_id: UUID | None
    meeting_id: UUID
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class ConflictReport(Struct, kw_only=True):
    conflicts: list[Busy]
    free_slots: list[dt.datetime]
    #: How many of the proposed occurrences were checked (1 for a single meeting).
    occurrences_checked: int = 1


class OrganizationAttendance(Struct, kw_only=True):
    organization_id: UUID
    name: str
    kind: str
    attended: int


class FollowUpReport(Struct, kw_only=True):
    network_id: UUID
    period_start: dt.date
    period_end: dt.date
    meetings_held: int
    attendance_by_organization: list[OrganizationAttendance]
    attendance_by_kind: dict[str, int]
    level_coverage: dict[str, int]
    open_follow_ups: list[FollowUpOut]


FeedScope = Literal["network", "organization", "contact", "public"]
FeedDetail = Literal["partner", "staff"]


class FeedTokenIn(Struct, kw_only=True, forbid_unknown_fields=True):
    scope: FeedScope
    subject_id: UUID | None = None
    detail: FeedDetail = "partner"
    label: Annotated[str, line(200)] = ""


class FeedTokenOut(Struct, kw_only=True):
    id: UUID
    scope: str
    subject_id: UUID | None
    detail: str
    label: str
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class FeedTokenCreated(FeedTokenOut, kw_only=True):
    """Shown once: the token itself is not stored and cannot be shown again."""

    https_url: str
    webcal_url: str | None
    """Only when ``https_url`` is https; ``None`` on a plain-http deployment."""
