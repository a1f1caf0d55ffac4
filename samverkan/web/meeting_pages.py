"""Meetings in the browser: scheduling with conflicts and suggested slots, the meeting page with
attendance, notes and follow-ups, and subscribing to a network's calendar."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from directory.core.access import Principal
from directory.core.errors import N_, InvalidField, PermissionDenied
from directory.meetings.access import is_coordinator_of, require_coordinator
from directory.meetings.conflicts import find_conflicts
from directory.meetings.followup import FollowUpService
from directory.meetings.local_times import given_warnings, warning_text
from directory.meetings.schemas import (
    AttendanceIn,
    ConflictQuery,
    ConflictReport,
    FollowUpIn,
    FollowUpPatch,
    NoteIn,
)
from directory.meetings.service import MeetingService
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS
from directory.records.service import ListQuery, RecordService
from samverkan.web import i18n
from samverkan.web.attendance_view import attendance_view
from samverkan.web.calendar_views import ZONE, entries, split_by_now
from samverkan.web.embedding import redirect
from samverkan.web.follow_up_owners import owner_choices
from samverkan.web.messages import error_text
from samverkan.web.notices import with_notice
from samverkan.web.recurrence_text import clashes, preview, single_day_holiday, time_warnings
from samverkan.web.rendering import page
from samverkan.web.scheduling import REPEATS, OccurrenceForm, ScheduleForm
from sync.invitation_status import invitation_status

WebRequest = Request[Principal, Any, Any]
OCCURRENCES_SHOWN = 26
FORM_OF = {"cancel": "skip", "split": "split", "restore": "restore"}
"""The meeting page's form (its fields' id prefix) for each ``action`` on one occasion."""


async def _form(request: WebRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
    form = await request.form()
    return {key: str(form.get(key)) for key in form}, {key: form.getall(key) for key in form}


async def _schedule_page(
    request: WebRequest,
    network_id: uuid.UUID,
    form: ScheduleForm,
    errors: dict[str, str],
    conflicts: ConflictReport | None = None,
    status_code: int = 200,
) -> Template:
    """The form; after "check", also the series in words, its holidays and every clash."""
    network = await RecordService(NETWORKS, request.user).get(network_id)
    in_network = ListQuery(per_page=500, network=network_id)
    members = (await RecordService(ORGANIZATIONS, request.user).page(in_network)).contents
    contacts = (await RecordService(CONTACTS, request.user).page(in_network)).contents
    checked: dict[str, Any] = {"series": None, "holiday": None, "clashes": [], "times": []}
    if conflicts is not None:
        names = {str(item.id): item.name for item in [*members, *contacts]}
        checked = {
            "series": preview(form),
            "holiday": single_day_holiday(form),
            "clashes": clashes(conflicts, names),
            "times": time_warnings(form),
        }
    return await page(
        request,
        "schedule.html",
        status_code=status_code,
        network=network,
        members=members,
        contacts=contacts,
        form=form,
        errors=errors,
        conflicts=conflicts,
        checked=checked,
        repeats=REPEATS,
        zone=ZONE,
    )


def _slot(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField("date", N_("pick a date")) from None


@get("/networks/{network_id:uuid}/meetings/new", name="schedule")
async def schedule_form(request: WebRequest, network_id: uuid.UUID) -> Template:
    await require_coordinator(request.user, network_id)
    tomorrow = (dt.datetime.now(ZONE) + dt.timedelta(days=1)).date().isoformat()
    return await _schedule_page(request, network_id, ScheduleForm(date=tomorrow), {})


@post("/networks/{network_id:uuid}/meetings/new", name="schedule_submit")
async def schedule(request: WebRequest, network_id: uuid.UUID) -> Response[Any]:
    """``action=check`` shows conflicts and free slots, ``slot`` moves the form to one, and
    ``action=save`` schedules the meeting."""
    await require_coordinator(request.user, network_id)
    values, multi = await _form(request)
    form = ScheduleForm.from_form(values, multi)
    try:
        if values.get("slot"):
            form = form.with_start(_slot(values["slot"]))
        meeting = form.meeting(network_id)
        if values.get("action") != "save":
            report = await find_conflicts(
                ConflictQuery(
                    starts_at=meeting.starts_at,
                    ends_at=meeting.ends_at,
                    invited_organizations=meeting.invited_organizations,
                    invited_contacts=meeting.invited_contacts,
                    rrule=meeting.rrule,
                    all_day=meeting.all_day,
                )
            )
            return await _schedule_page(request, network_id, form, {}, report)
        created = await MeetingService(request.user).create(meeting)
    except InvalidField as error:
        field = error.field.split("[")[0]
        field = {"starts_at": "start", "ends_at": "end", "rrule": "repeat"}.get(field, field)
        return await _schedule_page(
            request,
            network_id,
            form,
            {field: error_text(error)},
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )
    path = _with_given_times(f"/meetings/{created.id}", created.warnings)
    return redirect(with_notice(path, "meeting_booked"))


def _with_given_times(path: str, warnings: list[Any]) -> str:
    """``path`` with the wall-clock times a form gave that daylight saving skips or doubles in
    its query, so the page after the redirect can warn about them."""
    given = [("time", w.local_time.isoformat()) for w in warnings if w.field != "occurrences"]
    return f"{path}?{urlencode(given)}" if given else path


def _time_warnings(given: list[str], meeting: Any) -> list[str]:
    """The page's warnings about skipped and doubled times, in the page's language."""
    times = []
    for text in given[:2]:
        try:
            times.append(dt.datetime.fromisoformat(text).replace(tzinfo=None))
        except ValueError:
            continue
    found = [
        warning
        for value in times
        for warning in given_warnings({"starts_at": value}, meeting.timezone)
    ]
    return [warning_text(w, meeting.timezone, i18n.gettext) for w in [*found, *meeting.warnings]]


async def _invited(principal: Principal, spec: Any, ids: list[uuid.UUID]) -> list[Any]:
    """The invited records of ``spec`` the principal may see, by name."""
    wanted = set(ids)
    listed = (await RecordService(spec, principal).page(ListQuery(per_page=500))).contents
    return [record for record in listed if record.id in wanted]


async def render_meeting(
    request: WebRequest,
    meeting_id: uuid.UUID,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    given_times: list[str] | None = None,
    occasion: str = "",
    chosen: dict[str, str] | None = None,
) -> Template:
    """``chosen`` keeps a refused form's occasion picked (form prefix: ISO recurrence id)."""
    meeting = await MeetingService(request.user).get(meeting_id)
    network = await RecordService(NETWORKS, request.user).get(meeting.network_id)
    follow_up = FollowUpService(request.user)
    try:
        notes, attendance = (
            await follow_up.notes(meeting_id),
            await follow_up.attendance(meeting_id),
        )
        follow_ups = await follow_up.follow_ups(meeting_id)
        may_read_notes = True
    except PermissionDenied:
        notes, attendance, follow_ups, may_read_notes = [], [], [], False
    upcoming, past = split_by_now(entries([meeting]), dt.datetime.now(ZONE))
    is_coordinator = await is_coordinator_of(request.user, meeting.network_id)
    return await page(
        request,
        "meeting.html",
        invitations=await invitation_status(meeting_id) if request.user.is_staff else [],
        status_code=status_code,
        meeting=meeting,
        network=network,
        upcoming=upcoming,
        past=past,
        changeable=[entry for entry in upcoming if not entry.cancelled][:OCCURRENCES_SHOWN],
        restorable=[entry for entry in upcoming if entry.cancelled][:OCCURRENCES_SHOWN],
        invited=await _invited(request.user, ORGANIZATIONS, meeting.invited_organizations),
        invited_contacts=await _invited(request.user, CONTACTS, meeting.invited_contacts),
        notes=notes,
        attendance=await attendance_view(
            request.user, meeting, [*past, *upcoming[:1]], attendance, occasion
        ),
        follow_ups=follow_ups,
        may_read_notes=may_read_notes,
        is_coordinator=is_coordinator,
        owners=await owner_choices(request.user, network) if is_coordinator else [],
        errors=errors or {},
        chosen=chosen or {},
        zone=ZONE,
        time_warnings=_time_warnings(given_times or [], meeting),
    )


