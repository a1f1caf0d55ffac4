"""Nextcloud's side of AppAPI, played by a real HTTP server on loopback.

``FakeNextcloud`` answers the OCS endpoints an ExApp calls (init status, the top menu and the
script and initial state of its page, a user's groups) with OCS v1 JSON envelopes, refuses calls
whose AppAPI headers are wrong as Nextcloud does, keeps what was registered (``ui``: removing
what is not there is a 404, as in AppAPI's OCSUiController) and records every call so tests can
check exactly what Samverkan sent.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from litestar.testing import TestClient

from directory.core.settings import AppApiSettings, get_settings
from samverkan.app import create_app

APP_ID = "samverkan"
APP_VERSION = "0.1.0"
APP_SECRET = "s3cret-Only-Nextcloud-Knows-4711"


@dataclass
class OcsCall:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any

    @property
    def appapi_user(self) -> str:
        return base64.b64decode(self.headers["authorization-app-api"]).decode().partition(":")[0]


@dataclass
class FakeNextcloud:
    url: str = ""
    calls: list[OcsCall] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, tuple[str, str]] = field(default_factory=dict)  # user: (name, email)
    ui: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)  # the ExApp's appconfig_ex
    failing: bool = False

    def calls_to(self, path_part: str) -> list[OcsCall]:
        return [call for call in self.calls if path_part in call.path]


def _envelope(data: Any, status: str = "ok", code: int = 100, message: str = "OK") -> bytes:
    meta = {"status": status, "statuscode": code, "message": message}
    return json.dumps({"ocs": {"meta": meta, "data": data}}).encode()


def _handler(state: FakeNextcloud) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads ``state.calls`` instead."""

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self, headers: dict[str, str]) -> bool:
            raw = headers.get("authorization-app-api", "")
            secret = base64.b64decode(raw).decode().partition(":")[2] if raw else ""
            return (
                headers.get("ex-app-id") == APP_ID
                and headers.get("ocs-apirequest") == "true"
                and secret == APP_SECRET
            )

        def _route(self, call: OcsCall) -> tuple[int, bytes]:
            if state.failing:
                return 500, b"Internal Server Error"
            if not self._authorised(call.headers):
                return 401, _envelope([], "failure", 997, "Unauthorised")
            if call.path == "/ocs/v1.php/apps/app_api/ex-app/status" and call.method == "PUT":
                return 200, _envelope([])
            if call.path.startswith("/ocs/v1.php/apps/app_api/api/v1/ui/"):
                return self._ui(call)
            if call.path == "/ocs/v1.php/apps/app_api/api/v1/notification":
                return self._notification(call)
            if call.path == "/ocs/v1.php/apps/app_api/api/v1/ex-app/config/get-values":
                # AppConfigController::getAppConfigValues: only the keys that are set.
                keys = (call.body or {}).get("configKeys", [])
                found = [
                    {"configkey": key, "configvalue": state.config[key]}
                    for key in keys
                    if key in state.config
                ]
                return 200, _envelope(found)
            parts = call.path.split("/")
            if call.path.startswith("/ocs/v1.php/cloud/users/") and len(parts) == 6:
                user = unquote(parts[-1])
                if user != call.appapi_user or user not in state.groups:
                    return 200, _envelope([], "failure", 998, "User does not exist")
                language = state.languages.get(user, "sv")
                name, email = state.profiles.get(user, (user, ""))
                data = {
                    "id": user,
                    "groups": state.groups[user],
                    "language": language,
                    "displayname": name,  # AUserDataOCSController::getUserData
                    "email": email or None,
                }
                return 200, _envelope(data)
            return 404, _envelope([], "failure", 998, "Not found")

        def _notification(self, call: OcsCall) -> tuple[int, bytes]:
            """app_api ``NotificationsController::sendNotification``: the user is the one in
            ``AUTHORIZATION-APP-API``; ``ExNotificationsManager::sendNotification`` reads
            ``params`` ``object``, ``object_id``, ``subject_type``, ``subject_params`` (a missing
            one is a PHP error, a 500), and ``ExAppNotifier::prepare`` takes ``link`` and the
            rich subject and message from ``subject_params``."""
            params = (call.body or {}).get("params")
            needed = ("object", "object_id", "subject_type", "subject_params")
            user = call.appapi_user
            if not isinstance(params, dict) or any(not params.get(key) for key in needed):
                return 500, b"Internal Server Error"
            if not user or user not in state.groups:
                return 500, b"Internal Server Error"
            subject = params["subject_params"]
            if len(params["object"]) > 64 or len(params["object_id"]) > 64:
                return 500, b"Internal Server Error"  # INotification::setObject's limits
            entry = {
                "app": APP_ID,
                "user": user,
                "object_type": params["object"],
                "object_id": params["object_id"],
                "subject": subject.get("rich_subject", ""),
                "message": subject.get("rich_message", ""),
                "link": subject.get("link", ""),
            }
            state.notifications.append(entry)
            return 200, _envelope(entry)

        def _ui(self, call: OcsCall) -> tuple[int, bytes]:
            """Top menu, script and initial state, keyed by what AppAPI identifies them by."""
            kind = call.path.rsplit("/", 1)[-1]
            if kind == "settings":  # OCSSettingsController: registerForm, unregisterForm
                registered = state.ui.setdefault(kind, {})
                if call.method == "POST":
                    scheme = (call.body or {}).get("formScheme") or {}
                    if not scheme.get("id") or not isinstance(scheme.get("fields"), list):
                        return 400, _envelope([], "failure", 400, "Bad form")
                    registered[scheme["id"]] = scheme
                elif registered.pop(call.query.get("formId", [""])[0], None) is None:
                    return 200, _envelope([], "failure", 404, "No such form")
                return 200, _envelope([])
            fields = {"top-menu": ("name",), "script": ("type", "name", "path")}
            names = fields.get(kind, ("type", "name", "key"))
            given = call.body if call.method == "POST" else {k: v[0] for k, v in call.query.items()}
            key = "/".join(str(given.get(name, "")) for name in names)
            registered = state.ui.setdefault(kind, {})
            if call.method == "POST":
                registered[key] = call.body
            elif call.method == "DELETE" and registered.pop(key, None) is None:
                return 200, _envelope([], "failure", 404, f"No such {kind}")
            return 200, _envelope([])

        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            call = OcsCall(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=json.loads(raw) if raw else None,
            )
            state.calls.append(call)
            self._answer(*self._route(call))

        do_GET = do_PUT = do_POST = do_DELETE = _handle

    return Handler


