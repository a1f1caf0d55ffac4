"""Coordinators and admins keep the directory from the pages, in Chromium: create, verify,
retire and restore a record, book a meeting (post/redirect/get with a message), and keep users.

One server and one browser for the module: the tests only add records, so a shared demo
directory serves them all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from directory.demo.data import _id, _org_id
from directory.demo.loader import load_demo_if_empty
from tests.conftest import _clean, run_async
from tests.samverkan.web.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    USERS,
    axe_violations,
    shot,
    signed_in,
    start_server,
)
from tests.samverkan.web.conftest import make_account

SSPF = _id("network/sspf-tyreso")


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Overrides the per-test wipe: the module's tests share the directory :func:`site` made."""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, Browser]]:
    run_async(_clean())
    with start_server() as url:
        run_async(load_demo_if_empty())
        for role, username in USERS.items():
            make_account(role, username)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield url, browser
            browser.close()


def test_a_coordinator_creates_verifies_retires_and_restores_a_contact(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "coordinator")
    page.goto(f"/organizations/{_org_id('faltgruppen')}")
    page.click("a[href*='/contacts/new']")
    expect(page.locator("h1")).to_have_text("Ny kontakt")
    page.fill("#f-email", "inte en adress")
    page.click("form.form button[type=submit]")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Namn")
    expect(summary).to_contain_text("E-post")
    assert page.input_value("#f-email") == "inte en adress"
    page.fill("#f-name", "Mira Fältsekreterare")
    page.fill("#f-email", "mira@example.se")
    page.click("form.form button[type=submit]")
    expect(page.locator("#notice")).to_have_text("Posten är skapad.")
    expect(page.locator("h1")).to_have_text("Mira Fältsekreterare")
    expect(page.locator(".verified")).to_contain_text("Aldrig kontrollerad")
    page.click("button:text('Kontrollerad idag')")
    expect(page.locator("#notice")).to_have_text("Posten är markerad som kontrollerad idag.")
    expect(page.locator(".verified")).not_to_contain_text("Aldrig")
    shot(page, "contact-verified")
    page.reload()  # post/redirect/get: a reload shows the page again and sends nothing
    expect(page.locator("h1")).to_have_text("Mira Fältsekreterare")
    page.click("button:text('Avveckla')")
    expect(page.locator(".retired-banner")).to_be_visible()
    page.click("button:text('Återställ')")
    expect(page.locator("#notice")).to_have_text("Posten är återställd.")
    expect(page.locator(".retired-banner")).to_have_count(0)
    assert axe_violations(page) == []
    page.context.close()


def test_booking_a_meeting_says_it_is_booked(site: tuple[str, Browser]) -> None:
    page = signed_in(site, "admin", width=390)
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", "Styrgrupp")
    page.click("button[value=save]")
    expect(page.locator("#notice")).to_have_text("Mötet är bokat.")
    shot(page, "meeting-booked-phone")
    page.context.close()


def test_an_admin_keeps_users_from_the_pages(site: tuple[str, Browser]) -> None:
    page = signed_in(site, "admin")
    page.goto("/admin/users")
    page.fill("#u-username", USERS["staff"])
    page.fill("#u-display_name", "Ny Person")
    page.fill("#u-email", "fel")
    page.fill("#u-password", "kort")
    page.click("form[action='/admin/users'] button[type=submit]")
    summary = page.locator(".error-summary")
    expect(summary.locator("li")).to_have_count(3)  # username taken, email, password
    assert page.input_value("#u-display_name") == "Ny Person"
    assert page.input_value("#u-email") == "fel"
    assert axe_violations(page) == []
    page.fill("#u-username", "nyperson")
    page.fill("#u-email", "ny@example.se")
    page.fill("#u-password", "ett tillräckligt långt lösenord")
    page.click("form[action='/admin/users'] button[type=submit]")
    expect(page.locator("#notice")).to_have_text("Användaren är skapad.")
    page.click("a:text-is('nyperson')")
    page.fill("#e-display_name", "Nora Person")
    page.select_option("#e-role", "coordinator")
    page.click("form[action$='/edit'] button[type=submit]")
    expect(page.locator("#notice")).to_have_text("Användaren är sparad.")
    expect(page.locator("h1")).to_contain_text("Nora Person")
    page.fill("#p-password", "ett annat långt lösenord")
    page.click("form[action$='/password'] button[type=submit]")
    expect(page.locator("#notice")).to_have_text("Det nya lösenordet är satt.")
    shot(page, "admin-user")
    assert axe_violations(page) == []
    page.context.close()
