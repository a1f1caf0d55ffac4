"""A coordinator's meeting work in the browser, on the demo data: the calendar's week, the
schedule form's daylight-saving check, editing and cancelling a series, attendance by
organisation and contact, and follow-ups given to people of the network.

One server and one browser for the module; each test books its own meetings. Screenshots go to
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


def _book(page: Page, title: str, day: dt.date, start: str = "13:00", end: str = "14:30") -> str:
    """Book a single meeting in SSPF through the form; the meeting page's path."""
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", title)
    page.fill("#s-date", day.isoformat())
    page.fill("#s-start", start)
    page.fill("#s-end", end)
    page.click("button[value=save]")
    expect(page.locator("h1")).to_have_text(title)
    return page.url.split("?")[0].removeprefix(page.url.split("/meetings/")[0])


def test_a_coordinator_reads_a_week_in_the_calendar(site: tuple[str, Browser]) -> None:
    today = dt.date.today()
    title = "SSPF operativ arbetsgrupp om unga i riskzon"
    failures = {}
    for width in (1366, PHONE):
        page = signed_in(site, "coordinator", width)
        if width != PHONE:
            _book(page, title, today + dt.timedelta(days=1))
        page.goto(f"/networks/{SSPF}/calendar")
        page.click(".view-switch >> text=Vecka")
        number = (today + dt.timedelta(days=1)).isocalendar().week
        nav = page.locator(".calendar-nav strong")
        expect(nav).to_contain_text(f"Vecka {number}")
        event = page.locator(".week-day .event", has_text=title)
        expect(event.first).to_be_visible()
        expect(event.first.locator(".event-title")).to_have_text(title)
        expect(event.first.locator(".event-time")).to_have_text("13:00–14:30")
        clipped = "e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight"
        assert not event.first.evaluate(clipped)  # the whole title, not "13:… SSPF op…"
        shot(page, f"week-{width}")
        if violations := axe_violations(page):
            failures[f"week at {width}"] = violations
        page.click("text=Nästa vecka")
        expect(nav).to_contain_text(f"Vecka {(today + dt.timedelta(days=8)).isocalendar().week}")
        page.click(".calendar-nav >> text=Idag")
        expect(page.locator(".week-day time[aria-current=date]")).to_have_count(1)
        page.context.close()
    assert failures == {}


def test_a_coordinator_changes_and_then_cancels_a_whole_series(site: tuple[str, Browser]) -> None:
    page = signed_in(site, "coordinator")
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", "Samverkansgrupp")
    page.fill("#s-date", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.check("input[name=repeat][value=weekly]")
    page.fill("#s-count", "5")
    page.click("button[value=save]")
    page.click("text=Ändra titel, dagordning, plats och inbjudna")
    expect(page.locator("h1")).to_have_text("Ändra Samverkansgrupp")
    page.fill("#e-title", "Samverkansgrupp unga")
    page.fill("#e-location", "Kommunhuset, rum Bollmora")
    page.fill("#e-agenda", "1. Lägesbild\n2. Insatser")
    page.locator("input[name=invited_organizations]").first.check()
    failures = {}
    shot(page, "series-edit-1366")
    if violations := axe_violations(page):
        failures["edit"] = violations
    page.click("text=Spara ändringarna")
    expect(page.locator(".notice")).to_have_text("Ändringarna är sparade för alla tillfällen.")
    expect(page.locator("h1")).to_have_text("Samverkansgrupp unga")
    expect(page.locator(".facts")).to_contain_text("Kommunhuset, rum Bollmora")
    expect(page.locator(".facts")).to_contain_text("Insatser")
    page.click("text=Ställ in serien")  # without ticking the box
    expect(page.locator("#err-cancel-confirm")).to_have_text("Kryssa i rutan för att bekräfta.")
    shot(page, "series-cancel-unconfirmed-1366")
    if violations := axe_violations(page):
        failures["cancel unconfirmed"] = violations
    page.check("#cancel-confirm")
    page.click("text=Ställ in serien")
    expect(page.locator(".notice")).to_have_text("Mötet är inställt, med alla tillfällen.")
    expect(page.locator(".record .badge")).to_have_text("Inställt")
    expect(page.locator("#series")).to_have_count(0)
    phone = signed_in(site, "coordinator", PHONE)
    phone.goto(page.url.split("?")[0].replace(page.url.split("/meetings/")[0], "") + "/edit")
    shot(phone, "series-edit-390")
    assert failures == {}


def test_a_coordinator_records_who_came_and_gives_a_follow_up_to_a_colleague(
    site: tuple[str, Browser],
) -> None:
    failures = {}
    page = signed_in(site, "coordinator")
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", "Uppföljningsmöte")
    page.fill("#s-date", (dt.date.today() - dt.timedelta(days=3)).isoformat())
    page.locator("input[name=invited_organizations]").nth(0).check()
    page.locator("input[name=invited_contacts]").nth(0).check()
    page.click("button[value=save]")
    attendance = page.locator("#attendance")
    organisation = attendance.locator("input[name=organization_ids]").first
    person = attendance.locator("input[name=contact_ids]").first
    organisation.check()
    person.check()
    attendance.locator("text=Spara närvaro").click()
    expect(page.locator(".notice")).to_have_text("Närvaron är sparad.")
    expect(organisation).to_be_checked()
    expect(person).to_be_checked()
    expect(attendance.locator(".attendance-recorded li")).to_have_count(1)
    page.fill("#fu-title", "Boka lokal till nästa möte")
    page.fill("#fu-owner", "Coordinator")
    owners = page.eval_on_selector_all("#fu-owners option", "os => os.map(o => o.value)")
    assert "Coordinator User" in owners
    page.fill("#fu-owner", "Coordinator User")
    page.fill("#fu-due", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.locator("#follow-ups button", has_text="Lägg till").click()
    expect(page.locator("#follow-ups")).to_contain_text("Boka lokal till nästa möte")
    shot(page, "meeting-attendance-1366")
    if violations := axe_violations(page):
        failures["meeting page"] = violations
    meeting_path = page.url.split("?")[0].removeprefix(site[0])
    page.goto("/")
    mine = page.locator("section[aria-labelledby=my-follow-ups] li.warning")
    expect(mine).to_contain_text("Boka lokal till nästa möte")
    expect(mine).to_contain_text("försenad")
    phone = signed_in(site, "coordinator", PHONE)
    phone.goto(meeting_path)
    expect(phone.locator("#att-occasion")).to_be_visible()
    shot(phone, "meeting-attendance-390")
    phone.goto("/")
    shot(phone, "my-follow-ups-390")
    phone.goto(f"/networks/{SSPF}/meetings/new")
    phone.fill("#s-title", "Nattövning")
    phone.fill("#s-date", _last_sunday_of_next_march().isoformat())
    phone.fill("#s-start", "02:30")
    phone.fill("#s-end", "04:00")
    phone.click("button[value=check]")
    warning = phone.locator(".time-warning")
    expect(warning).to_contain_text("02:30 finns inte")
    shot(phone, "schedule-time-warning-390")
    if violations := axe_violations(phone):
        failures["schedule check"] = violations
    assert failures == {}


def _last_sunday_of_next_march() -> dt.date:
    today = dt.date.today()
    last = dt.date(today.year + (today >= dt.date(today.year, 3, 25)), 3, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)
