"""Measures and trainings are searchable by staff, through ``/api/v1/search`` and the search page:
only the measures of the plan in force, never by partners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient

from search.embedded import EmbeddedBackend
from tests.directory.plan.test_plan_api import _organization, _plan
from tests.samverkan.web.conftest import browser
from tests.search.conftest import drain

__all__ = ["browser"]

Client = TestClient[Any]
Auth = dict[str, dict[str, str]]


def _hits(client: Client, headers: dict[str, str], q: str, **params: str) -> list[Any]:
    response = client.get("/api/v1/search", params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["hits"]  # type: ignore[no-any-return]


def test_staff_find_measures_of_the_plan_in_force_and_trainings(client: Client, auth: Auth) -> None:
    centre = _organization(client, auth, "Center mot våldsbejakande extremism", ["governance"])
    first = _plan(client, auth, "Handlingsplan 2016")
    measure = {
        "plan_id": first["id"],
        "title": "Anhörigstöd vid oro",
        "level": "indicated",
        "description": "Samtal för föräldrar som oroar sig",
        "owner_organization_id": centre,
    }
    created = client.post("/api/v1/plan/measures", json=measure, headers=auth["coordinator"])
    assert created.status_code == 201, created.text
    training = {
        "title": "Grundutbildning om våldsbejakande extremism",
        "held_on": "2026-10-01",
        "level": "general",
        "target_group": "Fritidsledare",
        "provider_organization_id": centre,
    }
    taught = client.post("/api/v1/plan/trainings", json=training, headers=auth["coordinator"])
    assert taught.status_code == 201, taught.text
    drain(EmbeddedBackend())

    found = _hits(client, auth["staff"], "anhörigstöd")
    assert [(hit["type"], hit["id"]) for hit in found] == [("measure", created.json()["id"])]
    assert "Center mot våldsbejakande extremism" in found[0]["subtitle"]
    assert [hit["type"] for hit in _hits(client, auth["staff"], "föräldrar oroar")] == ["measure"]
    taught_hits = _hits(client, auth["staff"], "fritidsledare", type="training")
    assert [hit["id"] for hit in taught_hits] == [taught.json()["id"]]
    assert _hits(client, auth["partner"], "anhörigstöd") == []
    assert _hits(client, auth["partner"], "grundutbildning") == []

    client.post(
        f"/api/v1/plan/plans/{first['id']}/adopt",
        json={"adopted_on": "2016-10-12"},
        headers=auth["admin"],
    )
    revised = _plan(client, auth, "Reviderad handlingsplan")
    client.post(
        f"/api/v1/plan/plans/{revised['id']}/adopt",
        json={"adopted_on": "2026-11-30"},
        headers=auth["admin"],
    )
    drain(EmbeddedBackend())
    copies = client.get(
        "/api/v1/plan/measures", params={"plan_id": revised["id"]}, headers=auth["staff"]
    ).json()
    found = _hits(client, auth["staff"], "anhörigstöd")
    assert [hit["id"] for hit in found] == [copies[0]["id"]]  # the copy in force, once


def test_a_measure_hit_opens_its_card_on_the_plan_page(
    client: Client, auth: Auth, browser: Callable[[str], Client]
) -> None:
    plan = _plan(client, auth)
    measure = {
        "plan_id": plan["id"],
        "title": "Nätverksträffar för fältgruppen",
        "level": "selective",
    }
    created = client.post("/api/v1/plan/measures", json=measure, headers=auth["coordinator"])
    drain(EmbeddedBackend())
    staff = browser("staff")
    page = staff.get("/", params={"q": "nätverksträffar"})
    assert page.status_code == 200
    assert f'href="/plan/measures#measure-{created.json()["id"]}"' in page.text
    assert "Åtgärd" in page.text
    listed = staff.get("/plan/measures")
    assert f'id="measure-{created.json()["id"]}"' in listed.text
