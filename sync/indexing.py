"""The search index as an outbox consumer, and the full rebuild behind ``samverkan reindex``."""

from __future__ import annotations

from collections.abc import Sequence

from directory.core.settings import get_settings
from directory.core.tables import ChangeEvent
from search import documents
from search.backend import Progress, SearchBackend
from sync.outbox import Change, Lease, OutboxWorker

CONSUMER = "search"


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
    past every event the rebuild already covers. Returns the number of documents written.

    A worker applying a batch gives the lease back within moments; a killed one's lease runs
    out after ``SAMVERKAN_OUTBOX_LEASE_SECONDS``, so this waits twice that and then raises
    :class:`~sync.outbox.LeaseBusy`."""
    written = 0

    def counted(count: int) -> None:
        nonlocal written
        written += count
        if progress is not None:
            progress(count)

    seconds = get_settings().outbox_lease_seconds
    lease = Lease(CONSUMER, seconds)
    async with lease.held(wait=2 * seconds):
        latest = (
            await ChangeEvent.select(ChangeEvent.id)
            .order_by(ChangeEvent.id, ascending=False)
            .first()
        )
        await backend.rebuild(documents.all_documents(), counted)
        await lease.advance(latest["id"] if latest else 0)
    return written
