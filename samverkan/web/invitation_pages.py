"""The meeting page's invitation controls: a coordinator chooses, per invitee, between a
message for every change and one daily digest (for partners invited to many meetings)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, post

from directory.core.access import Principal
from directory.core.errors import N_, InvalidField
from directory.meetings.access import require_coordinator
from directory.meetings.service import MeetingService
from samverkan.web.embedding import redirect
from sync.invitation_digest import set_digest
from sync.invitation_status import invitation_status

WebRequest = Request[Principal, Any, Any]


@post("/meetings/{meeting_id:uuid}/invitations/digest", name="invitation_digest")
async def choose_digest(request: WebRequest, meeting_id: uuid.UUID) -> Response[Any]:
    meeting = await MeetingService(request.user).get(meeting_id)
    await require_coordinator(request.user, meeting.network_id)
    form = await request.form()
    address = str(form.get("email", "")).lower()
    if address not in {item.email for item in await invitation_status(meeting_id)}:
        raise InvalidField("email", N_("is not invited to this meeting"))
    await set_digest(address, str(form.get("digest", "")) == "on")
    return redirect(f"/meetings/{meeting_id}#invitations")


INVITATION_HANDLERS = [choose_digest]
