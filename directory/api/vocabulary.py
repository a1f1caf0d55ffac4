"""The controlled vocabulary over HTTP: everyone reads it, admins extend it."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Router, get, post, put

from directory.accounts.auth import admins_only
from directory.core.schemas import TaxonomyTermIn, TaxonomyTermOut
from directory.core.tables import TaxonomyTerm
from directory.core.vocabulary import add_term, relabel_term


@get("/", operation_id="list_taxonomy_terms", summary="List the vocabulary, with labels")
async def list_terms(taxonomy: str = "") -> list[TaxonomyTermOut]:
    query = TaxonomyTerm.select().order_by(TaxonomyTerm.taxonomy).order_by(TaxonomyTerm.position)
    if taxonomy:
        query = query.where(TaxonomyTerm.taxonomy == taxonomy)
    return msgspec.convert(await query, list[TaxonomyTermOut])


@post(
    "/",
    operation_id="create_taxonomy_term",
    guards=[admins_only],
    summary="Add a term",
    opt={"conflict": "The taxonomy already has a term with this code"},
)
async def create_term(data: TaxonomyTermIn) -> TaxonomyTermOut:
    return await add_term(data)


@put(
    "/{term_id:uuid}",
    operation_id="update_taxonomy_term",
    guards=[admins_only],
    summary="Change a term's labels or position (its code stays, records refer to it)",
)
async def update_term(term_id: UUID, data: TaxonomyTermIn) -> TaxonomyTermOut:
    return await relabel_term(term_id, data)


vocabulary_router = Router(
    path="/taxonomy-terms",
    route_handlers=[list_terms, create_term, update_term],
    tags=["taxonomy"],
)
