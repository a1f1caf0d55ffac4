"""What has been announced to Nextcloud users through AppAPI's notification API."""

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class NextcloudNotice(Table, tablename="nextcloud_notice"):
    """``key`` names what was announced (``meeting:<id>``, ``follow-up:<id>``) and ``sequence``
    the meeting's SEQUENCE announced last, so each change is announced once."""

    key = Varchar(length=100, unique=True)
    sequence = Integer(default=-1)
    sent_at = Timestamptz(default=TimestamptzNow())
