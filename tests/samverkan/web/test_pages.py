"""The directory pages: search, record pages, escaping, visibility, edit forms, language."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

from tests.samverkan.web.conftest import Client, Writer, csrf_token, search_until

XSS = "<img src=x onerror=alert(1)>"


def test_search_finds_entries_with_click_to_call_and_mail(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Socialförvaltningen")
    writer.contact(
        org.id,
        "Mottagningen",
        title="Mottagningsenheten barn och unga",
        email="mottagning@example.se",
        phones=[{"number": "070-174 06 05", "description": "vardagar"}],
    )
    client = browser("staff")
    page = search_until(client, "Mottagningen", q="mottagningen")
    assert "Mottagningen" in page
    assert 'href="tel:0701740605"' in page
    assert 'href="mailto:mottagning@example.se"' in page
    assert "Socialförvaltningen" in page


def test_search_as_you_type_returns_only_the_results_fragment(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    writer.organization("Fritidsgården Bollmora")
    client = browser("staff")
    fragment = search_until(client, "Fritidsgården Bollmora", {"HX-Request": "true"}, q="bollmora")
    assert "Fritidsgården Bollmora" in fragment
    assert "<html" not in fragment
    narrowed = client.get("/", params={"q": "bollmora", "type": "contact"}).text
    assert "0 träffar" in narrowed


def test_facets_narrow_the_results_by_kind(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    writer.organization("Skolan Norra", kind="internal")
    writer.organization("Skolföreningen", kind="ngo")
    client = browser("staff")
    page = search_until(client, "Skolföreningen", q="skol")
    assert "Skolan Norra" in page
    facet = re.search(r'<select id="facet-kind".*?</select>', page, re.S)
    assert facet is not None
    assert "Civilsamhälle / ideell organisation (1)" in facet.group(0)
    narrowed = client.get("/", params={"q": "skol", "kind": "ngo"}).text
    assert "Skolföreningen" in narrowed and "Skolan Norra" not in narrowed
    assert '<option value="ngo" selected>' in narrowed


def test_markup_in_names_is_shown_as_text(browser: Callable[[str], Client], writer: Writer) -> None:
    org = writer.organization(XSS, description=XSS)
    client = browser("staff")
    for page in (
        search_until(client, "&lt;img src=x", q="img"),
        client.get(f"/organizations/{org.id}").text,
    ):
        assert XSS not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_partner_never_sees_internal_entries_on_any_page(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    public = writer.organization("Öppna föreningen", kind="ngo", visibility="public")
    internal = writer.organization("Hemliga enheten", visibility="internal")
    hidden_contact = writer.contact(public.id, "Intern kontakt", visibility="internal")
    owner_hidden = writer.contact(internal.id, "Kontakt hos intern enhet", visibility="public")
    network = writer.network(
        "Nätverket",
        visibility="partners",
        member_organization_ids=[public.id, internal.id],
        member_contact_ids=[hidden_contact.id, owner_hidden.id],
    )
    secret_network = writer.network("Internt nätverk", visibility="internal")
    partner = browser("partner")
    staff = browser("staff")
    assert "Hemliga enheten" in search_until(staff, "Hemliga enheten", q="enheten")
    pages = [
        search_until(partner, "Öppna föreningen", q="föreningen"),
        partner.get("/", params={"q": "enheten"}).text,
        partner.get("/", params={"q": "kontakt"}).text,
        partner.get("/", params={"q": "nätverk"}).text,
        partner.get(f"/organizations/{public.id}").text,
        partner.get(f"/networks/{network.id}").text,
        partner.get("/networks").text,
        partner.get("/vid-oro").text,
    ]
    for page in pages:
        for secret in (
            "Hemliga enheten",
            "Intern kontakt",
            "Kontakt hos intern enhet",
            "Internt nätverk",
        ):
            assert secret not in page
    for path in (
        f"/organizations/{internal.id}",
        f"/contacts/{hidden_contact.id}",
        f"/contacts/{owner_hidden.id}",
        f"/networks/{secret_network.id}",
    ):
        assert partner.get(path).status_code == 404
    assert "Hemliga enheten" in staff.get(f"/networks/{network.id}").text


def test_record_pages_show_details_relations_and_verification(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    org = writer.organization("Skolan", assured_date="2026-09-09")
    unit = writer.organization("Elevhälsan", parent_id=org.id, assured_date=old)
    contact = writer.contact(org.id, "Rektor", title="Rektor för gymnasiet")
    network = writer.network(
        "SSPF", member_organization_ids=[org.id], member_contact_ids=[contact.id]
    )
    client = browser("staff")
    org_page = client.get(f"/organizations/{org.id}").text
    assert "Senast kontrollerad 9 september 2026" in org_page
    for linked in (
        f"/organizations/{unit.id}",
        f"/contacts/{contact.id}",
        f"/networks/{network.id}",
    ):
        assert linked in org_page
    assert "Behöver kontrolleras" not in org_page
    assert "Behöver kontrolleras" in client.get(f"/organizations/{unit.id}").text
    contact_page = client.get(f"/contacts/{contact.id}").text
    assert "Rektor för gymnasiet" in contact_page and f"/networks/{network.id}" in contact_page
    network_page = client.get(f"/networks/{network.id}").text
    assert f"/organizations/{org.id}" in network_page and f"/contacts/{contact.id}" in network_page


def test_unknown_pages_are_a_calm_404(browser: Callable[[str], Client]) -> None:
    client = browser("staff")
    response = client.get("/organizations/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    assert client.get("/nonsense/00000000-0000-0000-0000-000000000000").status_code == 404


def _edit_form(client: Client, path: str) -> dict[str, str | list[str]]:
    page = client.get(path).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    return {"_csrf_token": csrf_token(client, path), "version": version.group(1)}


def test_coordinator_edits_an_organisation_with_a_plain_form_post(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Fritid", areas=["leisure"])
    client = browser("coordinator")
    form = _edit_form(client, f"/organizations/{org.id}/edit")
    form.update(
        name="Fritidsförvaltningen",
        kind="internal",
        email="fritid@example.se",
        phones="070-174 06 10, växel",
        areas=["leisure", "school"],
        visibility="public",
        assured_date="2026-10-01",
    )
    response = client.post(f"/organizations/{org.id}/edit", data=form, follow_redirects=False)
    assert response.status_code in (302, 303)
    page = client.get(f"/organizations/{org.id}").text
    assert "Fritidsförvaltningen" in page
    assert 'href="tel:0701740610"' in page
    assert "Skola" in page and "1 oktober 2026" in page


def test_edit_errors_are_shown_next_to_the_field(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Fritid")
    client = browser("admin")
    form = _edit_form(client, f"/organizations/{org.id}/edit")
    form.update(name="Fritid", kind="internal", email="inte en adress", visibility="public")
    response = client.post(f"/organizations/{org.id}/edit", data=form)
    assert response.status_code == 422
    field = re.search(
        r'<input id="f-email"[^>]*>\s*<span class="field-error" id="err-email">([^<]*)',
        response.text,
    )
    assert field is not None, response.text
    assert html.unescape(field.group(1)) == "'inte en adress' är ingen giltig e-postadress"
    assert 'aria-invalid="true"' in response.text
    assert 'value="inte en adress"' in response.text


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<span class="field-error" id="err-{name}">([^<]*)', page)
    assert found is not None, f"no message next to {name}"
    return html.unescape(found.group(1))


def test_validation_messages_are_in_the_users_language(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Fritid")
    client = browser("coordinator")
    path = f"/organizations/{org.id}/edit"
    expected = {
        "sv": (
            "'x@y' är ingen giltig e-postadress",
            "'ring mig' är inget telefonnummer (siffror, mellanslag, -, () och ett inledande +)",
            "högst 300 tecken",
        ),
        "en": (
            "'x@y' is not a valid email address",
            "'ring mig' is not a phone number (digits, spaces, -, () and a leading +)",
            "at most 300 characters",
        ),
    }
    for language, (email, phone, length) in expected.items():
        client.cookies.set("samverkan_lang", language)
        base = {**_edit_form(client, path), "name": "Fritid", "kind": "internal"}
        base["visibility"] = "public"
        bad_email = client.post(path, data={**base, "email": "x@y"})
        assert bad_email.status_code == 422
        assert _field_error(bad_email.text, "email") == email
        bad_phone = client.post(path, data={**base, "phones": "ring mig, växeln"})
        assert _field_error(bad_phone.text, "phones") == phone
        too_long = client.post(path, data={**base, "name": "x" * 301})
        assert _field_error(too_long.text, "name") == length


def test_every_bad_field_is_marked_at_once(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Fritid")
    client = browser("coordinator")
    path = f"/organizations/{org.id}/edit"
    form = {**_edit_form(client, path), "name": "Fritid", "kind": "internal"}
    form.update(visibility="public", email="x@y", phones="ring mig", website="ftp://x")
    response = client.post(path, data=form)
    assert response.status_code == 422
    assert _field_error(response.text, "email") == "'x@y' är ingen giltig e-postadress"
    assert _field_error(response.text, "phones").startswith("'ring mig' är inget telefonnummer")
    assert _field_error(response.text, "website")
    assert response.text.count('aria-invalid="true"') == 3


def test_a_stale_version_does_not_overwrite_a_newer_edit(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Fritid")
    client = browser("admin")
    form = _edit_form(client, f"/organizations/{org.id}/edit")
    form.update(name="Första", kind="internal", visibility="public")
    assert client.post(f"/organizations/{org.id}/edit", data=form).status_code == 200
    form.update(name="Andra")
    response = client.post(f"/organizations/{org.id}/edit", data=form)
    assert response.status_code == 409
    assert "Någon annan ändrade uppgiften" in response.text
    assert "Första" in client.get(f"/organizations/{org.id}").text


def test_staff_and_partners_get_no_edit_form(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    org = writer.organization("Fritid", visibility="public")
    for role in ("staff", "partner"):
        client = browser(role)
        assert f"/organizations/{org.id}/edit" not in client.get(f"/organizations/{org.id}").text
        assert client.get(f"/organizations/{org.id}/edit").status_code == 403
        response = client.post(
            f"/organizations/{org.id}/edit",
            data={"_csrf_token": csrf_token(client, "/"), "name": "Hacked", "version": "1"},
        )
        assert response.status_code == 403


def test_language_switch_is_remembered_in_a_cookie(browser: Callable[[str], Client]) -> None:
    client = browser("staff")
    assert "Vem arbetar med vad?" in client.get("/").text
    response = client.post(
        "/language",
        data={"language": "en", "next": "/networks", "_csrf_token": csrf_token(client, "/")},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/networks"
    page = client.get("/").text
    assert "Who works with what?" in page and '<html lang="en">' in page
    client.post("/language", data={"language": "sv", "_csrf_token": csrf_token(client, "/")})
    assert '<html lang="sv">' in client.get("/").text


def test_pages_work_without_javascript(browser: Callable[[str], Client], writer: Writer) -> None:
    """The search box is a plain GET form and every other form a plain POST."""
    writer.organization("Skolan")
    client = browser("admin")
    start = client.get("/").text
    assert '<form id="search-form" role="search" method="get" action="/"' in start
    assert 'name="q"' in start and '<button type="submit">' in start
    for path in ("/", "/networks", "/vid-oro", "/admin/guidance"):
        page = client.get(path).text
        for form in re.findall(r"<form[^>]*>", page):
            assert 'method="post"' in form or 'method="get"' in form
            assert "action=" in form


def test_every_page_links_the_sites_own_favicon(anonymous: Client) -> None:
    link = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    assert link in anonymous.get("/sign-in").text
    assert link in anonymous.get("/no-such-page", headers={"Accept": "text/html"}).text
    icon = anonymous.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text and "http" not in icon.text.replace("http://www.w3.org/2000/svg", "")
