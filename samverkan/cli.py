"""The ``samverkan`` command line; every ``create`` prints what it created on its last line."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any, TextIO, TypeVar
from urllib.parse import urlsplit

import click
import msgspec
from rich.console import Console
from rich.progress import Progress

from directory.accounts import service as accounts
from directory.core.database import migrate as run_migrations
from directory.core.errors import DirectoryError, InvalidFields
from directory.core.settings import DavSettings, SettingsError, get_settings, serve_environment
from directory.demo.loader import load_demo_if_empty
from directory.records.exchange import (
    SPEC_BY_KEY,
    ExchangeFormatError,
    RawRow,
    read_csv,
    write_csv,
)
from directory.records.export import export_records
from directory.records.hsds_export import Audience, hsds_document
from directory.records.hsds_import import HsdsRead, read_path
from directory.records.hsds_tabular import write_package
from directory.records.importer import import_rows
from samverkan import plan_cli
from samverkan.backup import BackupError, export_all, import_all, row_count
from search.backend import SearchError, SearchQuery
from search.configured import configured_backend
from search.service import search_directory
from sync.caldav_push import push_meetings
from sync.carddav_push import push_directory
from sync.dav_collection import PushReport
from sync.dav_session import DavError, DavSession
from sync.indexing import count_documents, reindex
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


def _migrate() -> bool:
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


def _load_demo() -> None:
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


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema and seed the vocabulary."""
    _migrate()
    click.echo("database is up to date")


@main.command()
def demo() -> None:
    """Load the demo directory into an empty database, with one account per role."""
    _migrate()
    _load_demo()


@main.command()
@click.option("--host", help="Default: APP_HOST under Nextcloud, else 127.0.0.1.")
@click.option("--port", type=int, help="Default: APP_PORT under Nextcloud, else 8000.")
@click.option("--workers", default=1, show_default=True, type=int)
@click.option(
    "--demo",
    "with_demo",
    is_flag=True,
    help="Load the demo data and one account per role (printed) into an empty database.",
)
def serve(host: str | None, port: int | None, workers: int, with_demo: bool) -> None:
    """Migrate, optionally load the demo data, and serve the web app and API."""
    import uvicorn

    appapi = get_settings().appapi
    host = host or (appapi.app_host if appapi else "127.0.0.1")
    port = port or (appapi.app_port if appapi else 8000)
    # The app (and each worker process) reads its settings anew, with links on this address.
    os.environ.update(serve_environment(host, port))
    get_settings.cache_clear()

    _migrate()
    if with_demo:
        _load_demo()
    if workers > 1:
        _share_metrics()
    click.echo(f"Samverkan on http://{host}:{port}/ (API /api/v1, OpenAPI /schema)")
    uvicorn.run(
        "samverkan.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # ours logs route templates, never query strings that may hold tokens
        **proxy_options(get_settings().trusted_proxies),
    )


def proxy_options(trusted: tuple[str, ...]) -> dict[str, Any]:
    """uvicorn reads ``X-Forwarded-For`` only from the configured proxies
    (``SAMVERKAN_TRUSTED_PROXIES``); by default from nobody, not even loopback, since under
    AppAPI or a local proxy every client would otherwise pick its own address."""
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(trusted)}


def _share_metrics() -> None:
    """Give the worker processes an empty directory to pool their Prometheus metrics in; they
    inherit the environment, and files of an earlier run would count twice."""
    directory = get_settings().metrics_dir
    if directory:
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="samverkan-metrics-")


