"""HTTP routes for network meetings, their occurrences, follow-up and the follow-up report.

Handlers are HTTP only: each calls one service method. Scheduling routes carry the
``writers_only`` guard; the service then checks that the caller coordinates that network.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Response, Router, delete, get, patch, post, put
from litestar.params import Parameter

from directory.accounts.auth import writers_only
from directory.core.http import IfMatch, JsonOrCsv, MomentQuery, PrincipalRequest, parse_moment
from directory.meetings.conflicts import find_conflicts
from directory.meetings.followup import FollowUpService, report_csv
from directory.meetings.schemas import (
    AttendanceIn,
    AttendanceOut,
    ConflictQuery,
    ConflictReport,
    FollowUpIn,
    FollowUpOut,
    FollowUpPatch,
    FollowUpReport,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    NoteIn,
    NoteOut,
    OccurrenceChange,
    OccurrenceRef,
    SplitIn,
)
from directory.meetings.service import MeetingService, etag_of

MeetingId = Annotated[UUID, Parameter(description="the meeting (series) id")]


def _with_etag(meeting: MeetingOut, status_code: int = 200) -> Response[MeetingOut]:
    headers = {"ETag": etag_of(meeting)}
    if status_code == 201:
        headers["Location"] = f"/api/v1/meetings/{meeting.id}"
    return Response(meeting, status_code=status_code, headers=headers)


@get(
    "/",
    operation_id="list_meetings",
    summary="Meetings with occurrences in a window",
    description="The window runs from `start` to `end`, by default the calendar feeds' window: "
    "`FEED_PAST_DAYS` (90) days back to `FEED_FUTURE_DAYS` (548) days ahead.",
)
async def list_meetings(
    request: PrincipalRequest,
    network_id: UUID | None = None,
    start: MomentQuery = None,
    end: MomentQuery = None,
) -> list[MeetingOut]:
    window = parse_moment("start", start), parse_moment("end", end)
    return await MeetingService(request.user).list(network_id, *window)


@get("/{meeting_id:uuid}", operation_id="get_meeting", summary="Read one meeting")
async def get_meeting(request: PrincipalRequest, meeting_id: MeetingId) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).get(meeting_id))


@post("/", operation_id="create_meeting", summary="Schedule a meeting", guards=[writers_only])
async def create_meeting(request: PrincipalRequest, data: MeetingIn) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).create(data), 201)


@patch(
    "/{meeting_id:uuid}",
    operation_id="update_meeting",
    summary="Change a meeting (the whole series); needs If-Match",
    description="A cancelled meeting is not changed (409): restore it first with "
    "`POST /api/v1/meetings/{meeting_id}/restore`.",
    guards=[writers_only],
    opt={"conflict": "The meeting is cancelled; restore it before changing it"},
)
async def update_meeting(
    request: PrincipalRequest, meeting_id: MeetingId, data: MeetingPatch, if_match: IfMatch = None
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).update(meeting_id, data, if_match))


@delete(
    "/{meeting_id:uuid}",
    operation_id="cancel_meeting",
    summary="Cancel a meeting; it stays in feeds as cancelled for 30 days",
    guards=[writers_only],
    status_code=200,
)
async def cancel_meeting(
    request: PrincipalRequest, meeting_id: MeetingId, if_match: IfMatch = None
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).cancel(meeting_id, if_match))


@post(
    "/{meeting_id:uuid}/restore",
    operation_id="restore_meeting",
    summary="Undo cancelling a meeting (occurrences cancelled one by one stay so); needs If-Match",
    guards=[writers_only],
    status_code=200,
)
async def restore_meeting(
    request: PrincipalRequest, meeting_id: MeetingId, if_match: IfMatch = None
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).restore(meeting_id, if_match))


@post(
    "/{meeting_id:uuid}/occurrences/move",
    operation_id="move_occurrence",
    summary="Move one occurrence of a series",
    guards=[writers_only],
    opt={"conflict": "The meeting is cancelled; restore it before changing it"},
    status_code=200,
)
async def move_occurrence(
    request: PrincipalRequest, meeting_id: MeetingId, data: OccurrenceChange
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).move_occurrence(meeting_id, data))


@post(
    "/{meeting_id:uuid}/occurrences/cancel",
    operation_id="cancel_occurrence",
    summary="Cancel one occurrence of a series",
    guards=[writers_only],
    opt={"conflict": "The meeting is cancelled; restore it before changing it"},
    status_code=200,
)
async def cancel_occurrence(
    request: PrincipalRequest, meeting_id: MeetingId, data: OccurrenceRef
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).cancel_occurrence(meeting_id, data))


@post(
    "/{meeting_id:uuid}/occurrences/restore",
    operation_id="restore_occurrence",
    summary="Undo cancelling one occurrence of a series",
    guards=[writers_only],
    status_code=200,
)
async def restore_occurrence(
    request: PrincipalRequest, meeting_id: MeetingId, data: OccurrenceRef
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).restore_occurrence(meeting_id, data))


@post(
    "/{meeting_id:uuid}/split",
    operation_id="change_this_and_following",
    summary="Change this and all following occurrences (a new series continues the old one)",
    guards=[writers_only],
    opt={"conflict": "The meeting is cancelled; restore it before changing it"},
)
async def split_series(
    request: PrincipalRequest, meeting_id: MeetingId, data: SplitIn
) -> Response[MeetingOut]:
    return _with_etag(await MeetingService(request.user).split(meeting_id, data), 201)


@put(
    "/{meeting_id:uuid}/attendance",
    operation_id="record_attendance",
    summary="Record which organisations and contacts came to one occurrence",
    guards=[writers_only],
)
async def record_attendance(
    request: PrincipalRequest, meeting_id: MeetingId, data: AttendanceIn
) -> AttendanceOut:
    return await FollowUpService(request.user).record_attendance(meeting_id, data)


@get("/{meeting_id:uuid}/attendance", operation_id="list_attendance", summary="Attendance")
async def list_attendance(request: PrincipalRequest, meeting_id: MeetingId) -> list[AttendanceOut]:
    return await FollowUpService(request.user).attendance(meeting_id)


@post(
    "/{meeting_id:uuid}/notes",
    operation_id="add_note",
    summary="Add a note or decision (staff and members only)",
    guards=[writers_only],
)
async def add_note(request: PrincipalRequest, meeting_id: MeetingId, data: NoteIn) -> NoteOut:
    return await FollowUpService(request.user).add_note(meeting_id, data)


@get("/{meeting_id:uuid}/notes", operation_id="list_notes", summary="Notes and decisions")
async def list_notes(request: PrincipalRequest, meeting_id: MeetingId) -> list[NoteOut]:
    return await FollowUpService(request.user).notes(meeting_id)


@post(
    "/{meeting_id:uuid}/follow-ups",
    operation_id="add_follow_up",
    summary="Add a follow-up with an owner and a due date",
    guards=[writers_only],
)
async def add_follow_up(
    request: PrincipalRequest, meeting_id: MeetingId, data: FollowUpIn
) -> FollowUpOut:
    return await FollowUpService(request.user).add_follow_up(meeting_id, data)


@get("/{meeting_id:uuid}/follow-ups", operation_id="list_follow_ups", summary="Follow-ups")
async def list_follow_ups(request: PrincipalRequest, meeting_id: MeetingId) -> list[FollowUpOut]:
    return await FollowUpService(request.user).follow_ups(meeting_id)


@patch(
    "/follow-ups/{follow_up_id:uuid}",
    operation_id="update_follow_up",
    summary="Mark a follow-up done or open again",
    guards=[writers_only],
)
async def update_follow_up(
    request: PrincipalRequest, follow_up_id: UUID, data: FollowUpPatch
) -> FollowUpOut:
    return await FollowUpService(request.user).set_follow_up_done(follow_up_id, data)


@post(
    "/conflicts",
    operation_id="meeting_conflicts",
    summary="Invitees already in a meeting at a proposed time, and the next free slots",
    guards=[writers_only],
    status_code=200,
)
async def meeting_conflicts(data: ConflictQuery) -> ConflictReport:
    return await find_conflicts(data)


@get(
    "/report",
    operation_id="meeting_report",
    summary="Follow-up report of a network for a period, as JSON or CSV",
    operation_class=JsonOrCsv,
)
async def meeting_report(
    request: PrincipalRequest,
    network_id: UUID,
    start: dt.date,
    end: dt.date,
    format: Literal["json", "csv"] = "json",
) -> Response[Any]:
    report: FollowUpReport = await FollowUpService(request.user).report(network_id, start, end)
    if format == "csv":
        return Response(
            report_csv(report),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="meeting-report.csv"'},
        )
    return Response(report)


meetings_router = Router(
    path="/meetings",
    route_handlers=[
        list_meetings,
        get_meeting,
        create_meeting,
        update_meeting,
        cancel_meeting,
        restore_meeting,
        move_occurrence,
        cancel_occurrence,
        restore_occurrence,
        split_series,
        record_attendance,
        list_attendance,
        add_note,
        list_notes,
        add_follow_up,
        list_follow_ups,
        update_follow_up,
        meeting_conflicts,
        meeting_report,
    ],
    tags=["meetings"],
)