@get("/meetings/{meeting_id:uuid}", name="meeting")
async def meeting_page(
    request: WebRequest,
    meeting_id: uuid.UUID,
    given_times: Annotated[list[str] | None, QueryParameter(name="time", required=False)] = None,
    occasion: Annotated[str, QueryParameter(max_length=40)] = "",
) -> Template:
    """``occasion`` (an ISO start) picks the occasion the attendance form shows."""
    return await render_meeting(request, meeting_id, given_times=given_times, occasion=occasion)


@post("/meetings/{meeting_id:uuid}/occurrences", name="change_occurrence")
async def change_occurrence(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    """One occurrence of a series: ``action=move`` to a new date and time, ``cancel`` it (only
    with the confirmation box ticked, as the whole series), ``restore`` a cancelled one, or
    ``split`` (this and the following ones get new times and place, as a new series)."""
    values, _ = await _form(request)
    service = MeetingService(request.user)
    meeting = await service.get(meeting_id)
    await require_coordinator(request.user, meeting.network_id)
    given: list[Any] = []
    action = values.get("action")
    try:
        change = OccurrenceForm.from_form(values, meeting.all_day)
        if action == "cancel":
            if values.get("confirm") != "yes":
                raise InvalidField("confirm", N_("Tick the box to confirm."))
            await service.cancel_occurrence(meeting_id, change.ref())
        elif action == "restore":
            await service.restore_occurrence(meeting_id, change.ref())
        elif action == "move":
            moved = await service.move_occurrence(meeting_id, change.moved())
            given = moved.warnings
        elif action == "split":
            meeting = await service.split(meeting_id, change.split())
            given = meeting.warnings
        else:
            raise InvalidField("action", N_("choose what to change"))
        notice = {
            "cancel": "occurrence_cancelled",
            "restore": "occurrence_restored",
            "move": "occurrence_moved",
        }.get(action, "series_split")
    except InvalidField as error:
        field = {"recurrence_id": "occurrence", "starts_at": "start", "ends_at": "end"}.get(
            error.field, error.field
        )
        form_name = FORM_OF.get(action or "", "move")
        errors = {f"{form_name}-{field}": error_text(error)}
        picked = {form_name: values.get("recurrence_id", "")}
        return await render_meeting(
            request, meeting_id, errors, HTTP_422_UNPROCESSABLE_ENTITY, chosen=picked
        )
    return redirect(with_notice(_with_given_times(f"/meetings/{meeting.id}", given), notice))


@post("/meetings/{meeting_id:uuid}/attendance", name="attendance")
async def record_attendance(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    values, multi = await _form(request)
    data = msgspec.convert(
        {
            "occurrence_start": values.get("occurrence_start", ""),
            "organization_ids": multi.get("organization_ids", []),
            "contact_ids": multi.get("contact_ids", []),
        },
        AttendanceIn,
        strict=False,
    )
    await FollowUpService(request.user).record_attendance(meeting_id, data)
    chosen = urlencode({"occasion": values.get("occurrence_start", "")})
    return redirect(with_notice(f"/meetings/{meeting_id}?{chosen}#attendance", "attendance_saved"))


@post("/meetings/{meeting_id:uuid}/notes", name="add_note")
async def add_note(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    values, _ = await _form(request)
    data = msgspec.convert(
        {
            "occurrence_start": values.get("occurrence_start", ""),
            "body": values.get("body", "").strip(),
            "kind": values.get("kind", "note"),
        },
        NoteIn,
        strict=False,
    )
    await FollowUpService(request.user).add_note(meeting_id, data)
    return redirect(with_notice(f"/meetings/{meeting_id}#notes", "note_saved"))


@post("/meetings/{meeting_id:uuid}/follow-ups", name="add_follow_up")
async def add_follow_up(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    values, _ = await _form(request)
    data = msgspec.convert(
        {key: values.get(key, "").strip() for key in ("title", "owner", "due_date")},
        FollowUpIn,
        strict=False,
    )
    await FollowUpService(request.user).add_follow_up(meeting_id, data)
    return redirect(with_notice(f"/meetings/{meeting_id}#follow-ups", "follow_up_added"))


@post("/follow-ups/{follow_up_id:uuid}/done", name="follow_up_done")
async def follow_up_done(request: WebRequest, follow_up_id: uuid.UUID) -> Response[Any]:
    done = await FollowUpService(request.user).set_follow_up_done(
        follow_up_id, FollowUpPatch(done=True)
    )
    return redirect(with_notice(f"/meetings/{done.meeting_id}#follow-ups", "follow_up_done"))


MEETING_HANDLERS = [
    schedule_form,
    schedule,
    meeting_page,
    record_attendance,
    add_note,
    add_follow_up,
    follow_up_done,
    change_occurrence,
]
