"""Piccolo tables of the directory, named after Open Referral HSDS 3 where a name fits.

Multi-valued codes (areas, levels, languages) and phone lists are stored as JSON text so that the
same schema and the same ``LIKE '%"code"%'`` filters work on SQLite and PostgreSQL; the codes are
validated against the taxonomy before they are written, so the pattern can never over-match.
"""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


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
