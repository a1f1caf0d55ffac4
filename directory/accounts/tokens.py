"""Bearer tokens: list, issue (optionally expiring) and revoke, on behalf of one principal.

Everyone manages their own tokens; admins manage everyone's. A token's secret is shown once,
when it is issued; afterwards a listing shows its label, owner, creation, last use, expiry and
revocation, never the secret.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from msgspec import Meta, Struct
from piccolo.columns.combination import And, Where

from directory.accounts.service import create_token, hash_token
from directory.accounts.tables import Account, ApiToken
from directory.core.access import Principal, Role
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, InvalidField, NotFound


class ApiTokenIn(Struct, kw_only=True, forbid_unknown_fields=True):
    label: Annotated[str, Meta(max_length=200)] = ""
    expires_in_days: Annotated[int, Meta(ge=1, le=3650)] | None = None
    account_id: uuid.UUID | None = None  # admins only: a token for another account


class ApiTokenOut(Struct, kw_only=True):
    id: uuid.UUID
    username: str
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiTokenCreated(ApiTokenOut, kw_only=True):
    token: str


def _out(row: dict[str, Any]) -> ApiTokenOut:
    return ApiTokenOut(**{name: row[name] for name in ApiTokenOut.__struct_fields__})


_COLUMNS = (
    ApiToken.id,
    ApiToken.account.username.as_alias("username"),
    ApiToken.label,
    ApiToken.created_at,
    ApiToken.last_used_at,
    ApiToken.expires_at,
    ApiToken.revoked_at,
)


class TokenService:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def _admin(self) -> bool:
        return self.principal.role is Role.ADMIN

    async def list(self, username: str = "") -> list[ApiTokenOut]:
        """The principal's tokens; for an admin everyone's, or those of ``username``."""
        query = ApiToken.select(*_COLUMNS).order_by(ApiToken.created_at)
        if not self._admin:
            query = query.where(ApiToken.account == self.principal.account_id)
        elif username:
            query = query.where(ApiToken.account.username == username)
        return [_out(row) for row in await query]

    async def issue(self, data: ApiTokenIn) -> ApiTokenCreated:
        account_id = data.account_id or self.principal.account_id
        if account_id != self.principal.account_id and not self._admin:
            raise InvalidField("account_id", N_("only an admin issues tokens for others"))
        if not await Account.exists().where(Account.id == account_id):
            raise InvalidField("account_id", N_("no such account %(id)s"), {"id": account_id})
        expires_at = (
            dt.datetime.now(dt.UTC) + dt.timedelta(days=data.expires_in_days)
            if data.expires_in_days
            else None
        )
        async with transaction():
            token = await create_token(account_id, data.label, expires_at)
            row = await ApiToken.select(*_COLUMNS).where(ApiToken.token_hash == hash_token(token))
            await log_change(self.principal, "create", "api_token", row[0]["id"], {}, {})
        return ApiTokenCreated(**{**row[0], "token": token})

    async def revoke(self, token_id: uuid.UUID) -> ApiTokenOut:
        """Revoke a token (at once, in every process); revoking twice changes nothing."""
        where: Where | And = ApiToken.id == token_id
        if not self._admin:
            where = where & (ApiToken.account == self.principal.account_id)
        row = await ApiToken.select(*_COLUMNS).where(where).first()
        if row is None:
            raise NotFound("api_token", str(token_id))
        if row["revoked_at"] is None:
            async with transaction():
                await ApiToken.update({ApiToken.revoked_at: dt.datetime.now(dt.UTC)}).where(where)
                await log_change(self.principal, "revoke", "api_token", token_id, {}, {})
            row["revoked_at"] = dt.datetime.now(dt.UTC)
        return _out(row)
