"""A coordinator's meeting page in Chromium, on the demo data: who is invited (organisations and
people), the error summary of a refused cancel, the confirmation a cancelled occasion needs,
and undoing a cancelled series or occasion, with the edit page of a cancelled meeting offering
the undo instead of the form.

One server and one browser for the module; each test books its own meeting. Screenshots go to
``WALKTHROUGH_DIR`` when it is set, at desktop (1366×768) and phone (390×844) widths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from directory.demo.data import _id
from tests.samverkan.web.browser.conftest import (
    axe_violations,
    coordinated_site,
    shot,
    signed_in,
)

SSPF = _id("network/sspf-tyreso")
PHONE = 390


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Overrides the per-test wipe: the module's tests share the directory :func:`site` made."""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, Browser]]:
    with coordinated_site() as opened:
        yield opened


def _book_series(page: Page, title: str) -> str:
    """A weekly series of five in SSPF, inviting its first organisation and first contact; the
    meeting page's path."""
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", title)
    page.fill("#s-date", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.check("input[name=repeat][value=weekly]")
    page.fill("#s-count", "5")
    page.locator("input[name=invited_organizations]").first.check()
    page.locator("input[name=invited_contacts]").first.check()
    page.click("button[value=save]")
    expect(page.locator("h1")).to_have_text(title)
    return page.url.split("?")[0].removeprefix(page.url.split("/meetings/")[0])


def test_the_meeting_page_names_the_invited_organisations_and_people(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "coordinator")
    page.goto(f"/networks/{SSPF}/meetings/new")
    person = page.locator("input[name=invited_contacts]").first.locator("xpath=..").inner_text()
    organisation = page.locator("input[name=invited_organizations]").first.locator("xpath=..")
    organisation_name = organisation.inner_text().strip()
    path = _book_series(page, "Samverkansgrupp inbjudna")
    facts = page.locator(".facts")
    expect(facts.locator(".invited-organizations")).to_have_text(organisation_name)
    expect(facts.locator(".invited-contacts")).to_contain_text(person.split("(")[0].strip())
    page.locator(".invited-contacts a").first.click()
    expect(page.locator("h1")).to_have_text(person.split("(")[0].strip())
    failures = {}
    for width in (1366, PHONE):
        viewer = signed_in(site, "staff", width)
        viewer.goto(path)
        expect(viewer.locator(".invited-contacts")).to_be_visible()
        shot(viewer, f"meeting-invitees-{width}")
        if violations := axe_violations(viewer):
            failures[width] = violations
        viewer.context.close()
    assert failures == {}


def test_a_refused_cancel_shows_an_error_summary_like_the_other_forms(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "coordinator")
    path = _book_series(page, "Samverkansgrupp felsammanfattning")
    stale_tabs = {width: signed_in(site, "coordinator", width) for width in (1366, PHONE)}
    for stale in stale_tabs.values():
        stale.goto(path)
    page.click("text=Ställ in serien")  # without ticking the box
    summary = page.locator("#series .error-summary")
    expect(summary).to_contain_text("Inget ändrades")
    expect(summary.locator("li")).to_have_text("Kryssa i rutan för att bekräfta.")
    failures = {}
    shot(page, "cancel-summary-1366")
    if violations := axe_violations(page):
        failures["series"] = violations

    page.goto(path)
    page.select_option("#split-occurrence", index=1)
    page.click("text=Ändra från och med detta tillfälle")
    expect(page.locator(".notice")).to_be_visible()
    for width, stale in stale_tabs.items():
        stale.select_option("#skip-occurrence", index=3)  # split off in the other tab just now
        gone = stale.locator("#skip-occurrence option").nth(3).inner_text()  # "30 dec. 2026 09:00"
        stale.check("#skip-confirm")
        stale.click("button[value=cancel]")
        summary = stale.locator("#occurrences .error-summary")
        expect(summary).to_contain_text("Inget ändrades")
        expect(summary.locator("li")).to_have_text(f"{gone} är inget tillfälle i serien")
        expect(stale.locator("#err-skip-occurrence")).to_have_text(
            f"{gone} är inget tillfälle i serien"
        )
        expect(stale.locator("#skip-occurrence")).to_have_attribute("aria-invalid", "true")
        shot(stale, f"cancel-occasion-summary-{width}")
        if violations := axe_violations(stale):
            failures[f"occasion {width}"] = violations
        stale.context.close()
    assert failures == {}


def test_a_cancelled_meeting_offers_the_undo_instead_of_the_edit_form(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "coordinator")
    path = _book_series(page, "Samverkansgrupp ångra")
    second = page.locator("#skip-occurrence option").nth(1).inner_text()
    page.select_option("#skip-occurrence", index=1)
    page.check("#skip-confirm")
    page.click("button[value=cancel]")
    expect(page.locator(".notice")).to_have_text("Tillfället är inställt.")
    expect(page.locator("#restore-occurrence option")).to_have_text([second])
    page.click("text=Återställ tillfället")
    expect(page.locator(".notice")).to_have_text("Tillfället är återställt.")
    expect(page.locator("#restore-occurrence")).to_have_count(0)
    expect(page.locator("#move-occurrence option")).to_have_count(5)

    page.check("#cancel-confirm")
    page.click("text=Ställ in serien")
    expect(page.locator("#restore")).to_contain_text("Mötet är inställt")
    failures = {}
    for width in (1366, PHONE):
        editor = signed_in(site, "coordinator", width)
        editor.goto(f"{path}/edit")
        expect(editor.locator("#restore h2")).to_have_text("Mötet är inställt")
        expect(editor.locator("#restore")).to_contain_text("kan inte ändras")
        expect(editor.locator("#e-title")).to_have_count(0)
        shot(editor, f"cancelled-edit-{width}")
        if violations := axe_violations(editor):
            failures[width] = violations
        if width == PHONE:
            editor.click("text=Återställ mötet")
            expect(editor.locator(".notice")).to_have_text(
                "Mötet är återställt: det är planerat igen."
            )
            expect(editor.locator(".record .badge")).to_have_count(0)
            editor.click("text=Ändra titel, dagordning, plats och inbjudna")
            expect(editor.locator("#e-title")).to_have_value("Samverkansgrupp ångra")
        editor.context.close()
    assert failures == {}


def test_cancelling_one_occasion_asks_for_confirmation_like_the_series(
    site: tuple[str, Browser],
) -> None:
    failures = {}
    for width in (1366, PHONE):
        page = signed_in(site, "coordinator", width)
        _book_series(page, f"Samverkansgrupp bekräfta {width}")
        third = page.locator("#skip-occurrence option").nth(2)
        chosen, value = third.inner_text(), third.get_attribute("value")
        page.select_option("#skip-occurrence", index=2)
        page.click("button[value=cancel]")  # without ticking the box
        summary = page.locator("#occurrences .error-summary")
        expect(summary).to_contain_text("Inget ändrades")
        expect(summary.locator("li")).to_have_text("Kryssa i rutan för att bekräfta.")
        expect(page.locator("#err-skip-confirm")).to_have_text("Kryssa i rutan för att bekräfta.")
        expect(page.locator("#skip-confirm")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#skip-occurrence")).to_have_value(value or "")  # still the one picked
        expect(page.locator(".agenda li.cancelled")).to_have_count(0)
        expect(page.locator("#restore-occurrence")).to_have_count(0)
        shot(page, f"occasion-cancel-unconfirmed-{width}")
        if violations := axe_violations(page):
            failures[f"unconfirmed {width}"] = violations

        page.check("#skip-confirm")
        page.click("button[value=cancel]")
        expect(page.locator(".notice")).to_have_text("Tillfället är inställt.")
        expect(page.locator(".agenda li.cancelled")).to_have_count(1)
        expect(page.locator("#restore-occurrence option")).to_have_text([chosen])
        shot(page, f"occasion-cancelled-{width}")
        if violations := axe_violations(page):
            failures[f"cancelled {width}"] = violations
        page.click("text=Återställ tillfället")  # and the undo
        expect(page.locator(".notice")).to_have_text("Tillfället är återställt.")
        expect(page.locator(".agenda li.cancelled")).to_have_count(0)
        page.context.close()
    assert failures == {}
