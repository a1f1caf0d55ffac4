"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn on loopback.

The server runs in a subprocess with the test session's database settings; every test starts
from the demo directory and four accounts, one per role, that sign in with a password.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from directory.demo.data import _id
from directory.demo.loader import load_demo_if_empty
from directory.records.tables import NetworkCoordinator
from tests.conftest import _clean, run_async
from tests.samverkan.web.conftest import PASSWORD, make_account

ROOT = Path(__file__).parents[4]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
USERS = {"admin": "anna", "coordinator": "kim", "staff": "sara", "partner": "pelle"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server() -> Iterator[str]:
    """A fresh server per test: every test empties the tables under it, and a running server's
    search index only reads rows newer than the last it saw, which would hide the test's own."""
    with start_server() as url:
        yield url


@contextlib.contextmanager
def start_server() -> Iterator[str]:
    """A uvicorn on a free loopback port, for as long as the ``with`` block runs."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "samverkan.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SAMVERKAN_PUBLIC_URL": url},
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("uvicorn did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def demo(server: str) -> str:
    """The demo directory and one account per role (see :data:`USERS`)."""
    run_async(load_demo_if_empty())
    for role, username in USERS.items():
        make_account(role, username)
    return server


@pytest.fixture
def open_page(demo: str) -> Iterator[Callable[..., Page]]:
    """``open_page("staff")``: a fresh browser context signed in through the form.

    Playwright's sync API keeps an event loop running on this thread, so Chromium starts at the
    first call, after the database fixtures (which use ``asyncio.run``) have done their work; a
    test writes its own records before it opens a page.
    """
    contexts = []
    playwright = None
    browser: Browser | None = None

    def open_as(role: str, width: int = 1280) -> Page:
        nonlocal playwright, browser
        if browser is None:
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=demo,
            viewport={"width": width, "height": 900},
            permissions=["clipboard-read", "clipboard-write"],
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/sign-in")
        page.fill("#username", USERS[role])
        page.fill("#password", PASSWORD)
        page.click("form[action='/sign-in'] button[type=submit]")
        page.wait_for_url(f"{demo}/")
        return page

    yield open_as
    for context in contexts:
        context.close()
    if browser is not None and playwright is not None:
        browser.close()
        playwright.stop()


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Run axe-core over the page at WCAG 2.1 A and AA.

    The script is evaluated through the DevTools protocol, which the page's CSP does not govern,
    so the strict policy stays on while axe runs.
    """
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            });
            return {passes: r.passes.length, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary)}))};
        }"""
    )
    assert result["passes"] > 5, "axe-core did not run its checks"
    return list(result["violations"])


SCREENSHOTS = (
    Path(os.environ.get("WALKTHROUGH_DIR", "")) if os.environ.get("WALKTHROUGH_DIR") else None
)
"""Where the walkthrough modules keep their screenshots, when ``WALKTHROUGH_DIR`` is set."""


def signed_in(site: tuple[str, Browser], role: str, width: int = 1366) -> Page:
    """A new context on a module's shared server and browser, signed in through the form."""
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


@contextlib.contextmanager
def coordinated_site() -> Iterator[tuple[str, Browser]]:
    """A server on the demo data, with one account per role and the coordinator coordinating
    SSPF Tyresö, and a browser: for a module whose tests share them (each books its own
    meetings), as its ``site`` fixture."""
    run_async(_clean())
    with start_server() as url:
        run_async(load_demo_if_empty())
        accounts = {role: make_account(role, username) for role, username in USERS.items()}
        network = uuid.UUID(_id("network/sspf-tyreso"))
        row = NetworkCoordinator(network_id=network, account_id=accounts["coordinator"].id)
        run_async(NetworkCoordinator.insert(row))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield url, browser
            browser.close()