@main.command()
def worker() -> None:
    """Run the background jobs (outbox consumers, calendar import) alone, until stopped.

    For deployments with several web processes: set SAMVERKAN_WORKER_IN_APP=false for them and
    run this once (or more: one worker at a time holds each consumer; none applies a change
    twice).
    """
    from samverkan.observability import configure_logging
    from samverkan.workers import BackgroundWorkers, background_jobs
    from search.backend import SearchUnavailable
    from search.configured import configured_backend

    settings = get_settings()
    configure_logging(settings)

    async def work() -> None:
        backend = configured_backend(settings)
        try:
            await backend.start()
        except SearchUnavailable as error:
            click.echo(f"search backend unavailable at start ({error}); retrying", err=True)
        workers = BackgroundWorkers(background_jobs(settings, backend))
        workers.start()
        try:
            await workers.wait()
        finally:
            await workers.stop()
            await backend.close()

    run(work)


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "staff", "partner"])
)
@click.option("--username", default="", help="Give the token to this existing account instead.")
@click.option("--label", default="")
@click.option("--expires-days", type=click.IntRange(1, 3650), help="Stop working after N days.")
def token_create(role: str, username: str, label: str, expires_days: int | None) -> None:
    """Create an account of ROLE (or use --username) and print a new bearer token."""
    import datetime as dt

    from directory.accounts.tables import Account

    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None

    async def create() -> str:
        if not username:
            return await accounts.create_service_token(role, label, expires_at)
        row = await Account.select(Account.id).where(Account.username == username).first()
        if row is None:
            raise click.ClickException(f"no account named {username!r}")
        return await accounts.create_token(row["id"], label, expires_at)

    _migrate()
    click.echo(run(create))


@token.command("list")
@click.option("--username", default="", help="Only this account's tokens.")
def token_list(username: str) -> None:
    """Every bearer token: id, owner, label, created, last used, expiry, revoked."""
    from directory.accounts.tokens import TokenService

    async def listed() -> list[Any]:
        return await TokenService(_cli_admin()).list(username)

    for item in run(listed):
        state = f"revoked {item.revoked_at:%Y-%m-%d %H:%M}" if item.revoked_at else "live"
        expiry = f"{item.expires_at:%Y-%m-%d}" if item.expires_at else "never"
        used = f"{item.last_used_at:%Y-%m-%d %H:%M}" if item.last_used_at else "never"
        click.echo(
            f"{item.id}  {item.username}  {item.label or '-'}  created {item.created_at:%Y-%m-%d}"
            f"  last used {used}  expires {expiry}  {state}"
        )


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
def token_revoke(token_id: Any) -> None:
    """Revoke the token TOKEN_ID (from ``token list``) at once."""
    from directory.accounts.tokens import TokenService

    async def revoke() -> Any:
        return await TokenService(_cli_admin()).revoke(token_id)

    revoked = run(revoke)
    click.echo(f"revoked {revoked.id} of {revoked.username}")


def _cli_admin() -> Any:
    """Whoever runs the CLI on the server is its administrator."""
    import uuid

    from directory.core.access import Principal, Role

    return Principal(uuid.UUID(int=0), "cli", Role.ADMIN)


@main.group()
def account() -> None:
    """Accounts of people who sign in."""


@account.command("create")
@click.option("--username", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "staff", "partner"])
)
@click.option("--display-name", default="")
@click.option("--email", default="")
def account_create(username: str, role: str, display_name: str, email: str) -> None:
    """Create an account and print its id."""

    async def create() -> str:
        created = await accounts.create_account(username, role, display_name, email)
        return str(created.id)

    _migrate()
    click.echo(run(create))


@account.command("set-password")
@click.option("--username", required=True)
@click.password_option(help="Asked for (twice) when not given.")
def account_set_password(username: str, password: str) -> None:
    """Set the password ACCOUNT signs in to the web interface with (stored as a scrypt hash)."""
    _migrate()
    run(lambda: accounts.set_password(username, password))
    click.echo(f"password set for {username}")


def _read_csv(path: Path, resource: str | None) -> list[RawRow]:
    if resource is None:
        raise click.UsageError("a CSV import needs --type")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return read_csv(stream, SPEC_BY_KEY[resource])


