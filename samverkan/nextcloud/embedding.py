"""Samverkan's web interface inside Nextcloud, reached through AppAPI's ExApp proxy.

How AppAPI proxies (nextcloud/app_api ``appinfo/routes.php`` and
``lib/Controller/ExAppProxyController.php``): the browser asks
``{webroot}/index.php/apps/app_api/proxy/{appId}/{path}`` (GET, POST, PUT, DELETE; no PATCH)
and the ExApp gets ``/{path}`` with the query string, the body, the browser's headers and
cookies, plus ``AUTHORIZATION-APP-API`` (base64 ``user:secret``), ``EX-APP-ID``,
``EX-APP-VERSION``, ``AA-VERSION`` and ``AA-REQUEST-ID``. So a request carrying those headers is
a page the browser sees under the proxy prefix, and this middleware sets the web interface's
:class:`~samverkan.web.embedding.Embedding` for it: links under the prefix, framing by
Nextcloud allowed, a CSRF token derived from the user, and ``Cache-Control: no-store`` because
the proxy marks any answer without a ``Cache-Control`` as cacheable for an hour.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from directory.core.settings import APPAPI_PROXY_PATH, AppApiSettings
from samverkan.nextcloud.signature import is_appapi_request, verified_user
from samverkan.web import embedding
from samverkan.web.security import content_security_policy

PROXY_PATH = APPAPI_PROXY_PATH
STATIC_PREFIX = "/static/"


def proxy_root(settings: AppApiSettings) -> str:
    """The path the browser reaches Samverkan under. ``index.php`` is kept because it works
    whether or not Nextcloud's pretty URLs are configured (AppAPI's own script loader and the
    Flow ExApp use the same form)."""
    return f"{urlsplit(settings.nextcloud_url).path.rstrip('/')}{PROXY_PATH}/{settings.app_id}"


def frame_ancestors(settings: AppApiSettings) -> str:
    """Through the proxy the pages come from Nextcloud's own origin (``'self'``); Nextcloud's
    configured address is named too in case the browser knows it by that name."""
    parts = urlsplit(settings.nextcloud_url)
    return f"'self' {parts.scheme}://{parts.netloc}"


def user_csrf_token(secret: str, app_id: str, user_id: str) -> str:
    """The form token of a Nextcloud user: a MAC only this server can compute, the same on
    every page and worker, changing with ``SAMVERKAN_SECRET_KEY``."""
    message = f"appapi-csrf\0{app_id}\0{user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class AppApiEmbeddingMiddleware:
    """Sets the embedding for requests that carry AppAPI's headers; others pass untouched.

    Headers that fail verification still mark the request as embedded, with no CSRF token; the
    authenticator then refuses it, and the refusal is a plain 401, never the sign-in page.
    """

    def __init__(self, app: ASGIApp, settings: AppApiSettings, secret: str) -> None:
        self.app = app
        self.settings = settings
        self.secret = secret
        self.root = proxy_root(settings)
        self.policy = content_security_policy(frame_ancestors(settings))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not is_appapi_request(Headers.from_scope(scope)):
            await self.app(scope, receive, send)
            return
        try:
            user = verified_user(self.settings, Headers.from_scope(scope), log=False)
        except NotAuthorizedException:
            user = ""
        token = user_csrf_token(self.secret, self.settings.app_id, user) if user else ""
        cacheable = scope["path"].startswith(STATIC_PREFIX)

        async def send_embedded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if "content-security-policy" in headers:
                    headers["content-security-policy"] = self.policy
                if not cacheable and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        reset = embedding.activate(embedding.Embedding(self.root, token))
        try:
            await self.app(scope, receive, send_embedded)
        except NotAuthorizedException:
            # Standalone this becomes the sign-in page; Nextcloud signs its users in itself.
            refusal = ASGIResponse(
                body=b"AppAPI authentication failed", status_code=401, media_type="text/plain"
            )
            await refusal(scope, receive, send_embedded)
        finally:
            embedding.deactivate(reset)
