"""One-off pushes of the directory and the meetings to CardDAV and CalDAV."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import click
from rich.progress import Progress

from directory.core.settings import DavSettings, get_settings
from samverkan.cli import main, prepare_database, run
from sync.caldav_push import push_meetings
from sync.carddav_push import push_directory
from sync.dav_collection import PushReport
from sync.dav_session import DavSession


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

    prepare_database()
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
