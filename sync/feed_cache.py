"""Rendered feeds and resolved tokens kept in memory, checked against two versions.

The data version is the newest outbox event (``change_event``: every directory and meeting
write, feed-token revocations included, appends one in its own transaction), so a warm feed or
a 304 costs one indexed query. On SQLite that query runs on one long-lived connection, as
opening a connection costs more than the query. When it moved, or the day changed, or the entry
is ``MAX_AGE`` old (a PostgreSQL transaction may commit after a later one), the feed's own
version (:func:`sync.feed_render.fingerprint`) decides: unchanged, the cached bytes stay; only
a feed whose meetings or names changed is rendered again, from per-meeting fragments. The
version, the listing and the series are read in one snapshot, on a kept connection on SQLite.
The ETag and since when the feed has had it (its Last-Modified) are kept in ``feed_version``,
written after the response.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

from directory.core.database import engine
from directory.core.tables import ChangeEvent
from directory.meetings.feed_tokens import (
    ResolvedFeed,
    hash_feed_token,
    note_feed_use,
    resolve_feed_token,
)
from sync.feed_render import FragmentCache, fingerprint, render, scope_of
from sync.feed_tables import FeedVersion

MAX_AGE = 60.0
MAX_ENTRIES = 1024
MAX_CHANGES_READ = 500
MAX_IDLE_CONNECTIONS = 4
_NEWEST_CHANGE = "SELECT id, at FROM change_event ORDER BY id DESC LIMIT 1"
_CHANGES = (
    "SELECT resource_type, resource_id FROM change_event WHERE id > ? AND id <= ? "
    "ORDER BY id LIMIT ?"
)
Change = tuple[str, str]
"""An outbox event's resource type and id (as text)."""
FeedKey = tuple[str, str, str]
"""A feed's scope, subject and detail level."""


@dataclass(frozen=True)
class DataVersion:
    change_id: int
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    latest_change: dt.datetime
    """Since when the feed has had these bytes (``feed_version.changed_at``)."""
    version: DataVersion
    day: dt.date
    rendered_at: float
    """When the entry was last checked against the feed's own version (monotonic clock)."""
    fingerprint: str = ""

    @property
    def last_modified(self) -> dt.datetime:
        """``latest_change`` rounded up to the second, as HTTP dates have no fractions."""
        return dt.datetime.fromtimestamp(math.ceil(self.latest_change.timestamp()), dt.UTC)


class _KeptTransaction(SQLiteTransaction):
    """A Piccolo read transaction on a connection that stays open after it."""

    def __init__(self, db: SQLiteEngine, connection: Any) -> None:
        super().__init__(db, allow_nested=False)
        self._kept = connection

    async def get_connection(self) -> Any:
        return self._kept

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        await self._kept.execute("COMMIT" if exception is None else "ROLLBACK")
        self.engine.current_transaction.reset(self.context)
        return exception is None


class VersionReader:
    """Reads the newest outbox event and the rows of a render; keeps its read connections open
    on SQLite, where opening one costs more than the queries of a render.

    The last range of :meth:`changes` is remembered: a poll after a write asks for the same
    range twice (may the token still be trusted, does the write touch the feed)."""

    def __init__(self) -> None:
        self._connection: Any = None
        self._idle: list[Any] = []
        self._last: tuple[int, int, list[Change] | None] | None = None

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        """The Piccolo queries inside see one snapshot of the data, so a feed's version and the
        rows it is rendered from agree: a read transaction on a kept connection on SQLite (one
        per render at a time, so :meth:`read` never sees a render's older snapshot), a
        ``REPEATABLE READ`` one on PostgreSQL."""
        db = engine()
        if not isinstance(db, SQLiteEngine):
            async with db.transaction():
                await db.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield
            return
        connection = self._idle.pop() if self._idle else await db.get_connection()
        try:
            async with _KeptTransaction(db, connection):
                yield
        except BaseException:
            await connection.close()
            raise
        if len(self._idle) < MAX_IDLE_CONNECTIONS:
            self._idle.append(connection)
        else:
            await connection.close()

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

    async def changes(self, since: DataVersion, until: DataVersion) -> list[Change] | None:
        """The outbox events after ``since`` up to ``until``; None when there are too many to
        be worth reading (the caller then checks the feed's own version)."""
        if self._last is not None and self._last[:2] == (since.change_id, until.change_id):
            return self._last[2]
        db = engine()
        if isinstance(db, SQLiteEngine):
            if self._connection is None:
                self._connection = await db.get_connection()
            async with self._connection.execute(
                _CHANGES, (since.change_id, until.change_id, MAX_CHANGES_READ + 1)
            ) as cursor:
                rows = [
                    (r["resource_type"], str(r["resource_id"])) for r in await cursor.fetchall()
                ]
        else:
            found = (
                await ChangeEvent.select(ChangeEvent.resource_type, ChangeEvent.resource_id)
                .where((ChangeEvent.id > since.change_id) & (ChangeEvent.id <= until.change_id))
                .order_by(ChangeEvent.id)
                .limit(MAX_CHANGES_READ + 1)
            )
            rows = [(row["resource_type"], str(row["resource_id"])) for row in found]
        result = None if len(rows) > MAX_CHANGES_READ else rows
        self._last = (since.change_id, until.change_id, result)
        return result

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
        while self._idle:
            await self._idle.pop().close()


