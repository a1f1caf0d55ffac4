"""Tables every domain stands on: the vocabulary, the audit log and the outbox."""

from piccolo.columns import (
    UUID,
    BigSerial,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class TaxonomyTerm(Table, tablename="taxonomy_term"):
    """A controlled-vocabulary code with Swedish and English labels (HSDS taxonomy_term)."""

    id = UUID(primary_key=True)
    taxonomy = Varchar(length=30, index=True)
    code = Varchar(length=60)
    label_sv = Varchar(length=300)  # as the Name the API takes
    label_en = Varchar(length=300)
    position = Integer(default=0)


class AuditEntry(Table, tablename="audit_entry"):
    """Who changed what and when, with the values before and after (HSDS ``metadata``)."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=150)
    action = Varchar(length=20)
    resource_type = Varchar(length=30)
    resource_id = UUID(index=True)
    previous = Text(default="{}")
    current = Text(default="{}")


class ChangeEvent(Table, tablename="change_event"):
    """The outbox: one row per directory write, in the write's own transaction.

    Consumers (search indexing, CalDAV/CardDAV push) read it in ``id`` order and keep their own
    position, so a consumer that is down loses nothing.
    """

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    resource_type = Varchar(length=30)
    resource_id = UUID()
    operation = Varchar(length=10)
