"""The JSON API under ``/api/v1``."""

from typing import Any

import msgspec
from litestar import Request, Router, get
from litestar.middleware.base import DefineMiddleware

from directory.access import Principal
from directory.api.audit import list_audit
from directory.api.auth import AuthenticationMiddleware, Authenticator
from directory.api.feed_tokens import feed_tokens_router
from directory.api.meetings import meetings_router
from directory.api.records import record_router
from directory.api.throttle import MissLimiter
from directory.api.vocabulary import vocabulary_router
from directory.resources import ALL_RESOURCES
from directory.settings import get_settings


class Me(msgspec.Struct):
    username: str
    role: str
    organization_id: str | None


@get("/me", operation_id="whoami", summary="The signed-in principal", tags=["accounts"])
async def whoami(request: Request[Principal, Any, Any]) -> Me:
    user = request.user
    return Me(
        user.username, user.role.value, str(user.organization_id) if user.organization_id else None
    )


def api_router(authenticators: list[Authenticator], extra: list[Router] | None = None) -> Router:
    """All ``/api/v1`` routes behind the authenticator chain."""
    return Router(
        path="/api/v1",
        route_handlers=[
            *(record_router(spec) for spec in ALL_RESOURCES),
            vocabulary_router,
            meetings_router,
            feed_tokens_router,
            list_audit,
            whoami,
            *(extra or []),
        ],
        middleware=[
            DefineMiddleware(
                AuthenticationMiddleware,
                authenticators=authenticators,
                misses=MissLimiter(get_settings().token_misses_per_minute),
            )
        ],
    )
