"""The plan cycle done in Chromium as each role would: a partner reports what they saw and reads
the picture, a coordinator keeps a measure and a training, staff read the council report; every
page type of the cycle passes axe at WCAG 2.1 AA, at desktop and phone width."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from directory.accounts.tables import Account
from directory.demo.data import _org_id
from tests.conftest import run_async
from tests.samverkan.web.browser.conftest import USERS, axe_violations

OpenPage = Callable[..., Page]


def _partner_belongs_to(slug: str) -> None:
    run_async(
        Account.update({Account.organization_id: uuid.UUID(_org_id(slug))}).where(
            Account.username == USERS["partner"]
        )
    )


def test_a_partner_reports_an_observation_and_sees_only_the_aggregate(
    open_page: OpenPage,
) -> None:
    _partner_belongs_to("foraldranatverket")
    page = open_page("partner")
    page.get_by_role("link", name="Lägesbild").first.click()
    page.get_by_role("link", name="Rapportera en iakttagelse").click()
    page.select_option("#o-signal", "recruitment")
    page.select_option("#o-area", "civil_society")
    page.select_option("#o-level", "general")
    page.select_option("#o-frequency", "single")
    page.select_option("#o-district", "brevik")
    page.fill("#o-note", "Ring 070-123 45 67")
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("alert")).to_contain_text("telefonnummer")
    page.fill("#o-note", "Klistermärken vid busshållplatsen")
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("status")).to_have_text("Tack, rapporten är sparad.")
    # One report from Brevik is a group of one: it is counted as hidden, never shown.
    page.select_option("#p-by", "district")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("main")).not_to_contain_text("Brevik")
    assert page.goto("/plan").status == 403


def test_a_coordinator_keeps_a_measure_and_a_training(open_page: OpenPage) -> None:
    page = open_page("coordinator")
    page.goto("/plan/measures")
    page.fill("#n-title", "Föräldraträffar om nätet")
    page.select_option("#n-level", "general")
    page.get_by_role("button", name="Lägg till åtgärden").click()
    card = page.locator("li.card", has_text="Föräldraträffar om nätet")
    expect(card).to_be_visible()
    card.locator("select[name=status]").select_option("ongoing")
    card.get_by_role("button", name="Spara status").click()
    expect(page.locator("li.card", has_text="Föräldraträffar om nätet")).to_contain_text("pågår")

    page.goto("/plan/trainings")
    page.fill("#t-title", "Nätverksträff om polarisering")
    page.fill("#t-date", "2026-11-20")
    page.select_option("#t-level", "selective")
    page.get_by_role("button", name="Lägg till utbildningen").click()
    training = page.locator("li.card", has_text="Nätverksträff om polarisering")
    training.locator("select[name=organization_id]").select_option(label="Fältgruppen")
    training.locator("input[name=participants]").fill("7")
    training.get_by_role("button", name="Spara").click()
    expect(page.locator("li.card", has_text="Nätverksträff om polarisering")).to_contain_text(
        "Fältgruppen: 7"
    )


def test_staff_read_the_council_report_and_every_plan_page_passes_axe(
    open_page: OpenPage, tmp_path: Path
) -> None:
    _partner_belongs_to("foraldranatverket")
    for width in (1366, 390):
        page = open_page("staff", width=width)
        page.goto("/plan")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Uppföljningsrapport till brottsförebyggande rådet"
        )
        expect(page.locator("main")).to_contain_text("försenad")
        with page.expect_download() as download:
            page.get_by_role("link", name="Ladda ner CSV").click()
        csv = download.value.path().read_text(encoding="utf-8")
        assert "measure,overdue,Följ upp metoderna i Fältgruppens arbete" in csv
        for path in ("/plan", "/plan/measures", "/plan/trainings", "/plan/picture",
                     "/plan/observations/new"):  # fmt: skip
            page.goto(path)
            assert axe_violations(page) == [], path
            page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-')}-{width}.png"))
        width_of_page = page.evaluate("document.documentElement.scrollWidth")
        assert width_of_page <= width + 1, "the plan pages fit the viewport"
    partner = open_page("partner", width=390)
    for path in ("/plan/picture", "/plan/observations/new"):
        partner.goto(path)
        assert axe_violations(partner) == [], path
