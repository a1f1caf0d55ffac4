"""The schedule check, the meeting page and the calendar feeds cover one window: a coordinator
checks an open-ended weekly series and finds on its page the same occasions the check counted,
with ``FEED_FUTURE_DAYS`` shorter than its default."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from directory.accounts.tables import Account
from directory.demo.data import _id
from directory.records.tables import NetworkCoordinator
from tests.conftest import run_async
from tests.samverkan.web.browser.conftest import USERS, axe_violations, shot

SSPF = _id("network/sspf-tyreso")


@pytest.fixture(autouse=True)
def short_feed_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the server starts (autouse fixtures come first), so the server reads it."""
    monkeypatch.setenv("FEED_FUTURE_DAYS", "60")


def test_the_meeting_page_has_every_occasion_the_schedule_check_counted(
    open_page: Callable[..., Page], demo: str
) -> None:
    kim = run_async(Account.select(Account.id).where(Account.username == USERS["coordinator"]))
    row = NetworkCoordinator(network_id=uuid.UUID(SSPF), account_id=kim[0]["id"])
    run_async(NetworkCoordinator.insert(row))
    page = open_page("coordinator", width=1366)
    page.goto(f"/networks/{SSPF}/meetings/new")
    page.fill("#s-title", "Veckoavstämning")
    page.check("input[name=repeat][value=weekly]")
    page.click("button[value=check]")
    summary = page.locator(".series-summary")
    expect(summary).to_contain_text("tillfällen")
    counted = int(re.findall(r"(\d+) tillfällen", summary.inner_text())[-1])
    assert 8 <= counted <= 10  # weekly for 60 days, not for the default 548
    shot(page, "schedule-check-window-1366")
    assert axe_violations(page) == []
    page.click("button[value=save]")
    expect(page.locator("h1")).to_have_text("Veckoavstämning")
    expect(page.locator("#move-occurrence option")).to_have_count(counted)
