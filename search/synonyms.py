"""Synonyms and abbreviations as data an admin edits (``BRÅ``, ``VBE``, ``soc``, ``SSPF``).

A synonym is one way: searching the term also finds each of its phrases (every word of a
phrase must match). Both backends get the same mapping through
:meth:`search.backend.SearchBackend.set_synonyms`.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from directory.core.errors import N_, InvalidField, NotFound
from search.tables import SearchSynonym
from search.text import fold, words

DEFAULT_SYNONYMS: dict[str, list[str]] = {
    "BRÅ": ["brottsförebyggande rådet", "brottsförebyggande råd", "Brottsförebyggande rådet"],
    "VBE": ["våldsbejakande extremism"],
    "soc": ["socialtjänsten", "socialförvaltningen", "socialjouren"],
    "SSPF": ["skola socialtjänst polis fritid"],
    "CVE": ["Center mot våldsbejakande extremism"],
    "polis": ["polisen", "lokalpolisområde"],
}
MAX_PHRASES = 20


@dataclass(frozen=True)
class Synonym:
    term: str
    synonyms: list[str]


def _normalised(term: str, phrases: list[str]) -> tuple[str, list[str]]:
    """The term folded to one word and the phrases stripped; raises :class:`InvalidField`."""
    folded = words(term)
    if len(folded) != 1:
        raise InvalidField("term", N_("must be exactly one word (letters and digits)"))
    cleaned = [" ".join(phrase.split()) for phrase in phrases if phrase.strip()]
    if not cleaned:
        raise InvalidField("synonyms", N_("needs at least one phrase"))
    if len(cleaned) > MAX_PHRASES:
        raise InvalidField("synonyms", N_("at most %(max)s phrases"), {"max": MAX_PHRASES})
    for index, phrase in enumerate(cleaned):
        if len(phrase) > 200 or not words(phrase):
            raise InvalidField(f"synonyms[{index}]", N_("must have letters or digits, at most 200"))
    return folded[0], cleaned


async def list_synonyms() -> list[Synonym]:
    rows = await SearchSynonym.select().order_by(SearchSynonym.term)
    return [Synonym(row["term"], msgspec.json.decode(row["synonyms"])) for row in rows]


async def synonym_mapping() -> dict[str, list[str]]:
    return {synonym.term: synonym.synonyms for synonym in await list_synonyms()}


async def save_synonym(term: str, phrases: list[str]) -> Synonym:
    """Create or replace the synonyms of ``term`` (stored folded, so ``BRÅ`` is ``bra``)."""
    key, cleaned = _normalised(term, phrases)
    encoded = msgspec.json.encode(cleaned).decode()
    updated = (
        await SearchSynonym.update({SearchSynonym.synonyms: encoded})
        .where(SearchSynonym.term == key)
        .returning(SearchSynonym.term)
    )
    if not updated:
        await SearchSynonym.insert(SearchSynonym(term=key, synonyms=encoded))
    return Synonym(key, cleaned)


async def delete_synonym(term: str) -> None:
    """Raises :class:`NotFound` if ``term`` has no synonyms."""
    key = fold(term).strip()
    deleted = (
        await SearchSynonym.delete().where(SearchSynonym.term == key).returning(SearchSynonym.term)
    )
    if not deleted:
        raise NotFound("synonym", term)


def default_rows() -> set[tuple[str, str]]:
    """The ``(term, synonyms)`` rows :func:`seed_default_synonyms` writes."""
    rows = set()
    for term, phrases in DEFAULT_SYNONYMS.items():
        key, cleaned = _normalised(term, phrases)
        rows.add((key, msgspec.json.encode(cleaned).decode()))
    return rows


async def seed_default_synonyms() -> None:
    """Store :data:`DEFAULT_SYNONYMS` (run once, by a data migration; admins edit from there)."""
    for term, phrases in DEFAULT_SYNONYMS.items():
        await save_synonym(term, phrases)
