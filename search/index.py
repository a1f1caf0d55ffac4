"""An in-memory inverted index with prefix, typo and synonym matching, Meilisearch-style.

Terms live in a dictionary (term -> {document key: field weight}), a sorted list for prefix
lookup and a deletion neighbourhood (SymSpell) for typos: a word and a dictionary term within
edit distance *k* share a string made by deleting at most *k* characters from each, so finding
typo candidates is a few dictionary lookups instead of a scan. Facet values and visibility are
kept as sets of keys, so filters are set intersections and counting is one ``Counter`` pass.

Ranking follows Meilisearch's rules in order: an exact title first, then fewer typos, then
better fields and match kinds (exact over prefix over typo), then title order.
"""

from __future__ import annotations

import bisect
import heapq
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

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

TITLE, SUBTITLE, CONTACT, BODY = 8, 4, 4, 1
EXACT, PREFIX, SYNONYM, TYPO = 4, 3, 3, 1
# A term's value: matched at all (BASE), minus TYPO_COST per typo, plus field x kind (<= 32).
BASE, TYPO_COST = 1000, 100
EXACT_TITLE = 100_000
ORDER_BITS = 21  # room below the score for a title-order tie-break (four letters, base 37)
_TOKEN = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 12


def _document_terms(document: Document) -> dict[str, int]:
    """Each term of ``document`` with the weight of the best field it occurs in."""
    weighted: dict[str, int] = {}

    def add(terms: Iterable[str], weight: int) -> None:
        for term in terms:
            if weighted.get(term, 0) < weight:
                weighted[term] = weight

    add(words(document.body), BODY)
    add(words(document.subtitle), SUBTITLE)
    add(words(document.title), TITLE)
    add((term for raw in document.addresses if raw for term in addresses(raw)), CONTACT)
    add(words(document.email), CONTACT)
    add((term for number in document.phones for term in phone_terms(number)), CONTACT)
    return weighted


def _facet_tokens(document: Document) -> list[str]:
    """``facet:value`` for every facet value of ``document`` (what is counted and filtered)."""
    tokens = [f"type:{document.type}"]
    if document.kind:
        tokens.append(f"kind:{document.kind}")
    if document.municipality:
        tokens.append(f"municipality:{document.municipality}")
    tokens += [f"area:{value}" for value in document.areas]
    tokens += [f"level:{value}" for value in document.levels]
    tokens += [f"network:{value}" for value in document.networks]
    return tokens


def _title_order(title: str) -> int:
    """A number that sorts like the first four folded letters of ``title`` (lower first)."""
    letters = (" ".join(words(title)) + "    ")[:4]
    value = 0
    for char in letters:
        value = value * 37 + (ord(char) - 96 if char.isalpha() else 27 if char.isdigit() else 0)
    return value


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


