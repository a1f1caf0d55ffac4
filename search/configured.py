"""The search backend that the settings name (``SEARCH_BACKEND``)."""

from __future__ import annotations

from directory.core.settings import Settings
from search.backend import SearchBackend
from search.embedded import EmbeddedBackend


def configured_backend(settings: Settings) -> SearchBackend:
    if settings.search_backend == "meilisearch":
        from search.meili import MeilisearchBackend

        return MeilisearchBackend(settings.meili_url, settings.meili_master_key)
    return EmbeddedBackend()
