"""An external ICS feed a network subscribes to, with the last good copy kept."""

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ExternalCalendar(Table, tablename="external_calendar"):
    """``body`` is the last copy that parsed; a failed fetch only sets ``last_error``."""

    id = UUID(primary_key=True)
    network_id = UUID(index=True)
    url = Varchar(length=1000)
    label = Varchar(length=200, default="")
    etag = Varchar(length=300, default="")
    last_modified_header = Varchar(length=100, default="")
    body = Text(default="")
    event_count = Integer(default=0)
    last_good_at = Timestamptz(null=True, default=None)
    last_checked_at = Timestamptz(null=True, default=None, index=True)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
