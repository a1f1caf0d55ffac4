"""An in-memory inverted index with prefix, typo and synonym matching, Meilisearch-style.

Terms live in a dictionary (term -> {document: field weight}), a sorted list for prefix lookup
and a deletion neighbourhood (SymSpell) for typos: a word and a dictionary term within edit
distance *k* share a string made by deleting at most *k* characters from each, so finding
typo candidates is a few dictionary lookups instead of a scan. Ranking follows Meilisearch's
rules in order: exact title, fewer typos, better fields and match kinds, then title.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from search.backend import FacetValue, Hit, SearchQuery, SearchResult
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
_TOKEN = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 12


@dataclass(frozen=True)
class _Match:
    """How a document matched one query term: its best score and fewest typos."""

    score: int
    typos: int


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


def _typo_depth(term: str) -> int:
    """How deep a dictionary term's deletion neighbourhood goes: deep enough for a query word
    one letter longer than the term, whose budget may be larger."""
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
    """Documents by key with the term structures over them; not thread-safe, one per process."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self._terms_of: dict[str, dict[str, int]] = {}
        self._postings: dict[str, dict[str, int]] = {}
        self._sorted: list[str] = []
        self._neighbours: dict[str, set[str]] = {}
        self.synonyms: dict[str, list[list[str]]] = {}

    def __len__(self) -> int:
        return len(self.documents)

    def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        self.synonyms = {
            fold(term): [words(phrase) for phrase in phrases if words(phrase)]
            for term, phrases in mapping.items()
        }

    def upsert(self, document: Document) -> None:
        self.remove(document.key)
        terms = _document_terms(document)
        self.documents[document.key] = document
        self._terms_of[document.key] = terms
        for term, weight in terms.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = {}
                self._add_term(term)
            postings[document.key] = weight

    def remove(self, key: str) -> None:
        """Forget ``key``; its terms stay in the dictionary (harmless: no postings)."""
        self.documents.pop(key, None)
        for term in self._terms_of.pop(key, {}):
            self._postings[term].pop(key, None)

    def _add_term(self, term: str) -> None:
        bisect.insort(self._sorted, term)
        if term.isdigit():
            return
        for variant in deletes(term, _typo_depth(term)):
            self._neighbours.setdefault(variant, set()).add(term)

    def _expand(self, word: str, prefix: bool) -> dict[str, tuple[int, int]]:
        """Dictionary terms that ``word`` stands for, each with (match kind, typos)."""
        found: dict[str, tuple[int, int]] = {}
        if word in self._postings:
            found[word] = (EXACT, 0)
        if prefix:
            start = bisect.bisect_left(self._sorted, word)
            for term in self._sorted[start:]:
                if not term.startswith(word):
                    break
                found.setdefault(term, (PREFIX, 0))
        budget = typo_budget(len(word))
        if budget and word.isalpha():
            candidates: set[str] = set()
            for variant in deletes(word, budget):
                candidates |= self._neighbours.get(variant, set())
            for term in candidates - found.keys():
                distance = edit_distance(word, term, budget)
                if distance <= budget:
                    found[term] = (TYPO, distance)
        return found

    def _match_word(
        self, word: str, prefix: bool, kind_override: int | None, expanded: set[str]
    ) -> dict[str, _Match]:
        matches: dict[str, _Match] = {}
        for term, (kind, typos) in self._expand(word, prefix).items():
            expanded.add(term)
            factor = kind_override or kind
            for key, weight in self._postings[term].items():
                current = matches.get(key)
                score = weight * factor
                if current is None or (typos, -score) < (current.typos, -current.score):
                    matches[key] = _Match(score, typos)
        return matches

    def _match_term(self, term: str, last: bool, expanded: set[str]) -> dict[str, _Match]:
        """Documents matching ``term`` itself or one of its synonyms (all words of a phrase)."""
        best = self._match_word(term, last, None, expanded)
        for phrase in self.synonyms.get(term, []):
            phrase_matches: dict[str, _Match] | None = None
            for word in phrase:
                found = self._match_word(word, True, SYNONYM, expanded)
                phrase_matches = (
                    found
                    if phrase_matches is None
                    else {
                        key: _Match(match.score + found[key].score, match.typos + found[key].typos)
                        for key, match in phrase_matches.items()
                        if key in found
                    }
                )
            for key, match in (phrase_matches or {}).items():
                current = best.get(key)
                if current is None or (match.typos, -match.score) < (current.typos, -current.score):
                    best[key] = match
        return best

    def _allowed(self, document: Document, query: SearchQuery) -> bool:
        return (
            document.visibility in query.visibilities
            and (not query.types or document.type in query.types)
            and (not query.kind or document.kind == query.kind)
            and (not query.area or query.area in document.areas)
            and (not query.level or query.level in document.levels)
            and (not query.municipality or document.municipality == query.municipality)
            and (not query.network or query.network in document.networks)
        )

    def _candidates(self, query: SearchQuery) -> tuple[dict[str, tuple[int, int]], set[str]]:
        """Allowed documents matching every query term, with (score, typos) and the terms."""
        terms = query_terms(query.text)
        expanded: set[str] = set()
        if not terms:
            return {
                key: (0, 0)
                for key, document in self.documents.items()
                if self._allowed(document, query)
            }, expanded
        combined: dict[str, tuple[int, int]] | None = None
        for position, term in enumerate(terms):
            matches = self._match_term(term, position == len(terms) - 1, expanded)
            if combined is None:
                combined = {key: (match.score, match.typos) for key, match in matches.items()}
            else:
                combined = {
                    key: (score + matches[key].score, typos + matches[key].typos)
                    for key, (score, typos) in combined.items()
                    if key in matches
                }
        documents = self.documents
        return {
            key: value
            for key, value in (combined or {}).items()
            if self._allowed(documents[key], query)
        }, expanded

    def search(self, query: SearchQuery) -> SearchResult:
        candidates, expanded = self._candidates(query)
        folded_query = " ".join(query_terms(query.text))
        documents = self.documents

        def rank(key: str) -> tuple[bool, int, int, str]:
            score, typos = candidates[key]
            title = fold(documents[key].title)
            exact = bool(folded_query) and " ".join(words(title)) == folded_query
            return (not exact, typos, -score, title)

        ordered = sorted(candidates, key=rank)
        page = ordered[query.offset : query.offset + query.limit]
        return SearchResult(
            hits=[self._hit(documents[key], expanded) for key in page],
            total=len(ordered),
            facets=self._facets(documents[key] for key in candidates),
        )

    def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int
    ) -> list[FacetValue]:
        candidates, _ = self._candidates(query)
        counts = self._facets(self.documents[key] for key in candidates).get(facet, {})
        wanted = fold(prefix)
        values = [FacetValue(value, count) for value, count in counts.items()]
        return sorted(
            (value for value in values if fold(value.value).startswith(wanted)),
            key=lambda value: (-value.count, value.value),
        )[:limit]

    @staticmethod
    def _facets(documents: Iterable[Document]) -> dict[str, dict[str, int]]:
        counters: dict[str, Counter[str]] = {
            name: Counter() for name in ("type", "kind", "area", "level", "municipality", "network")
        }
        for document in documents:
            counters["type"][document.type] += 1
            if document.kind:
                counters["kind"][document.kind] += 1
            if document.municipality:
                counters["municipality"][document.municipality] += 1
            counters["area"].update(document.areas)
            counters["level"].update(document.levels)
            counters["network"].update(document.networks)
        return {name: dict(counter.most_common()) for name, counter in counters.items()}

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
