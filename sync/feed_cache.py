"""Rendered feeds kept in memory, keyed by a cheap version of the data.

The version is the newest outbox event (``change_event``: every directory and meeting write
appends one in its own transaction), so a warm feed costs one indexed query. Because a
PostgreSQL transaction may commit after a later one, an entry is also re-rendered once it is
``MAX_AGE`` old; unchanged data renders to the same bytes and so keeps its ETag.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import math
import time
from dataclasses import dataclass

from directory.feed_tokens import ResolvedFeed
from directory.tables import ChangeEvent
from sync.feeds import render_feed

MAX_AGE = 60.0
MAX_ENTRIES = 1024


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


async def data_version() -> DataVersion:
    row = (
        await ChangeEvent.select(ChangeEvent.id, ChangeEvent.at)
        .order_by(ChangeEvent.id, ascending=False)
        .first()
    )
    if row is None:
        return DataVersion(0, None)
    return DataVersion(row["id"], row["at"].astimezone(dt.UTC))


class FeedCache:
    """Feeds per (scope, subject, detail); one render at a time per feed."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], RenderedFeed] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    async def get(self, feed: ResolvedFeed) -> RenderedFeed:
        key = (feed.scope, str(feed.subject_id), feed.detail)
        version = await data_version()
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
            latest = max(version.changed_at or midnight, midnight)
            entry = RenderedFeed(
                body=body,
                etag='"' + hashlib.sha256(body).hexdigest() + '"',
                latest_change=latest,
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
