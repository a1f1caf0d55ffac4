"""Error pages: a browser gets the site's page in its language, machines keep their answers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar import get
from litestar.testing import TestClient

from directory.accounts.service import create_service_token
from samverkan.app import create_app
from samverkan.web import pages
from tests.conftest import run_async
from tests.samverkan.web.conftest import Client, Writer, make_account, sign_in

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SECRET = "password=hunter2 in a traceback"


@get("/broken-page", sync_to_thread=False)
def broken_page() -> str:
    raise RuntimeError(SECRET)


@get("/api/v1/broken", sync_to_thread=False)
def broken_api() -> str:
    raise RuntimeError(SECRET)


@pytest.fixture
def lenient() -> Iterator[Client]:
    """A client that sees a 500 as the browser does instead of re-raising it."""
    app = create_app()
    app.register(broken_page)
    app.register(broken_api)
    with TestClient(app=app, raise_server_exceptions=False) as client:
        yield client


def _is_error_page(response: Any, status: int, heading: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in response.text
    assert 'href="/"' in response.text  # a way back to the start page and its search


def test_an_unknown_address_is_the_sites_404_page_in_the_users_language(
    anonymous: Client,
) -> None:
    _is_error_page(
        anonymous.get("/no-such-page", headers=HTML),
        404,
        "Sidan finns inte, eller så kan du inte se den.",
    )
    anonymous.cookies.set("samverkan_lang", "en")
    english = anonymous.get("/no/such/page", headers=HTML)
    _is_error_page(english, 404, "The page does not exist, or you cannot see it.")
    assert '<html lang="en">' in english.text
    assert 'name="_csrf_token" value=""' not in english.text, "no form that could only fail"


def test_a_wrong_method_is_a_405_page(anonymous: Client) -> None:
    response = anonymous.delete("/sign-in", headers=HTML)
    _is_error_page(response, 405, "Den här adressen kan inte användas så.")


def test_a_failure_is_a_500_page_that_does_not_show_the_exception(
    lenient: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = lenient.get("/broken-page", headers=HTML)
    _is_error_page(response, 500, "Något gick fel hos oss. Försök igen senare.")
    assert "hunter2" not in response.text and "RuntimeError" not in response.text

    class FailingService(pages.RecordService):
        async def page(self, *_: Any, **__: Any) -> Any:
            raise RuntimeError(SECRET)

    monkeypatch.setattr(pages, "RecordService", FailingService)
    make_account("staff")
    sign_in(lenient, "staff-user")
    failed = lenient.get("/networks", headers=HTML)
    _is_error_page(failed, 500, "Något gick fel hos oss. Försök igen senare.")
    assert "hunter2" not in failed.text


def test_the_api_feeds_and_probes_keep_their_plain_answers(lenient: Client) -> None:
    for path in ("/api/v1/no-such-thing", "/feeds/no-such-feed.ics"):
        response = lenient.get(path, headers=HTML)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/json"), path
    schema = lenient.get("/schema/nothing", headers=HTML)  # the OpenAPI plugin's own answer
    assert schema.status_code == 404 and "Sidan finns inte" not in schema.text
    assert lenient.get("/no-such-page").headers["content-type"].startswith("application/json")
    assert lenient.delete("/api/v1/organizations", headers=HTML).status_code == 405
    failed = lenient.get("/api/v1/broken", headers=HTML)
    assert failed.status_code == 500
    assert failed.json() == {"status_code": 500, "detail": "Internal Server Error"}


def test_a_403_page_says_who_the_page_is_for_and_the_api_answer_stays(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    network = writer.network("Trygg i centrum")
    staff, partner, coordinator = browser("staff"), browser("partner"), browser("coordinator")
    refused = {
        (staff, "/admin"): "Den här sidan är för administratörer. Din roll: Kommunens personal.",
        (staff, f"/organizations/{uuid.uuid4()}/edit"): (
            "Den här sidan är för samordnare och administratörer. Din roll: Kommunens personal."
        ),
        (partner, "/plan/measures"): (
            "Den här sidan är för kommunens personal. Din roll: Samverkanspartner."
        ),
        (coordinator, f"/networks/{network.id}/meetings/new"): (
            "Den här sidan är för nätverkets samordnare och administratörer."
        ),
    }
    for (client, path), reason in refused.items():
        response = client.get(path, headers=HTML)
        _is_error_page(response, 403, "Du har inte behörighet till den här sidan.")
        assert f"<p>{reason}</p>" in response.text, path
    token = run_async(create_service_token("staff"))
    api = staff.get("/api/v1/audit", headers={**HTML, "Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    assert api.json() == {
        "status_code": 403,
        "detail": "this needs one of the roles: admin, coordinator",
    }
