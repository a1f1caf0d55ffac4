"""The web interface in a real browser: typing, keyboard use, language, escaping, accessibility."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from directory.demo.data import _contact_id, _id, _org_id
from tests.samverkan.web.browser.conftest import ROOT, axe_violations, shot
from tests.samverkan.web.conftest import Writer

OpenPage = Callable[..., Page]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def test_search_as_you_type_without_reloading_the_page(open_page: OpenPage) -> None:
    page = open_page("staff")
    page.evaluate("window.stillTheSamePage = true")
    page.fill("#q", "mottagning")
    expect(page.locator("#results .hit").first).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Mottagningsenheten")
    assert page.evaluate("window.stillTheSamePage") is True
    assert "q=mottagning" in page.url
    first_phone = page.locator("#results a[href^='tel:']").first
    assert first_phone.get_attribute("href", timeout=2000).startswith("tel:0")


def test_open_a_contact_from_the_results(open_page: OpenPage) -> None:
    page = open_page("staff")
    page.fill("#q", "SSPF-koordinator")
    page.locator("#results a.hit-name", has_text="Elin Sjöberg").click()
    expect(page.locator("h1")).to_have_text("Elin Sjöberg")
    expect(page.locator(".lead")).to_contain_text("SSPF-koordinator")
    expect(page.locator(".facts")).to_contain_text("Telefon")
    assert f"/contacts/{_contact_id('sspf-koordinator')}" in page.url


def test_keyboard_only_search_reaches_and_opens_a_result(open_page: OpenPage) -> None:
    page = open_page("staff")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("familjestöd")
    expect(page.locator("#results .hit").first).to_be_visible()
    visited = []
    for _ in range(10):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
        if page.evaluate("document.activeElement.classList.contains('hit-name')"):
            break
    assert "hit-name" in visited[-1], visited
    name = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(name)


def test_switch_language(open_page: OpenPage) -> None:
    page = open_page("staff")
    expect(page.locator("h1")).to_have_text("Vem arbetar med vad?")
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Who works with what?")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"/organizations/{_org_id('socialforvaltningen')}")
    expect(page.locator(".concern")).to_have_text("If you are concerned")


def test_markup_in_a_name_is_text_and_no_script_runs(open_page: OpenPage, writer: Writer) -> None:
    org = writer.organization("<img src=x onerror=alert(1)>")
    page = open_page("staff")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    deadline = time.monotonic() + 20  # the outbox worker indexes the record a moment later
    while "=alert(1)" not in page.request.get("/?q=onerror").text():
        assert time.monotonic() < deadline, "the new record never reached the search index"
        time.sleep(0.2)
    page.fill("#q", "onerror")
    expect(page.locator("#results .hit-name").first).to_have_text("<img src=x onerror=alert(1)>")
    page.goto(f"/organizations/{org.id}")
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("main img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_every_page_type_passes_axe_at_wcag_21_aa(open_page: OpenPage) -> None:
    page = open_page("admin")
    paths = [
        "/?q=social",
        "/?q=zzqxw&kind=ngo",
        "/?q=" + "skola " * 40,
        "/networks",
        f"/networks/{_id('network/sspf-tyreso')}",
        f"/organizations/{_org_id('socialforvaltningen')}",
        f"/contacts/{_contact_id('sspf-koordinator')}",
        f"/services/{_id('service/orostelefonen')}",
        f"/organizations/{_org_id('socialforvaltningen')}/edit",
        "/vid-oro",
        "/admin/guidance",
        "/admin",
        "/admin/users",
        "/admin/feed-tokens",
        "/admin/synonyms",
        "/admin/taxonomy",
        "/organizations/00000000-0000-0000-0000-000000000000",
        "/no-such-page",
    ]
    failures = {}
    for path in paths:
        page.goto(path)
        if violations := axe_violations(page):
            failures[path] = violations
    page.context.clear_cookies()
    page.goto("/sign-in")
    if violations := axe_violations(page):
        failures["/sign-in"] = violations
    assert failures == {}


def test_a_refused_page_says_who_it_is_for_and_the_favicon_loads(open_page: OpenPage) -> None:
    page = open_page("staff")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/admin/users")
        expect(page.locator("main")).to_contain_text("Den här sidan är för administratörer.")
        expect(page.locator("main")).to_contain_text("Din roll: Kommunens personal.")
        shot(page, f"forbidden-{width}")
        assert axe_violations(page) == []
    icon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    assert icon == 200


def test_the_layout_fits_a_phone(open_page: OpenPage) -> None:
    page = open_page("staff", width=375)
    for path in ("/?q=skola", f"/organizations/{_org_id('socialforvaltningen')}", "/vid-oro"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path


def test_screenshots_of_the_main_pages(open_page: OpenPage, tmp_path: Path) -> None:
    """Written to docs/screenshots when SAVE_SCREENSHOTS=1, else to a temporary folder."""
    folder = SCREENSHOTS if os.environ.get("SAVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page = open_page("admin")
    network = _id("network/sspf-tyreso")
    page.goto(f"/networks/{network}/meetings/new")
    page.fill("#s-title", "Operativ arbetsgrupp SSPF")
    page.fill("#s-location", "Kommunhuset, rum Bollmora")
    page.check("input[name=repeat][value=biweekly]")
    page.fill("#s-count", "8")
    for box in page.locator("input[name=invited_organizations]").all()[:4]:
        box.check()
    page.click("button[value=check]")
    page.screenshot(path=str(folder / "schedule.png"), full_page=True)
    page.click("button[value=save]")
    page.screenshot(path=str(folder / "meeting.png"), full_page=True)
    shots = {
        "search": "/?q=social",
        "calendar": f"/networks/{network}/calendar",
        "map": "/map",
        "follow-up": f"/networks/{network}/follow-up",
        "organization": f"/organizations/{_org_id('socialforvaltningen')}",
        "network": f"/networks/{_id('network/sspf-tyreso')}",
        "vid-oro": "/vid-oro",
        "edit": f"/organizations/{_org_id('socialforvaltningen')}/edit",
    }
    for name, path in shots.items():
        page.goto(path)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        assert (folder / f"{name}.png").stat().st_size > 10_000
    phone = open_page("staff", width=390)
    phone.goto("/?q=skola")
    phone.screenshot(path=str(folder / "search-phone.png"), full_page=False)


def test_axe_reports_a_real_violation(open_page: OpenPage) -> None:
    """The accessibility check can fail: an unlabelled field is reported."""
    page = open_page("staff")
    page.evaluate("document.querySelector('label[for=q]').remove()")
    assert "label" in {violation["id"] for violation in axe_violations(page)}


def test_vid_oro_lists_social_services_first_for_concern_about_a_child(
    open_page: OpenPage,
) -> None:
    page = open_page("staff")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/vid-oro")
        child = page.locator(".guidance-step", has_text="Oro för ett barn eller en ung person")
        names = child.locator("li > a[href^='/']").all_inner_texts()
        social_services = {
            "Socialjouren",
            "Socialjouren – direktnummer för samverkanspartner",
            "Socialtjänstens mottagning",
        }
        assert set(names[:3]) == social_services, names
        assert names.index("Socialtjänstens mottagning") < names.index("Fältgruppen")
        assert names.index("Socialjouren") < names.index("Familjestödsenheten")
        shot(page, f"vid-oro-{width}")
        assert axe_violations(page) == []