class InMemoryIndex:
    """Documents by key with the term and facet structures over them; one per process."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self._terms_of: dict[str, dict[str, int]] = {}
        self._facets_of: dict[str, list[str]] = {}
        self._order: dict[str, int] = {}
        self._postings: dict[str, dict[str, int]] = {}
        self._sorted: list[str] = []
        self._neighbours: dict[str, set[str]] = {}
        self._by_facet: dict[str, set[str]] = {}
        self._by_title: dict[str, set[str]] = {}
        self.synonyms: dict[str, list[list[str]]] = {}
        self._bulk = False

    def __len__(self) -> int:
        return len(self.documents)

    def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        self.synonyms = {
            fold(term): [words(phrase) for phrase in phrases if words(phrase)]
            for term, phrases in mapping.items()
        }

    def load(self, documents: Iterable[Document]) -> None:
        """Add many documents at once (start-up): the sorted term list is sorted once."""
        self._bulk = True
        try:
            for document in documents:
                self.upsert(document)
        finally:
            self._bulk = False
            self._sorted.sort()

    def upsert(self, document: Document) -> None:
        key = document.key
        self.remove(key)
        terms = _document_terms(document)
        self.documents[key] = document
        self._terms_of[key] = terms
        self._order[key] = _title_order(document.title)
        for term, weight in terms.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = {}
                self._add_term(term)
            postings[key] = weight
        tokens = [*_facet_tokens(document), f"visibility:{document.visibility}"]
        self._facets_of[key] = tokens
        for token in tokens:
            self._by_facet.setdefault(token, set()).add(key)
        self._by_title.setdefault(" ".join(words(document.title)), set()).add(key)

    def remove(self, key: str) -> None:
        """Forget ``key``; its terms stay in the dictionary (harmless: no postings)."""
        document = self.documents.pop(key, None)
        if document is None:
            return
        for term in self._terms_of.pop(key):
            self._postings[term].pop(key, None)
        for token in self._facets_of.pop(key):
            self._by_facet[token].discard(key)
        self._by_title[" ".join(words(document.title))].discard(key)
        del self._order[key]

    def _add_term(self, term: str) -> None:
        if self._bulk:
            self._sorted.append(term)
        else:
            bisect.insort(self._sorted, term)
        if not term.isalpha():
            return
        for variant in deletes(term, _typo_depth(term)):
            self._neighbours.setdefault(variant, set()).add(term)

    def _expand(self, word: str, prefix: bool) -> list[tuple[str, int, int]]:
        """Dictionary terms ``word`` stands for as (term, match kind, typos), worst first."""
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
            start = bisect.bisect_left(self._sorted, word)
            for term in itertools.islice(self._sorted, start, None):
                if not term.startswith(word):
                    break
                found[term] = (PREFIX, 0)
        if word in self._postings:
            found[word] = (EXACT, 0)
        ranked = sorted(found.items(), key=lambda item: (item[1][0], -item[1][1]))
        return [(term, kind, typos) for term, (kind, typos) in ranked]

    def _match_word(
        self, word: str, prefix: bool, synonym: bool, expanded: set[str]
    ) -> dict[str, int]:
        """Documents containing ``word`` (or a prefix/typo expansion) with their term value;
        better expansions overwrite worse ones."""
        matches: dict[str, int] = {}
        for term, kind, typos in self._expand(word, prefix):
            expanded.add(term)
            factor = SYNONYM if synonym else kind
            base = BASE - typos * TYPO_COST
            matches.update(
                {key: base + weight * factor for key, weight in self._postings[term].items()}
            )
        return matches

    def _match_term(self, term: str, last: bool, expanded: set[str]) -> dict[str, int]:
        """Documents matching ``term`` itself or one of its synonyms (all words of a phrase)."""
        best = self._match_word(term, last, False, expanded)
        for phrase in self.synonyms.get(term, []):
            phrase_matches: dict[str, int] | None = None
            for word in phrase:
                found = self._match_word(word, True, True, expanded)
                phrase_matches = (
                    found
                    if phrase_matches is None
                    else {
                        key: min(value, found[key])
                        for key, value in phrase_matches.items()
                        if key in found
                    }
                )
            for key, value in (phrase_matches or {}).items():
                if best.get(key, 0) < value:
                    best[key] = value
        return best

    def _allowed(self, query: SearchQuery) -> set[str] | None:
        """Keys the filters and visibility allow, or ``None`` when nothing is filtered out."""
        sets: list[set[str]] = []
        visible = [self._by_facet.get(f"visibility:{v}", set()) for v in query.visibilities]
        if len(query.visibilities) < 3:
            sets.append(set().union(*visible))
        if query.types:
            sets.append(set().union(*(self._by_facet.get(f"type:{t}", set()) for t in query.types)))
        for facet, value in (
            ("kind", query.kind),
            ("area", query.area),
            ("level", query.level),
            ("municipality", query.municipality),
            ("network", query.network),
        ):
            if value:
                sets.append(self._by_facet.get(f"{facet}:{value}", set()))
        if not sets:
            return None
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])

    def _candidates(self, query: SearchQuery) -> tuple[dict[str, int], set[str]]:
        """Allowed documents matching every query term, with their values, and the terms."""
        allowed = self._allowed(query)
        terms = query_terms(query.text)
        expanded: set[str] = set()
        if not terms:
            keys = self.documents.keys() if allowed is None else allowed
            return dict.fromkeys(keys, 0), expanded
        combined: dict[str, int] | None = None
        for position, term in enumerate(terms):
            matches = self._match_term(term, position == len(terms) - 1, expanded)
            if combined is None:
                combined = matches
            else:
                combined = {
                    key: value + matches[key] for key, value in combined.items() if key in matches
                }
        result = combined or {}
        if allowed is not None:
            result = {key: result[key] for key in result.keys() & allowed}
        exact = self._by_title.get(" ".join(terms), set())
        for key in exact & result.keys():
            result[key] += EXACT_TITLE
        return result, expanded

    def search(self, query: SearchQuery) -> SearchResult:
        candidates, expanded = self._candidates(query)
        order = self._order
        ranked = {key: (value << ORDER_BITS) - order[key] for key, value in candidates.items()}
        page = heapq.nlargest(query.offset + query.limit, ranked, key=ranked.__getitem__)
        return SearchResult(
            hits=[self._hit(self.documents[key], expanded) for key in page[query.offset :]],
            total=len(candidates),
            facets=self._facets(candidates),
        )

    def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int
    ) -> list[FacetValue]:
        candidates, _ = self._candidates(query)
        counts = self._facets(candidates).get(facet, {})
        wanted = fold(prefix)
        values = [FacetValue(value, count) for value, count in counts.items()]
        return sorted(
            (value for value in values if fold(value.value).startswith(wanted)),
            key=lambda value: (-value.count, value.value),
        )[:limit]

    def _facets(self, keys: Iterable[str]) -> dict[str, dict[str, int]]:
        counts = Counter(itertools.chain.from_iterable(map(self._facets_of.__getitem__, keys)))
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for token, count in counts.most_common():
            name, _, value = token.partition(":")
            if name in facets:
                facets[name][value] = count
        return facets

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
