"""Fixtures for search tests: a backend per test, the demo directory, and small records.

``backend`` is the embedded backend, plus Meilisearch when ``MEILI_URL`` points at a real
server; every behaviour test runs against each.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from directory.core.access import Principal, Role
from directory.core.tables import ChangeEvent
from directory.demo.loader import load_demo_if_empty
from directory.records.resources import ALL_RESOURCES
from directory.records.service import RecordService
from search.backend import SearchBackend, SearchQuery, SearchResult
from search.embedded import EmbeddedBackend
from search.synonyms import seed_default_synonyms
from sync.indexing import CONSUMER, search_worker
from sync.tables import OutboxCursor
from tests.conftest import run_async
from tests.directory.conftest import auth, client

__all__ = ["auth", "client"]

ADMIN = Principal(uuid.uuid4(), "search-test-admin", Role.ADMIN)
STAFF = ("internal", "partners", "public")
PARTNER = ("partners", "public")
SPECS = {spec.name: spec for spec in ALL_RESOURCES}
MEILI_URL = os.environ.get("MEILI_URL", "")


@pytest.fixture(autouse=True)
def default_synonyms() -> None:
    """The synonyms a fresh installation has (the data migration's rows are cleaned per test)."""
    run_async(seed_default_synonyms())


def _meili_backend() -> SearchBackend:
    from search.meili import MeilisearchBackend

    return MeilisearchBackend(
        MEILI_URL,
        os.environ.get("MEILI_MASTER_KEY", ""),
        index=f"samverkan-test-{secrets.token_hex(4)}",
    )


@pytest.fixture(params=["embedded", "meilisearch"])
def backend(request: pytest.FixtureRequest) -> Iterator[SearchBackend]:
    if request.param == "meilisearch":
        if not MEILI_URL:
            pytest.skip("MEILI_URL is not set: no Meilisearch server to run the suite against")
        chosen = _meili_backend()
    else:
        chosen = EmbeddedBackend()
    run_async(chosen.start())
    yield chosen
    if request.param == "meilisearch":
        run_async(chosen.drop())  # type: ignore[attr-defined]
    run_async(chosen.close())


def create(resource: str, **values: Any) -> str:
    """Create a record through the directory's own service, as an admin; returns its id."""
    spec = SPECS[resource]
    record = run_async(RecordService(spec, ADMIN).create(msgspec.convert(values, spec.create)))
    return str(record.id)


def drain(backend: SearchBackend, seconds: float = 10) -> int:
    """Apply the waiting changes to ``backend``; if another worker (an app's own) holds the
    search consumer's lease, wait until it has applied everything instead. Returns how many
    this call applied."""
    applied = 0
    deadline = time.monotonic() + seconds
    while True:
        applied += int(run_async(search_worker(backend).drain()))
        if run_async(_caught_up()) or time.monotonic() > deadline:
            return applied
        time.sleep(0.02)


async def _caught_up() -> bool:
    latest = (
        await ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id, ascending=False).first()
    )
    cursor = await OutboxCursor.select().where(OutboxCursor.consumer == CONSUMER).first()
    return latest is None or (
        cursor is not None and cursor["last_id"] >= latest["id"] and not cursor["leased_by"]
    )


def search(
    backend: SearchBackend, text: str, visibilities: tuple[str, ...] = STAFF, **filters: Any
) -> SearchResult:
    query = SearchQuery(text=text, visibilities=visibilities, **filters)
    result: SearchResult = run_async(backend.search(query))
    return result


def titles(result: SearchResult) -> list[str]:
    return [hit.title for hit in result.hits]


@pytest.fixture
def demo(backend: SearchBackend) -> SearchBackend:
    """The demo directory, indexed through the outbox."""
    run_async(load_demo_if_empty())
    drain(backend)
    return backend
