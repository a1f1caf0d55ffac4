"""The Meilisearch adapter at the HTTP level, against a local server playing Meilisearch's API."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from directory.records.service import RecordService
from search.backend import SearchQuery, SearchRejected, SearchUnavailable
from search.document import Document
from search.meili import MeilisearchBackend, filters, quoted
from sync.indexing import reindex, search_worker
from sync.tables import OutboxCursor
from tests.conftest import run_async
from tests.search.conftest import ADMIN, PARTNER, SPECS, STAFF, create
from tests.search.fake_meilisearch import FakeServer


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as running:
        yield running


def _backend(server: FakeServer, timeout: int = 5) -> MeilisearchBackend:
    return MeilisearchBackend(server.url, "master-key", index="samverkan", timeout=timeout)


def _document(key: str, title: str, visibility: str = "public", **values: object) -> Document:
    return Document(
        key=f"organization-{key}",
        type="organization",
        id=key,
        title=title,
        visibility=visibility,
        **values,  # type: ignore[arg-type]
    )


def test_start_creates_the_index_with_settings_as_code(server: FakeServer) -> None:
    async def scenario() -> None:
        backend = _backend(server)
        await backend.start()
        await backend.close()

    run_async(scenario())
    assert server.fake.paths()[:3] == [
        "GET /indexes/samverkan",
        "POST /indexes",
        "GET /indexes/samverkan",
    ]
    create_index = server.fake.requests[1]
    assert create_index.body == {"uid": "samverkan", "primaryKey": "key"}
    assert create_index.headers["Authorization"] == "Bearer master-key"
    settings = server.fake.settings["samverkan"]
    assert settings["searchableAttributes"][0] == "title"
    assert set(settings["filterableAttributes"]) == {
        "type",
        "kind",
        "areas",
        "levels",
        "municipality",
        "networks",
        "visibility",
    }
    assert settings["sortableAttributes"] == ["title"]
    assert settings["rankingRules"][:2] == ["words", "typo"]
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert "våldsbejakande extremism" in settings["synonyms"]["vbe"]
    assert "valdsbejakande extremism" in settings["synonyms"]["vbe"]


def test_filter_values_are_escaped() -> None:
    hostile = 'x" OR visibility = "internal'
    assert quoted(hostile) == '"x\\" OR visibility = \\"internal"'
    query = SearchQuery(visibilities=PARTNER, kind=hostile, types=("contact",))
    assert filters(query) == [
        'visibility IN ["partners", "public"]',
        'type IN ["contact"]',
        'kind = "x\\" OR visibility = \\"internal"',
    ]


def test_hostile_filter_value_cannot_widen_results(server: FakeServer) -> None:
    async def scenario() -> tuple[int, int]:
        backend = _backend(server)
        await backend.start()
        await backend.apply([_document("1", "Hemligt", "internal", kind="x")], [])
        hostile = SearchQuery(visibilities=PARTNER, kind='x" OR visibility = "internal')
        plain = SearchQuery(visibilities=STAFF, kind="x")
        found = (await backend.search(hostile)).total, (await backend.search(plain)).total
        await backend.close()
        return found

    assert run_async(scenario()) == (0, 1)
    sent = [r.body for r in server.fake.requests if r.path.endswith("/search")]
    assert sent[0]["filter"][1] == 'kind = "x\\" OR visibility = \\"internal"'


def test_search_request_and_escaped_highlights(server: FakeServer) -> None:
    async def scenario() -> object:
        backend = _backend(server)
        await backend.start()
        await backend.apply(
            [_document("1", "<img src=x onerror=alert(1)>", areas=["school"], email="a@b.se")], []
        )
        result = await backend.search(
            SearchQuery(text="<img", visibilities=PARTNER, area="school", limit=5, offset=0)
        )
        await backend.close()
        return result

    result = run_async(scenario())
    request = next(r for r in server.fake.requests if r.path == "/indexes/samverkan/search")
    assert request.body["q"] == "<img"
    assert request.body["filter"] == ['visibility IN ["partners", "public"]', 'areas = "school"']
    assert request.body["facets"] == ["type", "kind", "areas", "levels", "municipality", "networks"]
    assert request.body["limit"] == 5
    assert request.body["attributesToHighlight"] == ["title", "subtitle"]
    hit = result.hits[0]  # type: ignore[attr-defined]
    assert hit.highlights["title"] == "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>"
    assert hit.email == "a@b.se"
    assert result.facets["area"] == {"school": 1}  # type: ignore[attr-defined]


def test_facet_search_is_filtered_by_visibility(server: FakeServer) -> None:
    async def scenario() -> object:
        backend = _backend(server)
        await backend.start()
        await backend.apply(
            [
                _document("1", "Hemligt", "internal", areas=["security"]),
                _document("2", "Öppet", "public", areas=["school", "social_services"]),
            ],
            [],
        )
        found = await backend.facet_search(SearchQuery(visibilities=PARTNER), "area", "s")
        await backend.close()
        return found

    values = run_async(scenario())
    assert sorted(value.value for value in values) == ["school", "social_services"]  # type: ignore[attr-defined]
    request = next(r for r in server.fake.requests if r.path.endswith("/facet-search"))
    assert request.body["facetName"] == "areas"
    assert request.body["facetQuery"] == "s"
    assert request.body["filter"] == ['visibility IN ["partners", "public"]']


def test_outbox_feeds_documents_and_removals(server: FakeServer) -> None:
    organization = create("organization", name="Fältgruppen", kind="internal")
    contact = create(
        "contact",
        organization_id=organization,
        name="Fältsekreterare",
        phones=[{"number": "08-578 29 100"}],
    )

    async def scenario() -> None:
        backend = _backend(server)
        await backend.start()
        await search_worker(backend).drain()
        await RecordService(SPECS["contact"], ADMIN).retire(uuid.UUID(contact), "*")
        await search_worker(backend).drain()
        await backend.close()

    run_async(scenario())
    added = next(r for r in server.fake.requests if r.path.endswith("/documents"))
    keys = {document["key"] for document in added.body}
    assert keys == {f"organization-{organization}", f"contact-{contact}"}
    phone = next(d for d in added.body if d["type"] == "contact")["phone_digits"]
    assert "57829100" in phone
    removed = next(r for r in server.fake.requests if r.path.endswith("/delete-batch"))
    assert removed.body == [f"contact-{contact}"]
    assert list(server.fake.indexes["samverkan"]) == [f"organization-{organization}"]


def test_rebuild_fills_a_new_index_then_swaps(server: FakeServer) -> None:
    create("organization", name="Polisen", kind="authority")

    async def scenario() -> int:
        backend = _backend(server)
        await backend.start()
        await backend.apply([_document("stale", "Gammal")], [])
        written = await reindex(backend)
        await backend.close()
        return written

    assert run_async(scenario()) == 1
    paths = server.fake.paths()
    fresh = next(
        r.body["uid"]
        for r in server.fake.requests[3:]
        if r.path == "/indexes" and r.method == "POST"
    )
    assert fresh.startswith("samverkan-")
    assert f"POST /indexes/{fresh}/documents" in paths
    swap = next(r for r in server.fake.requests if r.path == "/swap-indexes")
    assert swap.body == [{"indexes": ["samverkan", fresh]}]
    assert paths.index("POST /swap-indexes") < paths.index(f"DELETE /indexes/{fresh}")
    assert [d["title"] for d in server.fake.indexes["samverkan"].values()] == ["Polisen"]
    assert fresh not in server.fake.indexes


def test_rebuild_deletes_what_a_killed_rebuild_left(server: FakeServer) -> None:
    create("organization", name="Polisen", kind="authority")
    server.fake.indexes["samverkan-0badc0de"] = {"half": {"key": "half"}}
    server.fake.indexes["samverkan-other"] = {}  # not a rebuild's name: kept

    async def scenario() -> None:
        backend = _backend(server)
        await backend.start()
        await reindex(backend)
        await backend.close()

    run_async(scenario())
    assert "DELETE /indexes/samverkan-0badc0de" in server.fake.paths()
    assert set(server.fake.indexes) == {"samverkan", "samverkan-other"}


@pytest.mark.parametrize(("status", "error"), [(503, SearchUnavailable), (400, SearchRejected)])
def test_errors_map_to_the_interface(
    server: FakeServer, status: int, error: type[Exception]
) -> None:
    server.fake.fail_with = status

    async def scenario() -> None:
        backend = _backend(server)
        try:
            await backend.search(SearchQuery(text="x", visibilities=STAFF))
        finally:
            await backend.close()

    with pytest.raises(error):
        run_async(scenario())


def test_timeout_and_unreachable_server_are_unavailable(server: FakeServer) -> None:
    server.fake.delay = 2.0

    async def slow() -> None:
        backend = _backend(server, timeout=1)
        try:
            await backend.search(SearchQuery(text="x", visibilities=STAFF))
        finally:
            await backend.close()

    with pytest.raises(SearchUnavailable):
        run_async(slow())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    async def unreachable() -> None:
        backend = MeilisearchBackend(f"http://127.0.0.1:{closed_port}", index="samverkan")
        try:
            await backend.search(SearchQuery(text="x", visibilities=STAFF))
        finally:
            await backend.close()

    with pytest.raises(SearchUnavailable):
        run_async(unreachable())


def test_failed_task_is_rejected(server: FakeServer) -> None:
    server.fake.task_status = "failed"

    async def scenario() -> None:
        backend = _backend(server)
        try:
            await backend.apply([_document("1", "Något")], [])
        finally:
            await backend.close()

    with pytest.raises(SearchRejected):
        run_async(scenario())


def test_changes_wait_in_the_outbox_while_meilisearch_is_down(server: FakeServer) -> None:
    server.fake.fail_with = 503
    organization = create("organization", name="Fritidsgården", kind="internal")

    async def attempt() -> None:
        backend = _backend(server)
        try:
            await search_worker(backend).drain()
        finally:
            await backend.close()

    with pytest.raises(SearchUnavailable):
        run_async(attempt())
    cursor = run_async(OutboxCursor.select().where(OutboxCursor.consumer == "search").first())
    assert cursor["last_id"] == 0
    server.fake.fail_with = None
    run_async(attempt())
    assert list(server.fake.indexes["samverkan"]) == [f"organization-{organization}"]
