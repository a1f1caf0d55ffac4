"""Tables of the search side: the embedded index's documents and the editable synonyms."""

from piccolo.columns import BigInt, Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SearchEntry(Table, tablename="search_entry"):
    """One search document (``data`` is its JSON) as the embedded backend stores it.

    ``seq`` rises with every write (deletions leave a row with ``deleted``), so each worker
    process keeps its in-memory index current by reading only the rows after the last ``seq``
    it has seen.
    """

    key = Varchar(length=80, unique=True)
    seq = BigInt(default=0, index=True)
    deleted = Boolean(default=False)
    visibility = Varchar(length=20, default="internal")
    data = Text(default="{}")


class SearchSynonym(Table, tablename="search_synonym"):
    """A word and the phrases it also finds (one way): ``brå`` -> ``brottsförebyggande rådet``."""

    term = Varchar(length=100, unique=True)
    synonyms = Text(default="[]")
    updated_at = Timestamptz(default=TimestamptzNow())
