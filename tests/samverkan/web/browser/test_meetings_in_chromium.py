"""Scheduling and subscribing in a real browser, by keyboard alone, and axe over those pages."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from directory.demo.data import _id
from tests.samverkan.web.browser.conftest import axe_violations

OpenPage = Callable[..., Page]
SSPF = _id("network/sspf-tyreso")


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_schedule_a_recurring_meeting_with_the_keyboard(open_page: OpenPage) -> None:
    page = open_page("admin")
    page.goto(f"/networks/{SSPF}")
    tab_to(page, f"a[href='/networks/{SSPF}/meetings/new']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Boka ett möte")
    tab_to(page, "#s-title")
    page.keyboard.type("Operativ arbetsgrupp")
    tab_to(page, "input[name=repeat][value=none]")
    page.keyboard.press("ArrowDown")  # every week
    assert page.is_checked("input[name=repeat][value=weekly]")
    tab_to(page, "#s-count")
    page.keyboard.type("6")
    tab_to(page, "input[name=invited_organizations]")
    page.keyboard.press("Space")
    tab_to(page, "button[value=check]")
    page.keyboard.press("Enter")
    expect(page.locator("#conflicts-heading")).to_be_visible()
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Operativ arbetsgrupp")
    expect(page.locator(".facts")).to_contain_text("återkommande")
    assert page.locator(".agenda li").count() >= 6
    assert page.locator(".agenda li.cancelled").count() == 0
    tab_to(page, "#skip-occurrence")
    page.keyboard.press("ArrowDown")  # the second occasion
    second = page.input_value("#skip-occurrence")
    tab_to(page, "#skip-confirm")
    page.keyboard.press("Space")
    tab_to(page, "button[value=cancel]")
    page.keyboard.press("Enter")
    expect(page.locator(".agenda li.cancelled")).to_have_count(1)
    expect(page.locator(".agenda li").nth(1)).to_contain_text("Inställt")
    assert second not in page.locator("#move-occurrence").inner_html()


def test_copy_a_feed_link_with_the_keyboard(open_page: OpenPage) -> None:
    page = open_page("admin")
    page.goto(f"/networks/{SSPF}")
    tab_to(page, "#subscribe button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Prenumerationslänk")
    link = page.input_value("#feed-https")
    assert link.endswith(".ics")
    tab_to(page, "button[data-copy='#feed-https']")
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Kopierad till urklipp.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    feed = page.request.get(link)
    assert feed.ok and "BEGIN:VCALENDAR" in feed.text()


def test_meeting_pages_pass_axe_at_wcag_21_aa(open_page: OpenPage) -> None:
    page = open_page("admin")
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", "Lägesbild")
    page.check("input[name=repeat][value=monthly]")
    page.click("button[value=check]")
    failures = {}
    if violations := axe_violations(page):
        failures["schedule form with conflicts"] = violations
    page.click("button[value=save]")
    meeting_path = page.url
    page.goto(f"/networks/{SSPF}")
    page.click("#subscribe button[type=submit]")
    if violations := axe_violations(page):
        failures["feed link"] = violations
    for path in (
        meeting_path,
        f"/networks/{SSPF}",
        f"/networks/{SSPF}/calendar",
        f"/networks/{SSPF}/calendar?view=agenda",
        "/calendar",
        "/map",
        f"/map?network={SSPF}",
        f"/networks/{SSPF}/follow-up",
    ):
        page.goto(path)
        if violations := axe_violations(page):
            failures[path] = violations
    assert failures == {}
