"""What Samverkan has pushed to CardDAV and CalDAV collections, so a push is incremental."""

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class DavEntry(Table, tablename="dav_entry"):
    """One pushed item: where it lives (``href``), the server's ``etag`` for it, and the SHA-256
    of what was sent, so an unchanged item costs no request and a changed one is sent with
    ``If-Match`` against the version we wrote. A unique index on (collection, uid), made by a
    migration because Piccolo declares no composite constraints, keeps one record per item."""

    collection = Varchar(length=500, index=True)
    uid = Varchar(length=300)
    href = Text()
    etag = Varchar(length=300)
    content_hash = Varchar(length=64)
    pushed_at = Timestamptz(default=TimestamptzNow())
