"""The Meilisearch backend, through the async ``meilisearch-python-sdk``.

The async client fits the app (Litestar and the outbox worker run on asyncio; the official
``meilisearch`` package would block the event loop). Settings are applied as code
(:func:`index_settings`); every filter value is quoted and escaped (:func:`quoted`), and a
partner's visibility is a filter the server applies, so hits, facet counts and facet
suggestions never include what the caller may not read. A rebuild fills a new index and swaps
it with the live one, so searches keep answering throughout.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from typing import Any

import httpx
import msgspec
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import (
    MeilisearchApiError,
    MeilisearchError,
    MeilisearchTaskFailedError,
)
from meilisearch_python_sdk.models.settings import (
    Faceting,
    MeilisearchSettings,
    MinWordSizeForTypos,
    TypoTolerance,
)
from meilisearch_python_sdk.models.task import TaskInfo

from search.backend import (
    FacetValue,
    Hit,
    Progress,
    SearchBackend,
    SearchQuery,
    SearchRejected,
    SearchResult,
    SearchUnavailable,
    unsearchable,
)
from search.document import Document
from search.text import fold, phone_terms

DEFAULT_INDEX = "samverkan"
TIMEOUT_SECONDS = 5
TASK_TIMEOUT_MS = 30_000
CROP_WORDS = 12
# Unlikely in data; replaced by <mark> after the text has been HTML-escaped.
_PRE, _POST = "\x02", "\x03"
# Our facet names (the API's) and the document fields that hold them.
FACET_FIELDS = {
    "type": "type",
    "kind": "kind",
    "area": "areas",
    "level": "levels",
    "municipality": "municipality",
    "network": "networks",
}

log = logging.getLogger(__name__)


def index_settings(synonyms: Mapping[str, Sequence[str]] | None = None) -> MeilisearchSettings:
    """The index configuration, as code: what is searched (in rank order), filtered, sorted."""
    return MeilisearchSettings(
        searchable_attributes=["title", "subtitle", "addresses", "email", "phone_digits", "body"],
        filterable_attributes=[*FACET_FIELDS.values(), "visibility"],
        sortable_attributes=["title"],
        displayed_attributes=["*"],
        ranking_rules=["words", "typo", "proximity", "attribute", "exactness", "sort"],
        typo_tolerance=TypoTolerance(
            enabled=True,
            min_word_size_for_typos=MinWordSizeForTypos(one_typo=5, two_typos=9),
        ),
        faceting=Faceting(max_values_per_facet=100),
        synonyms=_synonyms(synonyms or {}),
    )


def _synonyms(mapping: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Meilisearch matches synonyms on its own normalised words; send both spellings."""
    result: dict[str, list[str]] = {}
    for term, phrases in mapping.items():
        values = list(dict.fromkeys([*phrases, *(fold(phrase) for phrase in phrases)]))
        for key in dict.fromkeys([term, fold(term)]):
            result[key] = values
    return result


def quoted(value: str) -> str:
    """A filter value as a double-quoted string with ``\\`` and ``"`` escaped, so no value can
    end the string and add a condition of its own."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filters(query: SearchQuery) -> list[str]:
    """The filter expressions (ANDed by Meilisearch) for ``query``; visibility always first."""
    expressions = [f"visibility IN [{', '.join(quoted(v) for v in query.visibilities)}]"]
    if query.types:
        expressions.append(f"type IN [{', '.join(quoted(t) for t in query.types)}]")
    expressions += [
        f"{FACET_FIELDS[facet]} = {quoted(value)}" for facet, value in query.chosen_facets()
    ]
    return expressions


def marked(text: str) -> str:
    """Meilisearch's highlighted text (with our sentinels) as escaped HTML with ``<mark>``."""
    return html.escape(text).replace(_PRE, "<mark>").replace(_POST, "</mark>")


def payload(document: Document) -> dict[str, Any]:
    """The JSON document sent to Meilisearch: ours plus phone digit suffixes to match."""
    body: dict[str, Any] = msgspec.to_builtins(document)
    body["phone_digits"] = [term for number in document.phones for term in phone_terms(number)]
    return body


@contextlib.contextmanager
def _translated() -> Any:
    """Map the client's exceptions onto the backend interface's."""
    try:
        yield
    except MeilisearchTaskFailedError as error:
        raise SearchRejected(str(error)) from error
    except MeilisearchApiError as error:
        if error.status_code >= 500:
            raise SearchUnavailable(f"Meilisearch answered {error.status_code}") from error
        raise SearchRejected(f"Meilisearch refused: {error.code} {error.message}") from error
    except MeilisearchError as error:
        raise SearchUnavailable(f"Meilisearch unreachable: {error.message}") from error
    except httpx.HTTPError as error:
        raise SearchUnavailable(f"Meilisearch unreachable: {type(error).__name__}") from error


