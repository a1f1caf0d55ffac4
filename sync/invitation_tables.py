"""What each invitee of a meeting holds, and every message mailed to them.

``sent_invitation`` is the older per-meeting record (the SEQUENCE last mailed and to whom); it
is read only to carry invitees mailed before per-recipient records existed.
"""

from piccolo.columns import UUID, Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SentInvitation(Table, tablename="sent_invitation"):
    """The SEQUENCE last mailed for a meeting and to whom (a JSON list of addresses), as written
    before :class:`InvitationRecipient`; read once per meeting to carry those invitees over."""

    meeting_id = UUID(unique=True)
    sequence = Integer(default=-1)
    recipients = Text(default="[]")
    sent_at = Timestamptz(default=TimestamptzNow())


class InvitationRecipient(Table, tablename="invitation_recipient"):
    """One invitee of one meeting: what their calendar holds since the last message queued to
    them, and their participation as they last replied.

    ``held`` is the JSON of the parts that matter to them (time, recurrence, place, title,
    status; see :mod:`sync.invitation_content`), ``""`` when they hold nothing (never invited,
    or sent a CANCEL). A change is mailed only when it changes ``held``. ``partstat`` is the
    RFC 5545 PARTSTAT of their last iTIP REPLY (NEEDS-ACTION until one arrives).
    """

    meeting_id = UUID(index=True)
    email = Varchar(length=254)
    name = Varchar(length=300, default="")
    held = Text(default="")
    partstat = Varchar(length=20, default="NEEDS-ACTION")
    replied_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class InvitationDelivery(Table, tablename="invitation_delivery"):
    """One message to one recipient, stored whole so a retry sends the same bytes (the same
    Message-ID and Date).

    ``status``: ``pending`` (due at ``next_attempt_at``; a temporary 4xx or an unreachable
    server puts it back with a later time), ``sent``, ``failed`` (a permanent 5xx, or too many
    temporary failures; never retried) or ``superseded`` (a newer message to the same person
    about the same meeting was queued before this one went out).
    """

    id = Serial(primary_key=True)
    meeting_id = UUID(index=True)
    recipient = Varchar(length=254)
    kind = Varchar(length=20)
    sequence = Integer(default=0)
    message_id = Varchar(length=255)
    message = Text()
    status = Varchar(length=20, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class InvitationPreference(Table, tablename="invitation_preference"):
    """How one address wants its invitations: ``digest`` gathers a day's messages into one mail
    sent at ``INVITATION_DIGEST_HOUR`` (for partners invited to many meetings)."""

    email = Varchar(length=254, unique=True)
    digest = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())
