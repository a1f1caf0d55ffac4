"""Samverkan framed in a page that imitates Nextcloud's, in Chromium, through a loopback proxy.

The stand-in plays AppAPI's side of the browser: it serves an imitation of the embedded page
(``#content``, the initial state Samverkan registered when enabled, as a hidden input encoded
the way Nextcloud encodes it, the registered script loaded through the proxy, a CSP allowing
same-origin frames) and proxies ``/index.php/apps/app_api/proxy/samverkan/``
to a real uvicorn the way ``ExAppProxyController`` does: prefix-less path, query, body and the
browser's headers and cookies passed on, AppAPI's headers added, ``info.xml``'s routes applied,
redirects followed server-side and only the first value of each response header kept.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from directory.demo.loader import load_demo_if_empty
from tests.conftest import run_async
from tests.samverkan.nextcloud.conftest import (
    APP_ID,
    APP_SECRET,
    APP_VERSION,
    FakeNextcloud,
    _handler,
    appapi_headers,
    rendered_initial_state,
)
from tests.samverkan.nextcloud.test_appinfo import ROOT, _route
from tests.samverkan.web.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port

PROXY = f"/index.php/apps/app_api/proxy/{APP_ID}"
EMBEDDED_PAGE = f"/index.php/apps/app_api/embedded/{APP_ID}/{APP_ID}"
HOP_BY_HOP = {"connection", "transfer-encoding", "content-length", "content-encoding", "host"}


def _host_page(state: FakeNextcloud) -> bytes:
    """The top-menu page from what Samverkan registered when it was enabled: its script (served
    through the proxy as ``{path}.js``, app_api ``ScriptsService::applyExAppScripts`` and
    ``ExAppUiMiddleware``) and its initial state, encoded as AppAPI and Nextcloud encode it."""
    [script] = state.ui["script"].values()
    inputs = "".join(
        f'<input type="hidden" id="initial-state-app_api-{entry["key"]}"'
        f' value="{rendered_initial_state(entry["value"])}">'
        for entry in state.ui["initial-state"].values()
    )
    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Nextcloud</title>
<script defer src="{PROXY}/{script["path"]}.js?v=1"></script></head>
<body><header id="header">Nextcloud</header>
{inputs}
<main id="content"></main></body></html>""".encode()


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[FakeNextcloud, str]]:
    """The Nextcloud stand-in (OCS, embedded page, proxy) and a uvicorn in ExApp mode."""
    state = FakeNextcloud(groups={"anna": ["admin"]})
    upstream: dict[str, str] = {}
    base = _handler(state)

    class Handler(base):  # type: ignore[misc,valid-type]
        def _proxy(self) -> None:
            other = self.path.removeprefix(PROXY)
            path = other.split("?", 1)[0] or "/"
            if _route(path, self.command) is None:
                self._answer(404, b"not a route of this ExApp")
                return
            length = int(self.headers.get("Content-Length") or 0)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            with httpx.Client(base_url=upstream["url"], follow_redirects=True) as client:
                response = client.request(
                    self.command,
                    other or "/",
                    content=self.rfile.read(length) if length else None,
                    headers={**headers, **appapi_headers("anna"), "AA-REQUEST-ID": "req"},
                )
            self.send_response(response.status_code)
            first: dict[str, str] = {}
            for name, value in response.headers.multi_items():
                if name.lower() not in HOP_BY_HOP:
                    first.setdefault(name, value)
            for name, value in first.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # htmx cancels superseded requests
                self.wfile.write(response.content)

        def _embedded(self) -> None:
            body = _host_page(state)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; frame-src 'self'; style-src 'self'",
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _dispatch(self) -> None:
            if self.path.startswith(PROXY):
                self._proxy()
            elif self.path == EMBEDDED_PAGE or self.path.startswith(EMBEDDED_PAGE + "/"):
                self._embedded()
            else:
                self._handle()

        do_GET = do_PUT = do_POST = do_DELETE = _dispatch

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = _free_port()
    upstream["url"] = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_ID": APP_ID,
        "APP_SECRET": APP_SECRET,
        "APP_VERSION": APP_VERSION,
        "NEXTCLOUD_URL": state.url,
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "samverkan.app:create_app", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                if httpx.get(f"{upstream['url']}/heartbeat").status_code == 200:
                    break
            except httpx.TransportError:
                assert process.poll() is None, "uvicorn exited"
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.2)
        enabled = httpx.put(
            f"{upstream['url']}/enabled", params={"enabled": "1"}, headers=appapi_headers("")
        )
        assert enabled.json() == {"error": ""}
        assert state.ui["initial-state"] and state.ui["script"]
        yield state, state.url
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.shutdown()
        server.server_close()


def test_samverkan_works_framed_in_nextclouds_page(stand_in: tuple[FakeNextcloud, str]) -> None:
    _, nextcloud = stand_in
    run_async(load_demo_if_empty())
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(base_url=nextcloud)
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on(
                "response",
                lambda response: (
                    problems.append(f"{response.status} {response.url}")
                    if response.status >= 400
                    else None
                ),
            )
            page.goto(EMBEDDED_PAGE)
            frame = page.frame_locator("#samverkan-frame")
            search = frame.locator("input[type=search]").first
            expect(search).to_be_visible(timeout=15_000)
            search.fill("polis")
            expect(frame.locator("#results")).to_contain_text("Polis", timeout=15_000)

            frame.get_by_role("link", name="Nätverk").first.click()
            expect(frame.locator("h1")).to_contain_text("Nätverk", timeout=15_000)
            inner = page.frame(url=lambda url: PROXY in url)
            assert inner is not None and inner.url.endswith(f"{PROXY}/networks"), inner

            frame.get_by_role("button", name="English").click()
            expect(frame.locator("h1")).to_contain_text("Networks", timeout=15_000)
            frame.get_by_role("link", name="Search").first.click()
            # English stays: the language cookie came through the proxy with the moved page.
            expect(frame.locator("h1")).to_contain_text("Who works with what", timeout=15_000)
            inner = page.frame(url=lambda url: PROXY in url)
            assert inner is not None and inner.url.endswith(f"{PROXY}/"), inner

            # A notification's link opens that page in the frame.
            page.goto(f"{EMBEDDED_PAGE}/networks")
            expect(frame.locator("h1")).to_contain_text("Networks", timeout=15_000)
            inner = page.frame(url=lambda url: PROXY in url)
            assert inner is not None and inner.url.endswith(f"{PROXY}/networks"), inner

            # The API reference, from the vendored files under the proxy's prefix; the test
            # machine has no route to any CDN, so this also shows it works offline.
            outside: list[str] = []
            page.on(
                "request",
                lambda request: (
                    None if request.url.startswith(nextcloud) else outside.append(request.url)
                ),
            )
            page.goto(f"{PROXY}/schema")
            expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
            expect(page.locator(".swagger-ui .title")).to_contain_text("Samverkan")
            assert not outside, outside
        finally:
            browser.close()
    assert not problems, problems
