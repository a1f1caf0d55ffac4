"""An in-memory inverted index with prefix, typo and synonym matching, Meilisearch-style.

Documents get small integer ids in title order, and every set of documents is a Python int
used as a bitmap, so filters, the AND of query words, facet counts (``(a & b).bit_count()``)
and ranking tiers are a few big-integer operations in C however many documents match.
Rare terms keep a plain set of ids (a bitmap costs its highest id in bits) and become a
bitmap when used. Terms live in a dictionary, a sorted list for prefix lookup and a deletion
neighbourhood (SymSpell) for typos: a word and a term within edit distance *k* share a string
made by deleting at most *k* characters from each, so typo candidates are a few lookups.

Ranking follows Meilisearch's rules in order: exact title; all words as whole words in the
title; all words (or their prefixes) in the title; no typos; then the rest. Within a tier,
title order.
"""

from __future__ import annotations

import bisect
import functools
import html
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from search.backend import FACETS, FacetValue, Hit, SearchQuery, SearchResult
from search.documents import Document
from search.text import (
    addresses,
    deletes,
    edit_distance,
    fold,
    phone_terms,
    query_terms,
    typo_budget,
    words,
)

EXACT, PREFIX, TYPO = 3, 2, 1
DENSE = 48  # a term in this many documents keeps a bitmap instead of a set of ids
BULK = 100  # from this many documents on, sort the term list once instead of per insert
TITLE = "\x00"  # prefix of the title occurrences of a term, kept apart for ranking
_TOKEN = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 12


def _document_terms(document: Document) -> tuple[set[str], set[str]]:
    """The terms of ``document``: all of them, and those in its title."""
    title = set(words(document.title))
    terms = set(title)
    terms.update(words(document.subtitle), words(document.body), words(document.email))
    terms.update(term for raw in document.addresses if raw for term in addresses(raw))
    terms.update(term for number in document.phones for term in phone_terms(number))
    return terms, title


def _facet_tokens(document: Document) -> list[str]:
    """``facet:value`` for every facet value of ``document`` (what is counted and filtered)."""
    tokens = [f"type:{document.type}", f"visibility:{document.visibility}"]
    if document.kind:
        tokens.append(f"kind:{document.kind}")
    if document.municipality:
        tokens.append(f"municipality:{document.municipality}")
    tokens += [f"area:{value}" for value in document.areas]
    tokens += [f"level:{value}" for value in document.levels]
    tokens += [f"network:{value}" for value in document.networks]
    return tokens


def _title_key(document: Document) -> str:
    return " ".join(words(document.title))


