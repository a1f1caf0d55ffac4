"""Synonyms and abbreviations as data an admin edits (``BRÅ``, ``VBE``, ``moské``, ``police``).

A synonym works both ways unless it is marked one way: ``BRÅ`` finds "brottsförebyggande
rådet" and "brottsförebyggande rådet" finds what says ``BRÅ``; a one-way synonym (``soc`` ->
socialjouren) only expands its term. Every word of a phrase must match. Both backends get the
same expanded mapping, phrase -> phrases, from :func:`synonym_mapping` through
:meth:`search.backend.SearchBackend.set_synonyms`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns import Column

from directory.core.errors import N_, InvalidField, NotFound
from search.tables import SearchSynonym
from search.text import fold, words

MAX_PHRASES = 20


@dataclass(frozen=True)
class Synonym:
    term: str
    synonyms: list[str]
    one_way: bool = False


# The seeded vocabulary: abbreviations of the plan, faith words, English names of the main
# bodies (English -> Swedish works because these are two-way), and the plan's own terms.
DEFAULT_SYNONYMS: tuple[Synonym, ...] = (
    Synonym("BRÅ", ["brottsförebyggande rådet", "brottsförebyggande råd", "crime prevention"]),
    Synonym("VBE", ["våldsbejakande extremism"]),
    Synonym("soc", ["socialtjänsten", "socialförvaltningen", "socialjouren"], one_way=True),
    Synonym("SSPF", ["skola socialtjänst polis fritid"]),
    Synonym("CVE", ["Center mot våldsbejakande extremism"]),
    Synonym("polis", ["polisen", "lokalpolisområde"], one_way=True),
    Synonym("moské", ["islamiska kulturföreningen", "islamisk församling", "muslimsk", "mosque"]),
    Synonym("imam", ["islamiska kulturföreningen", "moské"]),
    Synonym("kyrka", ["kyrkan", "församling", "diakon", "church"]),
    Synonym("trossamfund", ["församling", "interreligiösa", "islamiska", "kyrkan"], one_way=True),
    Synonym("polisen", ["police", "polismyndigheten"]),
    Synonym(
        "socialtjänst", ["social services", "social service", "socialförvaltningen", "socialjour"]
    ),
    Synonym("skola", ["school", "skolan", "gymnasium", "elevhälsan"]),
    Synonym("fritidsgård", ["youth centre", "youth center", "leisure"]),
    Synonym("kommun", ["municipality", "council"]),
    Synonym("säkerhetssamordnare", ["security coordinator"]),
    Synonym("handlingsplan", ["action plan", "åtgärdsplan"]),
    Synonym("lägesbild", ["situational picture", "situation report"]),
    Synonym("orosanmälan", ["report of concern", "vid oro"]),
    Synonym("avhoppare", ["exitstöd", "exit"]),
    Synonym("anhörigstöd", ["support for relatives", "stöd till anhöriga"]),
    Synonym("stödlinje", ["support line", "stödtelefon", "orostelefon", "helpline"]),
)


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
    return [
        Synonym(row["term"], msgspec.json.decode(row["synonyms"]), bool(row["one_way"]))
        for row in rows
    ]


def expanded(synonyms: Sequence[Synonym]) -> dict[str, list[str]]:
    """Phrase -> the phrases it also finds: each term to its phrases (as written), and each
    phrase of a two-way synonym back to its term."""
    mapping: dict[str, dict[str, None]] = {}
    for synonym in synonyms:
        mapping.setdefault(synonym.term, {}).update(dict.fromkeys(synonym.synonyms))
        if not synonym.one_way:
            for phrase in synonym.synonyms:
                if words(phrase) != words(synonym.term):
                    mapping.setdefault(phrase, {})[synonym.term] = None
    return {key: list(values) for key, values in mapping.items()}


async def synonym_mapping() -> dict[str, list[str]]:
    return expanded(await list_synonyms())


async def save_synonym(term: str, phrases: list[str], one_way: bool = False) -> Synonym:
    """Create or replace the synonyms of ``term`` (stored folded, so ``BRÅ`` is ``bra``)."""
    key, cleaned = _normalised(term, phrases)
    encoded = msgspec.json.encode(cleaned).decode()
    values: dict[Column | str, Any] = {
        SearchSynonym.synonyms: encoded,
        SearchSynonym.one_way: one_way,
    }
    updated = (
        await SearchSynonym.update(values)
        .where(SearchSynonym.term == key)
        .returning(SearchSynonym.term)
    )
    if not updated:
        await SearchSynonym.insert(SearchSynonym(term=key, synonyms=encoded, one_way=one_way))
    return Synonym(key, cleaned, one_way)


async def delete_synonym(term: str) -> None:
    """Raises :class:`NotFound` if ``term`` has no synonyms."""
    key = fold(term).strip()
    deleted = (
        await SearchSynonym.delete().where(SearchSynonym.term == key).returning(SearchSynonym.term)
    )
    if not deleted:
        raise NotFound("synonym", term)


async def seed_default_synonyms() -> None:
    """Store those of :data:`DEFAULT_SYNONYMS` whose term has none yet (run by a data
    migration; an admin's edits of a term are kept)."""
    known = {row["term"] for row in await SearchSynonym.select(SearchSynonym.term)}
    for synonym in DEFAULT_SYNONYMS:
        if words(synonym.term)[0] not in known:
            await save_synonym(synonym.term, synonym.synonyms, synonym.one_way)
