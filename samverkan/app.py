"""The Litestar application factory: the one place that wires routes, backends and workers."""

from __future__ import annotations

import logging

from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler, Middleware

from directory.accounts.auth import Authenticator, bearer_token
from directory.api import api_router
from directory.api.error_responses import ErrorResponses
from directory.api.exception_handlers import EXCEPTION_HANDLERS
from directory.core.database import close_pool, start_pool
from directory.core.erasure import on_erase
from directory.core.settings import Settings, get_settings
from directory.meetings.erasure import forget_contact
from samverkan.nextcloud.admin_settings import RuntimeOptions
from samverkan.nextcloud.appapi_auth import AppApiAuthenticator
from samverkan.nextcloud.embedding import AppApiEmbeddingMiddleware
from samverkan.nextcloud.exapp import exapp_router
from samverkan.nextcloud.ocs import OcsClient
from samverkan.observability import (
    LOGGING_CONFIG,
    OBSERVABILITY_ROUTES,
    RequestContextMiddleware,
    configure_logging,
    record_response,
)
from samverkan.web import web_routers
from samverkan.web.api_reference import VendoredSwaggerPlugin, openapi_router
from samverkan.web.errors import BROWSER_ERROR_HANDLERS
from samverkan.web.security import (
    SESSION_STORE,
    CsrfMiddleware,
    csrf_config,
    secret_key,
    security_headers,
    session_config,
    session_store,
)
from samverkan.web.session import session_principal, session_reader
from samverkan.web.templating import template_config
from samverkan.workers import BackgroundWorkers, background_jobs
from search.api import STATE_KEY, search_router
from search.backend import SearchUnavailable
from search.configured import configured_backend
from sync.calendar_import_api import external_calendars_router
from sync.feed_cache import FeedCache
from sync.feeds_api import feeds_router

VERSION = "0.1.0"
MAX_BODY_BYTES = 10 * 1024 * 1024
WORKERS_KEY = "background_workers"


log = logging.getLogger(__name__)


async def start_search(app: Litestar) -> None:
    """Load the search index; a backend that is down is retried by its outbox worker."""
    try:
        await app.state[STATE_KEY].start()
    except SearchUnavailable as error:
        log.warning("search backend unavailable at start (%s); searching the database", error)


async def stop_search(app: Litestar) -> None:
    await app.state[STATE_KEY].close()


async def start_workers(app: Litestar) -> None:
    """Run the background jobs in this process unless ``samverkan worker`` runs them."""
    settings: Settings = app.state["settings"]
    jobs = background_jobs(settings, app.state[STATE_KEY]) if settings.worker_in_app else []
    app.state[WORKERS_KEY] = BackgroundWorkers(jobs)
    app.state[WORKERS_KEY].start()


async def stop_workers(app: Litestar) -> None:
    workers: BackgroundWorkers | None = app.state.get(WORKERS_KEY)
    if workers is not None:  # None if the app failed to start before its workers did
        await workers.stop()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings)
    api_authenticators: list[Authenticator] = [bearer_token, session_reader]
    web_authenticators: list[Authenticator] = [session_principal]
    feed_cache = FeedCache()
    handlers: list[ControllerRouterHandler] = [feeds_router(feed_cache), *OBSERVABILITY_ROUTES]
    middleware: list[Middleware] = [RequestContextMiddleware]
    if settings.appapi is not None:
        ocs = OcsClient(settings.appapi)
        books = settings.dav.address_books if settings.dav else ()
        options = RuntimeOptions(settings.appapi, ocs, books)
        appapi = AppApiAuthenticator(settings.appapi, ocs, options=options)
        api_authenticators.insert(0, appapi)
        web_authenticators.insert(0, appapi)
        handlers.append(exapp_router(settings.appapi, ocs, books))
        middleware.append(
            DefineMiddleware(
                AppApiEmbeddingMiddleware, settings=settings.appapi, secret=secret_key(settings)
            )
        )
    on_erase(forget_contact)
    return Litestar(
        route_handlers=[
            api_router(api_authenticators, extra=[search_router, external_calendars_router]),
            *web_routers(web_authenticators),
            *handlers,
        ],
        middleware=[
            *middleware,
            session_config(settings).middleware,
            DefineMiddleware(CsrfMiddleware, config=csrf_config(settings)),
        ],
        stores={SESSION_STORE: session_store(settings)},
        template_config=template_config(),
        before_send=[record_response, security_headers],
        logging_config=LOGGING_CONFIG,
        exception_handlers={**EXCEPTION_HANDLERS, **BROWSER_ERROR_HANDLERS},
        state=State(
            {STATE_KEY: configured_backend(settings), "settings": settings, "feeds": feed_cache}
        ),
        on_startup=[start_pool, start_search, start_workers],
        on_shutdown=[
            stop_workers,
            stop_search,
            feed_cache.close,
            close_pool,
        ],
        request_max_body_size=MAX_BODY_BYTES,
        plugins=[ErrorResponses()],
        openapi_config=OpenAPIConfig(
            title="Samverkan",
            version=VERSION,
            description="Collaboration directory, networks and calendars for municipal work "
            "against violent extremism.",
            path="/schema",
            render_plugins=[VendoredSwaggerPlugin()],
            openapi_router=openapi_router(),
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
