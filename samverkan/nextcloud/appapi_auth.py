"""The AppAPI authenticator: Nextcloud users become Samverkan principals.

A Nextcloud user's role comes from their Nextcloud groups (the mapping set in Nextcloud's admin
settings, :mod:`.admin_settings`, else ``NEXTCLOUD_ROLE_GROUPS``), asked
through OCS and cached for ``NEXTCLOUD_GROUPS_TTL`` seconds so that a page view costs no round
trip to Nextcloud; the account (``nc:<user id>``) is created on first sight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, ServiceUnavailableException

from directory.accounts.service import principal_for_external_user
from directory.core.access import Principal, Role
from directory.core.settings import AppApiSettings
from samverkan.nextcloud.admin_settings import RuntimeOptions
from samverkan.nextcloud.ocs import NextcloudUser, OcsClient, OcsError
from samverkan.nextcloud.signature import is_appapi_request, verified_user
from samverkan.web.i18n import PREFERRED_LANGUAGE

logger = logging.getLogger(__name__)

ACCOUNT_PREFIX = "nc:"
_PRIVILEGE = (Role.ADMIN, Role.COORDINATOR, Role.STAFF, Role.PARTNER)


def role_for_groups(
    role_groups: tuple[tuple[str, str], ...], default_role: str, groups: list[str]
) -> Role:
    """The most privileged role any of the groups maps to, else the configured default."""
    mapped = {Role(role) for group, role in role_groups if group in groups}
    return next((role for role in _PRIVILEGE if role in mapped), Role(default_role))


class AppApiAuthenticator:
    """Authenticates requests AppAPI proxied from Nextcloud; ignores requests without its headers
    so that the next authenticator in the chain (bearer tokens) can try."""

    def __init__(
        self,
        settings: AppApiSettings,
        ocs: OcsClient,
        clock: Callable[[], float] = time.monotonic,
        options: RuntimeOptions | None = None,
    ) -> None:
        self.settings = settings
        self.ocs = ocs
        self.clock = clock
        self.options = options or RuntimeOptions(settings, ocs, (), clock)
        self._users: dict[str, tuple[float, Role, NextcloudUser]] = {}

    async def role_of(self, user_id: str) -> tuple[Role, NextcloudUser]:
        """The user's role and what Nextcloud says of them, from the cache while fresh; a stale
        entry is used if Nextcloud is unreachable, and with none at all the request is refused
        with 503."""
        now = self.clock()
        cached = self._users.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        try:
            user = await self.ocs.user(user_id)
        except (OcsError, httpx.TransportError) as error:
            logger.warning("could not read the Nextcloud groups of %s: %s", user_id, error)
            if cached is not None:
                return cached[1], cached[2]
            raise ServiceUnavailableException(
                "Nextcloud could not be asked for the user's groups"
            ) from None
        options = await self.options.current()
        role = role_for_groups(options.role_groups, options.default_role, list(user.groups))
        self._users[user_id] = (now + self.settings.groups_ttl_seconds, role, user)
        return role, user

    async def __call__(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
        if not is_appapi_request(connection.headers):
            return None
        user_id = verified_user(self.settings, connection.headers)
        if not user_id:
            raise NotAuthorizedException("AppAPI request without a Nextcloud user")
        role, user = await self.role_of(user_id)
        principal = await principal_for_external_user(
            ACCOUNT_PREFIX + user_id, role, (user.display_name or user_id)[:200], user.email[:254]
        )
        if principal is None:
            raise NotAuthorizedException("this account is disabled in Samverkan")
        # The UI speaks the user's Nextcloud language unless they chose one in Samverkan.
        connection.scope.setdefault("state", {})[PREFERRED_LANGUAGE] = user.language
        return principal
