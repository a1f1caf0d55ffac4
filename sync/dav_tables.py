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


class DavCollectionState(Table, tablename="dav_collection_state"):
    """The server's sync token (RFC 6578 section 4) for a collection, read before our last
    push wrote to it, so the next push asks only for what changed on the server since."""

    collection = Varchar(length=500, unique=True)
    sync_token = Text(default="")
