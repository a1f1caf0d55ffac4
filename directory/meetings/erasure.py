"""Meetings forget an erased contact: it leaves every meeting's invited contacts (a new SEQUENCE
so calendar clients update), its recorded attendance goes, and feed links made for that contact
are deleted."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from directory.core.database import json_list_contains
from directory.meetings.tables import FeedToken, Meeting, MeetingContactAttendance


async def forget_contact(resource_type: str, record_id: uuid.UUID) -> None:
    if resource_type != "contact":
        return
    rows = await Meeting.select(Meeting.id, Meeting.invited_contacts, Meeting.sequence).where(
        json_list_contains("invited_contacts", str(record_id))
    )
    for row in rows:
        invited = [c for c in msgspec.json.decode(row["invited_contacts"]) if c != str(record_id)]
        await Meeting.update(
            {
                Meeting.invited_contacts: msgspec.json.encode(invited).decode(),
                Meeting.sequence: row["sequence"] + 1,
                Meeting.last_modified: dt.datetime.now(dt.UTC),
            },
            use_auto_update=False,
        ).where(Meeting.id == row["id"])
    await MeetingContactAttendance.delete().where(MeetingContactAttendance.contact_id == record_id)
    await FeedToken.delete().where(
        (FeedToken.scope == "contact") & (FeedToken.subject_id == record_id)
    )
