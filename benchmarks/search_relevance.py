"""Relevance on the demo directory: queries as municipal staff type them, each with the titles
that count as a right answer (decided from the demo listing, not from any engine's output).

Prints success@1, success@3, mean reciprocal rank and the zero-result rate per engine and per
category, and how many keystrokes of misspelt names typed letter by letter still show the
entry in the top three. Engines: the embedded backend (tantivy with the query layer), SQLite
FTS5 as the floor, and Meilisearch when ``MEILI_URL`` is set. Searches as staff (everything
visible). The last line is one JSON object.

    python -m benchmarks.search_relevance
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

Search = Callable[[str], Awaitable[list[str]]]
STAFF = ("internal", "partners", "public")

# category -> [(query, acceptable titles)]
QUERIES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "names": [
        ("Magnus Berg", ("Magnus Berg",)),
        ("magnus", ("Magnus Berg",)),
        ("Lina Dahl", ("Lina Dahl",)),
        ("henrik strand", ("Henrik Strand",)),
        ("Sara Holm", ("Sara Holm",)),
        ("erik sandberg", ("Erik Sandberg",)),
        ("lindqvist", ("Karin Lindqvist",)),
        ("peter åberg", ("Peter Åberg",)),
        ("peter aberg", ("Peter Åberg",)),
        ("johan ek", ("Johan Ek",)),
        ("sjöberg", ("Elin Sjöberg",)),
        ("birgitta", ("Birgitta Wallin",)),
        ("nordström", ("Anna Nordström",)),
        ("forsberg", ("Lars Forsberg",)),
    ],
    "roles": [
        ("säkerhetssamordnare", ("Magnus Berg",)),
        ("rektor", ("Peter Åberg",)),
        ("kurator", ("Lina Dahl", "Elevhälsan på gymnasiet")),
        ("fältsekreterare", ("Johan Ek", "Fältgruppen")),
        ("kommunpolis", ("Lars Forsberg", "Kommunpolisen")),
        ("sspf-koordinator", ("Elin Sjöberg",)),
        ("brottsförebyggande samordnare", ("Karin Lindqvist", "Malin Sundberg", "Camilla Öberg")),
        ("socialsekreterare", ("Sara Holm",)),
        ("fritidsledare", ("Amanda Persson",)),
        ("enhetschef", ("Fredrik Almqvist",)),
        ("områdespolis", ("Sofia Hedlund",)),
        ("föreningsutvecklare", ("Jenny Björk",)),
        ("behandlare", ("Erik Sandberg",)),
        ("fältsekreterare tyresö", ("Johan Ek", "Fältgruppen")),
    ],
    "organisations": [
        ("socialjouren", ("Socialjouren",)),
        ("polisen", ("Polisen",)),
        ("rädda barnen", ("Rädda Barnen",)),
        ("strandskolan", ("Strandskolan",)),
        ("fältgruppen", ("Fältgruppen",)),
        ("kommunstyrelsen", ("Kommunstyrelsen",)),
        ("socialförvaltningen", ("Socialförvaltningen",)),
        ("länsstyrelsen", ("Länsstyrelsen i Stockholms län",)),
        ("säkerhetspolisen", ("Säkerhetspolisen",)),
        ("region stockholm", ("Region Stockholm",)),
        ("ungdomsmottagningen", ("Ungdomsmottagningen", "Ungdomsmottagningen i Tyresö")),
        ("tyresö församling", ("Tyresö församling",)),
        ("familjestödsenheten", ("Familjestödsenheten",)),
        ("stiftelsen nya vägval", ("Stiftelsen Nya Vägval",)),
        ("interreligiösa rådet", ("Interreligiösa rådet i Tyresö",)),
        ("trollbäckens skola", ("Trollbäckens skola",)),
        ("haninge kommun", ("Haninge kommun",)),
        ("centrala elevhälsan", ("Centrala elevhälsan",)),
        ("kultur- och fritidsförvaltningen", ("Kultur- och fritidsförvaltningen",)),
        ("säkerhetsfunktionen", ("Säkerhetsfunktionen",)),
    ],
    "typos": [
        ("socialjuoren", ("Socialjouren",)),
        ("polsien", ("Polisen",)),
        ("fältgrupen", ("Fältgruppen",)),
        ("strandskolna", ("Strandskolan",)),
        ("kommunstyrelsn", ("Kommunstyrelsen",)),
        ("ungdomsmotagningen", ("Ungdomsmottagningen", "Ungdomsmottagningen i Tyresö")),
        ("rädda barnne", ("Rädda Barnen",)),
        ("famijlestödsenheten", ("Familjestödsenheten",)),
        ("säkerhetspolsen", ("Säkerhetspolisen",)),
        ("nattvandirng", ("Nattvandring", "Nattvandring i Tyresö")),
        ("interreligösa", ("Interreligiösa rådet i Tyresö",)),
        ("trossamfnud", ("Dialogforum med trossamfund", "Interreligiösa rådet i Tyresö")),
        ("magnus breg", ("Magnus Berg",)),
        ("kurrator", ("Lina Dahl", "Elevhälsan på gymnasiet")),
        ("socai", ("Socialjouren", "Socialförvaltningen", "Socialtjänstens mottagningsenhet")),
    ],
    "prefixes": [
        ("soci", ("Socialjouren", "Socialförvaltningen", "Socialtjänstens mottagningsenhet")),
        ("ty", ("Tyresö kommun", "Tyresö församling", "Tyresö gymnasium", "Tyreso Dialogforum")),
        ("strand", ("Strandskolan",)),
        ("fält", ("Fältgruppen",)),
        ("polis", ("Polisen",)),
        ("rädd", ("Rädda Barnen",)),
        ("famil", ("Familjestödsenheten",)),
        ("nattv", ("Nattvandring", "Nattvandring i Tyresö")),
        ("ungdomsm", ("Ungdomsmottagningen", "Ungdomsmottagningen i Tyresö")),
        ("kommunst", ("Kommunstyrelsen",)),
        ("orost", ("Orostelefonen",)),
        ("idrott", ("Idrottsalliansen i Tyresö",)),
        ("länsst", ("Länsstyrelsen i Stockholms län",)),
    ],
    "compounds": [
        ("jour", ("Socialjouren", "Säkerhetsfunktionens jourtelefon")),
        ("soc jour", ("Socialjouren",)),
        ("socialtjänst jour", ("Socialjouren",)),
        ("skolkurator", ("Lina Dahl", "Elevhälsan på gymnasiet")),
        (
            "avhopparverksamhet",
            (
                "Stödlinjen för avhoppare och anhöriga",
                "Exitstöd för den som vill lämna",
                "Erik Sandberg",
            ),
        ),
        ("skola kurator", ("Lina Dahl", "Elevhälsan på gymnasiet")),
        ("säkerhetsjour", ("Säkerhetsfunktionens jourtelefon",)),
        ("jourtelefon", ("Säkerhetsfunktionens jourtelefon",)),
        ("stödtelefon", ("CVE:s stödtelefon", "CVE:s stödtelefon för yrkesverksamma")),
        ("anhörigstöd", ("Anhörigstöd vid oro för radikalisering", "Nätverk för anhörigstöd")),
        ("elevhälsa", ("Centrala elevhälsan", "Elevhälsan på gymnasiet")),
        ("fritidsgård", ("Fritidsgården Bollmora", "Fritidsgården Trollbäcken")),
        ("kontaktcenter", ("Polisens kontaktcenter",)),
        ("polis kontakt", ("Polisens kontaktcenter",)),
        ("gymnasieskola", ("Tyresö gymnasium", "Elevhälsan på gymnasiet")),
    ],
    "phone": [
        (
            "08-527 44 290",
            (
                "CVE:s stödtelefon",
                "CVE:s stödtelefon för yrkesverksamma",
                "Center mot våldsbejakande extremism",
                "CVE:s mobila stödteam",
                "Mobila stödteam",
            ),
        ),
        (
            "070-174 06 35",
            ("Stödlinjen för avhoppare och anhöriga", "Exitstöd för den som vill lämna"),
        ),
        ("578 29", ("Socialtjänstens mottagning",)),
        ("08-578 29 100", ("Socialtjänstens mottagning",)),
        (
            "114 14",
            ("Polisen", "Polisens kontaktcenter", "Kommunpolisen", "Lokalpolisområde Nacka"),
        ),
        ("020-100 200", ("Orostelefonen", "Rädda Barnen")),
        ("070-174 06 07", ("Magnus Berg",)),
        ("0701740619", ("Lina Dahl",)),
        ("1177", ("Region Stockholm", "BUP-mottagningen", "Bedömning och behandling inom BUP")),
        ("06 19", ("Lina Dahl",)),
        ("+46 70 174 06 36", ("Erik Sandberg",)),
    ],
    "email": [
        ("magnus.berg@example.se", ("Magnus Berg",)),
        ("polisen.se", ("Kommunpolisen", "Kommunpolisens stöd till verksamheter")),
        ("lina.dahl", ("Lina Dahl",)),
        ("familjestod@example.se", ("Familjestödsenheten",)),
        (
            "nyavagval",
            (
                "Stiftelsen Nya Vägval",
                "Stödlinjen för avhoppare och anhöriga",
                "Exitstöd för den som vill lämna",
            ),
        ),
        (
            "sakerhet@example.se",
            ("Säkerhetsfunktionens jourtelefon", "Lägesbild och konsultation för chefer"),
        ),
        ("vbe.samordning", ("Kommunens kontaktfunktion för VBE-frågor",)),
    ],
    "synonyms": [
        ("BRÅ", ("Lokala brottsförebyggande rådet", "Brottsförebyggande rådet")),
        ("SSPF", ("SSPF Tyresö", "SSPF – samverkan kring unga i riskzon")),
        ("CVE", ("Center mot våldsbejakande extremism",)),
        ("soc", ("Socialförvaltningen", "Socialjouren", "Socialtjänstens mottagningsenhet")),
        ("moské", ("Islamiska kulturföreningen i Tyresö",)),
        ("imam", ("Islamiska kulturföreningen i Tyresö",)),
        ("kyrka", ("Tyresö församling",)),
        ("trossamfund", ("Dialogforum med trossamfund", "Interreligiösa rådet i Tyresö")),
        ("säpo", ("Säkerhetspolisen",)),
        ("orosanmälan", ("Vid oro för barn och unga",)),
        (
            "VBE kontaktperson",
            (
                "Kommunens kontaktfunktion för VBE-frågor",
                "Anna Nordström",
                "Oskar Lundgren",
                "Jonas Hellström",
                "David Engström",
                "Maria Lund",
            ),
        ),
    ],
    "english": [
        ("police", ("Polisen",)),
        (
            "social services",
            (
                "Socialförvaltningen",
                "Socialtjänstens mottagningsenhet",
                "Socialtjänstens mottagning",
            ),
        ),
        ("school", ("Strandskolan", "Trollbäckens skola", "Tyresö gymnasium")),
        ("youth centre", ("Fritidsgården Bollmora", "Fritidsgården Trollbäcken")),
        ("security coordinator", ("Magnus Berg",)),
        ("mosque", ("Islamiska kulturföreningen i Tyresö",)),
        ("church", ("Tyresö församling",)),
        ("crime prevention", ("Lokala brottsförebyggande rådet", "Brottsförebyggande rådet")),
        (
            "support line",
            (
                "Orostelefonen",
                "CVE:s stödtelefon",
                "CVE:s stödtelefon för yrkesverksamma",
                "Stödlinjen för avhoppare och anhöriga",
            ),
        ),
    ],
}

# Misspelt names typed letter by letter (from the fourth letter on): target in the top three?
AS_YOU_TYPE = [
    ("socialjuoren", "Socialjouren"),
    ("polsien", "Polisen"),
    ("fältgrupen", "Fältgruppen"),
    ("strandskolna", "Strandskolan"),
    ("kommunstyrelsn", "Kommunstyrelsen"),
    ("famijlestödsenheten", "Familjestödsenheten"),
    ("säkerhetspolsen", "Säkerhetspolisen"),
    ("nattvandirng", "Nattvandring"),
    ("interreligösa", "Interreligiösa rådet i Tyresö"),
    ("idrottsaliansen", "Idrottsalliansen i Tyresö"),
    ("ungdomsmotagningen", "Ungdomsmottagningen i Tyresö"),
    ("länstyrelsen", "Länsstyrelsen i Stockholms län"),
]


def score(ranked: list[str], right: tuple[str, ...]) -> tuple[bool, bool, float, bool]:
    """(success@1, success@3, reciprocal rank, zero results)."""
    rank = next((n for n, title in enumerate(ranked, 1) if title in right), 0)
    return rank == 1, 0 < rank <= 3, 1 / rank if rank else 0.0, not ranked


@dataclass
class Figures:
    queries: int
    overall: dict[str, float]
    misspelt_keystrokes_right: float
    categories: dict[str, dict[str, float]]
    misses: list[str]


async def evaluate(search: Search) -> Figures:
    categories: dict[str, dict[str, float]] = {}
    every: list[tuple[bool, bool, float, bool]] = []
    misses: list[str] = []
    for category, cases in QUERIES.items():
        scored = []
        for text, right in cases:
            ranked = await search(text)
            scored.append(score(ranked, right))
            if not scored[-1][1]:
                misses.append(f"{category}: {text!r} -> {ranked[:3]}")
        every += scored
        categories[category] = _summary(scored)
    keystrokes = right_keystrokes = 0
    for typed, target in AS_YOU_TYPE:
        for length in range(4, len(typed) + 1):
            keystrokes += 1
            right_keystrokes += target in (await search(typed[:length]))[:3]
    return Figures(
        len(every), _summary(every), round(right_keystrokes / keystrokes, 3), categories, misses
    )


def _summary(scored: list[tuple[bool, bool, float, bool]]) -> dict[str, float]:
    count = len(scored)
    return {
        "success_at_1": round(sum(s[0] for s in scored) / count, 3),
        "success_at_3": round(sum(s[1] for s in scored) / count, 3),
        "mrr": round(sum(s[2] for s in scored) / count, 3),
        "zero_results": round(sum(s[3] for s in scored) / count, 3),
    }


async def _engines() -> dict[str, Search]:
    from benchmarks.fts5 import Fts5Index
    from directory.core.database import migrate
    from directory.demo.loader import load_demo_if_empty
    from search.backend import SearchBackend, SearchQuery
    from search.documents import all_documents
    from search.embedded import EmbeddedBackend
    from sync.indexing import reindex

    await migrate()
    await load_demo_if_empty()
    documents = [document async for batch in all_documents() for document in batch]
    titles = {document.key: document.title for document in documents}
    backends: dict[str, SearchBackend] = {"embedded": EmbeddedBackend()}
    if os.environ.get("MEILI_URL"):
        from search.meili import MeilisearchBackend

        backends["meilisearch"] = MeilisearchBackend(
            os.environ["MEILI_URL"], os.environ.get("MEILI_MASTER_KEY", ""), index="relevance"
        )
    engines: dict[str, Search] = {}
    for name, backend in backends.items():
        await backend.start()
        await reindex(backend)

        async def run(text: str, backend: SearchBackend = backend) -> list[str]:
            result = await backend.search(SearchQuery(text=text, visibilities=STAFF, limit=10))
            return [hit.title for hit in result.hits]

        engines[name] = run
    floor = Fts5Index()
    floor.add(documents)

    async def fts5(text: str) -> list[str]:
        return [titles[key] for key in floor.search(text, 10)]

    engines["fts5"] = fts5
    return engines


async def _main() -> dict[str, Figures]:
    return {name: await evaluate(search) for name, search in (await _engines()).items()}


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="samverkan-relevance-"))
    os.environ.update(
        {
            "SAMVERKAN_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'relevance.sqlite'}",
        }
    )
    figures = asyncio.run(_main())
    for engine, found in figures.items():
        print(f"{engine} ({found.queries} queries): {json.dumps(found.overall)}, misspelt "
              f"keystrokes right {found.misspelt_keystrokes_right}")  # fmt: skip
        for category, summary in found.categories.items():
            print(f"  {category:14} {json.dumps(summary)}")
        for miss in found.misses:
            print(f"  miss {miss}")
    print(json.dumps({name: asdict(found) for name, found in figures.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
