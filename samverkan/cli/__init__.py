"""The ``samverkan`` command line; every ``create`` prints what it created on its last line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

import click

from directory.core.database import migrate as run_migrations
from directory.core.errors import DirectoryError, InvalidFields
from directory.core.settings import SettingsError, get_settings
from directory.demo.loader import load_demo_if_empty
from directory.records.exchange import (
    SPEC_BY_KEY,
    ExchangeFormatError,
)
from samverkan.backup import BackupError
from search.backend import SearchError
from sync.dav_session import DavError
from sync.invitations import without_invitations
from sync.outbox import LeaseBusy

T = TypeVar("T")
RESOURCE_TYPES = click.Choice(sorted(SPEC_BY_KEY))


def run(coroutine_function: Callable[[], Awaitable[T]]) -> T:
    """Run one CLI action against the configured database, opening and closing its pool."""
    from directory.core.database import close_pool, start_pool

    async def wrapped() -> T:
        await start_pool()
        try:
            return await coroutine_function()
        finally:
            await close_pool()

    try:
        return asyncio.run(wrapped())
    except InvalidFields as error:
        for item in error.errors:
            click.echo(f"error: {item.field}: {item.message}", err=True)
        raise click.ClickException(f"{len(error.errors)} error(s); nothing was written") from None
    except (
        DirectoryError,
        ExchangeFormatError,
        SettingsError,
        BackupError,
        DavError,
        SearchError,
        LeaseBusy,
    ) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(
            f"cannot reach the database named by DATABASE_URL: {error.strerror or error}"
        ) from None


def _database_name() -> str:
    """The database in use, without credentials: the SQLite file or PostgreSQL's host and name."""
    settings = get_settings()
    if not settings.is_postgres:
        return f"the SQLite file {settings.sqlite_path.resolve()}"
    parts = urlsplit(settings.database_url)
    where = f"{parts.hostname}:{parts.port or 5432}"
    return f"the PostgreSQL database {parts.path.strip('/')} on {where}"


def prepare_database() -> bool:
    """Create or upgrade the schema; says on stderr which database it made, when it made one
    (so a command run from the wrong place or with another DATABASE_URL never does so silently).
    Returns whether the database is new."""
    from piccolo.apps.migrations.tables import Migration

    async def migrate_and_tell() -> bool:
        new = not await Migration.table_exists()
        await run_migrations()
        return new

    new = run(migrate_and_tell)
    if new:
        click.echo(f"created a new database: {_database_name()}", err=True)
    return new


def load_demo() -> None:
    """The demo directory and, with it, one account per role, printed one a line. Nothing of it
    is ever mailed: its invitees are invented."""
    from samverkan.demo_accounts import create_demo_accounts

    count = run(partial(without_invitations, load_demo_if_empty))
    if not count:
        click.echo("the database is not empty; demo data not loaded")
        return
    click.echo(f"loaded {count} demo records")
    for account in run(create_demo_accounts):
        click.echo(account.line())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Samverkan: the collaboration directory and network calendars against violent extremism."""
    try:
        get_settings()
    except SettingsError as error:
        raise click.ClickException(f"bad configuration: {error}") from None


# The commands, each group in its own module; importing them registers them on ``main``.
from samverkan.cli import accounts, exchange, nextcloud, plan, search, server, sync  # noqa: E402, F401
