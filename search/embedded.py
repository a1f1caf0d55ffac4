"""The embedded backend: no server, a tantivy index on disk (see :mod:`search.engine`) with
the project's query layer on top (:mod:`search.matching`).

Every process reads the same files; only the process applying the search consumer's outbox
batch (or ``samverkan reindex``) writes, and writes run in a thread so that searches served by
the same process never wait for them. Synonyms are data in the database, read again once a
second, so an admin's edit reaches every worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import tantivy

from directory.core.settings import get_settings
from search.backend import (
    FACETS,
    FacetValue,
    Hit,
    Progress,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    unsearchable,
)
from search.document import Document
from search.engine import SCHEMA, IndexStore, engine_document, stored, title_key
from search.highlight import composed, highlight, snippet
from search.matching import (
    COVERING,
    TYPO_SCOPES,
    Scope,
    Synonyms,
    Unit,
    exact_title,
    marker,
    split_compound,
    tier_query,
    units,
)
from search.synonyms import synonym_mapping
from search.text import edit_distance, fold, query_terms, typo_budget, words

SYNONYM_REFRESH_SECONDS = 1.0
_FACET_SIZE = 1000
MIN_COMPOUND = 7
Query = tantivy.Query
Occur = tantivy.Occur


def index_root() -> Path:
    return get_settings().data_dir / "search-index"


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, root: Path | None = None) -> None:
        self.store = IndexStore(root or index_root())
        self.synonyms = Synonyms()
        self._writing = asyncio.Lock()
        self._synonyms_at = -SYNONYM_REFRESH_SECONDS

    async def start(self) -> None:
        await self._refresh_synonyms()
        self._searcher()

    async def close(self) -> None:
        return None

    async def _refresh_synonyms(self) -> None:
        if time.monotonic() - self._synonyms_at < SYNONYM_REFRESH_SECONDS:
            return
        try:
            mapping = await synonym_mapping()
        except Exception as error:  # the database is down: keep the synonyms we have
            raise SearchUnavailable(f"synonyms unreadable: {error}") from error
        await self.set_synonyms(mapping)

    async def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        self.synonyms = Synonyms.of(mapping)
        self._synonyms_at = time.monotonic()

    def _searcher(self) -> tantivy.Searcher | None:
        try:
            return self.store.searcher()
        except (OSError, ValueError) as error:
            raise SearchUnavailable(f"search index unreadable: {error}") from error

    def count(self) -> int:
        """Documents in the live index (what a rebuild wrote, plus changes since)."""
        searcher = self._searcher()
        return 0 if searcher is None else int(searcher.num_docs)

    def keys(self) -> set[str]:
        """The keys of every document in the live index (for checks, not for serving)."""
        searcher = self._searcher()
        if searcher is None or not searcher.num_docs:
            return set()
        found = searcher.search(Query.all_query(), searcher.num_docs, count=False)
        return {stored(searcher, address).key for _, address in found.hits}

    async def search(self, query: SearchQuery) -> SearchResult:
        await self._refresh_synonyms()
        searcher = self._searcher()
        if (nothing := unsearchable(query)) is not None:
            return nothing
        if searcher is None:
            return SearchResult(hits=[], total=0, facets=_empty_facets())
        return _Search(searcher, query, self.synonyms).run()

    async def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int = 10
    ) -> list[FacetValue]:
        result = await self.search(query)
        wanted = fold(prefix)
        values = [
            FacetValue(value, count)
            for value, count in result.facets.get(facet, {}).items()
            if fold(value).startswith(wanted)
        ]
        return sorted(values, key=lambda value: (-value.count, value.value))[:limit]

    async def apply(self, documents: Sequence[Document], removed: Sequence[str]) -> None:
        if not documents and not removed:
            return
        async with self._writing:
            try:
                await asyncio.to_thread(self.store.write, documents, removed)
            except (OSError, ValueError) as error:
                raise SearchUnavailable(f"search index not writable: {error}") from error

    async def rebuild(
        self, batches: AsyncIterable[Sequence[Document]], progress: Progress | None = None
    ) -> None:
        """Build a new generation beside the live one, then swap (searches keep answering
        from the live one meanwhile; a rebuild cut short changes nothing).

        Each batch is written in title order: hits are shown in title order, so a page's
        documents then sit side by side in the document store, and a worker maps fewer of its
        pages (at 300,000 entries the busy worker of ``benchmarks/search.py`` mapped 17 MB
        less, 58 to 41 MB)."""
        async with self._writing:
            with self.store.building() as writer:
                async for batch in batches:
                    await asyncio.to_thread(_add_all, writer, batch)
                    if progress is not None:
                        progress(len(batch))
                await asyncio.to_thread(writer.commit)


def _add_all(writer: tantivy.IndexWriter, batch: Sequence[Document]) -> None:
    for document in sorted(batch, key=lambda document: title_key(document.title)):
        writer.add_document(engine_document(document))


def _total(found: tantivy.SearchResult) -> int:
    """How many documents matched (tantivy-py's stubs leave ``count`` out)."""
    return int(cast(Any, found).count)


def _empty_facets() -> dict[str, dict[str, int]]:
    return {name: {} for name in FACETS}


class _Search:
    """One query against one searcher (a consistent view of the index)."""

    def __init__(self, searcher: tantivy.Searcher, query: SearchQuery, synonyms: Synonyms):
        self.searcher = searcher
        self.query = query
        self.synonyms = synonyms
        self.units = self._with_compounds(units(query.text, synonyms))

    def _frequency(self, start: str) -> int:
        """About how many documents have a word starting with ``start`` (a document with two
        such words counts twice; deleted ones until a merge), from the term dictionaries."""
        return sum(
            count
            for name in ("title", "subtitle", "body")
            for _, count in self.searcher.terms_with_prefix(name, start)
        )

    def _with_compounds(self, found: list[Unit]) -> list[Unit]:
        """A word that no document has (whole or as a prefix) gets more typos (see
        :class:`~search.matching.Unit`). A long compound that no title or subtitle has also
        finds its halves, both together and the rarer one alone, when even typos find
        nothing or when only descriptions have it and the split is likelier than the whole
        (:func:`~search.matching.split_compound`: ``skolkurator`` in one training's audience
        must not hide the school's counsellors, ``kurator`` at a school)."""
        result: list[Unit] = []
        for unit in found:
            word = unit.words[0]
            if (
                unit.phone
                or self._in_title(unit)
                or self._count(tier_query([unit], Scope.ROLE_PREFIX))
            ):
                result.append(unit)
                continue
            clean = self._count(tier_query([unit], Scope.CLEAN))
            if not clean:
                unit = dataclasses.replace(unit, typo_prefix=unit.typed, typos=True)
            compound = len(unit.words) == 1 and len(word) >= MIN_COMPOUND and word.isalpha()
            if compound and (clean or not self._count(tier_query([unit], Scope.ANY))):
                halves = split_compound(word, self._frequency)
                if halves is not None:
                    alternatives = (*unit.alternatives, *self._halves(halves))
                    unit = dataclasses.replace(unit, alternatives=alternatives)
            result.append(unit)
        return result

    def _in_title(self, unit: Unit) -> bool:
        """Whether a title or subtitle has the one word of ``unit`` (or, typed, a word
        starting with it), read from the term dictionary rather than by a search (which costs
        milliseconds for a word in thousands of titles; a deleted document's words count until
        its segment is merged)."""
        if len(unit.words) != 1:
            return False
        word = unit.words[0]
        for name in ("title", "subtitle"):
            if self.searcher.doc_freq(name, word) or (
                unit.typed and self.searcher.terms_with_prefix(name, word, limit=1)
            ):
                return True
        return False

    def _halves(self, halves: tuple[str, str]) -> tuple[tuple[str, ...], ...]:
        """Both halves where a document has both, and the rarer half alone (the more telling
        one: ``kurator`` of ``skol`` + ``kurator``)."""
        rarer = min(
            halves,
            key=lambda half: self._count(tier_query([Unit((half,), typed=True)], Scope.CLEAN)),
        )
        if self._count(tier_query([Unit(halves, typed=True)], Scope.CLEAN)):
            return (halves, (rarer,))
        return ((rarer,),)

    def _allowed(self) -> Query:
        """The query's filters. Visibility excludes every value in the index that the reader
        may not see (so an unexpected value stays hidden) rather than listing those allowed:
        a term set over every document costs a few milliseconds at each evaluation, while
        staff exclude nothing and partners exclude only the internal entries."""
        query = self.query
        hidden = [
            value
            for value, _ in self.searcher.terms_with_prefix("visibility", "", limit=_FACET_SIZE)
            if value not in query.visibilities
        ]
        filters: list[tuple[Occur, Query]] = [(Occur.Must, Query.all_query())]
        filters += [(Occur.MustNot, Query.term_query(SCHEMA, "visibility", v)) for v in hidden]
        if query.types:
            filters.append((Occur.Must, Query.term_set_query(SCHEMA, "type", list(query.types))))
        for facet, value in query.chosen_facets():
            filters.append((Occur.Must, Query.term_query(SCHEMA, facet, value)))
        return Query.boolean_query(filters)

    def _count(self, query: Query) -> int:
        return _total(self.searcher.search(query, 1, count=True))

    def run(self) -> SearchResult:
        allowed = self._allowed()
        tiers: list[tuple[Scope | None, Query]]
        if not self.units:
            every = allowed
            tiers = [(Scope.ANY, every)]
        else:
            typos = any(unit.typos for unit in self.units)
            scopes = [s for s in Scope if typos or s not in TYPO_SCOPES]
            every = Query.boolean_query(
                [(Occur.Must, allowed), (Occur.Must, tier_query(self.units, scopes[-1]))]
            )
            tiers = [(None, exact_title(self.units))]
            tiers += [(scope, tier_query(self.units, scope)) for scope in scopes]
        facets = self._facets(every)
        total = sum(facets["type"].values())  # each document has one type
        documents = self._page(allowed, tiers, total) if total else []
        marked = marker(self.units)
        result = SearchResult(
            hits=[self._hit(document, marked) for document in documents],
            total=total,
            facets=facets,
        )
        if not total and self.units:
            result = _with_suggestion(result, self)
        return result

    def _page(
        self, allowed: Query, tiers: list[tuple[Scope | None, Query]], total: int
    ) -> list[Document]:
        """The page of hits, tier by tier, each tier in title order."""
        skip, wanted = self.query.offset, self.query.limit
        page: list[Document] = []
        before: list[Query] = []
        counted = 0
        for scope, tier in tiers:
            if len(page) >= wanted or counted >= total:
                break
            clauses = [(Occur.Must, allowed), (Occur.Must, tier)]
            clauses += [(Occur.MustNot, earlier) for earlier in before]
            before = [tier] if scope in COVERING else [*before, tier]
            found = self.searcher.search(
                Query.boolean_query(clauses),
                limit=wanted - len(page) + 2,
                count=True,
                order_by_field="order",
                offset=skip,
                order=tantivy.Order.Asc,
            )
            size = _total(found)
            counted += size
            if skip >= size:
                skip -= size
                continue
            seen = {document.key for document in page}
            batch = [stored(self.searcher, address) for _, address in found.hits]
            batch = [document for document in batch if document.key not in seen]
            batch.sort(key=lambda document: title_key(document.title))
            page += batch[: wanted - len(page)]
            skip = 0
        return page

    def _facets(self, every: Query) -> dict[str, dict[str, int]]:
        aggregations = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in FACETS}
        answer = self.searcher.aggregate(every, aggregations)
        facets = _empty_facets()
        for name in FACETS:
            buckets = answer.get(name, {}).get("buckets", [])
            counts = {str(bucket["key"]): int(bucket["doc_count"]) for bucket in buckets}
            facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        return facets

    def _hit(self, document: Document, marked: Callable[[str], bool]) -> Hit:
        highlights = {
            "title": highlight(document.title, marked),
            "subtitle": highlight(document.subtitle, marked),
        }
        if found := snippet(document.body, marked):
            highlights["body"] = found
        return Hit(
            type=document.type,
            id=document.id,
            title=composed(document.title),
            subtitle=composed(document.subtitle),
            phones=document.phones,
            email=document.email,
            highlights=highlights,
        )


