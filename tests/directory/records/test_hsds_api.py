"""The HSDS 3.0 API profile under /api/v1/hsds: every response valid against the profile's
``openapi.json`` schemas, filters honoured and cumulative, unsupported parameters refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import TestClient

from directory.demo.loader import load_demo_if_empty
from directory.records import hsds
from tests.conftest import run_async
from tests.directory.records.hsds_schemas import errors, response_schema

Client = TestClient[Any]
Auth = dict[str, dict[str, str]]
BASE = "/api/v1/hsds"


@pytest.fixture
def fetch(client: Client, auth: Auth) -> Any:
    def request(path: str, role: str = "staff", status: int = 200, **params: Any) -> Any:
        response = client.get(BASE + path, params=params, headers=auth[role])
        assert response.status_code == status, response.text
        return response.json()

    return request


@pytest.fixture
def get(fetch: Any) -> Any:
    """``fetch`` over the demo directory."""
    run_async(load_demo_if_empty())
    return fetch


def valid(path: str, body: Any, schema_path: str | None = None) -> Any:
    assert errors(response_schema(schema_path or path), body) == []
    return body


def test_every_profile_endpoint_answers_valid_hsds(get: Any) -> None:
    root = valid("/", get("/"))
    assert root["version"] == "3.0" and root["openapi_url"].endswith("/schema/openapi.json")
    services = valid("/services", get("/services", per_page=200))
    assert services["total_items"] == len(services["contents"]) > 0
    for item in services["contents"]:
        full = valid("/services/{id}", get(f"/services/{item['id']}"))
        assert full["organization"]["id"] == item["organization_id"]
        assert "phones" in full and "schedules" in full and "attributes" in full
    valid("/services", get("/services", full="true"))
    organizations = valid("/organizations", get("/organizations", per_page=200))
    for item in organizations["contents"][:10]:
        valid("/organizations/{id}", get(f"/organizations/{item['id']}", full_service="true"))
    valid("/organizations", get("/organizations", full_service="true", full="true"))
    taxonomies = valid("/taxonomies", get("/taxonomies"))
    assert {t["name"] for t in taxonomies["contents"]} == {"kind", "area", "level"}
    for taxonomy in taxonomies["contents"]:
        valid("/taxonomies/{id}", get(f"/taxonomies/{taxonomy['id']}"))
    terms = valid("/taxonomy_terms", get("/taxonomy_terms", per_page=100))
    assert terms["total_items"] == 22
    valid("/taxonomy_terms/{id}", get(f"/taxonomy_terms/{terms['contents'][0]['id']}"))
    places = valid("/service_at_locations", get("/service_at_locations", full="true"))
    for place in places["contents"]:
        # The profile names service.json for this response (a slip in openapi.json); a
        # service_at_location is what it returns, and that is what is checked.
        body = get(f"/service_at_locations/{place['id']}")
        assert errors("service_at_location.json", body) == []
        assert body["service"]["id"] == place["service_id"]


def test_search_taxonomy_and_paging_narrow_and_combine(get: Any) -> None:
    everything = get("/services", per_page=200)
    assert get("/services", search="zzzqqqxx")["total_items"] == 0
    assert get("/services", search="Nattvandring")["total_items"] == 1
    general = hsds.term_id("level", "general")
    leveled = get("/services", taxonomy_term_id=general, per_page=200)
    assert 0 < leveled["total_items"] < everything["total_items"]
    for service in leveled["contents"]:
        full = get(f"/services/{service['id']}")
        assert general in {a["taxonomy_term_id"] for a in full["attributes"]}
    both = get("/services", taxonomy_term_id=general, search="Nattvandring")
    assert both["total_items"] == 1
    assert get("/services", taxonomy_term_id=general, search="zzzqqqxx")["total_items"] == 0
    with_levels = get("/services", taxonomy_id=hsds.taxonomy_id("level"), per_page=200)
    assert with_levels["total_items"] >= leveled["total_items"]
    owner = everything["contents"][0]["organization_id"]
    owned = get("/services", organization_id=owner, per_page=200)["contents"]
    assert owned and {s["organization_id"] for s in owned} == {owner}
    kinds = get("/taxonomy_terms", taxonomy_id=hsds.taxonomy_id("kind"))
    assert {t["taxonomy"] for t in kinds["contents"]} == {"kind"}
    first = get("/services", per_page=5)
    second = get("/services", per_page=5, page=2)
    assert (first["size"], first["first_page"], second["first_page"]) == (5, True, False)
    assert not {s["id"] for s in first["contents"]} & {s["id"] for s in second["contents"]}
    assert first["total_pages"] == -(-first["total_items"] // 5)


def test_modified_after_is_inclusive_and_takes_a_date(get: Any) -> None:
    services = get("/services", per_page=200)["contents"]
    latest = max(s["last_modified"] for s in services)
    at_latest = get("/services", modified_after=latest, per_page=200)
    assert at_latest["total_items"] >= 1
    assert all(s["last_modified"] >= latest for s in at_latest["contents"])
    today = dt.datetime.fromisoformat(latest).date().isoformat()
    assert get("/services", modified_after=today)["total_items"] == len(services)
    tomorrow = (dt.date.fromisoformat(today) + dt.timedelta(days=1)).isoformat()
    assert get("/services", modified_after=tomorrow)["total_items"] == 0


def test_unsupported_or_bad_parameters_are_400(fetch: Any) -> None:
    assert "postcode" in fetch("/services", status=400, postcode="13581")["detail"]
    assert "format" in fetch("/organizations", status=400, format="ndjson")["detail"]
    fetch("/services", status=400, per_page=0)
    fetch("/services", status=400, modified_after="yesterday")
    fetch("/services", status=400, taxonomy_term_id="not-a-uuid")
    fetch("/taxonomies", status=400, taxonomy_id=hsds.taxonomy_id("kind"))
    fetch("/services/00000000-0000-0000-0000-000000000001", status=400, full="true")
    fetch("/services/00000000-0000-0000-0000-000000000001", status=404)


def test_a_partner_sees_only_what_the_policy_lets_them(get: Any) -> None:
    staff = get("/services", per_page=200)
    partner = get("/services", role="partner", per_page=200)
    assert partner["total_items"] < staff["total_items"]
    hidden = {s["id"] for s in staff["contents"]} - {s["id"] for s in partner["contents"]}
    for service_id in hidden:
        get(f"/services/{service_id}", role="partner", status=404)
    for place in get("/service_at_locations", role="partner", full="true")["contents"]:
        assert place["service"]["visibility"] != "internal"
    for organization in get("/organizations", role="partner", per_page=200)["contents"]:
        assert organization["visibility"] != "internal"
