"""Piccolo tables of the directory, named after Open Referral HSDS 3 where a name fits.

Multi-valued codes (areas, levels, languages) and phone lists are stored as JSON text so that the
same schema and the same ``LIKE '%"code"%'`` filters work on SQLite and PostgreSQL; the codes are
validated against the taxonomy before they are written, so the pattern can never over-match.
"""

from piccolo.columns import (
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Account(Table, tablename="account"):
    """A person who signs in; ``role`` decides what they may see and do."""

    id = UUID(primary_key=True)
    username = Varchar(length=150, unique=True)
    display_name = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    role = Varchar(length=20)
    organization_id = UUID(null=True, default=None)
    password_hash = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A bearer token; only its SHA-256 is stored, so a database dump reveals no usable token."""

    id = UUID(primary_key=True)
    account = ForeignKey(references=Account, null=False)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class TaxonomyTerm(Table, tablename="taxonomy_term"):
    """A controlled-vocabulary code with Swedish and English labels (HSDS taxonomy_term)."""

    id = UUID(primary_key=True)
    taxonomy = Varchar(length=30, index=True)
    code = Varchar(length=60)
    label_sv = Varchar(length=200)
    label_en = Varchar(length=200)
    position = Integer(default=0)


class _Record(Table):
    """Columns every directory record shares: visibility, verification, lifecycle, version."""

    visibility = Varchar(length=20, default="public")
    assured_date = Date(null=True, default=None, index=True)
    assurer_email = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)
    retired_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class Organization(_Record, tablename="organization"):
    id = UUID(primary_key=True)
    name = Varchar(length=300, index=True, index_method=IndexMethod.btree)
    alternate_name = Varchar(length=100, default="")
    kind = Varchar(length=30, index=True)
    parent_id = UUID(null=True, default=None, index=True)
    municipality = Varchar(length=100, default="", index=True)
    description = Text(default="")
    website = Varchar(length=500, default="")
    email = Varchar(length=254, default="")
    phones = Text(default="[]")
    visiting_address = Text(default="")
    postal_address = Text(default="")
    languages = Text(default="[]")
    areas = Text(default="[]")
    levels = Text(default="[]")


class Contact(_Record, tablename="contact"):
    """A person or a function; professional contact data only, by design no personal identifiers."""

    id = UUID(primary_key=True)
    organization_id = UUID(index=True)
    name = Varchar(length=300, index=True)
    is_function = Boolean(default=False)
    title = Varchar(length=300, default="")
    email = Varchar(length=254, default="")
    phones = Text(default="[]")
    languages = Text(default="[]")
    areas = Text(default="[]")


class Service(_Record, tablename="service"):
    id = UUID(primary_key=True)
    organization_id = UUID(index=True)
    name = Varchar(length=300, index=True)
    description = Text(default="")
    audience = Text(default="")
    levels = Text(default="[]")
    areas = Text(default="[]")
    how_to_reach = Text(default="")
    hours = Text(default="")
    cost = Text(default="")
    email = Varchar(length=254, default="")
    phones = Text(default="[]")
    url = Varchar(length=500, default="")


class Network(_Record, tablename="network"):
    id = UUID(primary_key=True)
    name = Varchar(length=300, index=True)
    alternate_name = Varchar(length=100, default="")
    description = Text(default="")
    municipality = Varchar(length=100, default="", index=True)
    areas = Text(default="[]")
    levels = Text(default="[]")


class NetworkMember(Table, tablename="network_member"):
    """Membership of an organisation or a contact (exactly one is set) in a network."""

    id = UUID(primary_key=True)
    network_id = UUID(index=True)
    organization_id = UUID(null=True, default=None, index=True)
    contact_id = UUID(null=True, default=None, index=True)


class NetworkCoordinator(Table, tablename="network_coordinator"):
    """An account that may schedule and change the network's meetings."""

    id = UUID(primary_key=True)
    network_id = UUID(index=True)
    account_id = UUID(index=True)


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


class TokenMiss(Table, tablename="token_miss"):
    """Unknown tokens presented per client address and minute, shared by every app process
    (see :mod:`directory.api.throttle`); rows older than a minute are pruned."""

    bucket = Varchar(length=80, unique=True)  # "<minute>|<client address>"
    minute = BigInt(index=True)
    misses = Integer(default=0)
