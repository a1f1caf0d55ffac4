"""Running a network in the browser, as each role would, on the demo data: assigning a
network's coordinators and members with search pickers, checking a series before booking it,
taking one's own subscription link, using search results and the signed-in start page.

One server and one browser for the module (the tests add to the demo directory and never
remove what another test needs)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from directory.demo.data import _id
from directory.demo.loader import load_demo_if_empty
from tests.conftest import _clean, run_async
from tests.samverkan.web.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    USERS,
    axe_violations,
    start_server,
)
from tests.samverkan.web.conftest import PASSWORD, make_account

SSPF = _id("network/sspf-tyreso")
ANHORIG = _id("network/anhorigstod")
SCREENSHOTS = (
    Path(os.environ.get("WALKTHROUGH_DIR", "")) if os.environ.get("WALKTHROUGH_DIR") else None
)


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


def signed_in(site: tuple[str, Browser], role: str, width: int = 1366) -> Page:
    url, browser = site
    height = 844 if width < 500 else 768
    context = browser.new_context(base_url=url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto("/sign-in")
    page.fill("#username", USERS[role])
    page.fill("#password", PASSWORD)
    page.click("form[action='/sign-in'] button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS is not None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_admin_and_coordinator_assign_a_networks_people_with_pickers(
    site: tuple[str, Browser],
) -> None:
    admin = signed_in(site, "admin")
    admin.goto(f"/networks/{SSPF}")
    admin.click("text=Samordnare och medlemmar")
    expect(admin.locator("h1")).to_have_text("Samordnare och medlemmar")
    admin.fill("#q-coordinators", "coord")
    admin.click("#choices-coordinators button:has-text('Coordinator User')")
    expect(admin.locator("[role=status]")).to_contain_text("Tillagd i nätverket")
    expect(admin.locator("#coordinators .people")).to_contain_text("Coordinator User")
    assert axe_violations(admin) == []
    admin.context.close()

    kim = signed_in(site, "coordinator")
    kim.goto(f"/networks/{SSPF}")
    kim.click("text=Samordnare och medlemmar")
    kim.fill("#q-organizations", "socialjo")
    choice = kim.locator("#choices-organizations button", has_text="Socialjouren")
    choice.click()
    expect(kim.locator("#organizations .people")).to_contain_text("Socialjouren")
    kim.fill("#q-contacts", "zzzz-ingen")
    expect(kim.locator("#choices-contacts")).to_contain_text("Ingen träff")
    shot(kim, "network-people-1366")
    kim.locator("#organizations .people li", has_text="Socialjouren").locator("button").click()
    expect(kim.locator("[role=status]")).to_contain_text("Borttagen ur nätverket")
    expect(kim.locator("#organizations .people")).not_to_contain_text("Socialjouren")
    kim.goto(f"/networks/{_id('network/dialogforum-trossamfund')}")
    expect(kim.locator("text=Samordnare och medlemmar")).to_have_count(0)
    response = kim.goto(f"/networks/{_id('network/dialogforum-trossamfund')}/people")
    assert response is not None and response.status == 403
    kim.context.close()
