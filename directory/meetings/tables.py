"""Piccolo tables of network meetings, their recurrence exceptions, follow-up and feed tokens.

Times are stored as UTC instants (``Timestamptz``) next to the IANA zone the meeting was planned
in, so a weekly 09:00 meeting stays at 09:00 wall time across daylight-saving changes: recurrence
is expanded in ``timezone``, never in UTC. Invitee, level and topic lists are JSON text, as in
``directory.tables``.
"""

from piccolo.columns import UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Meeting(Table, tablename="meeting"):
    """One meeting or one recurring series (RFC 5545 VEVENT with an optional RRULE).

    ``uid`` is assigned once and never changes; ``sequence`` and ``last_modified`` move with every
    change a calendar client must notice. A "this and following" change ends the series with
    ``UNTIL`` and starts a new row whose ``split_from_id`` names the old one.
    """

    id = UUID(primary_key=True)
    uid = Varchar(length=255, unique=True)
    network_id = UUID(index=True)
    title = Varchar(length=300)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    all_day = Boolean(default=False)
    timezone = Varchar(length=64, default="Europe/Stockholm")
    location = Text(default="")
    online_url = Varchar(length=500, default="")
    agenda = Text(default="")
    invited_organizations = Text(default="[]")
    invited_contacts = Text(default="[]")
    levels = Text(default="[]")
    topics = Text(default="[]")
    is_public = Boolean(default=False)
    coordinator_id = UUID(null=True, default=None)
    rrule = Varchar(length=500, default="")
    series_ends_at = Timestamptz(null=True, default=None, index=True)
    status = Varchar(length=20, default="confirmed")
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)
    cancelled_at = Timestamptz(null=True, default=None)
    split_from_id = UUID(null=True, default=None)


class MeetingOccurrence(Table, tablename="meeting_occurrence"):
    """One occurrence of a series moved or cancelled, keyed by its RECURRENCE-ID (the original
    start as a UTC instant)."""

    id = UUID(primary_key=True)
    meeting_id = UUID(index=True)
    recurrence_id = Timestamptz()
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    cancelled = Boolean(default=False)
    last_modified = Timestamptz(default=TimestamptzNow())


class MeetingAttendance(Table, tablename="meeting_attendance"):
    """An organisation that came to one occurrence (``occurrence_start`` = its original start)."""

    id = UUID(primary_key=True)
    meeting_id = UUID(index=True)
    occurrence_start = Timestamptz()
    organization_id = UUID(index=True)


class MeetingContactAttendance(Table, tablename="meeting_contact_attendance"):
    """A contact (a person) who came to one occurrence; erasing the contact deletes the row."""

    id = UUID(primary_key=True)
    meeting_id = UUID(index=True)
    occurrence_start = Timestamptz()
    contact_id = UUID(index=True)


class MeetingNote(Table, tablename="meeting_note"):
    """Experience exchanged at a meeting: a note or a decision; never published in a feed."""

    id = UUID(primary_key=True)
    meeting_id = UUID(index=True)
    occurrence_start = Timestamptz()
    kind = Varchar(length=20, default="note")
    body = Text()
    author = Varchar(length=150)
    created_at = Timestamptz(default=TimestamptzNow())


class MeetingFollowUp(Table, tablename="meeting_follow_up"):
    """Something agreed at a meeting, with an owner and a due date."""

    id = UUID(primary_key=True)
    meeting_id = UUID(index=True)
    network_id = UUID(index=True)
    title = Text()
    owner = Varchar(length=300)
    due_date = Date()
    done_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class FeedToken(Table, tablename="feed_token"):
    """A subscriber's calendar-feed URL secret; only its SHA-256 is stored.

    ``scope`` is network, organization, contact or public and ``subject_id`` the network,
    organisation or contact it names; ``detail`` is partner or staff.
    """

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    scope = Varchar(length=20)
    subject_id = UUID(null=True, default=None)
    network_id = UUID(null=True, default=None, index=True)
    detail = Varchar(length=20, default="partner")
    label = Varchar(length=200, default="")
    created_by = Varchar(length=150)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
