"""The controlled vocabulary over HTTP: everyone reads it, admins extend it."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Router, get, post, put

from directory.api.auth import admins_only
from directory.errors import Conflict, InvalidField, NotFound
from directory.schemas import TaxonomyTermIn, TaxonomyTermOut
from directory.tables import TaxonomyTerm
from directory.vocabulary import TAXONOMIES


def _check_taxonomy(term: TaxonomyTermIn) -> None:
    if term.taxonomy not in TAXONOMIES:
        raise InvalidField("taxonomy", f"expected one of {', '.join(TAXONOMIES)}")


@get("/", operation_id="list_taxonomy_terms", summary="List the vocabulary, with labels")
async def list_terms(taxonomy: str = "") -> list[TaxonomyTermOut]:
    query = TaxonomyTerm.select().order_by(TaxonomyTerm.taxonomy).order_by(TaxonomyTerm.position)
    if taxonomy:
        query = query.where(TaxonomyTerm.taxonomy == taxonomy)
    return msgspec.convert(await query, list[TaxonomyTermOut])


@post("/", operation_id="create_taxonomy_term", guards=[admins_only], summary="Add a term")
async def create_term(data: TaxonomyTermIn) -> TaxonomyTermOut:
    _check_taxonomy(data)
    if await TaxonomyTerm.exists().where(
        (TaxonomyTerm.taxonomy == data.taxonomy) & (TaxonomyTerm.code == data.code)
    ):
        raise Conflict(f"{data.taxonomy} already has the code {data.code!r}")
    term = TaxonomyTerm(**msgspec.structs.asdict(data))
    await term.save()
    return TaxonomyTermOut(id=term.id, **msgspec.structs.asdict(data))


@put(
    "/{term_id:uuid}",
    operation_id="update_taxonomy_term",
    guards=[admins_only],
    summary="Change a term's labels or position (its code stays, records refer to it)",
)
async def update_term(term_id: UUID, data: TaxonomyTermIn) -> TaxonomyTermOut:
    row = await TaxonomyTerm.select().where(TaxonomyTerm.id == term_id).first()
    if row is None:
        raise NotFound("taxonomy term", str(term_id))
    if (data.taxonomy, data.code) != (row["taxonomy"], row["code"]):
        raise InvalidField("code", "the taxonomy and code of a term cannot change")
    await TaxonomyTerm.update(
        {
            TaxonomyTerm.label_sv: data.label_sv,
            TaxonomyTerm.label_en: data.label_en,
            TaxonomyTerm.position: data.position,
        }
    ).where(TaxonomyTerm.id == term_id)
    return TaxonomyTermOut(id=term_id, **msgspec.structs.asdict(data))


vocabulary_router = Router(
    path="/taxonomy-terms",
    route_handlers=[list_terms, create_term, update_term],
    tags=["taxonomy"],
)
