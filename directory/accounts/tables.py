"""Accounts, their bearer tokens, and the shared tallies of unknown tokens and failed sign-ins."""

from piccolo.columns import (
    UUID,
    BigInt,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
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
    expires_at = Timestamptz(null=True, default=None)


class TokenMiss(Table, tablename="token_miss"):
    """Unknown tokens presented per client address and minute, shared by every app process
    (see :mod:`directory.accounts.throttle`); rows older than a minute are pruned."""

    bucket = Varchar(length=80, unique=True)  # "<minute>|<client address>"
    minute = BigInt(index=True)
    misses = Integer(default=0)


class SignInFailure(Table, tablename="sign_in_failure"):
    """Failed sign-ins per account name and per client address, shared by every app process
    (see :mod:`directory.accounts.throttle`); a success clears the account's row."""

    key = Varchar(length=300, unique=True)  # "account|<username>" or "address|<client address>"
    failures = Integer(default=0)
    last_failure_at = Timestamptz(default=TimestamptzNow())
    blocked_until = Timestamptz(null=True, default=None)
