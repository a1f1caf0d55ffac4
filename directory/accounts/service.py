"""Accounts and API tokens: creation, revocation and resolving a bearer token to a principal."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from directory.accounts.passwords import (
    check_strength,
    dummy_hash,
    hash_password,
    needs_rehash,
    password_matches,
)
from directory.accounts.tables import Account, ApiToken
from directory.core.access import Principal, Role
from directory.core.errors import N_, InvalidField, InvalidFields
from directory.core.validation import check_email

_TOKEN_PREFIX = "sv_"  # noqa: S105 (a visible prefix lets secret scanners spot leaked tokens)
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidField(
            "role",
            N_("unknown role %(value)s; expected one of %(allowed)s"),
            {"value": repr(value), "allowed": ", ".join(r.value for r in Role)},
        ) from None


async def create_account(
    username: str,
    role: str,
    display_name: str = "",
    email: str = "",
    organization_id: uuid.UUID | None = None,
) -> Account:
    account = Account(
        username=username,
        role=_role(role).value,
        display_name=display_name or username,
        email=email,
        organization_id=organization_id,
    )
    await account.save()
    return account


async def create_token(
    account_id: uuid.UUID, label: str = "", expires_at: dt.datetime | None = None
) -> str:
    """A new 256-bit bearer token; only its hash is stored, so it is shown to the caller once.
    After ``expires_at`` (if given) it no longer signs anyone in."""
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    await ApiToken.insert(
        ApiToken(
            account=account_id, token_hash=hash_token(token), label=label, expires_at=expires_at
        )
    )
    return token


async def create_service_token(
    role: str, label: str = "", expires_at: dt.datetime | None = None
) -> str:
    """A token for a new account of ``role``, named after the role (the CLI's development login)."""
    username = f"{_role(role).value}-{secrets.token_hex(4)}"
    account = await create_account(username, role)
    return await create_token(account.id, label or f"created for {username}", expires_at)


async def revoke_token(token_id: uuid.UUID) -> bool:
    revoked = (
        await ApiToken.update({ApiToken.revoked_at: dt.datetime.now(dt.UTC)})
        .where((ApiToken.id == token_id) & ApiToken.revoked_at.is_null())
        .returning(ApiToken.id)
    )
    return bool(revoked)


async def principal_for_token(token: str) -> Principal | None:
    """The principal a live token belongs to, or ``None``.

    The lookup is by the token's SHA-256, so its timing says nothing about how much of a guess
    was right; the final comparison is constant-time as well.
    """
    digest = hash_token(token)
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.token_hash,
            ApiToken.last_used_at,
            ApiToken.expires_at,
            ApiToken.account.id.as_alias("account_id"),
            ApiToken.account.username.as_alias("username"),
            ApiToken.account.role.as_alias("role"),
            ApiToken.account.organization_id.as_alias("organization_id"),
            ApiToken.account.disabled_at.as_alias("disabled_at"),
        )
        .where((ApiToken.token_hash == digest) & ApiToken.revoked_at.is_null())
        .first()
    )
    now = dt.datetime.now(dt.UTC)
    if row is None or row["disabled_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return None
    if not hmac.compare_digest(row["token_hash"], digest):
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] > _LAST_USED_RESOLUTION:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Principal(
        account_id=row["account_id"],
        username=row["username"],
        role=Role(row["role"]),
        organization_id=row["organization_id"],
    )


async def principal_for_external_user(
    username: str, role: Role, display_name: str, email: str = ""
) -> Principal | None:
    """The principal of a user signed in elsewhere (Nextcloud), creating the account on first
    sight and keeping its role, name and email in step with the other system; ``None`` if the
    account is disabled.
    """
    await Account.insert(
        Account(username=username, role=role.value, display_name=display_name, email=email)
    ).on_conflict(target=Account.username, action="DO NOTHING")
    row = (
        await Account.select(
            Account.id,
            Account.role,
            Account.organization_id,
            Account.disabled_at,
            Account.display_name,
            Account.email,
        )
        .where(Account.username == username)
        .first()
    )
    if row is None or row["disabled_at"] is not None:
        return None
    wanted = {"role": role.value, "display_name": display_name, "email": email}
    changed = {
        getattr(Account, name): value for name, value in wanted.items() if row[name] != value
    }
    if changed:
        await Account.update(changed).where(Account.id == row["id"])
    return Principal(
        account_id=row["id"],
        username=username,
        role=role,
        organization_id=row["organization_id"],
        display_name=display_name,
    )


