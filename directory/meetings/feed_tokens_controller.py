"""HTTP routes to issue, list, revoke and rotate calendar-feed tokens."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, delete, get, post

from directory.accounts.auth import writers_only
from directory.core.http import PrincipalRequest
from directory.meetings.feed_tokens import FeedTokenService
from directory.meetings.schemas import FeedTokenCreated, FeedTokenIn, FeedTokenOut


@post("/", operation_id="create_feed_token", summary="Issue a feed URL (shown once)")
async def create_feed_token(request: PrincipalRequest, data: FeedTokenIn) -> FeedTokenCreated:
    return await FeedTokenService(request.user).create(data)


@get("/", operation_id="list_feed_tokens", summary="A network's feed tokens (never the secrets)")
async def list_feed_tokens(
    request: PrincipalRequest, network_id: UUID | None = None
) -> list[FeedTokenOut]:
    return await FeedTokenService(request.user).list(network_id)


@delete("/{token_id:uuid}", operation_id="revoke_feed_token", summary="Revoke", status_code=200)
async def revoke_feed_token(request: PrincipalRequest, token_id: UUID) -> FeedTokenOut:
    return await FeedTokenService(request.user).revoke(token_id)


@post(
    "/{token_id:uuid}/rotate",
    operation_id="rotate_feed_token",
    summary="Revoke a token and issue a new one for the same feed",
    opt={"conflict": "The token is revoked already; issue a new one"},
)
async def rotate_feed_token(request: PrincipalRequest, token_id: UUID) -> FeedTokenCreated:
    return await FeedTokenService(request.user).rotate(token_id)


feed_tokens_router = Router(
    path="/feed-tokens",
    route_handlers=[create_feed_token, list_feed_tokens, revoke_feed_token, rotate_feed_token],
    guards=[writers_only],
    tags=["feeds"],
)
