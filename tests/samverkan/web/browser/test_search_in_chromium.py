"""Searching as staff in Chromium: filters by keyboard and pointer, the Back button, and how the
results, the empty state and a too long query look (screenshots with WALKTHROUGH_DIR)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.samverkan.web.browser.conftest import axe_violations, shot

OpenPage = Callable[..., Page]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _searches(page: Page) -> list[str]:
    """Every request for results the page makes from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.headers.get("hx-request") else None)
    return seen


def test_stepping_through_a_filter_with_the_arrow_keys_applies_nothing_until_enter(
    open_page: OpenPage,
) -> None:
    page = open_page("staff")
    page.fill("#q", "skola")
    expect(page.locator("#facet-kind")).to_be_visible()
    total = page.locator("#result-count").inner_text()
    searches = _searches(page)
    page.focus("#facet-kind")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert searches == [] and "kind=" not in page.url
    expect(page.locator("#result-count")).to_have_text(total)
    chosen = page.eval_on_selector("#facet-kind", "select => select.value")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"kind={chosen}"))
    assert len(searches) == 1
    expect(page.locator("#facet-kind")).to_be_focused()
    expect(page.locator("#facet-kind")).to_have_value(chosen)
    page.keyboard.press("ArrowUp")  # back to "All"
    for _ in range(6):  # past the other filters to the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "apply-filters":
            break
    expect(page.locator("#apply-filters")).to_be_focused()
    assert len(searches) == 1
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(f"kind={chosen}"))
    expect(page.locator("#apply-filters")).to_be_focused()
    assert len(searches) == 2


def test_a_filter_chosen_with_the_mouse_applies_at_once(open_page: OpenPage) -> None:
    page = open_page("staff")
    page.evaluate("window.stillTheSamePage = true")
    page.fill("#q", "skola")
    expect(page.locator("#facet-kind")).to_be_visible()
    total = page.locator("#result-count").inner_text()
    page.dispatch_event("#facet-kind", "pointerdown")  # the click select_option does not send
    page.select_option("#facet-kind", index=1)
    expect(page).to_have_url(re.compile("kind=[a-z]"))
    expect(page.locator("#result-count")).not_to_have_text(total)
    assert page.evaluate("window.stillTheSamePage") is True


def test_back_returns_to_the_whole_query_and_once_more_leaves_the_search(
    open_page: OpenPage,
) -> None:
    page = open_page("staff")
    page.goto("/networks")
    page.goto("/")
    entries = page.evaluate("history.length")
    page.click("#q")
    page.keyboard.type("mottagning", delay=300)  # slower than the typing delay: a request a key
    expect(page.locator("#results")).to_contain_text("Mottagningsenheten")
    expect(page).to_have_url(re.compile(r"/\?q=mottagning(&|$)"))
    assert page.evaluate("history.length") == entries
    page.locator("#results a.hit-name").first.click()
    expect(page.locator("#results")).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=mottagning(&|$)"))
    expect(page.locator("#q")).to_have_value("mottagning")
    expect(page.locator("#results")).to_contain_text("Mottagningsenheten")
    page.go_back()
    expect(page).to_have_url(re.compile("/networks$"))


def test_results_empty_state_and_long_query_at_desktop_and_phone(open_page: OpenPage) -> None:
    page = open_page("staff")
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto("/")
        page.fill("#q", "socialtjänsten")
        expect(page.locator("#results mark").first).to_be_visible()
        shot(page, f"search-marked-{size}")
        page.fill("#q", "zzqxw")
        expect(page.locator(".empty-state")).to_contain_text("kontrollera stavningen")
        shot(page, f"search-empty-{size}")
        page.fill("#q", "skola " * 40)
        expect(page.locator("#q-problem")).to_contain_text("Sökningen har 240 tecken")
        expect(page.locator("#results .results")).to_have_count(0)
        expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
        shot(page, f"search-too-long-{size}")
        assert axe_violations(page) == []
        page.fill("#q", "skola")
        expect(page.locator("#q-problem")).to_be_empty()
        expect(page.locator("#q")).to_have_attribute("aria-invalid", "false")
        page.goto("/?q=skola " + "x" * 200)
        expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_submitted_search_is_a_step_back(open_page: OpenPage) -> None:
    page = open_page("staff")
    page.fill("#q", "skola")
    expect(page).to_have_url(re.compile(r"q=skola"))
    entries = page.evaluate("history.length")
    page.fill("#q", "mottagning")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=mottagning"))
    expect(page.locator("#results")).to_contain_text("Mottagningsenheten")
    assert page.evaluate("history.length") == entries + 1
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=skola"))
    expect(page.locator("#q")).to_have_value("skola")


def test_did_you_mean_keeps_the_chosen_filters(open_page: OpenPage) -> None:
    page = open_page("staff")
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto("/?q=bollmora")
        if size == "phone":
            page.click("summary:has-text('Filter')")
        page.dispatch_event("#facet-municipality", "pointerdown")  # a tap applies at once
        page.select_option("#facet-municipality", "Tyresö")
        expect(page).to_have_url(re.compile("municipality=Tyres"))
        page.fill("#q", "bolmorra")
        suggestion = page.locator(".suggestion a")
        expect(suggestion).to_have_text("bollmora")
        shot(page, f"search-did-you-mean-{size}")
        assert axe_violations(page) == []
        suggestion.click()
        expect(page).to_have_url(re.compile(r"q=bollmora&municipality=Tyres"))
        expect(page.locator("#facet-municipality")).to_have_value("Tyresö")
        expect(page.locator("#result-count")).not_to_have_text(re.compile(r"^0 "))
