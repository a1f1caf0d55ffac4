"""How Swedish staff ask, run against every backend (see ``conftest.backend``): typos on the word
being typed, phone numbers as printed, compounds both ways, field weights, municipality as text,
the seeded vocabulary both ways, and queries that have nothing to search for."""

from __future__ import annotations

import unicodedata

from search.backend import SearchBackend
from search.synonyms import save_synonym, synonym_mapping
from tests.conftest import run_async
from tests.search.conftest import create, drain, search, titles


def _top(backend: SearchBackend, text: str, count: int = 3) -> list[str]:
    return titles(search(backend, text))[:count]


def test_a_typo_in_the_word_being_typed_still_finds_it(demo: SearchBackend) -> None:
    assert "Socialjouren" in _top(demo, "socai")
    assert "Polisen" in _top(demo, "polsi")


def test_phone_numbers_are_found_as_printed(demo: SearchBackend) -> None:
    assert "CVE:s stödtelefon" in titles(search(demo, "08-527 44 290"))
    assert titles(search(demo, "070-174 06 35"))[:2] == [
        "Exitstöd för den som vill lämna",
        "Stödlinjen för avhoppare och anhöriga",
    ]
    assert titles(search(demo, "578 29")) == ["Socialtjänstens mottagning"]
    assert titles(search(demo, "+46 70 174 06 07")) == ["Magnus Berg"]


def test_compounds_are_found_from_either_part(demo: SearchBackend) -> None:
    assert "Socialjouren" in _top(demo, "jour")
    assert _top(demo, "soc jour", 1) == ["Socialjouren"]
    assert "Socialjouren" in _top(demo, "socialtjänst jour")
    assert "Lina Dahl" in _top(demo, "skolkurator")
    assert "Stödlinjen för avhoppare och anhöriga" in _top(demo, "avhopparverksamhet")


def test_a_role_beats_a_word_in_a_description(demo: SearchBackend) -> None:
    assert _top(demo, "säkerhetssamordnare", 1) == ["Magnus Berg"]


def test_typos_rank_by_distance_and_field(demo: SearchBackend) -> None:
    assert _top(demo, "polsien", 1) == ["Polisen"]


def test_a_short_prefix_prefers_a_title_that_starts_with_it(demo: SearchBackend) -> None:
    ranked = titles(search(demo, "ty", limit=20))
    leading = [title for title in ranked if title.startswith(("Tyresö", "Tyreso"))]
    assert ranked[: len(leading)] == leading
    assert "Tyresö kommun" in leading
    assert ranked.index("Föräldranätverket i Tyresö") > ranked.index("Tyresö kommun")


def test_ties_stay_in_title_order_whatever_the_edit_history(backend: SearchBackend) -> None:
    from tests.search.test_behaviour import _update

    ids = {name: create("organization", name=name, kind="ngo") for name in ("Fritid C", "Fritid A")}
    drain(backend)
    create("organization", name="Fritid B", kind="ngo")
    _update("organization", ids["Fritid A"], description="Ny text")
    drain(backend)
    assert titles(search(backend, "fritid")) == ["Fritid A", "Fritid B", "Fritid C"]


def test_municipality_is_searchable_as_text(demo: SearchBackend) -> None:
    found = titles(search(demo, "fältsekreterare tyresö"))
    assert {"Johan Ek", "Fältgruppen"} <= set(found[:3])
    assert "Johan Ek" not in titles(search(demo, "fältsekreterare haninge"))


def test_the_seeded_vocabulary_finds_faith_and_english_names(demo: SearchBackend) -> None:
    assert _top(demo, "moské", 1) == ["Islamiska kulturföreningen i Tyresö"]
    assert "Islamiska kulturföreningen i Tyresö" in _top(demo, "imam")
    assert "Tyresö församling" in _top(demo, "kyrka")
    assert "Dialogforum med trossamfund" in _top(demo, "trossamfund")
    assert _top(demo, "police", 1) == ["Polisen"]
    assert "Socialförvaltningen" in titles(search(demo, "social services"))
    assert "Strandskolan" in titles(search(demo, "school"))
    assert "Islamiska kulturföreningen i Tyresö" in _top(demo, "mosque")


def test_a_synonym_works_both_ways_unless_one_way(backend: SearchBackend) -> None:
    create("organization", name="KFF-gruppen", kind="internal")
    create("organization", name="Pingstkyrkans ungdomsråd", kind="faith")
    drain(backend)
    run_async(save_synonym("KFF", ["kultur och fritid"]))
    run_async(save_synonym("frikyrka", ["pingstkyrka"], one_way=True))
    run_async(backend.set_synonyms(run_async(synonym_mapping())))
    assert titles(search(backend, "kultur och fritid")) == ["KFF-gruppen"]
    assert titles(search(backend, "frikyrka")) == ["Pingstkyrkans ungdomsråd"]
    create("organization", name="Frikyrkorådet", kind="faith")
    drain(backend)
    assert titles(search(backend, "pingstkyrkans")) == ["Pingstkyrkans ungdomsråd"]


def test_a_query_without_letters_or_digits_finds_nothing_and_says_why(demo: SearchBackend) -> None:
    for text in ("!!!", " — ", "Привет", "ﷺ"):
        result = search(demo, text)
        assert result.hits == [] and result.total == 0, text
        assert result.notice == "Type letters or digits to search."
    assert search(demo, "").total > 100  # an empty box still lists everything


def test_text_stored_decomposed_is_highlighted_like_composed(backend: SearchBackend) -> None:
    create("organization", name=unicodedata.normalize("NFD", "Tyresö fältgrupp"), kind="ngo")
    drain(backend)
    hit = search(backend, "tyresö").hits[0]
    assert hit.title == "Tyresö fältgrupp"
    assert hit.highlights["title"] == "<mark>Tyresö</mark> fältgrupp"
    assert (
        search(backend, "faltgrupp").hits[0].highlights["title"] == "Tyresö <mark>fältgrupp</mark>"
    )
