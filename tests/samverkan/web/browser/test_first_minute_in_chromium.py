"""A newcomer's first minute: ``serve --demo`` on an empty database, then signing in with a
printed demo account, in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

from tests.samverkan.web.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port

ACCOUNT_LINE = re.compile(r"^user (\S+) password (\S+) \((\w+)\)$")


def test_serve_demo_prints_one_account_per_role_that_signs_in(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SAMVERKAN_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)  # a fresh, empty SQLite database in the new data dir
    command = [sys.executable, "-m", "samverkan", "serve", "--demo", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            if match := ACCOUNT_LINE.match(line.strip()):
                printed.append(match.groups())
            if line.startswith("Samverkan on http://"):
                break
        assert sorted(role for *_, role in printed) == ["admin", "coordinator", "partner", "staff"]
        for _ in range(300):  # the line comes before uvicorn listens
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for username, password, role in printed:
                width = 390 if role == "partner" else 1366
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{port}",
                    viewport={"width": width, "height": 844 if width == 390 else 768},
                )
                page = context.new_page()
                page.goto("/")
                expect(page.locator("h1")).to_have_text("Logga in")
                expect(page.locator("main")).to_contain_text("Be en administratör")
                page.fill("#username", username)
                page.fill("#password", password)
                page.click("form[action='/sign-in'] button[type=submit]")
                expect(page.locator(".topbar")).to_contain_text(f"({username})")
                admin_link = page.locator(".mainnav a[href='/admin']")
                expect(admin_link).to_have_count(1 if role == "admin" else 0)
                context.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
