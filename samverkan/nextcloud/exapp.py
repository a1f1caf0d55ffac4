"""AppAPI's ExApp lifecycle endpoints: ``/heartbeat``, ``/init`` and ``/enabled``.

AppAPI calls these directly (not through its user proxy): ``/heartbeat`` unsigned while it waits
for the container, the others signed with the app secret and no user.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
import msgspec
from litestar import Router, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.response import Response

from directory.core.database import migrate
from directory.core.settings import AppApiSettings
from samverkan.nextcloud.admin_settings import NextcloudOptions, register_form, unregister_form
from samverkan.nextcloud.embedding import proxy_root
from samverkan.nextcloud.ocs import OcsClient, OcsError
from samverkan.nextcloud.signature import verified_user

logger = logging.getLogger(__name__)

TOP_MENU_NAME = "samverkan"
TOP_MENU_LABEL = "Samverkan"
TOP_MENU_ICON = ""  # AppAPI shows its default icon
TOP_MENU = "top_menu"
EMBED_SCRIPT = "static/nextcloud-embed"  # samverkan/web/static/nextcloud-embed.js
EMBED_STATE = "samverkan_embed"


class Heartbeat(msgspec.Struct):
    status: str


class EnabledResult(msgspec.Struct):
    """AppAPI shows ``error`` to the administrator; an empty string means success."""

    error: str


async def show_in_nextcloud(
    ocs: OcsClient, settings: AppApiSettings, books: tuple[str, ...] = ()
) -> None:
    """The top-menu entry and what its page needs: the script that frames Samverkan and, as
    initial state, the proxied start page it frames (as nc_py_api's ui_example registers them);
    and the admin settings form (:mod:`.admin_settings`).
    """
    start_page = proxy_root(settings) + "/"
    await ocs.set_initial_state(TOP_MENU, TOP_MENU_NAME, EMBED_STATE, {"url": start_page})
    await ocs.set_script(TOP_MENU, TOP_MENU_NAME, EMBED_SCRIPT)
    await ocs.register_top_menu(TOP_MENU_NAME, TOP_MENU_LABEL, TOP_MENU_ICON)
    await register_form(ocs, NextcloudOptions(settings.role_groups, settings.default_role, books))


async def hide_from_nextcloud(ocs: OcsClient) -> None:
    """Remove all four; one already gone (404) is no failure, as in nc_py_api's ``not_fail``."""
    removals: tuple[Callable[[], Awaitable[None]], ...] = (
        lambda: unregister_form(ocs),
        lambda: ocs.delete_initial_state(TOP_MENU, TOP_MENU_NAME, EMBED_STATE),
        lambda: ocs.delete_script(TOP_MENU, TOP_MENU_NAME, EMBED_SCRIPT),
        lambda: ocs.unregister_top_menu(TOP_MENU_NAME),
    )
    for removal in removals:
        try:
            await removal()
        except OcsError as error:
            if error.status != 404:
                raise


async def report_init(ocs: OcsClient) -> None:
    """Bring the database up to date, telling Nextcloud the progress until 100 (or the error)."""
    try:
        await ocs.set_init_progress(10)
        await migrate()
        await ocs.set_init_progress(100)
    except (OcsError, httpx.TransportError) as error:
        logger.error("could not report initialisation progress to Nextcloud: %s", error)
    except Exception as error:
        logger.exception("initialisation failed")
        await ocs.set_init_progress(0, error=f"Samverkan could not initialise: {error}")


def exapp_router(settings: AppApiSettings, ocs: OcsClient, books: tuple[str, ...] = ()) -> Router:
    """The lifecycle routes, bound to this app's AppAPI settings and OCS client."""

    def signed_by_appapi(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        verified_user(settings, connection.headers)

    @get(
        "/heartbeat", operation_id="exappHeartbeat", summary="AppAPI liveness", sync_to_thread=False
    )
    def heartbeat() -> Heartbeat:
        return Heartbeat("ok")

    @post(
        "/init",
        operation_id="exappInit",
        summary="AppAPI initialisation; progress is reported to Nextcloud",
        guards=[signed_by_appapi],
        status_code=200,
        sync_to_thread=False,
    )
    def init(ocs: OcsClient) -> Response[dict[str, str]]:
        return Response({}, background=BackgroundTask(report_init, ocs))

    @put(
        "/enabled",
        operation_id="exappEnabled",
        summary="AppAPI enables or disables the app: add or remove its page in Nextcloud",
        guards=[signed_by_appapi],
        status_code=200,
    )
    async def enabled(
        ocs: OcsClient, flag: Annotated[int, QueryParameter(name="enabled", ge=0, le=1)]
    ) -> EnabledResult:
        try:
            if flag:
                await show_in_nextcloud(ocs, settings, books)
            else:
                await hide_from_nextcloud(ocs)
        except (OcsError, httpx.TransportError) as error:
            logger.warning("could not change the top menu in Nextcloud: %s", error)
            return EnabledResult(f"Nextcloud's top menu could not be changed: {error}")
        return EnabledResult("")

    return Router(
        path="/",
        route_handlers=[heartbeat, init, enabled],
        dependencies={"ocs": Provide(lambda: ocs, sync_to_thread=False)},
        include_in_schema=False,
    )