@pytest.fixture
def nextcloud() -> Iterator[FakeNextcloud]:
    state = FakeNextcloud()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def php_json_encode(value: Any) -> str:
    """PHP's ``json_encode`` with its default flags: no spaces, ``/`` escaped, non-ASCII as
    ``\\uXXXX``."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def rendered_initial_state(value: Any) -> str:
    """The ``value`` of ``#initial-state-app_api-{key}`` on the top-menu page, for an initial
    state an ExApp registered with ``value``, encoded exactly as the real code does:

    1. app_api ``Db/UI/InitialState`` keeps ``value`` in a ``json`` column (``addType('value',
       'json')``: stored as ``json_encode($value)``), and ``InitialStateMapper::
       findByAppIdTypeName`` returns the raw rows, so the value comes back as that JSON *text*;
    2. ``TopMenuController::viewExAppPage`` passes the text to ``IInitialState::
       provideInitialState``, and server ``OC\\InitialStateService::provideInitialState`` stores
       ``json_encode($data)`` of it: a JSON string holding the JSON text;
    3. server ``core/templates/layout.user.php`` writes ``base64_encode($initialState)``.
    """
    stored = php_json_encode(value)
    return base64.b64encode(php_json_encode(stored).encode()).decode()


def appapi_settings(nextcloud: FakeNextcloud, **changes: Any) -> AppApiSettings:
    settings = AppApiSettings(
        app_id=APP_ID,
        app_secret=APP_SECRET,
        app_version=APP_VERSION,
        nextcloud_url=nextcloud.url,
        role_groups=(
            ("admin", "admin"),
            ("samverkan-coordinators", "coordinator"),
            ("kommunen", "staff"),
        ),
    )
    return dataclasses.replace(settings, **changes)


def appapi_headers(user: str, secret: str = APP_SECRET, app_id: str = APP_ID) -> dict[str, str]:
    """The headers AppAPI adds when it proxies a request (or calls the ExApp itself)."""
    return {
        "EX-APP-ID": app_id,
        "EX-APP-VERSION": APP_VERSION,
        "AA-VERSION": "2.0.0",
        "AUTHORIZATION-APP-API": base64.b64encode(f"{user}:{secret}".encode()).decode(),
    }


def exapp_client(nextcloud: FakeNextcloud, **changes: Any) -> TestClient:  # type: ignore[type-arg]
    settings = dataclasses.replace(get_settings(), appapi=appapi_settings(nextcloud, **changes))
    return TestClient(app=create_app(settings))


@pytest.fixture
def client(nextcloud: FakeNextcloud) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with exapp_client(nextcloud) as test_client:
        yield test_client