def _format_of(path: Path, file_format: str | None) -> str:
    if file_format:
        return file_format
    if path.is_dir() or path.name == "datapackage.json":
        return "tabular"
    return "csv" if path.suffix.lower() == ".csv" else "json"


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["csv", "json", "tabular"]))
@click.option("--type", "resource", type=RESOURCE_TYPES, help="What a CSV file holds.")
@click.option(
    "--all",
    "whole",
    is_flag=True,
    help="Restore a backup from export --all into an empty database.",
)
@click.option(
    "--update",
    is_flag=True,
    help="A row whose id exists replaces that record (as after an export, edit, import).",
)
def import_command(
    path: Path, file_format: str | None, resource: str | None, whole: bool, update: bool
) -> None:
    """Import HSDS 3.0 (JSON: objects, Pages, nested trees; or a Tabular Data Package folder)
    or a CSV file of one resource type: all records or, on any error, none. What Samverkan
    does not hold is reported as a warning."""
    if whole:
        _restore(path)
        return
    chosen = _format_of(path, file_format)
    if path.is_dir() and chosen != "tabular":
        raise click.UsageError(f"{path} is a folder: only a tabular import reads a folder")

    async def read() -> HsdsRead:
        if chosen == "csv":
            return HsdsRead(_read_csv(path, resource), [])
        return await read_path(path)

    _migrate()
    try:
        found = run(read)
    except ExchangeFormatError as error:
        raise click.ClickException(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None
    rows = found.rows
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)

    async def load() -> int:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"importing {path.name}", total=len(rows))
            return await import_rows(
                rows,
                actor=f"import:{path.name}",
                progress=lambda n: progress.advance(task, n),
                update=update,
            )

    count = run(load)
    unchanged = f" ({len(rows) - count} unchanged)" if update else ""
    warned = f", {len(found.warnings)} warnings" if found.warnings else ""
    click.echo(f"imported {count} records from {path}{unchanged}{warned}")


def _restore(path: Path) -> None:
    try:
        document = msgspec.json.decode(path.read_bytes())
    except msgspec.DecodeError as error:
        raise click.ClickException(f"{path}: not JSON: {error}") from None

    async def restore() -> int:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"restoring {path.name}", total=row_count(document))
            return await import_all(document, progress=lambda n: progress.advance(task, n))

    _migrate()
    count = run(restore)
    click.echo(f"restored {count} rows from {path}")


