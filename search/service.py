"""Searching on behalf of a principal: the backend when it answers, the database when not."""

from __future__ import annotations

import dataclasses
import logging
import time

from directory.core.access import Principal
from directory.core.metrics import SEARCH_DURATION
from directory.records.access import readable_network_ids
from search.backend import (
    FACETS,
    MAX_LIMIT,
    FacetValue,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)
from search.fallback import database_search

log = logging.getLogger(__name__)


async def search_directory(backend: SearchBackend, query: SearchQuery) -> SearchResult:
    """Never fails because the backend is down: answers from the database, ``degraded``."""
    started = time.perf_counter()
    try:
        result = await backend.search(query)
    except SearchUnavailable as error:
        log.warning("search backend unavailable (%s); answering from the database", error.reason)
        result = await database_search(query)
        SEARCH_DURATION.labels("database").observe(time.perf_counter() - started)
        return result
    seconds = time.perf_counter() - started
    SEARCH_DURATION.labels(backend.name).observe(seconds)
    return dataclasses.replace(result, took_ms=round(seconds * 1000, 2))


async def search_as(
    principal: Principal, backend: SearchBackend, query: SearchQuery
) -> SearchResult:
    """:func:`search_directory` for ``principal``: a filter by a network they may not see finds
    nothing, and the network facet counts only networks they may see (the rule of
    :mod:`directory.records.access`)."""
    networks = await readable_network_ids(principal)
    if networks is not None and query.network and query.network not in networks:
        return SearchResult(hits=[], total=0, facets={facet: {} for facet in FACETS})
    result = await search_directory(backend, query)
    if networks is None:
        return result
    counts = result.facets.get("network", {})
    facets = {**result.facets, "network": {k: v for k, v in counts.items() if k in networks}}
    return dataclasses.replace(result, facets=facets)


async def facet_values_as(
    principal: Principal,
    backend: SearchBackend,
    query: SearchQuery,
    facet: str,
    prefix: str,
    limit: int,
) -> list[FacetValue]:
    """Facet suggestions for ``principal``: no network they may not see."""
    networks = await readable_network_ids(principal) if facet == "network" else None
    if networks is None:
        return await backend.facet_search(query, facet, prefix, limit)
    values = await backend.facet_search(query, facet, prefix, MAX_LIMIT)
    return [value for value in values if value.value in networks][:limit]
