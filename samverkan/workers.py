"""The background work of a Samverkan process: the outbox consumers (search index, CardDAV,
CalDAV, invitation mail, Nextcloud notifications), the schedule that fetches external calendars
and, under Nextcloud, the daily reminder of due follow-ups.

Either every app process runs it (``SAMVERKAN_WORKER_IN_APP=true``, the default, right for one
process) or the web processes leave it to ``samverkan worker``. Running it in several processes
is safe, since outbox consumers claim their work, but wasteful.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine
from typing import Any

from directory.core.settings import Settings
from samverkan.nextcloud.admin_settings import RuntimeOptions
from samverkan.nextcloud.exapp import TOP_MENU_NAME
from samverkan.nextcloud.notifications import Notifier, follow_up_reminders, notification_worker
from samverkan.nextcloud.ocs import OcsClient
from search.backend import SearchBackend
from sync.calendar_import import run_scheduler
from sync.dav_workers import dav_workers
from sync.indexing import search_worker
from sync.invitations import run_invitations

Job = Callable[[], Coroutine[Any, Any, None]]


def background_jobs(settings: Settings, backend: SearchBackend) -> list[Job]:
    """Every job this deployment's settings ask for; each runs until cancelled."""
    jobs: list[Job] = [search_worker(backend).run, run_scheduler]
    if settings.smtp_host:
        jobs.append(run_invitations)
    books = None
    if settings.appapi:
        ocs = OcsClient(settings.appapi)
        options = RuntimeOptions(
            settings.appapi, ocs, settings.dav.address_books if settings.dav else ()
        )

        async def books_set_in_nextcloud() -> tuple[str, ...]:
            return (await options.current()).address_books

        books = books_set_in_nextcloud
    if settings.dav:
        jobs.extend(worker.run for worker in dav_workers(settings.dav, settings.public_url, books))
    if settings.appapi:
        notifier = Notifier(settings.appapi, ocs, TOP_MENU_NAME)
        jobs.append(notification_worker(notifier).run)
        jobs.append(functools.partial(follow_up_reminders, notifier))
    return jobs


class BackgroundWorkers:
    """Runs jobs as tasks; :meth:`stop` cancels them and waits until each has cleaned up."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self.tasks = [asyncio.create_task(job()) for job in self.jobs]

    async def wait(self) -> None:
        """Until a job fails (they never end otherwise); the failure is raised."""
        await asyncio.gather(*self.tasks)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks = []
