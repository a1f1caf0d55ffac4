"""The "Vid oro" card: one click from every page, its content data that an admin edits."""

from __future__ import annotations

import re
from collections.abc import Callable

from directory.records.resources import SERVICES
from tests.samverkan.web.conftest import Client, Writer, csrf_token


def test_the_card_is_one_click_from_every_page(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Skolan")
    client = browser("partner")
    for path in ("/", "/networks", f"/organizations/{org.id}", "/vid-oro"):
        assert '<a class="concern" href="/vid-oro">Vid oro</a>' in client.get(path).text


def test_the_card_gives_112_social_services_11414_and_relatives_support(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    social = writer.organization("Socialförvaltningen", kind="internal")
    writer.contact(
        social.id,
        "Socialjouren",
        is_function=True,
        areas=["social_services"],
        phones=[{"number": "070-174 06 20"}],
    )
    ngo = writer.organization("Orostelefonen", kind="ngo")
    writer.create(
        SERVICES, organization_id=ngo.id, name="Stödlinje för anhöriga", areas=["relatives_support"]
    )
    elsewhere = writer.organization("Annan kommun", kind="neighbour")
    writer.contact(elsewhere.id, "Deras socialjour", is_function=True, areas=["social_services"])
    page = browser("staff").get("/vid-oro").text
    assert 'href="tel:112"' in page and "Ring 112" in page
    assert 'href="tel:11414"' in page
    steps = re.split(r'<li class="card guidance-step', page)[1:]
    assert "Socialjouren" in steps[1] and 'href="tel:0701740620"' in steps[1]
    assert "Deras socialjour" not in page  # only the municipality's own units
    assert "Stödlinje för anhöriga" in steps[3]


def test_an_admin_edits_the_card_and_errors_name_the_field(
    browser: Callable[[str], Client],
) -> None:
    admin = browser("admin")
    editor = admin.get("/admin/guidance").text
    section = re.search(r'action="/admin/guidance/([0-9a-f-]+)"', editor)
    assert section is not None
    path = f"/admin/guidance/{section.group(1)}"
    form = {
        "_csrf_token": csrf_token(admin, "/admin/guidance"),
        "heading_sv": "Akut fara – ring direkt",
        "heading_en": "Acute danger",
        "body_sv": "Ring 112 <b>nu</b>.",
        "body_en": "Call 112.",
        "phone": "112",
    }
    assert admin.post(path, data=form, follow_redirects=False).status_code in (302, 303)
    card = admin.get("/vid-oro").text
    assert "Akut fara – ring direkt" in card and "Ring 112 &lt;b&gt;nu&lt;/b&gt;." in card
    bad = admin.post(path, data={**form, "heading_sv": " ", "phone": "ring oss"})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and "får inte vara tomt" in bad.text


def test_only_admins_edit_the_card(browser: Callable[[str], Client]) -> None:
    coordinator = browser("coordinator")
    assert coordinator.get("/admin/guidance").status_code == 403
    assert "/admin/guidance" not in coordinator.get("/vid-oro").text


def test_a_unit_reached_the_same_way_is_listed_once_under_its_contact(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    unit = writer.organization("Familjestödsenheten", kind="internal")
    reach = {"phones": [{"number": "070-174 06 15"}], "email": "familjestod@example.se"}
    contact = writer.contact(
        unit.id, "Familjestödsenheten", is_function=True, areas=["social_services"], **reach
    )
    service = writer.create(
        SERVICES,
        organization_id=unit.id,
        name="Anhörigstöd vid oro",
        areas=["social_services"],
        **reach,
    )
    other = writer.create(
        SERVICES, organization_id=unit.id, name="Föräldrakurs", areas=["social_services"]
    )
    page = browser("staff").get("/vid-oro").text
    child = re.split(r'<li class="card guidance-step', page)[2]
    assert child.count('href="tel:0701740615"') == 1
    assert child.index(f"/contacts/{contact.id}") < child.index(f"/services/{service.id}")
    assert "Också:" in child and f"/services/{other.id}" in child


def test_the_municipal_vbe_contact_is_on_the_card_by_default(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    office = writer.organization("Kommunledningskontoret", kind="internal")
    writer.contact(
        office.id,
        "Kommunens kontaktfunktion för VBE-frågor",
        is_function=True,
        areas=["governance", "crime_prevention"],
        email="vbe.samordning@example.se",
    )
    page = browser("staff").get("/vid-oro").text
    other_concern = re.split(r'<li class="card guidance-step', page)[3]
    assert "Kommunens kontaktfunktion för VBE-frågor" in other_concern
    assert "mailto:vbe.samordning@example.se" in other_concern
