"""Every OpenAPI operation and every web page type, as every identity, against one directory.

The tables below are the specification of who may do what, on a record of an open network and on
an internal one. An operation or page missing from them fails the test, so nothing new ships
without someone deciding who may call it. Besides the status, no answer to a partner may hold an
internal record's name or id (other than an id the partner itself sent).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from directory.records import hsds
from tests.directory.access_fixtures import (
    IDENTITIES,
    PARTNERS,
    SECRET,
    Client,
    Seeded,
    open_client,
    seed,
)
from tests.directory.access_rights import (
    PAGE_RIGHTS,
    RESOURCES,
    RIGHTS,
)

# Removals: an identity allowed to remove may find the thing gone (an earlier one removed it).
REMOVALS = ("deleteSynonym", "remove_external_calendar", "erase_", "get_plan", "adopt_plan")
REMOVALS += ("get_measure", "update_measure", "record_indicator_value")
REMOVALS += ("record_training_participation", "hsds_get_service_at_location")
REMOVALS += ("hsds_get_taxonomy_term",)  # ids of the HSDS view this module does not seed
# Last, in this order: they change or remove what the other operations read.
LAST = ("revoke_feed_token", "rotate_feed_token", "remove_external_calendar", "retire_network")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from open_client()


@pytest.fixture(scope="module")
def seeded(client: Client) -> Seeded:
    return seed(client)


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """The module shares one directory (built by ``seeded``), so no test cleans it."""


def operations(client: Client) -> list[tuple[str, str, str]]:
    schema = client.get("/schema/openapi.json").json()
    found = [
        (operation["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    ]
    return sorted(found, key=lambda op: (op[0] in LAST, LAST.index(op[0]) if op[0] in LAST else 0))


def _targets(seeded: Seeded, internal: bool) -> dict[str, str]:
    """The path parameters (and body values) of one target: the open or the internal one."""
    ids = seeded.ids
    side = "internal" if internal else "open"
    org = "internal_org" if internal else "partner_org"
    return {
        "organization": ids[org],
        "contact": ids["internal_contact" if internal else "partner_contact"],
        "service": ids["internal_service" if internal else "partner_service"],
        "network": ids[f"{side}_network"],
        "meeting_id": ids[f"{side}_meeting"],
        "term_id": ids["term"],
        "api_token_id": ids["spare_api_token"],
        "follow_up_id": ids[f"{side}_meeting_follow_up"],
        "token_id": ids[f"{side}_token"],
        "calendar_id": ids[f"{side}_calendar"],
    }


def _start(client: Client, seeded: Seeded, meeting: str) -> str:
    response = client.get(f"/api/v1/meetings/{meeting}", headers=seeded.headers["admin"])
    occurrences = response.json()["occurrences"]
    return str(occurrences[min(1, len(occurrences) - 1)]["recurrence_id"])


def _body(operation_id: str, target: dict[str, str], occurrence: str) -> dict[str, Any] | None:
    """A valid body where the right depends on the target (so a wrong one is not a 400 that
    hides a missing check); ``{}`` where the role alone decides."""
    moved = dt.datetime.fromisoformat(occurrence) + dt.timedelta(hours=2)
    later, end = moved.isoformat(), (moved + dt.timedelta(hours=1)).isoformat()
    meeting = {
        "network_id": target["network"],
        "title": "Matrismöte",
        "starts_at": "2031-03-04T09:00:00+01:00",
        "ends_at": "2031-03-04T10:00:00+01:00",
    }
    bodies: dict[str, dict[str, Any]] = {
        "create_meeting": meeting,
        "update_meeting": {},
        "move_occurrence": {"recurrence_id": occurrence, "starts_at": later, "ends_at": end},
        "cancel_occurrence": {"recurrence_id": occurrence},
        "restore_occurrence": {"recurrence_id": occurrence},
        "change_this_and_following": {"recurrence_id": occurrence, "changes": {"title": "Ny"}},
        "record_attendance": {"occurrence_start": occurrence, "organization_ids": []},
        "add_note": {"occurrence_start": occurrence, "body": "Matrisanteckning"},
        "add_follow_up": {"title": "Matris", "owner": "SSPF", "due_date": "2031-01-01"},
        "update_follow_up": {"done": True},
        "create_feed_token": {"scope": "network", "subject_id": target["network"]},
        "add_external_calendar": {
            "network_id": target["network"],
            "url": "http://127.0.0.1:9/annan.ics",
        },
    }
    return bodies.get(operation_id, {})


def _request(
    operation_id: str, method: str, path: str, target: dict[str, str], occurrence: str
) -> tuple[str, dict[str, Any] | None, dict[str, str]]:
    kind = next((name for name in RESOURCES if operation_id.endswith(f"_{name}")), "")
    if operation_id.startswith("erase_"):
        url = path.replace("{record_id}", "00000000-0000-4000-8000-000000000000")
    else:
        url = path.replace("{record_id}", target.get(kind, ""))
    if operation_id == "revoke_api_token":  # a spare token of the member partner's
        url = url.replace("{token_id}", target["api_token_id"])
    for name, value in target.items():
        url = url.replace(f"{{{name}}}", value)
    query = {
        "meeting_report": f"?network_id={target['network']}&start=2020-01-01&end=2035-01-01",
        "list_external_calendars": f"?network_id={target['network']}",
        "external_calendar_events": "?start=2027-01-01T00:00:00Z&end=2027-02-01T00:00:00Z",
        "list_feed_tokens": f"?network_id={target['network']}",
        "situation_picture": "?period=2026-H2",
        "council_report": "?period=2026-H2",
        "training_coverage": "?period=2026-H2",
        "update_meeting": "",
    }
    url = url.replace("{facet}", "network").replace("{term}", "vbe")
    url = url.replace("{service_id}", target["service"])
    url = url.replace("{organization_id}", target["organization"])
    url = url.replace("{place_id}", target["organization"])
    url = url.replace("{taxonomy_id}", str(hsds.taxonomy_id("kind")))
    for unseeded in ("{plan_id}", "{measure_id}", "{training_id}"):
        url = url.replace(unseeded, "00000000-0000-4000-8000-000000000001")
    url += query.get(operation_id, "")
    headers = {"If-Match": "*"} if operation_id == "update_meeting" else {}
    body = _body(operation_id, target, occurrence) if method in {"POST", "PATCH", "PUT"} else None
    return url, body, headers


def _names_a_target(url: str, body: dict[str, Any] | None, target: dict[str, str]) -> bool:
    text = url + repr(body)
    return any(value in text for value in target.values())


def leaks(body: str, seeded: Seeded, sent: str) -> list[str]:
    """The internal ids and names in ``body``, less the ids the caller sent in ``sent``."""
    found = [value for value in seeded.internal_ids if value in body and value not in sent]
    return [*found, *([SECRET] if SECRET in body else [])]


def test_the_rights_table_covers_exactly_the_api(client: Client) -> None:
    assert {operation for operation, _, _ in operations(client)} == set(RIGHTS)


def test_every_identity_gets_exactly_its_rights_and_partners_no_internal_data(
    client: Client, seeded: Seeded
) -> None:
    wrong: dict[str, int] = {}
    leaked: dict[str, list[str]] = {}
    for internal in (False, True):
        target = _targets(seeded, internal)
        occurrence = _start(client, seeded, target["meeting_id"])
        for operation_id, method, path in operations(client):
            url, body, extra = _request(operation_id, method, path, target, occurrence)
            if internal and not _names_a_target(url, body, target):
                continue  # the same request as on the open side
            allowed = RIGHTS[operation_id][internal]
            for identity in IDENTITIES:
                headers = {**seeded.headers[identity], **extra}
                response = client.request(method, url, json=body, headers=headers)
                status = response.status_code
                refused = status == 403 or (
                    status == 404
                    and not (operation_id.startswith(REMOVALS) and identity in allowed)
                )
                if (identity in allowed) == refused or status in {401, 429} or status >= 500:
                    wrong[f"{operation_id} {'internal' if internal else 'open'} {identity}"] = (
                        status
                    )
                if identity in PARTNERS:
                    found = leaks(response.text, seeded, url)
                    if found:
                        leaked[f"{operation_id} {identity}"] = found
    assert wrong == {}, f"wrong answers (status shown): {wrong}"
    assert leaked == {}, f"internal data shown to partners: {leaked}"


# --- web pages ---------------------------------------------------------------------------

_NOT_PAGES = ("/api/", "/schema", "/static", "/feeds", "/sign-in", "/health", "/ready", "/metrics")


def web_pages(client: Client) -> list[str]:
    """The path templates of every signed-in page the app serves (GET, outside the API)."""
    app: Any = client.app
    found = set()
    for route in app.routes:
        path = re.sub(r":[a-z]+}", "}", route.path)
        if "GET" in getattr(route, "methods", set()) and not path.startswith(_NOT_PAGES):
            found.add(path)
    return sorted(found)


def test_the_page_table_covers_every_page(client: Client) -> None:
    assert set(web_pages(client)) == set(PAGE_RIGHTS)


def test_every_page_type_as_every_identity(client: Client, seeded: Seeded) -> None:
    wrong: dict[str, int] = {}
    leaked: dict[str, list[str]] = {}
    for internal in (False, True):
        target = _targets(seeded, internal)
        for template in web_pages(client):
            if internal and "{" not in template:
                continue  # the same page as on the open side
            kind = template.split("/")[1].removesuffix("s")
            url = template.replace("{record_id}", target.get(kind, ""))
            url = url.replace("{network_id}", target["network"])
            url = url.replace("{meeting_id}", target["meeting_id"])
            url = url.replace("{token_id}", target["token_id"])
            url = url.replace("{account_id}", seeded.accounts["partner"])
            if url == "/":
                url = "/?q=a"
            allowed = PAGE_RIGHTS[template][internal]
            for identity in IDENTITIES:
                seeded.as_web(client, identity)
                response = client.get(url, follow_redirects=False)
                refused = response.status_code in {403, 404}
                if (identity in allowed) == refused or response.status_code >= 500:
                    side = "internal" if internal else "open"
                    wrong[f"{url} ({template}, {side}) {identity}"] = response.status_code
                if identity in PARTNERS:
                    found = leaks(response.text, seeded, url)
                    if found:
                        leaked[f"{url} {identity}"] = found
    client.cookies.clear()
    assert wrong == {}, f"wrong answers (status shown): {wrong}"
    assert leaked == {}, f"internal data shown to partners: {leaked}"


def test_without_credentials_every_operation_is_401(client: Client, seeded: Seeded) -> None:
    client.cookies.clear()
    target = _targets(seeded, internal=True)
    for operation_id, method, path in operations(client):
        url, body, _ = _request(operation_id, method, path, target, "2027-01-01T00:00:00Z")
        response = client.request(method, url, json=body)
        assert response.status_code == 401, f"{operation_id} answered {response.status_code}"
        assert leaks(response.text, seeded, url) == []