def touches(feed: ResolvedFeed, changes: list[Change]) -> bool:
    """Whether any of the writes may change what the feed shows: any meeting, or the record
    the feed is named after or whose people it follows."""
    subject = str(feed.subject_id)
    for kind, resource in changes:
        if kind == "meeting":
            return True
        if kind == "network" and feed.scope == "network" and resource == subject:
            return True
        if kind == "organization" and (
            feed.scope == "contact" or (feed.scope == "organization" and resource == subject)
        ):
            return True
        if kind == "contact" and (
            feed.scope == "organization" or (feed.scope == "contact" and resource == subject)
        ):
            return True
    return False


def _revokes_tokens(changes: list[Change] | None) -> bool:
    return changes is None or any(kind == "feed_token" for kind, _ in changes)


class FeedCache:
    """Tokens and feeds per (scope, subject, detail); one render at a time per feed."""

    def __init__(self) -> None:
        self.versions = VersionReader()
        self._tokens: dict[str, tuple[DataVersion, ResolvedFeed]] = {}
        self._entries: dict[FeedKey, RenderedFeed] = {}
        self._locks: dict[FeedKey, asyncio.Lock] = {}
        self._saving = asyncio.Lock()
        self.unsaved: dict[FeedKey, tuple[str, str, dt.datetime]] = {}
        """Per feed, the fingerprint, ETag and since-when not yet in ``feed_version``."""
        self.fragments = FragmentCache()
        self.renders = 0
        """How many times a feed was rendered (for tests and benchmarks)."""

    async def resolve(self, token: str) -> tuple[ResolvedFeed | None, DataVersion]:
        """The token's feed; a known token is trusted until the data version moves (a
        revocation is a write, so it moves the version)."""
        version = await self.versions.read()
        key = hash_feed_token(token)
        cached = self._tokens.get(key)
        feed = None
        if cached is not None and (
            cached[0] == version
            or not _revokes_tokens(await self.versions.changes(cached[0], version))
        ):
            feed = cached[1]
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
        if entry is not None and await self._untouched(entry, feed, version, day):
            entry = replace(entry, version=version)
            self._entries[key] = entry
            return entry
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock, self.versions.snapshot():
            entry = self._entries.get(key)
            if entry is not None and self._fresh(entry, version, day):
                return entry
            scope = await scope_of(feed, day)
            current = await fingerprint(scope)
            if entry is not None and entry.fingerprint == current:
                entry = replace(entry, version=version, day=day, rendered_at=time.monotonic())
            else:
                self.renders += 1
                body, _ = await render(scope, self.fragments)
                etag = '"' + hashlib.sha256(body).hexdigest() + '"'
                entry = RenderedFeed(
                    body=body,
                    etag=etag,
                    latest_change=await self._since(key, current, etag, entry),
                    version=version,
                    day=day,
                    rendered_at=time.monotonic(),
                    fingerprint=current,
                )
            if key not in self._entries and len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = entry
            return entry

    async def _since(
        self, key: FeedKey, current: str, etag: str, previous: RenderedFeed | None
    ) -> dt.datetime:
        """Since when the feed has had ``etag``: kept if it had it before (here or, as
        ``feed_version`` says, in another process), else now; what changed waits in
        :attr:`unsaved` for :meth:`save`. ``feed_version`` is only trusted when this process
        has nothing unsaved for the feed, so a Last-Modified never moves back."""
        stored = None
        if key not in self.unsaved and (previous is None or previous.etag != etag):
            stored = await FeedVersion.objects().get(FeedVersion.feed == ":".join(key))
        if previous is not None and previous.etag == etag:
            since = previous.latest_change
        elif stored is not None and stored.etag == etag:
            since = stored.changed_at.astimezone(dt.UTC)
        else:
            since = dt.datetime.now(dt.UTC)
        if stored is None or (stored.etag, stored.fingerprint) != (etag, current):
            self.unsaved[key] = (current, etag, since)
        return since

    async def save(self) -> None:
        """Write the versions rendered since the last call to ``feed_version``; the route
        calls it after the response, so a render costs the client no write. One writer at a
        time, and a feed leaves :attr:`unsaved` only once its newest version is written."""
        async with self._saving:
            while self.unsaved:
                key, version = next(iter(self.unsaved.items()))
                current, etag, since = version
                await FeedVersion.insert(
                    FeedVersion(
                        feed=":".join(key), fingerprint=current, etag=etag, changed_at=since
                    )
                ).on_conflict(
                    target=FeedVersion.feed,
                    action="DO UPDATE",
                    values=[FeedVersion.fingerprint, FeedVersion.etag, FeedVersion.changed_at],
                )
                if self.unsaved.get(key) is version:
                    del self.unsaved[key]

    async def close(self) -> None:
        await self.save()
        await self.versions.close()

    async def _untouched(
        self, entry: RenderedFeed, feed: ResolvedFeed, version: DataVersion, day: dt.date
    ) -> bool:
        """Whether only writes no feed of this kind shows came since the entry was checked.

        On SQLite writes commit in the order of their event ids, so the events read are all
        there are; on PostgreSQL a lower id may commit later, so after ``MAX_AGE`` the feed's
        own version is checked instead."""
        if entry.day != day:
            return False
        if (
            not isinstance(engine(), SQLiteEngine)
            and time.monotonic() - entry.rendered_at >= MAX_AGE
        ):
            return False
        changes = await self.versions.changes(entry.version, version)
        return changes is not None and not touches(feed, changes)

    @staticmethod
    def _fresh(entry: RenderedFeed, version: DataVersion, day: dt.date) -> bool:
        return (
            entry.version == version
            and entry.day == day
            and time.monotonic() - entry.rendered_at < MAX_AGE
        )
