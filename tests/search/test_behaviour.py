"""What staff expect of the search box, run against every backend (see ``conftest.backend``)."""

from __future__ import annotations

from search.backend import SearchBackend
from tests.conftest import run_async
from tests.search.conftest import PARTNER, create, drain, search, titles


def _org(name: str, **values: object) -> str:
    return create("organization", name=name, kind=values.pop("kind", "internal"), **values)


def test_prefix_finds_entries_as_you_type(demo: SearchBackend) -> None:
    _org("Socialtjänsten")
    _org("Fritidsgården")
    drain(demo)
    assert "Socialtjänsten" in titles(search(demo, "soci"))
    assert "Fritidsgården" in titles(search(demo, "fri"))


def test_typos_still_find_the_entry(demo: SearchBackend) -> None:
    _org("Socialtjänsten")
    _org("Polisen i Tyresö", kind="authority")
    _org("Trossamfundens råd", kind="faith", description="Dialog med trossamfund i kommunen.")
    drain(demo)
    assert "Socialtjänsten" in titles(search(demo, "socialtjänstn"))
    assert "Polisen i Tyresö" in titles(search(demo, "polsien"))
    assert "Trossamfundens råd" in titles(search(demo, "trossamfnud"))


def test_typo_budget_follows_word_length(backend: SearchBackend) -> None:
    _org("Kommunen")
    _org("Fältgruppen")
    drain(backend)
    assert titles(search(backend, "kommunem")) == ["Kommunen"]
    assert titles(search(backend, "kommmunen")) == ["Kommunen"]
    assert search(backend, "faltgrxxxen").total == 0
    assert search(backend, "kpmmunem").total == 0
    assert titles(search(backend, "faltgripen")) == ["Fältgruppen"]


def test_swedish_letters_match_both_ways(demo: SearchBackend) -> None:
    _org("Rädda Barnen", kind="ngo")
    drain(demo)
    assert any("Tyresö" in title for title in titles(search(demo, "tyreso")))
    assert "Rädda Barnen" in titles(search(demo, "radda barnen"))
    assert "Tyreso Dialogforum" in titles(search(demo, "Tyresö dialogforum"))
    assert "Tyreso Dialogforum" in titles(search(demo, "Tyresö"))


def test_abbreviations_are_synonyms(backend: SearchBackend) -> None:
    _org("Lokala brottsförebyggande rådet")
    _org("Stödlinjen", description="Råd vid oro för våldsbejakande extremism.")
    _org("Socialförvaltningen")
    create("network", name="Skola socialtjänst polis fritid i Tyresö", municipality="Tyresö")
    drain(backend)
    assert titles(search(backend, "BRÅ")) == ["Lokala brottsförebyggande rådet"]
    assert titles(search(backend, "VBE")) == ["Stödlinjen"]
    assert "Socialförvaltningen" in titles(search(backend, "soc"))
    assert titles(search(backend, "SSPF")) == ["Skola socialtjänst polis fritid i Tyresö"]


def test_demo_abbreviations_find_their_entries(demo: SearchBackend) -> None:
    assert "Lokala brottsförebyggande rådet" in titles(search(demo, "BRÅ"))
    assert any("SSPF" in title for title in titles(search(demo, "SSPF", types=("network",))))
    assert search(demo, "VBE").total > 0


def test_phone_digits_and_email_domains(demo: SearchBackend) -> None:
    reception = titles(search(demo, "57829"))
    assert "Socialtjänstens mottagning" in reception
    police = search(demo, "polisen.se")
    assert police.total > 0
    assert all("polisen.se" in hit.email or hit.type != "contact" for hit in police.hits), (
        police.hits
    )
    assert any(hit.type == "contact" and hit.email.endswith("@polisen.se") for hit in police.hits)


def test_facets_count_and_filters_narrow(backend: SearchBackend) -> None:
    school = _org("Skolan Centrum", areas=["school"], levels=["general"], municipality="Tyresö")
    _org("Skolkuratorn", areas=["school", "social_services"], municipality="Nacka")
    create("contact", organization_id=school, name="Rektor på skolan", title="Rektor")
    drain(backend)
    everything = search(backend, "skol")
    assert everything.facets["type"] == {"organization": 2, "contact": 1}
    assert everything.facets["area"]["school"] == 3
    assert everything.facets["municipality"] == {"Tyresö": 2, "Nacka": 1}
    narrowed = search(backend, "skol", municipality="Nacka")
    assert titles(narrowed) == ["Skolkuratorn"]
    assert narrowed.facets["area"] == {"school": 1, "social_services": 1}
    assert titles(search(backend, "skol", types=("contact",))) == ["Rektor på skolan"]
    assert search(backend, "", level="general").total == 2


