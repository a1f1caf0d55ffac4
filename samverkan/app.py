"""The Litestar application factory: the one place that wires routes, backends and workers."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from directory.api import api_router
from directory.api.auth import bearer_token
from directory.api.exception_handlers import EXCEPTION_HANDLERS
from directory.database import close_pool, start_pool
from sync.feed_cache import FeedCache
from sync.feeds_api import feeds_router

VERSION = "0.1.0"
MAX_BODY_BYTES = 10 * 1024 * 1024


@get("/health", include_in_schema=False, sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> Litestar:
    feed_cache = FeedCache()
    return Litestar(
        route_handlers=[api_router([bearer_token]), health, feeds_router(feed_cache)],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start_pool],
        on_shutdown=[feed_cache.versions.close, close_pool],
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