@main.command("export")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["json", "tabular", "csv"]),
    default="json",
    show_default=True,
    help="json: HSDS 3.0 JSON; tabular: the HSDS Tabular Data Package (a folder of CSV files, "
    "-o names the folder); csv: one resource type (--type) in Samverkan's own columns.",
)
@click.option("--type", "resource", type=RESOURCE_TYPES, help="What to write as CSV.")
@click.option(
    "--audience",
    type=click.Choice([audience.value for audience in Audience]),
    default=Audience.PUBLIC.value,
    show_default=True,
    help="Who the export is for: it holds only what they may read (internal only when asked).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path))
@click.option(
    "--all", "whole", is_flag=True, help="A complete backup of every table (for import --all)."
)
def export_command(
    file_format: str, resource: str | None, audience: str, output: Path | None, whole: bool
) -> None:
    """Export the directory as HSDS 3.0 (JSON or Tabular Data Package), or one resource type as
    CSV, for one audience."""
    reader = Audience(audience)
    if file_format == "tabular" and output is None and not whole:
        raise click.UsageError("a tabular export needs --output FOLDER")

    async def collect() -> Any:
        if whole:
            with Progress(transient=True, console=Console(stderr=True)) as progress:
                task = progress.add_task("backing up", total=None)
                return await export_all(progress=lambda n: progress.advance(task, n))
        if file_format in {"json", "tabular"}:
            return await hsds_document(reader)
        if resource is None:
            raise click.UsageError("a CSV export needs --type")
        return await export_records(SPEC_BY_KEY[resource], reader.visibilities)

    data = run(collect)
    if file_format == "tabular" and not whole and output is not None:
        files = write_package(data, output)
        click.echo(f"exported {len(files)} files to {output}", err=True)
        return

    def write(stream: TextIO) -> None:
        if file_format == "json" or whole:
            stream.write(msgspec.json.format(msgspec.json.encode(data)).decode())
            stream.write("\n")
        else:
            for chunk in write_csv(data, SPEC_BY_KEY[resource or ""]):
                stream.write(chunk)

    if output is None:
        write(sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
        click.echo(f"exported to {output}", err=True)


@main.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the directory (searches keep answering meanwhile)."""

    async def rebuild() -> int:
        backend = configured_backend(get_settings())
        try:
            await backend.start()
            with Progress(transient=True) as progress:
                task = progress.add_task("indexing", total=await count_documents())
                return await reindex(backend, lambda n: progress.advance(task, n))
        finally:
            await backend.close()

    _migrate()
    count = run(rebuild)
    click.echo(f"indexed {count} documents")


@main.command("search")
@click.argument("text")
@click.option(
    "--role",
    type=click.Choice(["staff", "partner"]),
    default="staff",
    show_default=True,
    help="Search as this role sees the directory.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(["organization", "contact", "service", "network"]),
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def search_command(text: str, role: str, types: tuple[str, ...], limit: int) -> None:
    """Search the directory from the terminal; prints one hit a line, best first."""
    from directory.core.access import Role, visibilities_for

    async def find() -> None:
        backend = configured_backend(get_settings())
        try:
            await backend.start()
            query = SearchQuery(
                text=text, visibilities=visibilities_for(Role(role)), types=types, limit=limit
            )
            result = await search_directory(backend, query)
        finally:
            await backend.close()
        for hit in result.hits:
            details = "  ".join(part for part in (*hit.phones, hit.email) if part)
            subtitle = f" — {hit.subtitle}" if hit.subtitle else ""
            click.echo(f"{hit.type:<12} {hit.title}{subtitle}  {details}".rstrip())
        note = (
            " (degraded: the search backend is down, plain database match)"
            if result.degraded
            else ""
        )
        click.echo(f"{result.total} hit(s) in {result.took_ms:.1f} ms{note}")

    run(find)


@main.group("sync")
def sync_group() -> None:
    """Push the directory and the meetings to CardDAV and CalDAV servers once."""


Push = Callable[[DavSession, Callable[[int, int], None]], Awaitable[dict[str, PushReport]]]


def _push_once(label: str, push: Push) -> None:
    """Run one push with a progress bar, then print what it did per collection."""
    dav = get_settings().dav or DavSettings(carddav_url="", caldav_url="")

    async def pushed() -> dict[str, PushReport]:
        with Progress() as progress:
            task = progress.add_task(label, total=None)
            async with DavSession(dav.username, dav.password) as session:
                return await push(
                    session, lambda done, total: progress.update(task, completed=done, total=total)
                )

    _migrate()
    for name, report in run(pushed).items():
        click.echo(
            f"{name}: {report.created} created, {report.updated} updated, "
            f"{report.deleted} deleted, {report.unchanged} unchanged, "
            f"{report.conflicts} conflicts; drift repaired: {report.restored} restored, "
            f"{report.reverted} reverted, {report.recreated} collections recreated"
        )


def _dav_url(variable: str) -> str:
    dav = get_settings().dav
    url = (dav.carddav_url if variable == "CARDDAV_URL" else dav.caldav_url) if dav else ""
    if not url:
        raise click.ClickException(f"set {variable} (and DAV_USERNAME, DAV_PASSWORD)")
    return url


@sync_group.command("carddav")
def sync_carddav() -> None:
    """Bring the address books under CARDDAV_URL (one per audience) up to date."""
    home = _dav_url("CARDDAV_URL")
    settings = get_settings()
    books = settings.dav.address_books if settings.dav else ()
    _push_once(
        "CardDAV",
        lambda session, progress: push_directory(
            session, home, settings.public_url, progress, books=books
        ),
    )


@sync_group.command("caldav")
def sync_caldav() -> None:
    """Bring the network calendars under CALDAV_URL up to date."""
    home = _dav_url("CALDAV_URL")
    _push_once("CalDAV", lambda session, progress: push_meetings(session, home, progress))


@main.group("nextcloud")
def nextcloud_group() -> None:
    """Running Samverkan as a Nextcloud ExApp."""


@nextcloud_group.command("register-info")
@click.option("--secret", required=True, envvar="APP_SECRET", help="Default: APP_SECRET.")
@click.option(
    "--port",
    required=True,
    type=click.IntRange(1, 65535),
    envvar="APP_PORT",
    help="The port Samverkan listens on. Default: APP_PORT.",
)
@click.option("--daemon", default="manual_install", show_default=True, help="AppAPI daemon.")
def nextcloud_register_info(secret: str, port: int, daemon: str) -> None:
    """Print the --json-info of `occ app_api:app:register samverkan DAEMON`, from info.xml."""
    from samverkan.nextcloud.appinfo import AppInfoError, manual_install

    try:
        info = manual_install(secret, port, daemon)
    except AppInfoError as error:
        raise click.ClickException(str(error)) from None
    click.echo(msgspec.json.encode(info).decode())


main.add_command(plan_cli.plan)
