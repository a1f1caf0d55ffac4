"""Authentication (a chain of pluggable authenticators) and the role guards used on routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Scopes

from directory.accounts.service import principal_for_token
from directory.accounts.throttle import MissLimiter
from directory.core.access import ADMIN_ROLES, STAFF_ROLES, WRITER_ROLES, Principal, Role

Authenticator = Callable[[ASGIConnection], Awaitable[Principal | None]]  # type: ignore[type-arg]


async def bearer_token(connection: ASGIConnection) -> Principal | None:  # type: ignore[type-arg]
    """The default: ``Authorization: Bearer <token>`` from ``samverkan token create``."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return await principal_for_token(token.strip())


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Asks each authenticator in turn; the first principal wins, none means 401.

    A request that presents credentials none accepts is a miss; a client address with too many
    misses in a minute gets 429 for each further miss. Valid credentials are always let through,
    even from an address over the limit: behind a proxy (or AppAPI) every subscriber shares one
    address, and a guesser there must not lock the others out.
    """

    def __init__(
        self,
        app: ASGIApp,
        authenticators: Sequence[Authenticator],
        misses: MissLimiter,
        exclude: str | list[str] | None = None,
        scopes: Scopes | None = None,
    ) -> None:
        super().__init__(app=app, exclude=exclude, scopes=scopes)
        self.authenticators = authenticators
        self.misses = misses

    async def authenticate_request(
        self,
        connection: ASGIConnection,  # type: ignore[type-arg]
    ) -> AuthenticationResult:
        client = connection.client.host if connection.client else ""
        refusal = NotAuthorizedException("a valid bearer token is required")
        for authenticate in self.authenticators:
            try:
                principal = await authenticate(connection)
            except NotAuthorizedException as error:  # e.g. a wrong AppAPI secret
                refusal = error
                break
            if principal is not None:
                return AuthenticationResult(user=principal, auth=None)
        if not _presents_credentials(connection):
            raise refusal
        blocked = await self.misses.blocked(client)
        await self.misses.record_miss(client)
        if blocked:
            raise TooManyRequestsException(
                "too many unknown tokens from this address; try again later",
                headers={"Retry-After": str(await self.misses.retry_after(client))},
            )
        raise refusal


def _presents_credentials(connection: ASGIConnection) -> bool:  # type: ignore[type-arg]
    """A bearer token or AppAPI's signed headers: a request that fails with these is a miss."""
    headers = connection.headers
    return any(name in headers for name in ("authorization", "authorization-app-api", "ex-app-id"))


Guard = Callable[[ASGIConnection, BaseRouteHandler], None]  # type: ignore[type-arg]


class RoleRequired(PermissionDeniedException):
    """A guard's refusal; ``roles`` lets the web's 403 page say who the page is for (the API's
    answer is the same as any 403's)."""

    def __init__(self, roles: frozenset[Role]) -> None:
        super().__init__(f"this needs one of the roles: {', '.join(sorted(roles))}")
        self.roles = roles


def require_roles(*roles: Role) -> Guard:
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        # Not ``connection.user``: requests the authentication middleware skips (OPTIONS) have no
        # user in scope, and must be refused, not crash.
        principal = connection.scope.get("user")
        if not isinstance(principal, Principal):
            raise NotAuthorizedException("a valid bearer token is required")
        if principal.role not in allowed:
            raise RoleRequired(allowed)

    return guard


writers_only = require_roles(*WRITER_ROLES)
staff_only = require_roles(*STAFF_ROLES)
admins_only = require_roles(*ADMIN_ROLES)
