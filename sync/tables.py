"""Tables of the sync side: how far each outbox consumer has got."""

from piccolo.columns import BigInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxCursor(Table, tablename="outbox_cursor"):
    """The last ``change_event.id`` a consumer (search index, CardDAV, CalDAV) has applied."""

    consumer = Varchar(length=50, unique=True)
    last_id = BigInt(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
