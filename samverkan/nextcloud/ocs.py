"""Calls from Samverkan to Nextcloud's OCS API, signed the way AppAPI expects of an ExApp.

Every call carries ``EX-APP-ID``, ``EX-APP-VERSION``, ``AA-VERSION``, ``OCS-APIRequest: true`` and
``AUTHORIZATION-APP-API`` = base64(``user:secret``), where ``user`` is the Nextcloud user the call
acts for (empty for the app itself), as nc_py_api's ``NcSessionApp`` sends them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from directory.core.settings import AppApiSettings

APPAPI_PREFIX = "/ocs/v1.php/apps/app_api"
TOP_MENU_PATH = f"{APPAPI_PREFIX}/api/v1/ui/top-menu"
SCRIPT_PATH = f"{APPAPI_PREFIX}/api/v1/ui/script"
INITIAL_STATE_PATH = f"{APPAPI_PREFIX}/api/v1/ui/initial-state"
STATUS_PATH = f"{APPAPI_PREFIX}/ex-app/status"
NOTIFICATION_PATH = f"{APPAPI_PREFIX}/api/v1/notification"
AA_VERSION = "2.0.0"
_TIMEOUT = httpx.Timeout(10.0)


class OcsError(Exception):
    """Nextcloud refused or failed an OCS call; ``status`` is the HTTP or OCS status code."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"{method} {path}: Nextcloud answered {status} {message}".rstrip())
        self.status = status


@dataclass(frozen=True)
class NextcloudUser:
    """What Samverkan reads of a Nextcloud user: groups (for the role), language, and the name
    and address people know them by."""

    groups: tuple[str, ...]
    language: str
    display_name: str = ""
    email: str = ""


def authorization_header(user: str, secret: str) -> str:
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


class OcsClient:
    """A small OCS client for the few endpoints Samverkan needs; stateless between calls."""

    def __init__(self, settings: AppApiSettings) -> None:
        self.settings = settings

    def _headers(self, user: str) -> dict[str, str]:
        return {
            "OCS-APIRequest": "true",
            "AA-VERSION": AA_VERSION,
            "EX-APP-ID": self.settings.app_id,
            "EX-APP-VERSION": self.settings.app_version,
            "AUTHORIZATION-APP-API": authorization_header(user, self.settings.app_secret),
        }

    async def call(
        self,
        method: str,
        path: str,
        *,
        user: str = "",
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """The ``ocs.data`` of the answer; raises :class:`OcsError` on an HTTP or OCS error.

        Raises ``httpx.TransportError`` when Nextcloud cannot be reached.
        """
        async with httpx.AsyncClient(base_url=self.settings.nextcloud_url, timeout=_TIMEOUT) as c:
            response = await c.request(
                method,
                path,
                headers=self._headers(user),
                json=json,
                params={**(params or {}), "format": "json"},
            )
        if response.status_code >= 400:
            raise OcsError(method, path, response.status_code, response.reason_phrase)
        if response.status_code == 204 or not response.content:
            return None
        meta = response.json()["ocs"]["meta"]
        if meta["status"] != "ok":
            raise OcsError(method, path, int(meta["statuscode"]), str(meta.get("message", "")))
        return response.json()["ocs"]["data"]

    async def set_init_progress(self, progress: int, error: str = "") -> None:
        """Report ``/init`` progress (0–100); AppAPI enables the app once it reaches 100."""
        await self.call("PUT", STATUS_PATH, json={"progress": progress, "error": error})

    async def notify(
        self, user_id: str, object_type: str, object_id: str, subject: str, message: str, link: str
    ) -> None:
        """A notification for ``user_id`` (the call is made as that user): app_api
        ``NotificationsController::sendNotification`` reads ``params``, and
        ``ExNotificationsManager::sendNotification`` sets ``object``/``object_id`` and the
        subject ``subject_type`` with ``subject_params``; ``ExAppNotifier::prepare`` then takes
        ``link``, ``rich_subject``/``rich_subject_params`` and ``rich_message``/
        ``rich_message_params`` from those (Nextcloud limits object type and id to 64 chars)."""
        params = {
            "object": object_type[:64],
            "object_id": object_id[:64],
            "subject_type": "app_api_ex_app",
            "subject_params": {
                "rich_subject": subject,
                "rich_subject_params": {},
                "rich_message": message,
                "rich_message_params": {},
                "link": link,
            },
        }
        await self.call("POST", NOTIFICATION_PATH, user=user_id, json={"params": params})

    async def register_top_menu(self, name: str, display_name: str, icon: str = "") -> None:
        await self.call(
            "POST",
            TOP_MENU_PATH,
            json={"name": name, "displayName": display_name, "icon": icon, "adminRequired": 0},
        )

    async def unregister_top_menu(self, name: str) -> None:
        await self.call("DELETE", TOP_MENU_PATH, params={"name": name})

    async def set_script(self, ui_type: str, name: str, path: str) -> None:
        """Have Nextcloud load ``{path}.js`` (through the proxy) on the page ``name`` of type
        ``ui_type`` (``top_menu``); AppAPI appends the ``.js`` itself."""
        await self.call(
            "POST",
            SCRIPT_PATH,
            json={"type": ui_type, "name": name, "path": path, "afterAppId": ""},
        )

    async def delete_script(self, ui_type: str, name: str, path: str) -> None:
        await self.call("DELETE", SCRIPT_PATH, params={"type": ui_type, "name": name, "path": path})

    async def set_initial_state(
        self, ui_type: str, name: str, key: str, value: dict[str, Any]
    ) -> None:
        """Nextcloud renders it on that page as ``#initial-state-app_api-{key}``."""
        await self.call(
            "POST",
            INITIAL_STATE_PATH,
            json={"type": ui_type, "name": name, "key": key, "value": value},
        )

    async def delete_initial_state(self, ui_type: str, name: str, key: str) -> None:
        await self.call(
            "DELETE", INITIAL_STATE_PATH, params={"type": ui_type, "name": name, "key": key}
        )

    async def user(self, user_id: str) -> NextcloudUser:
        """The user's groups, language, display name and email, asked as that user (the
        provisioning API's ``GET /cloud/users/{id}``, ``UsersController::getUser`` →
        ``AUserDataOCSController::getUserData``: ``groups``, ``language``, ``displayname``,
        ``email``; users may read their own data)."""
        data = await self.call(
            "GET", f"/ocs/v1.php/cloud/users/{quote(user_id, safe='')}", user=user_id
        )
        return NextcloudUser(
            groups=tuple(str(group) for group in data.get("groups", [])),
            language=str(data.get("language") or ""),
            display_name=str(data.get("displayname") or ""),
            email=str(data.get("email") or ""),
        )
