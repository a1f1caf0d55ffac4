"""The version each calendar feed was last rendered at, shared by every web process."""

from piccolo.columns import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class FeedVersion(Table, tablename="feed_version"):
    """One feed (scope, subject, detail): the fingerprint of what it showed, the ETag of those
    bytes, and since when it has shown them, which is its Last-Modified. A process that renders
    a feed whose ETag is unchanged keeps ``changed_at``, so Last-Modified moves only when the
    feed does, across restarts and workers."""

    feed = Varchar(length=120, unique=True)
    fingerprint = Varchar(length=64)
    etag = Varchar(length=80)
    changed_at = Timestamptz(default=TimestamptzNow())