def test_network_facet_counts_members(backend: SearchBackend) -> None:
    member = _org("Fältgruppen")
    _org("Fältassistenterna")
    network = create("network", name="Nätverk för fältarbete", member_organization_ids=[member])
    drain(backend)
    result = search(backend, "falt", network=network)
    assert sorted(titles(result)) == ["Fältgruppen", "Nätverk för fältarbete"]
    assert search(backend, "falt").facets["network"] == {network: 2}


def test_highlights_mark_matches_and_escape_the_rest(backend: SearchBackend) -> None:
    _org("<img src=x onerror=alert(1)> Fritid")
    drain(backend)
    hit = search(backend, "fritid").hits[0]
    assert hit.highlights["title"] == ("&lt;img src=x onerror=alert(1)&gt; <mark>Fritid</mark>")
    assert "<img" not in "".join(hit.highlights.values())


def test_exact_name_ranks_above_partial(backend: SearchBackend) -> None:
    _org("Fritidsgården Bollmora")
    _org("Fritidsgården Trollbäcken")
    _org("Fritidsgården")
    drain(backend)
    assert titles(search(backend, "fritidsgården"))[0] == "Fritidsgården"


def test_retired_entries_never_appear(backend: SearchBackend) -> None:
    from directory.records.service import RecordService
    from tests.search.conftest import ADMIN, SPECS

    kept = _org("Ungdomsmottagningen")
    gone = _org("Ungdomsrådet")
    drain(backend)
    assert len(search(backend, "ungdom").hits) == 2
    service = RecordService(SPECS["organization"], ADMIN)
    run_async(service.retire(__import__("uuid").UUID(gone), "*"))
    drain(backend)
    result = search(backend, "ungdom")
    assert [hit.id for hit in result.hits] == [kept]
    assert result.facets["type"] == {"organization": 1}


def test_partner_never_sees_internal_entries(backend: SearchBackend) -> None:
    secret = _org("Hemliga gruppen", visibility="internal", areas=["security"])
    create("contact", organization_id=secret, name="Kontaktperson", visibility="public")
    _org("Öppna gruppen", visibility="public")
    drain(backend)
    assert search(backend, "hemliga").total == 2
    hidden = search(backend, "hemliga", visibilities=PARTNER)
    assert hidden.total == 0
    assert hidden.hits == []
    assert all(not counts for counts in hidden.facets.values())
    assert search(backend, "kontaktperson", visibilities=PARTNER).total == 0
    grupp = search(backend, "gruppen", visibilities=PARTNER)
    assert titles(grupp) == ["Öppna gruppen"]
    assert "security" not in grupp.facets["area"]
    from search.backend import SearchQuery

    suggestions = run_async(backend.facet_search(SearchQuery(visibilities=PARTNER), "area", "sec"))
    assert suggestions == []


def _update(resource: str, record_id: str, **changes: object) -> None:
    import uuid

    import msgspec

    from directory.records.service import RecordService
    from tests.search.conftest import ADMIN, SPECS

    spec = SPECS[resource]
    patch = msgspec.convert(changes, spec.patch)
    run_async(RecordService(spec, ADMIN).update(uuid.UUID(record_id), patch, "*"))


def test_owner_changes_reach_contacts_and_services(backend: SearchBackend) -> None:
    owner = _org("Fältgruppen", visibility="public")
    create("contact", organization_id=owner, name="Fältassistent Nord", visibility="public")
    create("service", organization_id=owner, name="Fältarbete kvällstid", visibility="public")
    drain(backend)
    assert search(backend, "falt", visibilities=PARTNER).total == 3
    _update("organization", owner, visibility="internal", name="Fältteamet")
    drain(backend)
    assert search(backend, "falt", visibilities=PARTNER).total == 0
    subtitles = {hit.subtitle for hit in search(backend, "faltassistent").hits}
    assert subtitles == {"Fältteamet"}


def test_leaving_a_network_updates_its_facet(backend: SearchBackend) -> None:
    first = _org("Skolan Öst")
    second = _org("Skolan Väst")
    network = create("network", name="Skolnätverket", member_organization_ids=[first, second])
    drain(backend)
    assert search(backend, "skolan").facets["network"] == {network: 2}
    _update("network", network, member_organization_ids=[first])
    drain(backend)
    assert search(backend, "skolan").facets["network"] == {network: 1}
    assert titles(search(backend, "skolan", network=network)) == ["Skolan Öst"]


def test_erased_records_leave_the_index(backend: SearchBackend) -> None:
    import uuid

    from directory.records.service import RecordService
    from tests.search.conftest import ADMIN, SPECS

    contact = create("contact", organization_id=_org("Polisen"), name="Kommunpolis Tyresö")
    drain(backend)
    assert search(backend, "kommunpolis").total == 1
    run_async(RecordService(SPECS["contact"], ADMIN).erase(uuid.UUID(contact)))
    drain(backend)
    assert search(backend, "kommunpolis").total == 0
