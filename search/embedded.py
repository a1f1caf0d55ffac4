"""The embedded backend: no server, the configured database (SQLite or PostgreSQL) as store.

Documents are stored as rows of :class:`~search.tables.SearchEntry`; each process matches in
Python over an :class:`~search.index.InMemoryIndex` that it brings up to date before every
search by reading the rows written since (``seq`` greater than the last one it saw). Every
write (a batch from the outbox worker, a rebuild) is one transaction that first locks out other
writers of the table (``BEGIN IMMEDIATE`` on SQLite, a table lock on PostgreSQL that readers do
not wait for), so ``seq`` rises in commit order and no process misses a row, even if two workers
ever overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from typing import Any

import asyncpg
import msgspec
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from directory.core.database import engine, transaction
from search.backend import (
    FacetValue,
    Progress,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)
from search.documents import Document
from search.index import InMemoryIndex
from search.synonyms import synonym_mapping
from search.tables import SearchEntry

SYNONYM_REFRESH_SECONDS = 1.0
_INSERT_BATCH = 500
_decode = msgspec.json.Decoder(Document).decode
_encode = msgspec.json.Encoder().encode


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self) -> None:
        self.index = InMemoryIndex()
        self._seq = 0
        self._synonyms_at = -SYNONYM_REFRESH_SECONDS
        self._lock = asyncio.Lock()
        self._probe: sqlite3.Connection | None = None

    async def start(self) -> None:
        await self.refresh()

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def _latest_on_sqlite(self) -> int | None:
        """The highest ``seq`` read over a kept-open SQLite connection, or ``None`` on
        PostgreSQL. Piccolo opens a connection (and a thread) per query on SQLite, which costs
        more than the search itself; this indexed read takes microseconds and, in WAL mode,
        never waits for a writer."""
        db = engine()
        if not isinstance(db, SQLiteEngine):
            return None
        if self._probe is None:
            self._probe = sqlite3.connect(
                db.connection_kwargs["database"], check_same_thread=False, timeout=1
            )
        row = self._probe.execute("SELECT coalesce(max(seq), 0) FROM search_entry").fetchone()
        return int(row[0])

    async def refresh(self) -> None:
        """Apply the rows stored since the last refresh; reload synonyms once a second."""
        async with self._lock:
            try:
                synonyms_due = time.monotonic() - self._synonyms_at >= SYNONYM_REFRESH_SECONDS
                latest = self._latest_on_sqlite()
                if latest is not None and latest <= self._seq and not synonyms_due:
                    return
                rows = (
                    await SearchEntry.select(
                        SearchEntry.key, SearchEntry.seq, SearchEntry.deleted, SearchEntry.data
                    )
                    .where(SearchEntry.seq > self._seq)
                    .order_by(SearchEntry.seq)
                )
                if synonyms_due:
                    self.index.set_synonyms(await synonym_mapping())
                    self._synonyms_at = time.monotonic()
            except (OSError, sqlite3.Error, asyncpg.PostgresError) as error:
                raise SearchUnavailable(f"search table unreadable: {error}") from error
            # ``key`` is unique in the table, so a batch names each document at most once.
            for row in rows:
                if row["deleted"]:
                    self.index.remove(row["key"])
            self.index.load(_decode(row["data"]) for row in rows if not row["deleted"])
            if rows:
                self._seq = rows[-1]["seq"]

    async def search(self, query: SearchQuery) -> SearchResult:
        await self.refresh()
        return self.index.search(query)

    async def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int = 10
    ) -> list[FacetValue]:
        await self.refresh()
        return self.index.facet_search(query, facet, prefix, limit)

    async def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        self.index.set_synonyms(mapping)
        self._synonyms_at = time.monotonic()

    async def _next_seq(self) -> int:
        row = (
            await SearchEntry.select(SearchEntry.seq)
            .order_by(SearchEntry.seq, ascending=False)
            .first()
        )
        return (row["seq"] if row else 0) + 1

    async def apply(self, documents: Sequence[Document], removed: Sequence[str]) -> None:
        if not documents and not removed:
            return
        async with _writing():
            await self._apply(documents, removed)

    async def _apply(self, documents: Sequence[Document], removed: Sequence[str]) -> None:
        seq = await self._next_seq()
        keys = [document.key for document in documents] + list(removed)
        for start in range(0, len(keys), _INSERT_BATCH):
            await SearchEntry.delete().where(
                SearchEntry.key.is_in(keys[start : start + _INSERT_BATCH])
            )
        rows = [_row(document, seq) for document in documents]
        rows += [SearchEntry(key=key, seq=seq, deleted=True) for key in dict.fromkeys(removed)]
        for start in range(0, len(rows), _INSERT_BATCH):
            await SearchEntry.insert(*rows[start : start + _INSERT_BATCH])

    async def rebuild(
        self, batches: AsyncIterable[Sequence[Document]], progress: Progress | None = None
    ) -> None:
        """Replace every row in one transaction (a rebuild cut short changes nothing); keys that
        no longer have a document are left as deletions."""
        async with _writing():
            await self._rebuild(batches, progress)

    async def _rebuild(
        self, batches: AsyncIterable[Sequence[Document]], progress: Progress | None
    ) -> None:
        seq = await self._next_seq()
        old = {row["key"] for row in await SearchEntry.select(SearchEntry.key)}
        await SearchEntry.delete(force=True)
        async for batch in batches:
            await _insert([_row(document, seq) for document in batch])
            old -= {document.key for document in batch}
            if progress is not None:
                progress(len(batch))
        await _insert([SearchEntry(key=key, seq=seq, deleted=True) for key in old])


@contextlib.asynccontextmanager
async def _writing() -> AsyncIterator[None]:
    """A transaction that is the table's only writer until it commits."""
    async with transaction(ordered=False):
        if isinstance(engine(), PostgresEngine):
            await SearchEntry.raw("LOCK TABLE search_entry IN SHARE ROW EXCLUSIVE MODE")
        yield


def _row(document: Document, seq: int) -> SearchEntry:
    return SearchEntry(
        key=document.key, seq=seq, visibility=document.visibility, data=_encode(document).decode()
    )


async def _insert(rows: list[Any]) -> None:
    for start in range(0, len(rows), _INSERT_BATCH):
        await SearchEntry.insert(*rows[start : start + _INSERT_BATCH])
