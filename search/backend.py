"""The one search backend interface, its query and result types, and its exceptions.

Both implementations (:mod:`search.embedded`, :mod:`search.meili`) answer the same
:class:`SearchQuery` with the same :class:`SearchResult`, and the same behaviour suite runs
against both. Visibility is part of the query, never a post-filter of the caller's, so that
hits, totals, facet counts, highlights and facet suggestions are all computed over what the
caller may read.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from dataclasses import dataclass

from directory.core.errors import N_
from search.document import Document
from search.text import query_terms

FACETS = ("type", "kind", "area", "level", "municipality", "network")
MAX_LIMIT = 100

Progress = Callable[[int], None]


class SearchError(Exception):
    """Base class of every failure a search backend reports."""


class SearchUnavailable(SearchError):
    """The backend cannot be reached or answered with a server error; ``reason`` says which.

    Callers fall back to the database (search) or retry later (indexing); nothing is lost.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SearchRejected(SearchError):
    """The backend refused a request as invalid (a bug on our side, not an outage)."""


@dataclass(frozen=True)
class SearchQuery:
    """One search: the text, the filters (empty means no filter) and who may see what."""

    text: str = ""
    visibilities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    kind: str = ""
    area: str = ""
    level: str = ""
    municipality: str = ""
    network: str = ""
    limit: int = 20
    offset: int = 0

    def chosen_facets(self) -> list[tuple[str, str]]:
        """The single-valued facet filters that are set, as (facet, value)."""
        chosen = (
            ("kind", self.kind),
            ("area", self.area),
            ("level", self.level),
            ("municipality", self.municipality),
            ("network", self.network),
        )
        return [(facet, value) for facet, value in chosen if value]


@dataclass(frozen=True)
class Hit:
    """One result; ``highlights`` are HTML-safe: escaped text with ``<mark>`` around matches."""

    type: str
    id: str
    title: str
    subtitle: str
    phones: list[str]
    email: str
    highlights: dict[str, str]


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    took_ms: float = 0.0
    degraded: bool = False
    notice: str = ""  # why there are no hits (an English message id, see ``N_``), or ""
    suggestion: str = ""  # a query with hits, when this one has none ("Menade du …?")


NO_TERMS = N_("Type letters or digits to search.")


def unsearchable(query: SearchQuery) -> SearchResult | None:
    """The answer to a query typed with no letters or digits (``!!!``, ``—``, or a script
    the folding drops): nothing, with :data:`NO_TERMS`, never the whole directory."""
    if query.text.strip() and not query_terms(query.text):
        return SearchResult(hits=[], total=0, facets={name: {} for name in FACETS}, notice=NO_TERMS)
    return None


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


class SearchBackend(abc.ABC):
    """A search index over :class:`~search.document.Document`.

    Every method raises :class:`SearchUnavailable` when the backend is down and
    :class:`SearchRejected` when it refuses the request; nothing else.
    """

    name: str  # the SEARCH_BACKEND value, a label of the search duration metric

    @abc.abstractmethod
    async def start(self) -> None:
        """Prepare for use (load the index, apply settings); an outage here is not fatal."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections."""

    @abc.abstractmethod
    async def search(self, query: SearchQuery) -> SearchResult:
        """Hits ranked best first, with facet counts over everything that matched."""

    @abc.abstractmethod
    async def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int = 10
    ) -> list[FacetValue]:
        """Values of ``facet`` starting with ``prefix`` among the hits of ``query`` (for
        suggestions while typing in a facet box), most frequent first."""

    @abc.abstractmethod
    async def apply(self, documents: Sequence[Document], removed: Sequence[str]) -> None:
        """Store ``documents`` (replacing older versions) and remove the ``removed`` keys."""

    @abc.abstractmethod
    async def rebuild(
        self, batches: AsyncIterable[Sequence[Document]], progress: Progress | None = None
    ) -> None:
        """Replace the whole index with ``batches``; searches keep answering meanwhile."""

    @abc.abstractmethod
    async def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        """Replace the synonyms (admin-edited data, see :mod:`search.synonyms`)."""
