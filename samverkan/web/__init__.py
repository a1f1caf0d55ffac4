"""The web interface: server-rendered pages in Swedish (or English) over the directory.

This is a composition layer: it may import ``directory``, ``search`` and ``sync``. The pages sit
behind an authenticator chain of their own, so an embedding (e.g. Nextcloud) can add one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from litestar import Router
from litestar.middleware.base import DefineMiddleware
from litestar.static_files import create_static_files_router

from directory.accounts.auth import AuthenticationMiddleware, Authenticator, admins_only
from directory.accounts.throttle import MissLimiter
from directory.core.settings import get_settings
from samverkan.web.admin import ADMIN_HANDLERS
from samverkan.web.errors import WEB_EXCEPTION_HANDLERS
from samverkan.web.feed_pages import FEED_HANDLERS
from samverkan.web.guidance import GUIDANCE_HANDLERS
from samverkan.web.i18n import activate_locale
from samverkan.web.invitation_pages import INVITATION_HANDLERS
from samverkan.web.language import switch_language
from samverkan.web.meeting_pages import MEETING_HANDLERS
from samverkan.web.network_people import PEOPLE_HANDLERS
from samverkan.web.overview_pages import OVERVIEW_HANDLERS
from samverkan.web.pages import PAGE_HANDLERS
from samverkan.web.plan_pages import PLAN_HANDLERS
from samverkan.web.search_page import start
from samverkan.web.security import SECURITY_HEADERS
from samverkan.web.series_pages import SERIES_HANDLERS
from samverkan.web.session import sign_in, sign_in_page, sign_out
from samverkan.web.vcard_pages import VCARD_HANDLERS

STATIC_DIR = Path(__file__).parent / "static"


def web_routers(authenticators: Sequence[Authenticator]) -> list[Router]:
    """The public part (sign-in, language, static files), the signed-in pages and, behind the
    admin role, the administration."""
    public = Router(
        path="/",
        route_handlers=[sign_in_page, sign_in, switch_language],
        before_request=activate_locale,
        response_headers=SECURITY_HEADERS,
        exception_handlers=WEB_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    authentication = DefineMiddleware(
        AuthenticationMiddleware,
        authenticators=authenticators,
        misses=MissLimiter(get_settings().token_misses_per_minute),
    )
    signed_in = Router(
        path="/",
        route_handlers=[
            start,
            *PAGE_HANDLERS,
            *MEETING_HANDLERS,
            *SERIES_HANDLERS,
            *PEOPLE_HANDLERS,
            *FEED_HANDLERS,
            *VCARD_HANDLERS,
            *INVITATION_HANDLERS,
            *OVERVIEW_HANDLERS,
            *PLAN_HANDLERS,
            *GUIDANCE_HANDLERS,
            sign_out,
            Router(path="/", route_handlers=ADMIN_HANDLERS, guards=[admins_only]),
        ],
        middleware=[authentication],
        before_request=activate_locale,
        response_headers=SECURITY_HEADERS,
        exception_handlers=WEB_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
    )
    return [public, signed_in, static]