def _bits(ids: Iterable[int]) -> int:
    """A bitmap of ``ids``, built in one pass over a byte array (not one int per id)."""
    listed = list(ids)
    if len(listed) < 8:
        return functools.reduce(operator.or_, (1 << i for i in listed), 0)
    buffer = bytearray(max(listed) // 8 + 1)
    for doc in listed:
        buffer[doc >> 3] |= 1 << (doc & 7)
    return int.from_bytes(buffer, "little")


def _lowest(bitmap: int) -> Iterator[int]:
    """Ids in ``bitmap``, lowest (first in title order) first."""
    while bitmap:
        low = bitmap & -bitmap
        yield low.bit_length() - 1
        bitmap ^= low


def _typo_depth(term: str) -> int:
    """How deep a term's deletion neighbourhood goes: deep enough for a query word one letter
    longer than the term, whose typo budget may be larger."""
    return typo_budget(len(term) + 1)


def highlight(text: str, matched: set[str]) -> str:
    """``text`` HTML-escaped, with ``<mark>`` around the words whose folded form matched."""
    parts: list[str] = []
    position = 0
    for token in _TOKEN.finditer(text):
        parts.append(html.escape(text[position : token.start()]))
        word = html.escape(token.group())
        parts.append(f"<mark>{word}</mark>" if fold(token.group()) in matched else word)
        position = token.end()
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def _snippet(text: str, matched: set[str]) -> str:
    """A short window of ``text`` around its first matched word, or ``""`` if none matched."""
    tokens = text.split()
    for index, token in enumerate(tokens):
        if any(word in matched for word in words(token)):
            start = max(0, index - SNIPPET_WORDS // 3)
            window = " ".join(tokens[start : start + SNIPPET_WORDS])
            prefix = "… " if start else ""
            suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
            return prefix + highlight(window, matched) + suffix
    return ""


@dataclass
class _WordMatch:
    """The documents one query word matches, split by how well (bitmaps)."""

    any: int = 0
    clean: int = 0  # without typos
    title: int = 0  # without typos, in the title
    title_exact: int = 0  # the whole word (or a synonym) in the title

    def __and__(self, other: _WordMatch) -> _WordMatch:
        return _WordMatch(
            self.any & other.any,
            self.clean & other.clean,
            self.title & other.title,
            self.title_exact & other.title_exact,
        )

    def __or__(self, other: _WordMatch) -> _WordMatch:
        return _WordMatch(
            self.any | other.any,
            self.clean | other.clean,
            self.title | other.title,
            self.title_exact | other.title_exact,
        )


@dataclass
class _Postings:
    """Documents per term: sets of ids while rare, bitmaps once common."""

    sparse: dict[str, set[int]] = field(default_factory=dict)
    dense: dict[str, int] = field(default_factory=dict)
    pending: dict[str, set[int]] | None = None  # while bulk loading: ids for dense terms

    def add(self, term: str, doc: int) -> bool:
        """Returns whether ``term`` is new."""
        if term in self.dense:
            if self.pending is None:
                self.dense[term] |= 1 << doc
            else:
                self.pending.setdefault(term, set()).add(doc)
            return False
        ids = self.sparse.get(term)
        if ids is None:
            self.sparse[term] = {doc}
            return True
        ids.add(doc)
        if len(ids) >= DENSE and self.pending is None:
            self.dense[term] = _bits(self.sparse.pop(term))
        return False

    def begin_bulk(self) -> None:
        """Collect ids in sets until :meth:`end_bulk` (a bitmap ``|=`` copies the bitmap)."""
        self.pending = {}

    def end_bulk(self) -> None:
        pending, self.pending = self.pending or {}, None
        for term, ids in pending.items():
            self.dense[term] |= _bits(ids)
        for term in [term for term, ids in self.sparse.items() if len(ids) >= DENSE]:
            self.dense[term] = _bits(self.sparse.pop(term))

    def discard(self, term: str, doc: int) -> None:
        if term in self.dense:
            self.dense[term] &= ~(1 << doc)
        elif term in self.sparse:
            self.sparse[term].discard(doc)

    def bitmap(self, term: str) -> int:
        found = self.dense.get(term)
        return found if found is not None else _bits(self.sparse.get(term, ()))

    def __contains__(self, term: str) -> bool:
        return term in self.dense or term in self.sparse


class InMemoryIndex:
    """Documents by key with the term and facet bitmaps over them; one per process."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self._ids: dict[str, int] = {}
        self._keys: list[str | None] = []
        self._terms_of: dict[int, set[str]] = {}
        self._postings = _Postings()
        self._facets = _Postings()
        self._sorted: list[str] = []
        self._neighbours: dict[str, set[str]] = {}
        self._bulk = False
        self.synonyms: dict[str, list[list[str]]] = {}

    def __len__(self) -> int:
        return len(self.documents)

    def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        self.synonyms = {
            fold(term): [words(phrase) for phrase in phrases if words(phrase)]
            for term, phrases in mapping.items()
        }

    def load(self, documents: Iterable[Document]) -> None:
        """Add many documents at once, in title order so that ids follow titles; the sorted
        term list is sorted once."""
        batch = sorted(documents, key=_title_key)
        if len(batch) < BULK:
            for document in batch:
                self.upsert(document)
            return
        self._bulk = True
        self._postings.begin_bulk()
        self._facets.begin_bulk()
        try:
            for document in batch:
                self.upsert(document)
        finally:
            self._bulk = False
            self._postings.end_bulk()
            self._facets.end_bulk()
            self._sorted.sort()

    def upsert(self, document: Document) -> None:
        self.remove(document.key)
        doc = len(self._keys)
        self._keys.append(document.key)
        self._ids[document.key] = doc
        self.documents[document.key] = document
        terms, title = _document_terms(document)
        stored = terms | {TITLE + term for term in title} | {TITLE + "=" + _title_key(document)}
        self._terms_of[doc] = stored
        for term in stored:
            if self._postings.add(term, doc) and not term.startswith(TITLE):
                self._add_term(term)
        for token in _facet_tokens(document):
            self._facets.add(token, doc)
            self._terms_of[doc].add("\x01" + token)

    def remove(self, key: str) -> None:
        """Forget ``key``; its terms stay in the dictionary (harmless: no documents)."""
        doc = self._ids.pop(key, None)
        if doc is None:
            return
        del self.documents[key]
        self._keys[doc] = None
        for term in self._terms_of.pop(doc):
            if term.startswith("\x01"):
                self._facets.discard(term[1:], doc)
            else:
                self._postings.discard(term, doc)

    def _add_term(self, term: str) -> None:
        if self._bulk:
            self._sorted.append(term)
        else:
            bisect.insort(self._sorted, term)
        if term.isalpha():
            for variant in deletes(term, _typo_depth(term)):
                self._neighbours.setdefault(variant, set()).add(term)

    def _expand(self, word: str, prefix: bool) -> dict[str, tuple[int, int]]:
        """Dictionary terms ``word`` stands for, each with (match kind, typos)."""
        found: dict[str, tuple[int, int]] = {}
        budget = typo_budget(len(word))
        if budget and word.isalpha():
            candidates: set[str] = set()
            for variant in deletes(word, budget):
                candidates |= self._neighbours.get(variant, set())
            for term in candidates:
                distance = edit_distance(word, term, budget)
                if 0 < distance <= budget:
                    found[term] = (TYPO, distance)
        if prefix:
            terms = self._sorted
            position = bisect.bisect_left(terms, word)
            while position < len(terms) and terms[position].startswith(word):
                found[terms[position]] = (PREFIX, 0)
                position += 1
        if word in self._postings:
            found[word] = (EXACT, 0)
        return found

    def _match_word(self, word: str, prefix: bool, synonym: bool, expanded: set[str]) -> _WordMatch:
        match = _WordMatch()
        postings = self._postings
        for term, (kind, _) in self._expand(word, prefix).items():
            expanded.add(term)
            documents = postings.bitmap(term)
            match.any |= documents
            if kind == TYPO:
                continue
            match.clean |= documents
            in_title = postings.bitmap(TITLE + term)
            match.title |= in_title
            if kind == EXACT or synonym:
                match.title_exact |= in_title
        return match

    def _match_term(self, term: str, last: bool, expanded: set[str]) -> _WordMatch:
        """Documents matching ``term`` itself or one of its synonyms (all words of a phrase)."""
        match = self._match_word(term, last, False, expanded)
        for phrase in self.synonyms.get(term, []):
            parts = [self._match_word(word, True, True, expanded) for word in phrase]
            match = match | functools.reduce(operator.and_, parts)
        return match

    def _allowed(self, query: SearchQuery) -> int:
        """The bitmap of documents the visibility and the filters allow."""
        facets = self._facets
        allowed = functools.reduce(
            operator.or_, (facets.bitmap(f"visibility:{v}") for v in query.visibilities), 0
        )
        if query.types:
            allowed &= functools.reduce(
                operator.or_, (facets.bitmap(f"type:{t}") for t in query.types), 0
            )
        for facet, value in query.chosen_facets():
            allowed &= facets.bitmap(f"{facet}:{value}")
        return allowed

    def _candidates(self, query: SearchQuery) -> tuple[list[int], set[str]]:
        """Ranking tiers (bitmaps, best first; their union is every hit) and matched terms."""
        allowed = self._allowed(query)
        terms = query_terms(query.text)
        expanded: set[str] = set()
        if not terms:
            return [allowed], expanded
        last = len(terms) - 1
        matches = [self._match_term(term, n == last, expanded) for n, term in enumerate(terms)]
        combined = functools.reduce(operator.and_, matches)
        every = combined.any & allowed
        exact_title = self._postings.bitmap(TITLE + "=" + " ".join(terms)) & every
        tiers = [exact_title, combined.title_exact, combined.title, combined.clean, every]
        return [tier & every for tier in tiers], expanded

    def search(self, query: SearchQuery) -> SearchResult:
        tiers, expanded = self._candidates(query)
        wanted = query.offset + query.limit
        page: list[int] = []
        seen = 0
        for tier in tiers:
            if len(page) >= wanted:
                break
            for doc in _lowest(tier & ~seen):
                page.append(doc)
                if len(page) >= wanted:
                    break
            seen |= tier
        every = tiers[-1]
        documents = [self.documents[self._keys[doc] or ""] for doc in page[query.offset :]]
        return SearchResult(
            hits=[self._hit(document, expanded) for document in documents],
            total=every.bit_count(),
            facets=self._facet_counts(every),
        )

    def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int
    ) -> list[FacetValue]:
        tiers, _ = self._candidates(query)
        counts = self._facet_counts(tiers[-1]).get(facet, {})
        wanted = fold(prefix)
        values = [FacetValue(value, count) for value, count in counts.items()]
        return sorted(
            (value for value in values if fold(value.value).startswith(wanted)),
            key=lambda value: (-value.count, value.value),
        )[:limit]

    def _facet_counts(self, every: int) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        if not every:
            return facets
        for token, bitmap in self._facets.dense.items():
            if count := (bitmap & every).bit_count():
                name, _, value = token.partition(":")
                if name in facets:
                    facets[name][value] = count
        for token, ids in self._facets.sparse.items():
            if count := sum(1 for doc in ids if every >> doc & 1):
                name, _, value = token.partition(":")
                if name in facets:
                    facets[name][value] = count
        return {
            name: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
            for name, counts in facets.items()
        }

    @staticmethod
    def _hit(document: Document, expanded: set[str]) -> Hit:
        highlights = {
            "title": highlight(document.title, expanded),
            "subtitle": highlight(document.subtitle, expanded),
        }
        if snippet := _snippet(document.body, expanded):
            highlights["body"] = snippet
        return Hit(
            type=document.type,
            id=document.id,
            title=document.title,
            subtitle=document.subtitle,
            phones=document.phones,
            email=document.email,
            highlights=highlights,
        )
