"""Changing a whole meeting (every occasion of a series) in the browser: its title, agenda,
place and invitees, or cancelling it. The same service and the same version check (If-Match
with the version the form was read at) as the JSON API, so two coordinators cannot overwrite
each other's changes unseen."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from directory.core.access import Principal
from directory.core.errors import N_, Conflict, InvalidField, VersionMismatch
from directory.meetings.access import require_coordinator
from directory.meetings.schemas import MeetingOut, MeetingPatch
from directory.meetings.service import MeetingService
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS
from directory.records.service import ListQuery, RecordService
from samverkan.web import i18n
from samverkan.web.embedding import redirect
from samverkan.web.meeting_pages import render_meeting
from samverkan.web.messages import error_text, invalid_field
from samverkan.web.notices import with_notice
from samverkan.web.rendering import page

WebRequest = Request[Principal, Any, Any]
CHANGED = N_(
    "Someone else changed the meeting while you were editing: the form now shows your changes "
    "over its current version. Check them and save again."
)
CHANGED_BEFORE_CANCEL = N_(
    "Someone else changed the meeting just now. Check it and cancel again if you still want to."
)
CHANGED_BEFORE_RESTORE = N_(
    "Someone else changed the meeting just now. Check it and restore it again if you still want to."
)


@dataclass
class SeriesForm:
    """The fields of the whole series the page changes, kept as text for a rejected form."""

    title: str = ""
    location: str = ""
    agenda: str = ""
    invited_organizations: list[str] = field(default_factory=list)
    invited_contacts: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, meeting: MeetingOut) -> SeriesForm:
        return cls(
            meeting.title,
            meeting.location,
            meeting.agenda or "",
            [str(org) for org in meeting.invited_organizations],
            [str(contact) for contact in meeting.invited_contacts],
        )

    @classmethod
    def from_form(cls, form: Mapping[str, str], multi: Mapping[str, list[str]]) -> SeriesForm:
        return cls(
            form.get("title", "").strip(),
            form.get("location", "").strip(),
            form.get("agenda", "").strip(),
            list(multi.get("invited_organizations", [])),
            list(multi.get("invited_contacts", [])),
        )

    def patch(self) -> MeetingPatch:
        if not self.title:
            raise InvalidField("title", N_("must not be empty"))
        try:
            return msgspec.convert(
                {name: getattr(self, name) for name in SeriesForm.__dataclass_fields__},
                MeetingPatch,
            )
        except msgspec.ValidationError as error:
            raise invalid_field(error, "title") from None


async def _edit_page(
    request: WebRequest,
    meeting: MeetingOut,
    form: SeriesForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    """The form with the network's organisations and contacts to invite; invitees from
    outside the network stay invited (as hidden fields) unless the API is used."""
    network = await RecordService(NETWORKS, request.user).get(meeting.network_id)
    in_network = ListQuery(per_page=500, network=meeting.network_id)
    members = (await RecordService(ORGANIZATIONS, request.user).page(in_network)).contents
    contacts = (await RecordService(CONTACTS, request.user).page(in_network)).contents
    listed = {str(item.id) for item in [*members, *contacts]}
    return await page(
        request,
        "series_edit.html",
        status_code=status_code,
        meeting=meeting,
        network=network,
        members=members,
        contacts=contacts,
        kept={
            name: [ref for ref in getattr(form, name) if ref not in listed]
            for name in ("invited_organizations", "invited_contacts")
        },
        form=form,
        errors=errors,
    )


async def _form(request: WebRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
    form = await request.form()
    return {key: str(form.get(key)) for key in form}, {key: form.getall(key) for key in form}


@get("/meetings/{meeting_id:uuid}/edit", name="edit_series")
async def edit_series(request: WebRequest, meeting_id: uuid.UUID) -> Template:
    """A cancelled meeting is not offered for editing: the page says so and offers to restore
    it, as a retired record's page offers "Restore" instead of "Edit"."""
    meeting = await MeetingService(request.user).get(meeting_id)
    await require_coordinator(request.user, meeting.network_id)
    return await _edit_page(request, meeting, SeriesForm.of(meeting), {})


@post("/meetings/{meeting_id:uuid}/edit", name="save_series")
async def save_series(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    """Apply the form to every occasion, as If-Match on the version the form was read at."""
    values, multi = await _form(request)
    service = MeetingService(request.user)
    form = SeriesForm.from_form(values, multi)
    current = await service.get(meeting_id)
    if current.status == "cancelled":
        await require_coordinator(request.user, current.network_id)
        return await _edit_page(request, current, form, {}, HTTP_409_CONFLICT)
    try:
        await service.update(meeting_id, form.patch(), f'"{values.get("version", "")}"')
    except InvalidField as error:
        meeting = await service.get(meeting_id)
        field_name = error.field.split("[")[0]
        errors = {field_name: error_text(error)}
        return await _edit_page(request, meeting, form, errors, HTTP_422_UNPROCESSABLE_ENTITY)
    except VersionMismatch:
        meeting = await service.get(meeting_id)
        errors = {"version": i18n.gettext(CHANGED)}
        return await _edit_page(request, meeting, form, errors, HTTP_409_CONFLICT)
    except Conflict:  # cancelled in another tab since the check above
        return await _edit_page(request, await service.get(meeting_id), form, {}, HTTP_409_CONFLICT)
    return redirect(with_notice(f"/meetings/{meeting_id}", "series_saved"))


@post("/meetings/{meeting_id:uuid}/cancel", name="cancel_series")
async def cancel_series(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    """Cancel every occasion; only with the confirmation box ticked."""
    values, _ = await _form(request)
    service = MeetingService(request.user)
    meeting = await service.get(meeting_id)
    await require_coordinator(request.user, meeting.network_id)
    if values.get("confirm") != "yes":
        errors = {"cancel-confirm": i18n.gettext(N_("Tick the box to confirm."))}
        return await render_meeting(request, meeting_id, errors, HTTP_422_UNPROCESSABLE_ENTITY)
    try:
        await service.cancel(meeting_id, f'"{values.get("version", "")}"')
    except VersionMismatch:
        errors = {"cancel-confirm": i18n.gettext(CHANGED_BEFORE_CANCEL)}
        return await render_meeting(request, meeting_id, errors, HTTP_409_CONFLICT)
    return redirect(with_notice(f"/meetings/{meeting_id}", "series_cancelled"))


@post("/meetings/{meeting_id:uuid}/restore", name="restore_series")
async def restore_series(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    """Undo cancelling the meeting, as If-Match on the version the page showed."""
    values, _ = await _form(request)
    service = MeetingService(request.user)
    try:
        await service.restore(meeting_id, f'"{values.get("version", "")}"')
    except VersionMismatch:
        errors = {"restore": i18n.gettext(CHANGED_BEFORE_RESTORE)}
        return await render_meeting(request, meeting_id, errors, HTTP_409_CONFLICT)
    return redirect(with_notice(f"/meetings/{meeting_id}", "series_restored"))


SERIES_HANDLERS = [edit_series, save_series, cancel_series, restore_series]
