"""Administration: only admins, and each page changes what it says it changes."""

from __future__ import annotations

import re
from collections.abc import Callable

from directory.accounts import service as accounts
from directory.accounts.tables import Account
from directory.core.tables import TaxonomyTerm
from search.synonyms import synonym_mapping
from tests.conftest import run_async
from tests.samverkan.web.conftest import Client, Writer, csrf_token, sign_in

ADMIN_PAGES = ("/admin", "/admin/users", "/admin/feed-tokens", "/admin/synonyms", "/admin/taxonomy")


def test_only_admins_reach_the_administration(browser: Callable[[str], Client]) -> None:
    for role in ("coordinator", "staff", "partner"):
        client = browser(role)
        assert "/admin" not in client.get("/").text
        for path in ADMIN_PAGES:
            assert client.get(path).status_code == 403, (role, path)
        token = csrf_token(client, "/")
        assert (
            client.post("/admin/users", data={"_csrf_token": token, "username": "x"}).status_code
            == 403
        )
    admin = browser("admin")
    for path in ADMIN_PAGES:
        assert admin.get(path).status_code == 200


def test_an_admin_creates_a_user_who_can_sign_in_then_changes_and_disables_it(
    browser: Callable[[str], Client], anonymous: Client
) -> None:
    admin = browser("admin")
    token = csrf_token(admin, "/admin/users")
    form = {"_csrf_token": token, "username": "nina", "display_name": "Nina", "role": "staff"}
    short = admin.post("/admin/users", data={**form, "password": "kort"})
    assert short.status_code == 422 and 'id="uerr-password"' in short.text
    admin.post("/admin/users", data={**form, "password": "ett långt lösenord"})
    assert sign_in(anonymous, "nina", "ett långt lösenord").status_code == 302
    nina = run_async(Account.select().where(Account.username == "nina").first())
    admin.post(f"/admin/users/{nina['id']}", data={"_csrf_token": token, "role": "coordinator"})
    assert (
        run_async(Account.select(Account.role).where(Account.username == "nina").first())["role"]
        == "coordinator"
    )
    admin.post(f"/admin/users/{nina['id']}", data={"_csrf_token": token, "disabled": "true"})
    assert anonymous.get("/", follow_redirects=False).status_code == 302


def test_synonyms_and_taxonomy_are_edited_in_the_browser(browser: Callable[[str], Client]) -> None:
    admin = browser("admin")
    token = csrf_token(admin, "/admin/synonyms")
    admin.post(
        "/admin/synonyms",
        data={
            "_csrf_token": token,
            "term": "bup",
            "synonyms": "barnpsyk, barn- och ungdomspsykiatri",
        },
    )
    assert run_async(synonym_mapping())["bup"] == ["barnpsyk", "barn- och ungdomspsykiatri"]
    admin.post("/admin/synonyms", data={"_csrf_token": token, "delete": "bup"})
    assert "bup" not in run_async(synonym_mapping())
    admin.post(
        "/admin/taxonomy",
        data={
            "_csrf_token": token,
            "taxonomy": "area",
            "code": "digital",
            "label_sv": "Digitalt",
            "label_en": "Online",
            "position": "20",
        },
    )
    assert run_async(TaxonomyTerm.exists().where(TaxonomyTerm.code == "digital"))
    bad = admin.post(
        "/admin/taxonomy",
        data={
            "_csrf_token": token,
            "taxonomy": "area",
            "code": "Inte OK",
            "label_sv": "x",
            "label_en": "x",
            "position": "1",
        },
    )
    assert bad.status_code == 422 and "code" in bad.text
    term = run_async(TaxonomyTerm.select().where(TaxonomyTerm.code == "school").first())
    admin.post(
        "/admin/taxonomy",
        data={
            "_csrf_token": token,
            "term_id": str(term["id"]),
            "taxonomy": "area",
            "code": "school",
            "label_sv": "Skolan",
            "label_en": "School",
            "position": "0",
        },
    )
    assert re.search(r'value="Skolan"', admin.get("/admin/taxonomy").text)


def test_an_admin_revokes_a_calendar_link(browser: Callable[[str], Client], writer: Writer) -> None:
    network = writer.network("SSPF")
    admin = browser("admin")
    created = admin.post(
        f"/networks/{network.id}/feed",
        data={
            "_csrf_token": csrf_token(admin, f"/networks/{network.id}"),
            "label": "Skolans kalender",
        },
    )
    link = re.search(r'value="(https?://[^"]+\.ics)" readonly', created.text)
    assert link is not None
    path = "/" + link.group(1).split("://", 1)[1].split("/", 1)[1]
    assert admin.get(path).status_code == 200
    listing = admin.get("/admin/feed-tokens").text
    assert "Skolans kalender" in listing
    revoke = re.search(r'action="(/admin/feed-tokens/[0-9a-f-]+/revoke)"', listing)
    assert revoke is not None
    admin.post(revoke.group(1), data={"_csrf_token": csrf_token(admin, "/admin/feed-tokens")})
    assert "Återkallad" in admin.get("/admin/feed-tokens").text
    assert admin.get(path).status_code == 410  # Gone: calendar clients stop polling


def test_admins_list_and_revoke_api_tokens(
    browser: Callable[[str], Client], anonymous: Client
) -> None:
    admin = browser("admin")
    account = run_async(accounts.create_account("skript", "staff"))
    token = run_async(accounts.create_token(account.id, "nattlig export"))
    headers = {"Authorization": f"Bearer {token}"}
    assert anonymous.get("/api/v1/me", headers=headers).status_code == 200
    listing = admin.get("/admin/tokens")
    assert listing.status_code == 200
    assert "nattlig export" in listing.text and "skript" in listing.text
    revoke = re.search(r'action="(/admin/tokens/[0-9a-f-]+/revoke)"', listing.text)
    assert revoke is not None
    admin.post(revoke.group(1), data={"_csrf_token": csrf_token(admin, "/admin/tokens")})
    assert "Återkallad" in admin.get("/admin/tokens").text
    assert anonymous.get("/api/v1/me", headers=headers).status_code == 401
    assert browser("staff").get("/admin/tokens").status_code == 403