class MeilisearchBackend(SearchBackend):
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str = "",
        index: str = DEFAULT_INDEX,
        timeout: int = TIMEOUT_SECONDS,
    ) -> None:
        self.uid = index
        self._url, self._api_key, self._timeout = url, api_key or None, timeout
        self._clients: dict[asyncio.AbstractEventLoop, AsyncClient] = {}
        self._synonyms: dict[str, list[str]] = {}

    @property
    def _client(self) -> AsyncClient:
        """The client of the running event loop (its connections belong to that loop; the CLI
        and tests run several loops in turn)."""
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients = {
                known: client for known, client in self._clients.items() if not known.is_closed()
            }
            self._clients[loop] = AsyncClient(self._url, self._api_key, timeout=self._timeout)
        return self._clients[loop]

    async def start(self) -> None:
        """Create the index if missing and apply :func:`index_settings`."""
        from search.synonyms import synonym_mapping

        self._synonyms = await synonym_mapping()
        with _translated():
            try:
                await self._client.get_index(self.uid)
            except MeilisearchApiError as error:
                if error.status_code != 404:
                    raise
                await self._create(self.uid)
                return
            await self._wait(
                await self._client.index(self.uid).update_settings(index_settings(self._synonyms))
            )

    async def _create(self, uid: str) -> None:
        await self._client.create_index(
            uid,
            primary_key="key",
            settings=index_settings(self._synonyms),
            wait=True,
            timeout_in_ms=TASK_TIMEOUT_MS,
        )

    async def close(self) -> None:
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    async def drop(self) -> None:
        """Delete the index (tests)."""
        with _translated():
            await self._wait(await self._client.index(self.uid).delete())

    async def _wait(self, task: TaskInfo) -> None:
        result = await self._client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        if result.status != "succeeded":
            raise SearchRejected(
                f"Meilisearch task {task.task_uid} {result.status}: {result.error}"
            )

    async def search(self, query: SearchQuery) -> SearchResult:
        if (nothing := unsearchable(query)) is not None:
            return nothing
        with _translated():
            found = await self._client.index(self.uid).search(
                query.text,
                offset=query.offset,
                limit=query.limit,
                filter=filters(query),  # type: ignore[arg-type]
                facets=list(FACET_FIELDS.values()),
                attributes_to_highlight=["title", "subtitle"],
                attributes_to_crop=["body"],
                crop_length=CROP_WORDS,
                highlight_pre_tag=_PRE,
                highlight_post_tag=_POST,
                matching_strategy="all",
            )
        distribution = found.facet_distribution or {}
        return SearchResult(
            hits=[_hit(hit) for hit in found.hits],
            total=found.estimated_total_hits or 0,
            facets={
                name: dict(distribution.get(field, {})) for name, field in FACET_FIELDS.items()
            },
        )

    async def facet_search(
        self, query: SearchQuery, facet: str, prefix: str, limit: int = 10
    ) -> list[FacetValue]:
        with _translated():
            found = await self._client.index(self.uid).facet_search(
                query.text or None,
                facet_name=FACET_FIELDS[facet],
                facet_query=prefix,
                filter=filters(query),  # type: ignore[arg-type]
            )
        return [FacetValue(hit.value, hit.count) for hit in found.facet_hits[:limit]]

    async def apply(self, documents: Sequence[Document], removed: Sequence[str]) -> None:
        index = self._client.index(self.uid)
        with _translated():
            if documents:
                await self._wait(
                    await index.add_documents([payload(d) for d in documents], primary_key="key")
                )
            if removed:
                await self._wait(await index.delete_documents(list(dict.fromkeys(removed))))

    async def rebuild(
        self, batches: AsyncIterable[Sequence[Document]], progress: Progress | None = None
    ) -> None:
        """Fill ``<index>-<random>`` with its settings, swap it in, delete the old one. Partial
        indexes left by a rebuild that was killed are deleted first."""
        fresh = f"{self.uid}-{secrets.token_hex(4)}"
        with _translated():
            await self._delete_leftovers()
            await self._create(fresh)
            index = self._client.index(fresh)
            async with self._cleanup(fresh):
                async for batch in batches:
                    await self._wait(
                        await index.add_documents([payload(d) for d in batch], primary_key="key")
                    )
                    if progress is not None:
                        progress(len(batch))
                await self._wait(await self._client.swap_indexes([(self.uid, fresh)]))

    async def _delete_leftovers(self) -> None:
        leftover = re.compile(re.escape(self.uid) + r"-[0-9a-f]{8}")
        for index in await self._client.get_indexes(limit=1000) or []:
            if leftover.fullmatch(index.uid):
                log.warning("deleting index %s left by an interrupted rebuild", index.uid)
                await self._wait(await index.delete())

    @contextlib.asynccontextmanager
    async def _cleanup(self, uid: str) -> AsyncIterator[None]:
        """Delete ``uid`` afterwards: the old documents after a swap, the partial index after a
        failure."""
        try:
            yield
        finally:
            await self._wait(await self._client.index(uid).delete())

    async def set_synonyms(self, mapping: Mapping[str, Sequence[str]]) -> None:
        self._synonyms = {term: list(phrases) for term, phrases in mapping.items()}
        with _translated():
            await self._wait(
                await self._client.index(self.uid).update_synonyms(_synonyms(self._synonyms))
            )


def _hit(hit: Mapping[str, Any]) -> Hit:
    formatted = hit.get("_formatted", {})
    highlights = {
        name: marked(str(formatted.get(name, hit.get(name, "")))) for name in ("title", "subtitle")
    }
    if _PRE in str(formatted.get("body", "")):
        highlights["body"] = marked(str(formatted["body"]))
    return Hit(
        type=hit["type"],
        id=hit["id"],
        title=hit["title"],
        subtitle=hit.get("subtitle", ""),
        phones=list(hit.get("phones", [])),
        email=hit.get("email", ""),
        highlights=highlights,
    )
