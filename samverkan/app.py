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
from directory.settings import get_settings
from samverkan.web import web_routers
from samverkan.web.security import SESSION_STORE, csrf_config, session_config, session_store
from samverkan.web.session import session_principal, session_reader
from samverkan.web.templating import template_config

VERSION = "0.1.0"
MAX_BODY_BYTES = 10 * 1024 * 1024


@get("/health", include_in_schema=False, sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> Litestar:
    settings = get_settings()
    return Litestar(
        route_handlers=[
            api_router([bearer_token, session_reader]),
            *web_routers([session_principal]),
            health,
        ],
        middleware=[session_config(settings).middleware],
        stores={SESSION_STORE: session_store(settings)},
        csrf_config=csrf_config(settings),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start_pool],
        on_shutdown=[close_pool],
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
