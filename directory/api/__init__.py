"""The JSON API under ``/api/v1``: the domain packages' controllers assembled into one router,
with the shared audit and vocabulary endpoints and the mapping of domain errors to HTTP.

It may import :mod:`directory.core` and the domain packages, to assemble them.
"""

from typing import Any

import msgspec
from litestar import Request, Router, get
from litestar.middleware.base import DefineMiddleware

from directory.accounts.auth import AuthenticationMiddleware, Authenticator
from directory.accounts.controller import api_tokens_router
from directory.accounts.throttle import MissLimiter
from directory.api.audit import list_audit
from directory.api.strict_bodies import check_body_strictly
from directory.api.vocabulary import vocabulary_router
from directory.core.access import Principal
from directory.core.settings import get_settings
from directory.meetings.controller import meetings_router
from directory.meetings.feed_tokens_controller import feed_tokens_router
from directory.plan.controller import plan_router
from directory.records.controller import record_router
from directory.records.hsds_controller import hsds_router
from directory.records.resources import ALL_RESOURCES


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
            hsds_router,
            meetings_router,
            feed_tokens_router,
            api_tokens_router,
            plan_router,
            list_audit,
            whoami,
            *(extra or []),
        ],
        before_request=check_body_strictly,
        middleware=[
            DefineMiddleware(
                AuthenticationMiddleware,
                authenticators=authenticators,
                misses=MissLimiter(get_settings().token_misses_per_minute),
            )
        ],
    )
