"""Running a network in the browser, as each role would, on the demo data: assigning a
network's coordinators and members with search pickers, checking a series before booking it,
taking one's own subscription link, using search results and the signed-in start page.

One server and one browser for the module (the tests add to the demo directory and never
remove what another test needs)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from directory.accounts.tables import Account
from directory.demo.data import _id, _org_id
from directory.demo.loader import load_demo_if_empty
from directory.meetings.public_holidays import holidays_between
from directory.records.tables import NetworkCoordinator
from samverkan.demo_accounts import DEMO_PEOPLE
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
PHONE = {"width": 390, "height": 844}
ANHORIG = _id("network/anhorigstod")
ACCOUNT_IDS: dict[str, uuid.UUID] = {}
"""The demo accounts' ids by role, once :func:`site` made them (no database call can run
inside Playwright's event loop)."""


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Overrides the per-test wipe: the module's tests share the directory :func:`site` made."""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, Browser]]:
    run_async(_clean())
    with start_server() as url:
        run_async(load_demo_if_empty())
        accounts = {role: make_account(role, username) for role, username in USERS.items()}
        run_async(_coordinate(accounts["coordinator"].id, SSPF))
        ACCOUNT_IDS.update({role: account.id for role, account in accounts.items()})
        for username, _name, _role, org in DEMO_PEOPLE:
            run_async(_place(username, org))
        run_async(_answers_for(USERS["coordinator"], "samordnare@example.se"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield url, browser
            browser.close()


async def _coordinate(account_id: uuid.UUID, network_id: str) -> None:
    row = NetworkCoordinator(network_id=uuid.UUID(network_id), account_id=account_id)
    await NetworkCoordinator.insert(row)


async def _place(username: str, organization: str) -> None:
    """At the demo account's organisation (Pelle at the Nacka police, a member of SSPF)."""
    await Account.update({Account.organization_id: uuid.UUID(_org_id(organization))}).where(
        Account.username == username
    )


async def _answers_for(username: str, email: str) -> None:
    """Kim checks the demo entries (their ``assurer_email``)."""
    await Account.update({Account.email: email}).where(Account.username == username)


def test_admin_and_coordinator_assign_a_networks_people_with_pickers(
    site: tuple[str, Browser],
) -> None:
    admin = signed_in(site, "admin")
    admin.goto(f"/networks/{ANHORIG}")
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
    expect(kim.locator("#coordinators .people")).to_contain_text("Coordinator User")
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


def test_a_coordinator_is_told_why_they_cannot_remove_themselves(
    site: tuple[str, Browser],
) -> None:
    failures = {}
    for width in (1366, 390):
        kim = signed_in(site, "coordinator", width)
        kim.goto(f"/networks/{SSPF}/people")
        own = kim.locator("#coordinators .people li", has_text="Coordinator User")
        expect(own.locator(".own-role")).to_contain_text("Du kan inte ta bort dig själv")
        expect(own.locator("button")).to_have_count(0)
        shot(kim, f"network-people-own-role-{width}")
        if violations := axe_violations(kim):
            failures[width] = violations
        kim.context.close()
    kim = signed_in(site, "coordinator")
    kim.goto(f"/networks/{SSPF}/people")
    kim.evaluate(  # the form a page shown before the change, or another tab, would still send
        """([action, id]) => {
            const form = document.querySelector("#organizations .people form");
            const copy = form.cloneNode(true);
            copy.querySelector("[name=kind]").value = "coordinators";
            copy.querySelector("[name=id]").value = id;
            copy.action = action;
            document.body.append(copy);
            copy.submit();
        }""",
        [f"/networks/{SSPF}/people", str(ACCOUNT_IDS["coordinator"])],
    )
    expect(kim.locator("h1")).to_have_text("Du kan inte ta bort dig själv som samordnare.")
    expect(kim.locator("main")).to_contain_text("Be en administratör")
    shot(kim, "own-role-refused-1366")
    if violations := axe_violations(kim):
        failures["refused"] = violations
    kim.goto(f"/networks/{SSPF}/people")
    expect(kim.locator("#coordinators .people")).to_contain_text("Coordinator User")
    kim.context.close()
    assert failures == {}


def _next(weekday: int, after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def test_a_coordinator_sees_every_clash_of_a_series_and_its_holidays_before_saving(
    site: tuple[str, Browser],
) -> None:
    """BRÅ's working group meets the last Monday of each month with Socialförvaltningen; a
    weekly Monday series in SSPF inviting them clashes on each of those dates, not the first."""
    today = dt.date.today()
    first = _next(0, today)
    mondays = [first + dt.timedelta(weeks=n) for n in range(10)]
    last_mondays = [day for day in mondays if (day + dt.timedelta(weeks=1)).month != day.month]
    page = signed_in(site, "coordinator")
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", "Samråd socialtjänsten")
    page.fill("#s-date", first.isoformat())
    page.fill("#s-start", "09:00")
    page.fill("#s-end", "10:00")
    page.check("input[name=repeat][value=weekly]")
    page.fill("#s-count", "10")
    page.check("label:has-text('Socialförvaltningen') input")
    page.click("button[value=check]")
    summary = page.locator(".series-summary")
    expect(summary).to_have_text("varje måndag 09.00–10.00: 10 tillfällen")
    clashes = page.locator(".clashes li")
    expect(clashes).to_have_count(len(last_mondays))
    for day, clash in zip(last_mondays, clashes.all(), strict=True):
        expect(clash).to_contain_text(f"måndag {day.day} ")
        expect(clash).to_contain_text("BRÅ:s arbetsgrupp VBE (Socialförvaltningen)")
    assert axe_violations(page) == []
    shot(page, "schedule-check-1366")

    holiday, name = next(
        (day, name)
        for day, name in holidays_between(
            today + dt.timedelta(days=15), today + dt.timedelta(days=400)
        ).items()
        if day.weekday() < 5
    )
    start, until = holiday - dt.timedelta(weeks=2), holiday + dt.timedelta(weeks=4)
    page.fill("#s-date", start.isoformat())
    page.fill("#s-start", "09:00")
    page.fill("#s-end", "10:30")
    page.check("input[name=repeat][value=biweekly]")
    page.fill("#s-count", "")
    page.fill("#s-until", until.isoformat())
    page.click("button[value=check]")
    weekday = ["måndag", "tisdag", "onsdag", "torsdag", "fredag"][holiday.weekday()]
    months = "januari februari mars april maj juni juli augusti september oktober november december"
    until_text = f"{until.day} {months.split()[until.month - 1]} {until.year}"
    expect(summary).to_have_text(f"varannan {weekday} 09.00–10.30, till {until_text}: 4 tillfällen")
    expect(page.locator(".series-dates li")).to_have_count(4)
    expect(page.locator(".holiday-warning")).to_contain_text(name)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "schedule-check-390")
    page.click("button[value=save]")
    expect(page.locator("[role=status]")).to_contain_text("Mötet är bokat")
    page.context.close()


def test_a_partner_takes_their_own_link_and_the_coordinator_revokes_it(
    site: tuple[str, Browser],
) -> None:
    partner = signed_in(site, "partner", width=390)
    partner.goto(f"/networks/{SSPF}")
    partner.click("text=Hämta en egen prenumerationslänk")
    link = partner.locator("#feed-https").input_value()
    assert link.startswith(site[0]) and partner.request.get(link).ok
    assert axe_violations(partner) == []
    shot(partner, "own-feed-390")
    partner.reload()
    expect(partner.locator("#feed-https")).to_have_count(0)
    expect(partner.locator("main")).to_contain_text("visades en gång")
    partner.goto(f"/networks/{SSPF}")
    expect(partner.locator(".feed-links li")).to_have_count(1)
    partner.context.close()

    coordinator = signed_in(site, "coordinator")
    coordinator.goto(f"/networks/{SSPF}#subscribe")
    own = coordinator.locator(".feed-links li", has_text="pelle")
    expect(own).to_contain_text("partner")
    own.locator("button").click()
    expect(coordinator.locator("[role=status]")).to_contain_text("återkallad")
    expect(coordinator.locator(".feed-links li", has_text="pelle")).to_have_count(0)
    assert coordinator.request.get(link).status in {403, 404, 410}
    coordinator.context.close()


def test_staff_page_through_results_clear_filters_on_a_phone_and_download_vcards(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "staff")
    page.goto("/?municipality=Tyres%C3%B6")
    count = page.locator("#result-count")
    expect(count).to_contain_text("träffar")
    total = int(count.inner_text().split()[0])
    assert total > 50, total
    expect(page.locator(".paging")).to_contain_text(f"Visar 1–50 av {total}")
    page.click(".paging a[rel=next]")
    expect(page.locator(".paging")).to_contain_text(f"Visar 51–{min(100, total)} av {total}")
    expect(page.locator(".hit")).to_have_count(min(50, total - 50))
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/?q=tyres%C3%B6")
    expect(count).to_contain_text("träffar")
    total = int(count.inner_text().split()[0])
    expect(page.locator(".facets")).to_be_hidden()
    first_hit = page.locator(".hit").first.bounding_box()
    assert first_hit is not None and first_hit["y"] + first_hit["height"] < 844
    shot(page, "results-390")
    page.click("summary:has-text('Filter')")
    page.dispatch_event("#facet-kind", "pointerdown")  # the tap, which select_option does not send
    page.select_option("#facet-kind", index=1)
    expect(page.locator(".clear-filters")).to_be_visible()
    expect(count).not_to_contain_text(f"{total} träffar")
    page.click(".clear-filters")
    expect(count).to_contain_text(f"{total} träffar")
    assert page.locator("#q").input_value() == "tyresö"

    page.set_viewport_size({"width": 1366, "height": 768})
    for path in (
        f"/organizations/{_org_id('faltgruppen')}",
        f"/contacts/{_id('contact/faltsekreterare')}",
    ):
        page.goto(path)
        with page.expect_download() as download:
            page.click(".vcard-link a")
        card = Path(download.value.path()).read_text()
        assert card.startswith("BEGIN:VCARD") and "VERSION:3.0" in card
        assert download.value.suggested_filename.endswith(".vcf")
    assert "FN:Johan Ek" in card and "ORG:Fältgruppen" in card
    page.context.close()


def test_a_coordinator_starts_from_their_networks_follow_ups_and_due_entries(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "coordinator")
    networks = page.locator("section[aria-labelledby=my-networks]")
    expect(networks).to_contain_text("SSPF Tyresö")
    sspf = networks.locator("li", has_text="SSPF Tyresö")
    expect(sspf.locator("ul.muted a").first).to_be_visible()
    expect(page.locator("section[aria-labelledby=my-follow-ups]")).to_contain_text(
        "Inga öppna uppföljningar"
    )
    due = page.locator("section[aria-labelledby=my-due] li")
    expect(due.first).to_contain_text("Senast kontrollerad")
    box = page.locator(".my-overview").bounding_box()
    search = page.locator("#q").bounding_box()
    assert box is not None and search is not None and box["y"] < search["y"]

    sspf.locator("ul.muted a").first.click()
    page.fill("#fu-title", "Skicka lägesbilden till styrgruppen")
    page.fill("#fu-owner", "Coordinator User")
    page.fill("#fu-due", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.click("form[action$='/follow-ups'] button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("Uppföljningen är tillagd")
    page.goto("/")
    mine = page.locator("section[aria-labelledby=my-follow-ups] li")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Skicka lägesbilden till styrgruppen")
    expect(mine).to_contain_text("försenad")
    assert axe_violations(page) == []
    shot(page, "start-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "start-390")
    page.context.close()


def test_staff_plan_by_week_in_the_calendar_with_holidays_marked(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "staff")
    page.goto("/calendar?month=2026-12")
    weeks = page.locator("table.month tbody th.week-number")
    expect(weeks).to_have_count(5)
    assert [text.split()[-1] for text in weeks.all_inner_texts()] == ["49", "50", "51", "52", "53"]
    expect(page.locator("td.holiday", has_text="24")).to_contain_text("Julafton")
    expect(page.locator(".view-switch")).not_to_contain_text("Dagordning")
    assert axe_violations(page) == []
    shot(page, "calendar-1366")
    page.click(".view-switch a:has-text('Lista')")
    expect(page.locator(".holidays-in-month")).to_contain_text("Juldagen")
    page.click("text=Idag")
    expect(page.locator(".today-button")).to_have_attribute("aria-current", "date")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/calendar?month=2026-12")
    shot(page, "calendar-390")
    page.context.close()


def test_typing_a_query_puts_the_results_first_and_clearing_it_brings_the_overview_back(
    site: tuple[str, Browser],
) -> None:
    page = signed_in(site, "coordinator")
    for size, viewport in (("desktop", {"width": 1366, "height": 768}), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto("/")
        overview = page.locator(".my-overview")
        expect(overview).to_be_visible()
        page.fill("#q", "socialjouren")
        expect(overview).to_have_count(0)
        first = page.locator("#results .results li").first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] < viewport["height"], (size, box)
        shot(page, f"search-typed-{size}")
        assert axe_violations(page) == []
        page.fill("#q", "")
        expect(overview).to_be_visible()
    page.context.close()