def _with_suggestion(result: SearchResult, search: _Search) -> SearchResult:
    """``suggestion``: the query with each word that nothing has replaced by the nearest title
    or subtitle word (one edit more than its typo budget allows), if that query has hits."""
    unknown = {word for unit in search.units if unit.typos for word in unit.words}
    replaced: list[str] = []
    changed = False
    for word in query_terms(search.query.text):
        nearest = _nearest(search.searcher, word) if word in unknown else word
        changed |= nearest != word
        replaced.append(nearest)
    if not changed:
        return result
    suggestion = " ".join(replaced)
    again = _Search(search.searcher, _replace_text(search.query, suggestion), search.synonyms)
    if not again._count(tier_query(again.units, Scope.ANY)):
        return result
    return SearchResult(hits=[], total=0, facets=result.facets, suggestion=suggestion)


def _nearest(searcher: tantivy.Searcher, word: str) -> str:
    budget = min(2, typo_budget(len(word)) + 1)
    if not word.isalpha() or not budget:
        return word
    terms: set[str] = set()
    for name in ("title", "subtitle"):
        query = Query.fuzzy_term_query(SCHEMA, name, word, budget, True, False)
        for _, address in searcher.search(query, 10).hits:
            document = stored(searcher, address)
            terms.update(words(document.title) + words(document.subtitle))
    candidates = {
        term: distance
        for term in terms
        if abs(len(term) - len(word)) <= budget
        and (distance := edit_distance(word, term, budget)) <= budget
    }
    if not candidates:
        return word
    return min(candidates, key=lambda term: (candidates[term], term))


def _replace_text(query: SearchQuery, text: str) -> SearchQuery:
    return dataclasses.replace(query, text=text)
