"""Tables of the sync side: how far each outbox consumer has got, and who is applying it."""

from piccolo.columns import BigInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxCursor(Table, tablename="outbox_cursor"):
    """The last ``change_event.id`` a consumer (search index, CardDAV, CalDAV) has applied.

    ``leased_by`` names the worker that holds the consumer ('' when none) until ``lease_until``
    (milliseconds since the epoch by the database's clock); see :mod:`sync.outbox`.
    """

    consumer = Varchar(length=50, unique=True)
    last_id = BigInt(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
    leased_by = Varchar(length=100, default="")
    lease_until = BigInt(default=0)
