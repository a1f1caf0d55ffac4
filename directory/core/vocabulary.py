"""The controlled vocabulary: kinds of organisation, areas, prevention levels, and the situation
picture's signals, frequencies and districts.

The defaults are seeded into ``taxonomy_term`` by ``samverkan migrate``; after that the table is
the truth, and an admin may add terms or change labels.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Final

import msgspec

from directory.core.errors import N_, Conflict, InvalidField, NotFound
from directory.core.schemas import TaxonomyTermIn, TaxonomyTermOut
from directory.core.tables import TaxonomyTerm

TAXONOMIES: Final = ("kind", "area", "level", "signal", "frequency", "district")

DEFAULT_TERMS: Final[dict[str, list[tuple[str, str, str]]]] = {
    "kind": [
        ("internal", "Kommunal verksamhet", "Internal unit"),
        ("authority", "Myndighet", "Authority"),
        ("faith", "Trossamfund", "Faith community"),
        ("ngo", "Civilsamhälle / ideell organisation", "NGO / civil society"),
        ("neighbour", "Grannkommun", "Neighbouring municipality"),
        ("national", "Nationell aktör", "National body"),
        ("other", "Övrig", "Other"),
    ],
    "area": [
        ("school", "Skola", "School"),
        ("social_services", "Socialtjänst", "Social services"),
        ("leisure", "Fritid", "Leisure services"),
        ("police", "Polis", "Police"),
        ("security", "Säkerhet", "Security"),
        ("health_care", "Hälso- och sjukvård", "Health care"),
        ("faith", "Tro och livsåskådning", "Faith"),
        ("civil_society", "Civilsamhälle", "Civil society"),
        ("crime_prevention", "Brottsförebyggande arbete", "Crime prevention"),
        ("relatives_support", "Anhörigstöd", "Support for relatives"),
        ("training", "Utbildning och kompetensutveckling", "Training"),
        ("governance", "Styrning och samordning", "Governance and coordination"),
    ],
    "level": [
        ("general", "Generell", "General"),
        ("selective", "Selektiv", "Selective"),
        ("indicated", "Indikerad", "Indicated"),
    ],
    "signal": [
        ("propaganda", "Propaganda och symboler", "Propaganda and symbols"),
        ("recruitment", "Rekryteringsförsök", "Recruitment attempts"),
        ("threats", "Hot och trakasserier", "Threats and harassment"),
        ("violence", "Våld eller våldsförhärligande", "Violence or glorified violence"),
        ("polarisation", "Polarisering och konflikter mellan grupper", "Polarisation"),
        ("online", "Radikalisering på nätet", "Online radicalisation"),
        ("relatives", "Oroliga anhörigas kontakter", "Worried relatives' contacts"),
        ("travel", "Resor till konfliktområden", "Travel to conflict zones"),
    ],
    "frequency": [
        ("single", "Enstaka tillfälle", "A single occasion"),
        ("several", "Några tillfällen", "A few occasions"),
        ("recurring", "Återkommande", "Recurring"),
    ],
    "district": [
        ("tyreso_centrum", "Tyresö centrum", "Tyresö centre"),
        ("bollmora", "Bollmora", "Bollmora"),
        ("trollbacken", "Trollbäcken", "Trollbäcken"),
        ("oringe", "Öringe", "Öringe"),
        ("krusboda", "Krusboda", "Krusboda"),
        ("tyreso_strand", "Tyresö strand", "Tyresö strand"),
        ("brevik", "Brevik", "Brevik"),
        ("whole", "Hela kommunen", "The whole municipality"),
        ("online", "På nätet", "Online"),
    ],
}


async def seed_default_terms() -> int:
    """Insert the default terms a taxonomy lacks; returns how many were added."""
    existing = {
        (row["taxonomy"], row["code"])
        for row in await TaxonomyTerm.select(TaxonomyTerm.taxonomy, TaxonomyTerm.code)
    }
    new_terms = [
        TaxonomyTerm(
            taxonomy=taxonomy, code=code, label_sv=label_sv, label_en=label_en, position=position
        )
        for taxonomy, terms in DEFAULT_TERMS.items()
        for position, (code, label_sv, label_en) in enumerate(terms)
        if (taxonomy, code) not in existing
    ]
    if new_terms:
        await TaxonomyTerm.insert(*new_terms)
    return len(new_terms)


async def allowed_codes() -> dict[str, frozenset[str]]:
    """Every taxonomy's codes, read from the database."""
    codes: defaultdict[str, set[str]] = defaultdict(set)
    for row in await TaxonomyTerm.select(TaxonomyTerm.taxonomy, TaxonomyTerm.code):
        codes[row["taxonomy"]].add(row["code"])
    return {taxonomy: frozenset(codes[taxonomy]) for taxonomy in TAXONOMIES}


async def add_term(data: TaxonomyTermIn) -> TaxonomyTermOut:
    """A new code; raises :class:`InvalidField` for an unknown taxonomy, :class:`Conflict` for a
    code the taxonomy already has."""
    if data.taxonomy not in TAXONOMIES:
        raise InvalidField(
            "taxonomy", N_("expected one of %(allowed)s"), {"allowed": ", ".join(TAXONOMIES)}
        )
    if await TaxonomyTerm.exists().where(
        (TaxonomyTerm.taxonomy == data.taxonomy) & (TaxonomyTerm.code == data.code)
    ):
        raise Conflict(
            N_("%(taxonomy)s already has the code %(code)s"),
            {"taxonomy": data.taxonomy, "code": repr(data.code)},
        )
    term = TaxonomyTerm(**msgspec.structs.asdict(data))
    await term.save()
    return TaxonomyTermOut(id=term.id, **msgspec.structs.asdict(data))


async def relabel_term(term_id: uuid.UUID, data: TaxonomyTermIn) -> TaxonomyTermOut:
    """New labels or position; the taxonomy and code stay, because records refer to them."""
    row = await TaxonomyTerm.select().where(TaxonomyTerm.id == term_id).first()
    if row is None:
        raise NotFound("taxonomy term", str(term_id))
    if (data.taxonomy, data.code) != (row["taxonomy"], row["code"]):
        raise InvalidField("code", N_("the taxonomy and code of a term cannot change"))
    await TaxonomyTerm.update(
        {
            TaxonomyTerm.label_sv: data.label_sv,
            TaxonomyTerm.label_en: data.label_en,
            TaxonomyTerm.position: data.position,
        }
    ).where(TaxonomyTerm.id == term_id)
    return TaxonomyTermOut(id=term_id, **msgspec.structs.asdict(data))
