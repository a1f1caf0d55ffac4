"""Checking that a request really comes from Nextcloud's AppAPI on behalf of a user.

AppAPI signs every request it proxies to the ExApp with ``EX-APP-ID``, ``EX-APP-VERSION`` and
``AUTHORIZATION-APP-API`` = base64(``user_id:app_secret``). The secret is compared in constant
time and never written to a log or an error message.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Mapping

from litestar.exceptions import NotAuthorizedException

from directory.core.settings import AppApiSettings

logger = logging.getLogger(__name__)

APPAPI_HEADERS = ("ex-app-id", "ex-app-version", "authorization-app-api")


def is_appapi_request(headers: Mapping[str, str]) -> bool:
    return any(name in headers for name in APPAPI_HEADERS)


def verified_user(settings: AppApiSettings, headers: Mapping[str, str], log: bool = True) -> str:
    """The Nextcloud user id the request acts for ("" when AppAPI calls as itself).

    Raises ``NotAuthorizedException`` (401) when a header is missing or wrong, and logs why
    unless ``log`` is false (a first look whose caller leaves the refusal to the authenticator).
    """

    def _reject(reason: str) -> NotAuthorizedException:
        if log:
            logger.warning("rejected an AppAPI request: %s", reason)
        return NotAuthorizedException(f"AppAPI authentication failed: {reason}")

    missing = [name for name in APPAPI_HEADERS if not headers.get(name)]
    if missing:
        raise _reject(f"missing header(s) {', '.join(h.upper() for h in missing)}")
    if headers["ex-app-id"] != settings.app_id:
        raise _reject("EX-APP-ID names another app")
    if headers["ex-app-version"] != settings.app_version:
        raise _reject("EX-APP-VERSION does not match this app's version")
    try:
        decoded = base64.b64decode(headers["authorization-app-api"], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise _reject("AUTHORIZATION-APP-API is not base64 of user:secret") from None
    user, separator, secret = decoded.partition(":")
    if not separator or not hmac.compare_digest(secret.encode(), settings.app_secret.encode()):
        raise _reject("AUTHORIZATION-APP-API does not carry this app's secret")
    return user
