"""Rendered feeds and resolved tokens kept in memory, keyed by a cheap version of the data.

The version is the newest outbox event (``change_event``: every directory and meeting write,
feed-token revocations included, appends one in its own transaction), so a warm feed or a 304
costs one indexed query. On SQLite that query runs on one long-lived connection, as opening a
connection costs more than the query. Because a PostgreSQL transaction may commit after a later
one, an entry is also re-rendered once it is ``MAX_AGE`` old; unchanged data renders to the same
bytes and so keeps its ETag.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from directory.core.database import engine
from directory.core.tables import ChangeEvent
from directory.meetings.feed_tokens import (
    ResolvedFeed,
    hash_feed_token,
    note_feed_use,
    resolve_feed_token,
)
from sync.feeds import render_feed

MAX_AGE = 60.0
MAX_ENTRIES = 1024
_NEWEST_CHANGE = "SELECT id, at FROM change_event ORDER BY id DESC LIMIT 1"


@dataclass(frozen=True)
class DataVersion:
    change_id: int
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    latest_change: dt.datetime
    """When the content last could have changed: the newest write, or the day's midnight."""
    version: DataVersion
    day: dt.date
    rendered_at: float

    @property
    def last_modified(self) -> dt.datetime:
        """``latest_change`` rounded up to the second, as HTTP dates have no fractions."""
        return dt.datetime.fromtimestamp(math.ceil(self.latest_change.timestamp()), dt.UTC)


class VersionReader:
    """Reads the newest outbox event; keeps one read connection open on SQLite."""

    def __init__(self) -> None:
        self._connection: Any = None

    async def read(self) -> DataVersion:
        db = engine()
        if isinstance(db, SQLiteEngine):
            if self._connection is None:
                self._connection = await db.get_connection()
            async with self._connection.execute(_NEWEST_CHANGE) as cursor:
                row = await cursor.fetchone()
        else:
            row = (
                await ChangeEvent.select(ChangeEvent.id, ChangeEvent.at)
                .order_by(ChangeEvent.id, ascending=False)
                .first()
            )
        if row is None:
            return DataVersion(0, None)
        return DataVersion(row["id"], row["at"].astimezone(dt.UTC))

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


class FeedCache:
    """Tokens and feeds per (scope, subject, detail); one render at a time per feed."""

    def __init__(self) -> None:
        self.versions = VersionReader()
        self._tokens: dict[str, tuple[DataVersion, ResolvedFeed]] = {}
        self._entries: dict[tuple[str, str, str], RenderedFeed] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    async def resolve(self, token: str) -> tuple[ResolvedFeed | None, DataVersion]:
        """The token's feed; a known token is trusted until the data version moves (a
        revocation is a write, so it moves the version)."""
        version = await self.versions.read()
        key = hash_feed_token(token)
        cached = self._tokens.get(key)
        feed = cached[1] if cached is not None and cached[0] == version else None
        if feed is None:
            feed = await resolve_feed_token(token)
            if feed is None:
                return None, version
        feed = await note_feed_use(feed)
        if len(self._tokens) >= MAX_ENTRIES:
            self._tokens.pop(next(iter(self._tokens)))
        self._tokens[key] = (version, feed)
        return feed, version

    async def get(self, feed: ResolvedFeed, version: DataVersion) -> RenderedFeed:
        key = (feed.scope, str(feed.subject_id), feed.detail)
        day = dt.datetime.now(dt.UTC).date()
        entry = self._entries.get(key)
        if entry is not None and self._fresh(entry, version, day):
            return entry
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            entry = self._entries.get(key)
            if entry is not None and self._fresh(entry, version, day):
                return entry
            body, _ = await render_feed(feed, day)
            midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
            entry = RenderedFeed(
                body=body,
                etag='"' + hashlib.sha256(body).hexdigest() + '"',
                latest_change=max(version.changed_at or midnight, midnight),
                version=version,
                day=day,
                rendered_at=time.monotonic(),
            )
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = entry
            return entry

    @staticmethod
    def _fresh(entry: RenderedFeed, version: DataVersion, day: dt.date) -> bool:
        return (
            entry.version == version
            and entry.day == day
            and time.monotonic() - entry.rendered_at < MAX_AGE
        )