async def set_password(username: str, password: str) -> None:
    """Raises :class:`InvalidField` for an unknown account or a weak password (too short,
    common, a pattern, or made of the account's own name or address)."""
    row = (
        await Account.select(Account.display_name, Account.email)
        .where(Account.username == username)
        .first()
    )
    if row is None:
        raise InvalidField("username", N_("no account named %(name)s"), {"name": repr(username)})
    check_strength(password, username, row["display_name"], row["email"])
    stored = await asyncio.to_thread(hash_password, password)
    await Account.update({Account.password_hash: stored}).where(Account.username == username)


def principal_of(row: dict[str, object]) -> Principal:
    """The principal of an ``Account`` row."""
    organization_id = row["organization_id"]
    return Principal(
        account_id=uuid.UUID(str(row["id"])),
        username=str(row["username"]),
        role=Role(str(row["role"])),
        organization_id=uuid.UUID(str(organization_id)) if organization_id else None,
    )


async def principal_for_password(username: str, password: str) -> Principal | None:
    """The principal whose live account has this password, or ``None``.

    An unknown name still costs one scrypt run, so timing does not reveal which names exist.
    A hash made with older scrypt parameters is replaced by one made with today's. scrypt runs
    in a worker thread, so a sign-in does not stall the other requests.
    """
    row = (
        await Account.select()
        .where((Account.username == username) & Account.disabled_at.is_null())
        .first()
    )
    stored = row["password_hash"] if row is not None else ""
    if row is None or not stored:
        await asyncio.to_thread(password_matches, password, dummy_hash())
        return None
    if not await asyncio.to_thread(password_matches, password, stored):
        return None
    if needs_rehash(stored):  # the cost went up since this hash was made
        rehashed = await asyncio.to_thread(hash_password, password)
        await Account.update({Account.password_hash: rehashed}).where(
            (Account.id == row["id"]) & (Account.password_hash == stored)
        )
    return principal_of(row)


async def principal_for_account(account_id: uuid.UUID) -> Principal | None:
    """The principal of a live account (a session re-reads it, so a role change applies)."""
    row = (
        await Account.select()
        .where((Account.id == account_id) & Account.disabled_at.is_null())
        .first()
    )
    return principal_of(row) if row is not None else None


async def set_role(account_id: uuid.UUID, role: str) -> None:
    """Raises :class:`InvalidField` for an unknown role."""
    await Account.update({Account.role: _role(role).value}).where(Account.id == account_id)


async def set_disabled(account_id: uuid.UUID, disabled: bool) -> None:
    """A disabled account can neither sign in nor use its tokens; its sessions end at once."""
    value = dt.datetime.now(dt.UTC) if disabled else None
    await Account.update({Account.disabled_at: value}).where(Account.id == account_id)


async def update_account(
    account_id: uuid.UUID,
    display_name: str,
    email: str,
    organization_id: uuid.UUID | None,
    role: str,
) -> None:
    """Change what an admin may change of an account; raises :class:`InvalidFields` naming
    every bad field at once."""
    problems: list[InvalidField] = []
    checked_role = role
    if not display_name.strip():
        problems.append(InvalidField("display_name", N_("must not be empty")))
    try:
        checked_role = _role(role).value
    except InvalidField as error:
        problems.append(error)
    try:
        check_email("email", email.strip())
    except InvalidField as error:
        problems.append(error)
    if problems:
        raise InvalidFields(problems)
    await Account.update(
        {
            Account.display_name: display_name.strip(),
            Account.email: email.strip(),
            Account.organization_id: organization_id,
            Account.role: checked_role,
        }
    ).where(Account.id == account_id)


async def tokens_of(account_id: uuid.UUID) -> list[dict[str, object]]:
    """An account's API tokens, newest first (labels and dates; never a token)."""
    return list(
        await ApiToken.select(
            ApiToken.id,
            ApiToken.label,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.account == account_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
