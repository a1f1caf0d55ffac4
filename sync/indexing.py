"""The search index as an outbox consumer, and the full rebuild behind ``samverkan reindex``."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence

from directory.tables import ChangeEvent
from search import documents
from search.backend import Progress, SearchBackend
from sync.outbox import Change, OutboxWorker, advance, release, take_lease

CONSUMER = "search"
REINDEX_LEASE_SECONDS = 3600.0


def search_worker(backend: SearchBackend, interval: float = 0.2) -> OutboxWorker:
    """The worker that keeps ``backend`` current with the directory."""

    async def apply(changes: Sequence[Change]) -> None:
        selection = await documents.affected(
            (change.resource_type, change.resource_id) for change in changes
        )
        found, removed = await documents.build(selection)
        await backend.apply(found, removed)

    return OutboxWorker(CONSUMER, apply, interval=interval)


async def count_documents() -> int:
    """How many documents a rebuild will write (for a progress bar)."""
    return await documents.count_searchable()


async def reindex(backend: SearchBackend, progress: Progress | None = None) -> int:
    """Rebuild the whole index while holding the search consumer's lease, then move its cursor
    past every event the rebuild already covers. Returns the number of documents written."""
    written = 0

    def counted(count: int) -> None:
        nonlocal written
        written += count
        if progress is not None:
            progress(count)

    owner = secrets.token_hex(8)
    while await take_lease(CONSUMER, owner, REINDEX_LEASE_SECONDS) is None:
        await asyncio.sleep(0.5)  # a worker is applying a batch; it gives the lease back soon
    try:
        latest = (
            await ChangeEvent.select(ChangeEvent.id)
            .order_by(ChangeEvent.id, ascending=False)
            .first()
        )
        await backend.rebuild(documents.all_documents(), counted)
        await advance(CONSUMER, owner, latest["id"] if latest else 0)
    finally:
        await release(CONSUMER, owner)
    return written
