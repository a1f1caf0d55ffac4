"""Sessions, CSRF and the security headers of the web interface.

Sessions are server-side (the cookie holds only a random id) so signing out or disabling an
account ends them for good. Every unsafe request outside ``/api`` needs the CSRF token; the API
keeps its bearer tokens, and the session counts there only for reads (see :mod:`.session`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection, Request
from litestar.datastructures import MutableScopeHeaders, ResponseHeader
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.scope.state import ScopeState

from directory.core.access import Principal
from directory.core.settings import Settings
from samverkan.web import embedding

SESSION_STORE: Final = "web_sessions"
SESSION_COOKIE: Final = "samverkan_session"
SESSION_SECONDS: Final = 8 * 3600

STANDALONE_FRAME_ANCESTORS: Final = "'self'"


def content_security_policy(frame_ancestors: str = STANDALONE_FRAME_ANCESTORS) -> str:
    """The pages' policy; only who may frame them differs when embedded (:mod:`.embedding`)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


CONTENT_SECURITY_POLICY: Final = content_security_policy()

SECURITY_HEADERS: Final = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]


UNGUARDED_HTML: Final = ("/schema",)
"""HTML that loads its scripts from elsewhere (the OpenAPI browsers): no page CSP there."""


async def security_headers(message: Message, scope: Scope) -> None:
    """Before any response starts (API, feeds, /static, /health, error pages and the 404 of an
    unknown address too): ``nosniff`` and a referrer policy everywhere, the pages' CSP on HTML,
    and ``Cache-Control: no-store`` on HTML shown to a signed-in user, so a shared computer's
    browser cache keeps no directory page. A header a route already set is left alone."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    headers = MutableScopeHeaders.from_message(message)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not headers.get("Content-Type", "").startswith("text/html"):
        return
    if not scope["path"].startswith(UNGUARDED_HTML):
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if isinstance(scope.get("user"), Principal):
        headers.setdefault("Cache-Control", "no-store")


def secret_key(settings: Settings) -> str:
    """``SAMVERKAN_SECRET_KEY``, or a random key kept (mode 0600) in the data directory so that
    CSRF tokens survive a restart and every worker process signs alike."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_hex(32))
    return path.read_text().strip()


NEW_SESSION_FLAG: Final = "samverkan_new_session"


class SessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, changed in two ways.

    - Nothing is stored and no cookie is set while a session is empty, so anonymous requests and
      API calls with a bearer token never write to the session store.
    - At sign-in (:func:`renew_session_id`) the session gets a fresh id and the old one is
      deleted, so an id planted before sign-in is worthless afterwards (session fixation).
    """

    def get_session_id(self, connection: ASGIConnection) -> str:  # type: ignore[type-arg]
        scope: Any = connection.scope
        fresh = scope.get(NEW_SESSION_FLAG)
        if fresh is True:
            scope[NEW_SESSION_FLAG] = fresh = self.generate_session_id()
        return str(fresh) if fresh else super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection,  # type: ignore[type-arg]
    ) -> None:
        had_cookie = bool(connection.cookies.get(self.config.key))
        if not scope_session and not had_cookie:
            return
        if connection.scope.get(NEW_SESSION_FLAG) and had_cookie:
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(connection.cookies[self.config.key], store=store)
        await super().store_in_message(scope_session or Empty, message, connection)


def renew_session_id(connection: ASGIConnection) -> None:  # type: ignore[type-arg]
    """Ask :class:`SessionBackend` to store this response's session under a new id."""
    scope: Any = connection.scope
    scope[NEW_SESSION_FLAG] = True


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend


def session_config(settings: Settings) -> ServerSideSessionConfig:
    return SessionConfig(
        key=SESSION_COOKIE,
        store=SESSION_STORE,
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


def session_store(settings: Settings) -> FileStore:
    """On disk under the data directory, so that several uvicorn workers share the sessions."""
    return FileStore(path=Path(settings.data_dir) / "sessions", create_directories=True)


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=secret_key(settings),
        cookie_name="samverkan_csrf",
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        # The API authenticates every write by bearer token or AppAPI secret, never by cookie;
        # /init and /enabled are AppAPI's lifecycle calls from Nextcloud, authenticated the same;
        # calendar clients only read feeds and have no use for a form cookie.
        exclude=["^/api/", "^/feeds/", "^/health$", "^/init$", "^/enabled$"],
    )


class CsrfMiddleware(CSRFMiddleware):
    """Litestar's CSRF check (a token in the form or ``X-CSRFToken`` matching a signed cookie),
    except when embedded: there no cookie of ours is dependable, since AppAPI's proxy passes on
    only the first ``Set-Cookie`` of an answer and its HTTP client follows redirects itself, so
    the form must carry the embedding's token instead, a MAC of the Nextcloud user id under the
    server secret (:func:`samverkan.nextcloud.embedding.user_csrf_token`). The proxy lets a
    cross-site form post through with the user's Nextcloud session, so the check is needed."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        embedded = embedding.current()
        if (
            embedded is None
            or scope["type"] != ScopeType.HTTP
            or should_bypass_middleware(
                scope=scope,
                scopes=self.scopes,
                exclude_opt_key=self.config.exclude_from_csrf_key,
                exclude_path_pattern=self.exclude,
            )
        ):
            await super().__call__(scope, receive, send)
            return
        if scope["method"] not in self.config.safe_methods:
            request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope, receive)
            submitted = request.headers.get(self.config.header_name)
            content_type, _ = request.content_type
            if not submitted and content_type in {
                RequestEncodingType.URL_ENCODED,
                RequestEncodingType.MULTI_PART,
            }:
                value = (await request.form()).get("_csrf_token")
                submitted = value if isinstance(value, str) else None
            if not (
                embedded.csrf_token
                and submitted
                and secrets.compare_digest(submitted.encode(), embedded.csrf_token.encode())
            ):
                raise PermissionDeniedException("CSRF token verification failed")
        ScopeState.from_scope(scope).csrf_token = embedded.csrf_token
        await self.app(scope, receive, send)
