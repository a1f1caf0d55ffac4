"""Searching on behalf of a principal: the backend when it answers, the database when not."""

from __future__ import annotations

import dataclasses
import logging
import time

from directory.core.metrics import SEARCH_DURATION
from search.backend import SearchBackend, SearchQuery, SearchResult, SearchUnavailable
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
