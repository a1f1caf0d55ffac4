"""The Litestar application factory: the one place that wires routes, backends and workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from directory.api import api_router
from directory.api.auth import Authenticator, bearer_token
from directory.api.exception_handlers import EXCEPTION_HANDLERS
from directory.database import close_pool, start_pool
from directory.settings import Settings, get_settings
from samverkan.nextcloud.appapi_auth import AppApiAuthenticator
from samverkan.nextcloud.exapp import exapp_router
from samverkan.nextcloud.ocs import OcsClient
from search.api import STATE_KEY, search_router
from search.backend import SearchUnavailable
from search.configured import configured_backend
from sync.dav_workers import dav_workers
from sync.feeds_api import feeds_router
from sync.indexing import search_worker

VERSION = "0.1.0"
MAX_BODY_BYTES = 10 * 1024 * 1024


@get("/health", include_in_schema=False, sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


log = logging.getLogger(__name__)


async def start_search(app: Litestar) -> None:
    """Load the search index and start the outbox worker that keeps it current."""
    backend = app.state[STATE_KEY]
    try:
        await backend.start()
    except SearchUnavailable as error:
        log.warning("search backend unavailable at start (%s); searching the database", error)
    app.state["search_worker"] = asyncio.create_task(search_worker(backend).run())


async def stop_search(app: Litestar) -> None:
    task: asyncio.Task[None] = app.state["search_worker"]
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await app.state[STATE_KEY].close()


async def start_dav_sync(app: Litestar) -> None:
    """Start the CardDAV/CalDAV outbox workers, when ``CARDDAV_URL`` or ``CALDAV_URL`` is set."""
    settings: Settings = app.state["settings"]
    workers = dav_workers(settings.dav, settings.public_url) if settings.dav else []
    app.state["dav_tasks"] = [asyncio.create_task(worker.run()) for worker in workers]


async def stop_dav_sync(app: Litestar) -> None:
    tasks: list[asyncio.Task[None]] = app.state["dav_tasks"]
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    authenticators: list[Authenticator] = [bearer_token]
    handlers: list[ControllerRouterHandler] = [health, feeds_router()]
    if settings.appapi is not None:
        ocs = OcsClient(settings.appapi)
        authenticators.insert(0, AppApiAuthenticator(settings.appapi, ocs))
        handlers.append(exapp_router(settings.appapi, ocs))
    return Litestar(
        route_handlers=[api_router(authenticators, extra=[search_router]), *handlers],
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({STATE_KEY: configured_backend(settings), "settings": settings}),
        on_startup=[start_pool, start_search, start_dav_sync],
        on_shutdown=[stop_dav_sync, stop_search, close_pool],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Samverkan",
            version=VERSION,
            description="Collaboration directory, networks and calendars for municipal work "
            "against violent extremism.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(
                        type="http", scheme="bearer", description="samverkan token create --role …"
                    )
                }
            ),
            security=[{"BearerToken": []}],
        ),
    )
