"""Standalone sign-in: username and password, a server-side session, and sign-out.

The session holds only the account id; every request re-reads the account, so a disabled account
or a changed role takes effect at once.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Template
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from msgspec import Struct

from directory.accounts.service import principal_for_account, principal_for_password
from directory.accounts.throttle import SignInThrottle
from directory.api.exception_handlers import STORAGE_ERRORS
from directory.core.access import Principal
from directory.core.storage import storage_fault
from samverkan.web.embedding import redirect
from samverkan.web.rendering import page
from samverkan.web.security import SESSION_STORE, renew_session_id

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ACCOUNT_KEY = "account_id"
_THROTTLE = SignInThrottle()


async def session_principal(connection: ASGIConnection) -> Principal | None:  # type: ignore[type-arg]
    """The web interface's authenticator: the signed-in account of this session."""
    if "session" not in connection.scope:
        return None
    raw = connection.session.get(_ACCOUNT_KEY) if connection.session else None
    if not raw:
        return None
    try:
        account_id = uuid.UUID(str(raw))
    except ValueError:
        return None
    return await principal_for_account(account_id)


async def session_reader(connection: ASGIConnection) -> Principal | None:  # type: ignore[type-arg]
    """For ``/api/v1``: the session counts only for reads, since the API has no CSRF check."""
    if connection.scope.get("method", "GET") not in SAFE_METHODS:
        return None
    return await session_principal(connection)


def safe_next(target: str) -> str:
    """A same-site path to return to after sign-in; anything else becomes ``/``."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


log = logging.getLogger(__name__)


class SignInForm(Struct):
    username: str = ""
    password: str = ""
    next: str = "/"


@get("/sign-in", name="sign_in")
async def sign_in_page(
    request: Request[Any, Any, Any], next_path: Annotated[str, QueryParameter(name="next")] = "/"
) -> Template:
    return await page(request, "sign_in.html", next=safe_next(next_path), failed=False)


@post("/sign-in", name="sign_in_submit")
async def sign_in(
    request: Request[Any, Any, Any],
    data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[Any]:
    """Wrong passwords are counted per account name and per address: past a few, the next try
    waits (429 with ``Retry-After`` and the wait in words) before the password is even checked."""
    username = data.username.strip()
    address = request.client.host if request.client else ""
    wait = await _THROTTLE.wait(username, address)
    if wait == 0:
        principal = await principal_for_password(username, data.password)
        if principal is not None:
            if not await _sign_in_can_be_stored(request, username):
                return await page(
                    request,
                    "sign_in.html",
                    status_code=HTTP_503_SERVICE_UNAVAILABLE,
                    next=safe_next(data.next),
                    failed=False,
                    unavailable=True,
                    username=data.username,
                )
            renew_session_id(request)
            request.set_session({_ACCOUNT_KEY: str(principal.account_id)})
            return redirect(safe_next(data.next))
        wait = await _THROTTLE.failed(username, address)
    throttled = wait > 0
    response = await page(
        request,
        "sign_in.html",
        status_code=HTTP_429_TOO_MANY_REQUESTS if throttled else HTTP_401_UNAUTHORIZED,
        next=safe_next(data.next),
        failed=True,
        wait_seconds=wait,
        wait_minutes=math.ceil(wait / 60),
        username=data.username,
    )
    if throttled:
        response.headers["Retry-After"] = str(wait)
    return response


async def _sign_in_can_be_stored(request: Request[Any, Any, Any], username: str) -> bool:
    """Whether the throttle can clear the account's misses and the session store takes a write.
    The session is written after the redirect has been sent, and Litestar's file store drops a
    write that fails (a full disk, a read-only folder), so without this the browser would land
    on the sign-in page again without a word."""
    try:
        await _THROTTLE.succeeded(username)
    except STORAGE_ERRORS as error:
        if (reason := storage_fault(error)) is None:
            raise
        log.warning("sign-in refused: the database cannot be written: %s", reason)
        return False
    store = request.app.stores.get(SESSION_STORE)
    key = f"write-probe-{uuid.uuid4().hex}"
    try:
        await store.set(key, b"1", expires_in=60)
        stored = await store.get(key) is not None
        await store.delete(key)
    except OSError as error:
        log.warning("sign-in refused: sessions cannot be stored: %s", storage_fault(error))
        return False
    if not stored:
        log.warning("sign-in refused: sessions cannot be stored (full disk or read-only folder)")
    return stored


@post("/sign-out", name="sign_out")
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    request.clear_session()
    return redirect("/sign-in")
