"""Which version of each meeting its invitees have been sent by email."""

from piccolo.columns import UUID, Integer, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SentInvitation(Table, tablename="sent_invitation"):
    """The SEQUENCE last mailed for a meeting; a change with a higher one is mailed again."""

    meeting_id = UUID(unique=True)
    sequence = Integer(default=-1)
    sent_at = Timestamptz(default=TimestamptzNow())
