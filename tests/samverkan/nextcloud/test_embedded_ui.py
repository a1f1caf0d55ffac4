"""The web interface as Nextcloud shows it: requests shaped as AppAPI's proxy sends them.

The proxy (app_api ``ExAppProxyController``) passes the browser's path without its prefix, the
query, the body and the browser's own headers and cookies, and adds the AppAPI headers. So a
test request here is a plain path with those headers; the pages must answer with every URL under
the prefix the browser actually used.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar.testing import TestClient

from directory.demo.loader import load_demo_if_empty
from directory.records.tables import Network
from samverkan.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import run_async
from tests.samverkan.nextcloud.conftest import FakeNextcloud, appapi_headers

PREFIX = "/index.php/apps/app_api/proxy/samverkan"
URL_ATTRIBUTES = ("href", "src", "action", "hx-get", "hx-post", "formaction")


def browser_headers(user: str) -> dict[str, str]:
    """What reaches Samverkan for a browser request: AppAPI's headers plus the browser's own,
    Nextcloud's session cookies among them (the proxy forwards every cookie)."""
    return {
        **appapi_headers(user),
        "AA-REQUEST-ID": "aB3dE5fG7hI9",
        "X-Origin-IP": "192.0.2.7",
        "Accept-Language": "sv-SE,sv;q=0.9",
        "Cookie": "oc1234abcd=nextcloud-session; nc_sameSiteCookielax=true",
    }


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.forms: list[dict[str, Any]] = []
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in URL_ATTRIBUTES:
            if name in values:
                self.urls.append((tag, name, values[name]))
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "fields": {}})
        if tag == "input" and self.forms and values.get("type") == "hidden":
            self.forms[-1]["fields"][values.get("name", "")] = values.get("value", "")
        if tag == "select" and self.forms:
            self._select = values.get("name", "")
        if tag == "option" and self._select:
            self.forms[-1]["fields"].setdefault(self._select, values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""


def parse(html: str) -> _Urls:
    parser = _Urls()
    parser.feed(html)
    return parser


def is_app_url(url: str) -> bool:
    """Links to the app itself, as opposed to fragments, phone numbers, mail or other sites."""
    return not url.startswith(("#", "tel:", "mailto:", "http://", "https://", "webcal://"))


@pytest.fixture
def demo(nextcloud: FakeNextcloud) -> None:
    run_async(load_demo_if_empty())
    nextcloud.groups.update({"anna": ["admin"], "karin": ["kommunen"], "petra": []})
    nextcloud.profiles["anna"] = ("Anna Berg", "anna.berg@tyreso.se")


def schedule_through_the_proxy(client: TestClient, user: str) -> str:  # type: ignore[type-arg]
    """Schedule a meeting ten days ago with the scheduling form, as the browser would inside
    Nextcloud; the meeting's page (app path) it moves on to."""
    network = run_async(Network.select(Network.id).first())
    form_path = f"/networks/{network['id']}/meetings/new"
    page = parse(client.get(form_path, headers=browser_headers(user)).text)
    form = next(f for f in page.forms if f["action"] == PREFIX + form_path)
    answer = client.post(
        form_path,
        data={
            **form["fields"],
            "title": "Samråd via Nextcloud",
            "date": (dt.date.today() - dt.timedelta(days=10)).isoformat(),
            "start": "09:00",
            "end": "10:00",
            "repeat": "none",
            "action": "save",
        },
        headers=browser_headers(user),
        follow_redirects=False,
    )
    assert answer.status_code == 200, answer.text[:800]
    [target] = {url for _, _, url in parse(answer.text).urls}
    assert f'content="0; url={target}"' in answer.text
    assert target.startswith(PREFIX + "/meetings/")
    return target.removeprefix(PREFIX).split("?", 1)[0]  # without the page's notice


@pytest.fixture
def meeting(client: TestClient, demo: None) -> str:  # type: ignore[type-arg]
    return schedule_through_the_proxy(client, "anna")


def _pages(meeting: str) -> list[str]:
    network = run_async(Network.select(Network.id).first())
    return [
        "/",
        "/?q=polis",
        "/networks",
        f"/networks/{network['id']}",
        f"/networks/{network['id']}/calendar",
        f"/networks/{network['id']}/follow-up",
        f"/networks/{network['id']}/meetings/new",
        meeting,
        "/calendar",
        "/map",
        "/vid-oro",
        "/admin",
        "/admin/users",
        "/admin/synonyms",
        "/admin/taxonomy",
    ]


def test_every_url_on_every_page_starts_with_the_proxy_prefix(
    client: TestClient,  # type: ignore[type-arg]
    meeting: str,
) -> None:
    seen = 0
    for path in _pages(meeting):
        response = client.get(path, headers=browser_headers("anna"))
        assert response.status_code == 200, (path, response.text[:300])
        for tag, attribute, url in parse(response.text).urls:
            if is_app_url(url):
                seen += 1
                assert url.startswith(PREFIX + "/"), f"{path}: <{tag} {attribute}={url!r}>"
        assert "samverkan_session" not in response.headers.get("set-cookie", "")
        assert "samverkan_csrf" not in response.headers.get("set-cookie", "")
    assert seen > 100


def test_standalone_pages_keep_plain_links(
    client: TestClient,  # type: ignore[type-arg]
    demo: None,
) -> None:
    """The same app without AppAPI's headers: the sign-in page, unprefixed."""
    response = client.get("/sign-in")
    assert response.status_code == 200
    urls = [url for _, _, url in parse(response.text).urls if is_app_url(url)]
    assert urls and all(url.startswith("/") and PREFIX not in url for url in urls)
    assert (
        client.get("/networks", follow_redirects=False).headers["location"].startswith("/sign-in")
    )


def test_following_a_link_and_submitting_a_form_through_the_proxy(
    client: TestClient,  # type: ignore[type-arg]
    meeting: str,
) -> None:
    headers = browser_headers("anna")
    start = parse(client.get("/", headers=headers).text)
    networks_link = next(url for _, _, url in start.urls if url == PREFIX + "/networks")
    listing = client.get(networks_link.removeprefix(PREFIX), headers=headers)
    assert listing.status_code == 200
    page = parse(client.get(meeting, headers=headers).text)
    form = next(f for f in page.forms if f["action"].endswith("/notes"))
    assert form["action"] == f"{PREFIX}{meeting}/notes"
    note = "Anteckning skriven i Nextcloud"
    answer = client.post(
        form["action"].removeprefix(PREFIX),
        data={**form["fields"], "body": note},
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 200, answer.text[:500]
    [target] = {url for _, _, url in parse(answer.text).urls}
    assert target == f"{PREFIX}{meeting}?notice=note_saved#notes"
    shown = client.get(meeting, headers=headers).text
    assert note in shown
    # People are shown by their Nextcloud display name, never as nc:<user id>.
    assert "Anna Berg" in shown and "nc:anna" not in shown


def test_a_form_without_the_users_token_is_refused(
    client: TestClient,  # type: ignore[type-arg]
    meeting: str,
) -> None:
    path = f"{meeting}/notes"
    anna = parse(client.get(meeting, headers=browser_headers("anna")).text)
    annas_token = next(f for f in anna.forms if f["action"].endswith("/notes"))["fields"][
        "_csrf_token"
    ]
    karin = browser_headers("karin")
    for fields in ({}, {"_csrf_token": "forged"}, {"_csrf_token": annas_token}):
        answer = client.post(path, data={**fields, "body": "x"}, headers=karin)
        assert answer.status_code == 403, fields


def test_a_missing_or_wrong_appapi_header_gets_401_not_a_page(
    client: TestClient,  # type: ignore[type-arg]
    demo: None,
) -> None:
    bad = [
        appapi_headers("anna", secret="wrong-secret-1234"),
        {k: v for k, v in appapi_headers("anna").items() if k != "AUTHORIZATION-APP-API"},
        {k: v for k, v in appapi_headers("anna").items() if k != "EX-APP-ID"},
        appapi_headers(""),
    ]
    for headers in bad:
        for path in ("/", "/networks", "/admin/users"):
            response = client.get(path, headers=headers, follow_redirects=False)
            assert response.status_code == 401, (headers, path)
            assert "<form" not in response.text


def test_only_nextcloud_may_frame_the_embedded_pages(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
    demo: None,
) -> None:
    embedded = client.get("/", headers=browser_headers("anna"))
    policy = embedded.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {nextcloud.url}" in policy
    assert embedded.headers["cache-control"] == "no-store"
    standalone = client.get("/sign-in")
    assert standalone.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'self'" in CONTENT_SECURITY_POLICY
    assert nextcloud.url not in CONTENT_SECURITY_POLICY


def test_partner_from_nextcloud_gets_no_administration(
    client: TestClient,  # type: ignore[type-arg]
    demo: None,
) -> None:
    page = client.get("/", headers=browser_headers("petra"))
    assert page.status_code == 200
    assert PREFIX + "/admin" not in page.text
    assert client.get("/admin/users", headers=browser_headers("petra")).status_code == 403


def test_the_embed_script_is_served_through_the_proxy(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    response = client.get("/static/nextcloud-embed.js", headers=browser_headers("anna"))
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert "initial-state-app_api-samverkan_embed" in response.text
    assert "cache-control" not in response.headers  # the proxy may cache assets


def test_the_api_reference_works_under_the_proxy_prefix(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    response = client.get("/schema", headers=browser_headers("anna"))
    assert response.status_code == 200
    urls = [url for _, _, url in parse(response.text).urls]
    assert urls and all(url.startswith((PREFIX + "/", "data:")) for url in urls), urls
    assert f'data-url="{PREFIX}/schema/openapi.json"' in response.text
    assert f'data-root="{PREFIX}"' in response.text
    assert "frame-ancestors 'self' http" in response.headers["content-security-policy"]


def test_the_ui_speaks_the_users_nextcloud_language_until_they_choose(
    client: TestClient,  # type: ignore[type-arg]
    nextcloud: FakeNextcloud,
    demo: None,
) -> None:
    nextcloud.languages["karin"] = "en_GB"
    page = client.get("/", headers=browser_headers("karin"))
    assert '<html lang="en">' in page.text
    assert '<html lang="sv">' in client.get("/", headers=browser_headers("anna")).text
    chosen = {**browser_headers("karin"), "Cookie": "samverkan_lang=sv"}
    assert '<html lang="sv">' in client.get("/", headers=chosen).text
