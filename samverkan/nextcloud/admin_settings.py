"""Samverkan's Nextcloud-side options in Nextcloud's own admin settings (declarative settings).

Enabling the app registers a form (app_api ``OCSSettingsController::registerForm``, ``POST
/ocs/v1.php/apps/app_api/api/v1/ui/settings`` with ``formScheme``; ``SettingsService::
registerForm`` stores it with ``storage_type`` external) in AppAPI's section "ExApps Settings"
(``section_id`` ``declarative_settings``, app_api ``Settings/DeclarativeSettings``). Nextcloud
keeps an admin form's values as the ExApp's app config (``SetValueListener`` →
``ExAppConfigService::setAppConfigValue``, field id = config key), which the app reads back with
``AppConfigController::getAppConfigValues`` (``POST …/api/v1/ex-app/config/get-values`` with
``configKeys``; a list of ``configkey``/``configvalue``). Values are read at run time, cached
for ``NEXTCLOUD_GROUPS_TTL``; a value not set there, or unreadable, falls back to the
environment (``NEXTCLOUD_ROLE_GROUPS``, ``NEXTCLOUD_DEFAULT_ROLE``, ``CARDDAV_ADDRESS_BOOKS``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from directory.core.settings import (
    ADDRESS_BOOKS,
    AppApiSettings,
    SettingsError,
    address_books,
    parse_role_groups,
)
from samverkan.nextcloud.ocs import APPAPI_PREFIX, OcsClient, OcsError

logger = logging.getLogger(__name__)

FORM_ID = "samverkan_settings"
SETTINGS_PATH = f"{APPAPI_PREFIX}/api/v1/ui/settings"
CONFIG_VALUES_PATH = f"{APPAPI_PREFIX}/api/v1/ex-app/config/get-values"
ROLE_GROUPS, DEFAULT_ROLE, BOOKS = "role_groups", "default_role", "address_books"
ROLES = ("admin", "coordinator", "staff", "partner")


@dataclass(frozen=True)
class NextcloudOptions:
    role_groups: tuple[tuple[str, str], ...]
    default_role: str
    address_books: tuple[str, ...]


def form_scheme(fallback: NextcloudOptions) -> dict[str, Any]:
    """The form, its defaults being the environment's values."""
    groups = ",".join(f"{group}:{role}" for group, role in fallback.role_groups)
    return {
        "id": FORM_ID,
        "priority": 10,
        "section_type": "admin",
        "section_id": "declarative_settings",
        "storage_type": "external",
        "title": "Samverkan",
        "description": "Who gets which role in Samverkan, and which address books it publishes.",
        "fields": [
            {
                "id": ROLE_GROUPS,
                "title": "Groups and roles",
                "description": "Nextcloud groups mapped to Samverkan roles: group:role,group:role "
                "(roles: admin, coordinator, staff, partner); the most privileged match wins.",
                "type": "text",
                "default": groups,
                "placeholder": "admin:admin,kommunen:staff",
            },
            {
                "id": DEFAULT_ROLE,
                "title": "Role of other users",
                "description": "The role of a Nextcloud user in none of the mapped groups.",
                "type": "select",
                "default": fallback.default_role,
                "options": list(ROLES),
            },
            {
                "id": BOOKS,
                "title": "Address books to publish",
                "description": "Comma-separated, among internal, partners, public; share each "
                "with one group only (see the README).",
                "type": "text",
                "default": ",".join(fallback.address_books),
                "placeholder": ",".join(ADDRESS_BOOKS[:2]),
            },
        ],
    }


async def register_form(ocs: OcsClient, fallback: NextcloudOptions) -> None:
    await ocs.call("POST", SETTINGS_PATH, json={"formScheme": form_scheme(fallback)})


async def unregister_form(ocs: OcsClient) -> None:
    await ocs.call("DELETE", SETTINGS_PATH, params={"formId": FORM_ID})


class RuntimeOptions:
    """The options as the administrator set them in Nextcloud, else the environment's."""

    def __init__(
        self,
        settings: AppApiSettings,
        ocs: OcsClient,
        books: tuple[str, ...],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fallback = NextcloudOptions(settings.role_groups, settings.default_role, books)
        self.ocs = ocs
        self.ttl = settings.groups_ttl_seconds
        self.clock = clock
        self._cached: tuple[float, NextcloudOptions] | None = None

    async def current(self) -> NextcloudOptions:
        now = self.clock()
        if self._cached is not None and self._cached[0] > now:
            return self._cached[1]
        try:
            rows = await self.ocs.call(
                "POST", CONFIG_VALUES_PATH, json={"configKeys": [ROLE_GROUPS, DEFAULT_ROLE, BOOKS]}
            )
        except (OcsError, httpx.TransportError) as error:
            logger.warning("could not read Samverkan's settings from Nextcloud: %s", error)
            return self._cached[1] if self._cached else self.fallback
        values = {
            str(row.get("configkey")): str(row.get("configvalue") or "").strip()
            for row in rows or []
            if isinstance(row, dict)
        }
        options = self._parsed(values)
        self._cached = (now + self.ttl, options)
        return options

    def _parsed(self, values: dict[str, str]) -> NextcloudOptions:
        """Each value that is set and valid; a bad one is logged and the fallback used."""
        fallback = self.fallback
        groups, role, books = fallback.role_groups, fallback.default_role, fallback.address_books
        try:
            if values.get(ROLE_GROUPS):
                groups = parse_role_groups(values[ROLE_GROUPS])
            if values.get(DEFAULT_ROLE) in ROLES:
                role = values[DEFAULT_ROLE]
            if values.get(BOOKS):
                books = address_books(values[BOOKS], "Address books to publish")
        except SettingsError as error:
            logger.warning("ignoring a Samverkan setting in Nextcloud: %s", error)
        return NextcloudOptions(groups, role, books)
