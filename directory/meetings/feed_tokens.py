"""Calendar-feed tokens: one per subscriber, scoped to one feed and a detail level.

A token is 256 random bits, shown once; only its SHA-256 is stored. The network's coordinators
and admins create, revoke and rotate the tokens of a network feed, and a member of the network
takes (and revokes) their own; feeds of an organisation, a
contact or the public calendar are managed by any coordinator or admin.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from directory.core.access import Principal, Role
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, Conflict, InvalidField, NotFound, PermissionDenied
from directory.core.settings import get_settings
from directory.meetings.access import is_member, require_coordinator
from directory.meetings.schemas import FeedTokenCreated, FeedTokenIn, FeedTokenOut
from directory.meetings.tables import FeedToken
from directory.records.tables import Contact, Network, Organization

_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_SUBJECTS: dict[str, Any] = {"network": Network, "organization": Organization, "contact": Contact}


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offers_webcal() -> bool:
    """A calendar client opens ``webcal://`` over https (Nextcloud Calendar and Apple Calendar
    upgrade it), so on a plain-http deployment a webcal link would not reach the feed."""
    return get_settings().public_url.startswith("https://")


def feed_urls(token: str) -> tuple[str, str | None]:
    """The link of a feed, and its ``webcal://`` twin only where :func:`offers_webcal`."""
    https_url = f"{get_settings().public_url}/feeds/{token}.ics"
    if not offers_webcal():
        return https_url, None
    return https_url, "webcal://" + https_url.removeprefix("https://")


@dataclass(frozen=True)
class ResolvedFeed:
    token_id: uuid.UUID
    scope: str
    subject_id: uuid.UUID | None
    detail: str
    last_used_at: dt.datetime | None = None


