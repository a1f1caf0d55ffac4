"""HTTP routes for bearer tokens: list, issue and revoke one's own (admins: anyone's)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Router, delete, get, post
from litestar.params import Parameter

from directory.accounts.tokens import ApiTokenCreated, ApiTokenIn, ApiTokenOut, TokenService
from directory.core.http import PrincipalRequest


@get("/", operation_id="list_api_tokens", summary="Your bearer tokens (admins: everyone's)")
async def list_tokens(
    request: PrincipalRequest,
    username: Annotated[str, Parameter(max_length=150, description="admins: one account")] = "",
) -> list[ApiTokenOut]:
    return await TokenService(request.user).list(username)


@post("/", operation_id="create_api_token", summary="Issue a bearer token (shown once)")
async def create_token(request: PrincipalRequest, data: ApiTokenIn) -> ApiTokenCreated:
    return await TokenService(request.user).issue(data)


@delete(
    "/{token_id:uuid}",
    operation_id="revoke_api_token",
    summary="Revoke a bearer token at once",
    status_code=200,
)
async def revoke_token(request: PrincipalRequest, token_id: UUID) -> ApiTokenOut:
    return await TokenService(request.user).revoke(token_id)


api_tokens_router = Router(
    path="/tokens", route_handlers=[list_tokens, create_token, revoke_token], tags=["accounts"]
)
