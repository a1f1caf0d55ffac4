"""Which version of each meeting its invitees have been sent by email."""

from piccolo.columns import UUID, Integer, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SentInvitation(Table, tablename="sent_invitation"):
    """The SEQUENCE last mailed for a meeting and to whom (a JSON list of addresses); a change
    with a higher SEQUENCE is mailed again, and an address no longer invited gets a CANCEL."""

    meeting_id = UUID(unique=True)
    sequence = Integer(default=-1)
    recipients = Text(default="[]")
    sent_at = Timestamptz(default=TimestamptzNow())
