"""``/api/v1/search``: one search box over the directory, facet suggestions, and synonyms."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, post
from litestar.datastructures import State
from litestar.params import Parameter

from directory.accounts.auth import admins_only
from directory.core.access import Principal
from directory.core.errors import InvalidField
from search import synonyms
from search.backend import (
    FACETS,
    MAX_LIMIT,
    FacetValue,
    SearchBackend,
    SearchQuery,
    SearchResult,
)
from search.documents import DOCUMENT_TYPES
from search.service import facet_values_as, search_as

STATE_KEY = "search_backend"
Text = Annotated[str, Parameter(max_length=200)]
Filter = Annotated[str, Parameter(max_length=100)]


class SynonymIn(msgspec.Struct, forbid_unknown_fields=True):
    term: Annotated[str, msgspec.Meta(max_length=100)]
    synonyms: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=200)]], msgspec.Meta(max_length=20)
    ]
    one_way: bool = False


class SynonymOut(msgspec.Struct):
    term: str
    synonyms: list[str]
    one_way: bool


def _types(value: str) -> tuple[str, ...]:
    types = tuple(part.strip() for part in value.split(",") if part.strip())
    for name in types:
        if name not in DOCUMENT_TYPES:
            raise InvalidField("type", f"must be one of {', '.join(DOCUMENT_TYPES)}")
    return types


def backend_of(state: State) -> SearchBackend:
    backend: SearchBackend = state[STATE_KEY]
    return backend


@get(
    "/search",
    operation_id="search",
    summary="Search organisations, contacts, services and networks",
    tags=["search"],
)
async def search(
    request: Request[Principal, Any, Any],
    state: State,
    q: Text = "",
    type: Filter = "",
    kind: Filter = "",
    area: Filter = "",
    level: Filter = "",
    municipality: Filter = "",
    network: Filter = "",
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Parameter(ge=0, le=10_000)] = 0,
) -> SearchResult:
    """Best match first, with facet counts, escaped highlights and ``degraded`` when the
    backend is down and the answer comes from a plain database match."""
    query = SearchQuery(
        text=q,
        visibilities=request.user.readable_visibilities,
        types=_types(type),
        kind=kind,
        area=area,
        level=level,
        municipality=municipality,
        network=network,
        limit=limit,
        offset=offset,
    )
    return await search_as(request.user, backend_of(state), query)


@get(
    "/search/facets/{facet:str}",
    operation_id="searchFacetValues",
    summary="Facet values starting with a prefix, among the hits of a query (suggestions)",
    tags=["search"],
)
async def facet_values(
    request: Request[Principal, Any, Any],
    state: State,
    facet: str,
    prefix: Filter = "",
    q: Text = "",
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 10,
) -> list[FacetValue]:
    if facet not in FACETS:
        raise InvalidField("facet", f"must be one of {', '.join(FACETS)}")
    query = SearchQuery(text=q, visibilities=request.user.readable_visibilities)
    return await facet_values_as(request.user, backend_of(state), query, facet, prefix, limit)


@get(
    "/search/synonyms",
    operation_id="listSynonyms",
    summary="Synonyms and abbreviations the search uses",
    tags=["search"],
    guards=[admins_only],
)
async def list_synonyms() -> list[SynonymOut]:
    return [
        SynonymOut(item.term, item.synonyms, item.one_way)
        for item in await synonyms.list_synonyms()
    ]


@post(
    "/search/synonyms",
    operation_id="saveSynonym",
    summary="Create or replace the synonyms of a word (both ways unless one_way)",
    tags=["search"],
    guards=[admins_only],
)
async def save_synonym(state: State, data: SynonymIn) -> SynonymOut:
    saved = await synonyms.save_synonym(data.term, data.synonyms, data.one_way)
    await backend_of(state).set_synonyms(await synonyms.synonym_mapping())
    return SynonymOut(saved.term, saved.synonyms, saved.one_way)


@delete(
    "/search/synonyms/{term:str}",
    operation_id="deleteSynonym",
    summary="Remove the synonyms of a word",
    tags=["search"],
    guards=[admins_only],
)
async def delete_synonym(state: State, term: str) -> None:
    await synonyms.delete_synonym(term)
    await backend_of(state).set_synonyms(await synonyms.synonym_mapping())


search_router = Router(
    path="/",
    route_handlers=[search, facet_values, list_synonyms, save_synonym, delete_synonym],
)