async def resolve_feed_token(token: str) -> ResolvedFeed | None:
    """The feed a live (not revoked) token names, or None."""
    row = (
        await FeedToken.select(
            FeedToken.id,
            FeedToken.scope,
            FeedToken.subject_id,
            FeedToken.detail,
            FeedToken.last_used_at,
        )
        .where((FeedToken.token_hash == hash_feed_token(token)) & FeedToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    return ResolvedFeed(
        row["id"], row["scope"], row["subject_id"], row["detail"], row["last_used_at"]
    )


async def was_revoked(token: str) -> bool:
    """Whether ``token`` is a feed token that was revoked (a feed answers 410 Gone for it)."""
    return bool(
        await FeedToken.exists().where(
            (FeedToken.token_hash == hash_feed_token(token)) & FeedToken.revoked_at.is_not_null()
        )
    )


async def note_feed_use(feed: ResolvedFeed) -> ResolvedFeed:
    """Record the token's last use, at most once a minute so polling does not mean writing."""
    now = dt.datetime.now(dt.UTC)
    if feed.last_used_at is not None and now - feed.last_used_at < _LAST_USED_RESOLUTION:
        return feed
    await FeedToken.update({FeedToken.last_used_at: now}).where(FeedToken.id == feed.token_id)
    return dataclasses.replace(feed, last_used_at=now)


def _out(row: dict[str, Any]) -> FeedTokenOut:
    return FeedTokenOut(**{name: row[name] for name in FeedTokenOut.__struct_fields__})


class FeedTokenService:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def _authorize(self, scope: str, subject_id: uuid.UUID | None) -> None:
        if scope == "network":
            if subject_id is None:
                raise InvalidField("subject_id", N_("a network feed names its network"))
            await require_coordinator(self.principal, subject_id)
        elif self.principal.role not in {Role.ADMIN, Role.COORDINATOR}:
            raise PermissionDenied("only coordinators and admins manage feed tokens")

    async def create(self, data: FeedTokenIn) -> FeedTokenCreated:
        if data.scope == "public":
            if data.subject_id is not None:
                raise InvalidField("subject_id", N_("the public calendar names no subject"))
            if data.detail != "partner":
                raise InvalidField("detail", N_("the public calendar has the partner detail level"))
        else:
            table = _SUBJECTS[data.scope]
            if data.subject_id is None or not await table.exists().where(
                table.id == data.subject_id
            ):
                raise InvalidField(
                    "subject_id",
                    N_("no such %(kind)s %(id)s"),
                    {"kind": data.scope, "id": data.subject_id},
                )
        await self._authorize(data.scope, data.subject_id)
        return await self._issue(data.scope, data.subject_id, data.detail, data.label)

    async def create_own(self, network_id: uuid.UUID) -> FeedTokenCreated:
        """A member's own link to a network they belong to (their organisation, or one of its
        contacts, is a member), at their own detail level, labelled with their name; raises
        :class:`PermissionDenied` for anyone else."""
        if not await is_member(self.principal, network_id):
            raise PermissionDenied("only the network's members take their own subscription link")
        detail = "staff" if self.principal.is_staff else "partner"
        return await self._issue("network", network_id, detail, self.principal.username)

    async def own(self, network_id: uuid.UUID) -> list[FeedTokenOut]:
        """The signed-in user's live links to the network."""
        rows = (
            await FeedToken.select()
            .where(
                (FeedToken.network_id == network_id)
                & (FeedToken.created_by == self.principal.username)
                & FeedToken.revoked_at.is_null()
            )
            .order_by(FeedToken.created_at)
        )
        return [_out(row) for row in rows]

    async def _issue(
        self, scope: str, subject_id: uuid.UUID | None, detail: str, label: str
    ) -> FeedTokenCreated:
        token = secrets.token_urlsafe(32)
        token_id = uuid.uuid4()
        async with transaction():
            await FeedToken.insert(
                FeedToken(
                    id=token_id,
                    token_hash=hash_feed_token(token),
                    scope=scope,
                    subject_id=subject_id,
                    network_id=subject_id if scope == "network" else None,
                    detail=detail,
                    label=label,
                    created_by=self.principal.username,
                )
            )
            await log_change(self.principal, "create", "feed_token", token_id, {}, {"scope": scope})
        out = await self._row(token_id)
        https_url, webcal_url = feed_urls(token)
        fields = {name: out[name] for name in FeedTokenOut.__struct_fields__}
        return FeedTokenCreated(**fields, https_url=https_url, webcal_url=webcal_url)

    async def list(self, network_id: uuid.UUID | None) -> list[FeedTokenOut]:
        query = FeedToken.select().order_by(FeedToken.created_at)
        if network_id is not None:
            await require_coordinator(self.principal, network_id)
            query = query.where(FeedToken.network_id == network_id)
        elif self.principal.role is not Role.ADMIN:
            raise InvalidField("network_id", N_("coordinators list the tokens of one network"))
        return [_out(row) for row in await query]

    async def revoke(self, token_id: uuid.UUID) -> FeedTokenOut:
        row = await self._row(token_id)
        if row["created_by"] != self.principal.username:
            await self._authorize(row["scope"], row["subject_id"])
        if row["revoked_at"] is None:
            async with transaction():
                await FeedToken.update({FeedToken.revoked_at: dt.datetime.now(dt.UTC)}).where(
                    FeedToken.id == token_id
                )
                await log_change(self.principal, "revoke", "feed_token", token_id, {}, {})
        return _out(await self._row(token_id))

    async def rotate(self, token_id: uuid.UUID) -> FeedTokenCreated:
        """Revoke the token and issue a new one for the same feed, detail and label; raises
        :class:`Conflict` for a token already revoked (revoked means the feed ends for good)."""
        current = await self._row(token_id)
        await self._authorize(current["scope"], current["subject_id"])
        if current["revoked_at"] is not None:
            raise Conflict(N_("a revoked feed token cannot be rotated; issue a new one"))
        row = await self.revoke(token_id)
        return await self._issue(row.scope, row.subject_id, row.detail, row.label)

    async def _row(self, token_id: uuid.UUID) -> dict[str, Any]:
        row = await FeedToken.select().where(FeedToken.id == token_id).first()
        if row is None:
            raise NotFound("feed_token", str(token_id))
        return row
