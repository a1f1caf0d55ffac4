"""The embedded backend's own promises: readers share the on-disk index with the writer, a
rebuild swaps a new generation in without a search waiting or failing, a running worker picks
up synonyms saved elsewhere, compounds split by Koehn and Knight's rule, and a query with no
hits suggests a near one."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import tantivy

from directory.demo.loader import load_demo_if_empty
from search.backend import SearchQuery
from search.documents import all_documents
from search.embedded import SYNONYM_REFRESH_SECONDS, EmbeddedBackend
from search.engine import stored, title_key
from search.matching import split_compound
from search.synonyms import delete_synonym, save_synonym
from sync.indexing import reindex
from tests.conftest import run_async
from tests.search.conftest import STAFF, create, drain, search, titles


def test_another_reader_sees_each_commit_of_the_writer(tmp_path: Path) -> None:
    writer, reader = EmbeddedBackend(tmp_path), EmbeddedBackend(tmp_path)
    assert search(reader, "fältgruppen").total == 0
    create("organization", name="Fältgruppen", kind="internal")
    drain(writer)
    assert titles(search(reader, "fältgruppen")) == ["Fältgruppen"]
    create("organization", name="Fältgruppen Syd", kind="internal")
    drain(writer)
    assert titles(search(reader, "fältgruppen")) == ["Fältgruppen", "Fältgruppen Syd"]


def test_a_rebuild_swaps_generations_while_searches_keep_answering(tmp_path: Path) -> None:
    run_async(load_demo_if_empty())
    writer, reader = EmbeddedBackend(tmp_path), EmbeddedBackend(tmp_path)
    run_async(reindex(writer))
    first = writer.store.live_name()
    before = search(reader, "socialjouren").total

    async def rebuild_while_searching() -> list[int]:
        totals: list[int] = []
        task = asyncio.create_task(reindex(writer))
        while not task.done():
            query = SearchQuery(text="socialjouren", visibilities=STAFF)
            totals.append((await reader.search(query)).total)
            await asyncio.sleep(0.02)
        await task
        return totals

    totals = run_async(rebuild_while_searching())
    assert totals and set(totals) == {before}, "a search failed or saw a half-built index"
    assert writer.store.live_name() != first
    run_async(reindex(writer))
    generations = [path for path in tmp_path.iterdir() if path.is_dir()]
    assert len(generations) == 2, "more than the live and the previous generation were kept"
    assert search(reader, "socialjouren").total == before


def test_a_rebuild_cut_short_leaves_the_live_index(tmp_path: Path) -> None:
    run_async(load_demo_if_empty())
    backend = EmbeddedBackend(tmp_path)
    run_async(reindex(backend))
    live, count = backend.store.live_name(), backend.count()

    async def failing() -> None:
        async def batches():  # type: ignore[no-untyped-def]
            async for batch in all_documents():
                yield batch
                raise RuntimeError("the database went away")

        await backend.rebuild(batches())

    with contextlib.suppress(RuntimeError):
        run_async(failing())
    assert backend.store.live_name() == live
    assert backend.count() == count


def test_a_rebuild_stores_each_type_in_title_order(tmp_path: Path) -> None:
    """Neighbours in title order, the hits a page shows together, sit together in the document
    store (fewer of its pages mapped per worker; benchmarks/search.py)."""
    names = ["Örby fritidsgård", "Åby skola", "Bollmora skola", "Vendelsö skola", "Alby skola"]
    for name in names:  # created out of order, with random ids
        create("organization", name=name, kind="internal")
    writer = EmbeddedBackend(tmp_path)
    run_async(reindex(writer))
    searcher = writer.store.searcher()
    assert searcher is not None and searcher.num_docs == len(names)
    in_store = [stored(searcher, tantivy.DocAddress(0, n)).title for n in range(len(names))]
    assert [title_key(title) for title in in_store] == sorted(title_key(name) for name in names)


def test_a_synonym_saved_by_another_worker_reaches_a_running_one(tmp_path: Path) -> None:
    create("organization", name="Kultur- och fritidsförvaltningen", kind="internal")
    drain(EmbeddedBackend(tmp_path))

    async def other_worker_saves() -> tuple[int, list[str]]:
        worker = EmbeddedBackend(tmp_path)
        await worker.start()
        query = SearchQuery(text="KFF", visibilities=STAFF)
        before = (await worker.search(query)).total
        await save_synonym("KFF", ["kultur- och fritidsförvaltningen"])
        try:
            deadline = time.monotonic() + 5 * SYNONYM_REFRESH_SECONDS
            while not (found := await worker.search(query)).total and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            await delete_synonym("KFF")
            await worker.close()
        return before, [hit.title for hit in found.hits]

    before, found = run_async(other_worker_saves())
    assert before == 0
    assert found == ["Kultur- och fritidsförvaltningen"]


def _demo() -> EmbeddedBackend:
    run_async(load_demo_if_empty())
    backend = EmbeddedBackend()
    drain(backend)
    return backend


def test_no_hits_suggest_a_near_query() -> None:
    backend = _demo()
    result = search(backend, "polsein")
    assert result.total == 0
    assert result.suggestion == "polisen"
    assert search(backend, "xyzzy").suggestion == ""


def test_searches_stay_fast_on_the_demo() -> None:
    backend = _demo()
    began = time.perf_counter()
    for text in ("soc", "socai", "jour", "08-527 44 290", "avhopparverksamhet", "1"):
        search(backend, text)
    assert time.perf_counter() - began < 2


def test_a_compound_splits_only_where_its_halves_are_likelier_than_the_whole() -> None:
    documents = {"skola": 40, "skolkuratorer": 1, "kurator": 6, "förebyggande": 25, "bygget": 2}

    def starting(start: str) -> int:
        return sum(count for word, count in documents.items() if word.startswith(start))

    assert split_compound("skolkurator", starting) == ("skol", "kurator")
    assert split_compound("förebygg", starting) is None
    assert split_compound("avhoppare", starting) is None
