"""Tables of the search side: the synonyms admins edit (the embedded index is a folder)."""

from piccolo.columns import Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SearchSynonym(Table, tablename="search_synonym"):
    """A word and the phrases it also finds: ``brå`` -> ``brottsförebyggande rådet``, and back
    unless ``one_way``."""

    term = Varchar(length=100, unique=True)
    synonyms = Text(default="[]")
    one_way = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())
