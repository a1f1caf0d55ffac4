"""The plan cycle over HTTP: the situation picture, the plan and its measures, trainings, and
the council's report, as each role may use them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from directory.accounts.service import create_account, create_token
from tests.conftest import run_async

Client = TestClient[Any]
PERIOD = "2026-H2"


def _organization(
    client: Client, auth: dict[str, dict[str, str]], name: str, areas: list[str]
) -> str:
    body = {"name": name, "kind": "internal", "areas": areas, "visibility": "public"}
    response = client.post("/api/v1/organizations", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _partner_of(organization_id: str) -> dict[str, str]:
    account = run_async(
        create_account(
            f"partner-{uuid.uuid4().hex[:6]}", "partner", organization_id=uuid.UUID(organization_id)
        )
    )
    return {"Authorization": f"Bearer {run_async(create_token(account.id))}"}


def _report(client: Client, headers: dict[str, str], **changes: str) -> Any:
    body = {
        "period": PERIOD,
        "area": "school",
        "level": "general",
        "signal": "propaganda",
        "frequency": "single",
        "district": "bollmora",
        **changes,
    }
    return client.post("/api/v1/plan/observations", json=body, headers=headers)


def test_a_cell_under_the_threshold_never_leaves_the_server(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    school = _organization(client, auth, "Bollmora skola", ["school"])
    partner = _partner_of(school)
    for _ in range(3):
        assert _report(client, partner).status_code == 201
    for _ in range(2):  # two reports of threats: under the default threshold of three
        assert _report(client, partner, signal="threats", area="leisure").status_code == 201

    for role in ("admin", "staff", "partner"):
        headers = partner if role == "partner" else auth[role]
        picture = client.get(
            "/api/v1/plan/picture",
            params={"period": PERIOD, "group_by": ["area", "signal"]},
            headers=headers,
        )
        assert picture.status_code == 200
        body = picture.json()
        assert [cell["keys"] for cell in body["cells"]] == [
            {"area": "school", "signal": "propaganda"}
        ]
        assert body["cells"][0]["labels"] == {"area": "Skola", "signal": "Propaganda och symboler"}
        assert body["reports_shown"] == 3 and body["hidden_cells"] == 1
        assert "threats" not in picture.text and "leisure" not in picture.text

    csv = client.get(
        "/api/v1/plan/report", params={"period": PERIOD, "format": "csv"}, headers=auth["staff"]
    )
    assert csv.status_code == 200
    assert "threats" not in csv.text and "Fritid" not in csv.text
    report = client.get("/api/v1/plan/report", params={"period": PERIOD}, headers=auth["staff"])
    assert "threats" not in report.text and report.json()["picture"]["hidden_cells"] == 1


def test_the_picture_compares_with_the_half_year_before(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    school = _organization(client, auth, "Skolan", ["school"])
    partner = _partner_of(school)
    for period, times in (("2026-H1", 4), (PERIOD, 3)):
        for _ in range(times):
            assert _report(client, partner, period=period).status_code == 201
    body = client.get(
        "/api/v1/plan/picture", params={"period": PERIOD}, headers=auth["staff"]
    ).json()
    assert body["previous_period"] == "2026-H1"
    assert [(cell["reports"], cell["previous_reports"]) for cell in body["cells"]] == [(3, 4)]


@pytest.mark.parametrize(
    ("note", "says"),
    [
        ("Eleven 20050101-1234 delade propaganda", "personal identity number"),
        ("ring 070-123 45 67", "phone number"),
        ("mejla anna@example.se", "email address"),
    ],
)
def test_text_that_could_name_someone_is_refused(
    client: Client, auth: dict[str, dict[str, str]], note: str, says: str
) -> None:
    school = _organization(client, auth, "Skolan", ["school"])
    response = _report(client, auth["staff"], note=note, organization_id=school)
    assert response.status_code == 422
    assert says in response.text
    assert (
        client.get("/api/v1/plan/picture", params={"period": PERIOD}, headers=auth["staff"]).json()[
            "hidden_cells"
        ]
        == 0
    )


def test_a_partner_reports_for_their_own_organisation_only(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    own = _organization(client, auth, "Egen förening", ["civil_society"])
    other = _organization(client, auth, "Annan förening", ["civil_society"])
    partner = _partner_of(own)
    assert _report(client, partner, organization_id=other).status_code == 403
    assert _report(client, partner, district="Storgatan 1").status_code == 422
    assert _report(client, partner).status_code == 201


def test_partners_never_read_the_plan_measures_or_report(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    for path in (
        "/api/v1/plan/plans",
        "/api/v1/plan/measures",
        "/api/v1/plan/trainings",
        f"/api/v1/plan/report?period={PERIOD}",
        "/api/v1/plan/coverage",
    ):
        assert client.get(path, headers=auth["partner"]).status_code == 403, path
        assert client.get(path, headers=auth["staff"]).status_code == 200, path
    plan = {"title": "Handlingsplan", "sections": []}
    assert client.post("/api/v1/plan/plans", json=plan, headers=auth["staff"]).status_code == 403


def _plan(
    client: Client, auth: dict[str, dict[str, str]], title: str = "Handlingsplan mot VBE"
) -> Any:
    body = {
        "title": title,
        "sections": [
            {"number": "5", "title": "Utbildning", "goals": ["Höj kunskapsnivån"]},
            {"number": "6", "title": "Insatser vid oro"},
        ],
    }
    response = client.post("/api/v1/plan/plans", json=body, headers=auth["coordinator"])
    assert response.status_code == 201, response.text
    return response.json()


def test_measures_carry_owner_level_status_and_indicator_values(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    owner = _organization(client, auth, "Socialtjänsten", ["social_services"])
    plan = _plan(client, auth)
    section = plan["sections"][0]["id"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    late = {
        "plan_id": plan["id"],
        "section_id": section,
        "title": "Utbilda skolpersonal",
        "level": "general",
        "owner_organization_id": owner,
        "due_date": yesterday,
        "indicator": "andel utbildad personal",
    }
    created = client.post("/api/v1/plan/measures", json=late, headers=auth["coordinator"])
    assert created.status_code == 201, created.text
    measure = created.json()
    assert measure["overdue"] is True and measure["owner_name"] == "Socialtjänsten"
    later = {**late, "title": "Anhörigstöd", "due_date": "2099-01-01"}
    assert (
        client.post("/api/v1/plan/measures", json=later, headers=auth["coordinator"]).status_code
        == 201
    )

    value = {"measured_on": "2026-06-30", "value": 0.4, "note": "40 % efter vårterminen"}
    response = client.post(
        f"/api/v1/plan/measures/{measure['id']}/values", json=value, headers=auth["coordinator"]
    )
    assert response.json()["values"][0]["value"] == 0.4

    done = client.patch(
        f"/api/v1/plan/measures/{measure['id']}",
        json={"status": "done"},
        headers={**auth["coordinator"], "If-Match": '"1"'},
    )
    assert done.status_code == 200 and done.json()["overdue"] is False
    stale = client.patch(
        f"/api/v1/plan/measures/{measure['id']}",
        json={"status": "ongoing"},
        headers={**auth["coordinator"], "If-Match": '"1"'},
    )
    assert stale.status_code == 412

    listed = client.get("/api/v1/plan/measures", headers=auth["staff"]).json()
    assert [item["title"] for item in listed] == ["Utbilda skolpersonal", "Anhörigstöd"]
    earlier = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    finished = {**late, "title": "Kartläggning", "due_date": earlier, "status": "done"}
    client.post("/api/v1/plan/measures", json=finished, headers=auth["coordinator"])
    client.patch(
        f"/api/v1/plan/measures/{listed[1]['id']}",
        json={"due_date": yesterday},
        headers=auth["coordinator"],
    )
    # Overdue first, then by due date: the finished one was due earlier but is not overdue.
    listed = client.get("/api/v1/plan/measures", headers=auth["staff"]).json()
    assert [item["title"] for item in listed] == [
        "Anhörigstöd",
        "Kartläggning",
        "Utbilda skolpersonal",
    ]
    bad = client.post(
        "/api/v1/plan/measures",
        json={**late, "level": "nope", "network_ids": [str(uuid.uuid4())]},
        headers=auth["coordinator"],
    )
    assert bad.status_code == 422 and "level" in bad.text and "network_ids" in bad.text


def test_adopting_a_revision_keeps_the_old_plan_readable(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    first = _plan(client, auth, "Handlingsplan 2016")
    measure = {"plan_id": first["id"], "title": "Nätverksträffar", "level": "selective"}
    assert (
        client.post("/api/v1/plan/measures", json=measure, headers=auth["coordinator"]).status_code
        == 201
    )
    adopt = {"adopted_on": "2016-10-12"}
    assert (
        client.post(
            f"/api/v1/plan/plans/{first['id']}/adopt", json=adopt, headers=auth["coordinator"]
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/plan/plans/{first['id']}/adopt", json=adopt, headers=auth["admin"]
        ).json()["status"]
        == "adopted"
    )

    revised = _plan(client, auth, "Reviderad handlingsplan")
    assert revised["version"] == 2 and revised["supersedes_id"] == first["id"]
    copied = client.get(
        "/api/v1/plan/measures", params={"plan_id": revised["id"]}, headers=auth["staff"]
    ).json()
    assert [item["title"] for item in copied] == ["Nätverksträffar"]
    client.post(
        f"/api/v1/plan/plans/{revised['id']}/adopt",
        json={"adopted_on": "2026-11-30"},
        headers=auth["admin"],
    )
    versions = client.get("/api/v1/plan/plans", headers=auth["staff"]).json()
    assert [(plan["version"], plan["status"]) for plan in versions] == [
        (2, "adopted"),
        (1, "superseded"),
    ]
    assert (
        client.get(f"/api/v1/plan/plans/{first['id']}", headers=auth["staff"]).json()["title"]
        == "Handlingsplan 2016"
    )


def test_training_participation_counts_per_organisation_and_coverage_per_actor(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    school = _organization(client, auth, "Skolan", ["school"])
    police = _organization(client, auth, "Polisen", ["police"])
    provider = _organization(client, auth, "Center mot våldsbejakande extremism", ["training"])
    recent = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    old = (dt.date.today() - dt.timedelta(days=500)).isoformat()
    ids = []
    for held_on in (recent, old):
        body = {
            "title": "Grundutbildning VBE",
            "level": "general",
            "held_on": held_on,
            "provider_organization_id": provider,
            "target_group": "Skolpersonal",
        }
        response = client.post("/api/v1/plan/trainings", json=body, headers=auth["coordinator"])
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    counts = {"organizations": [{"organization_id": school, "participants": 12}]}
    done = client.put(
        f"/api/v1/plan/trainings/{ids[0]}/participation", json=counts, headers=auth["coordinator"]
    )
    assert done.json()["participants"] == 12 and done.json()["provider_name"].startswith("Center")
    counts = {"organizations": [{"organization_id": police, "participants": 3}]}
    client.put(
        f"/api/v1/plan/trainings/{ids[1]}/participation", json=counts, headers=auth["coordinator"]
    )
    twice = {"organizations": [{"organization_id": police, "participants": 3}] * 2}
    assert (
        client.put(
            f"/api/v1/plan/trainings/{ids[1]}/participation",
            json=twice,
            headers=auth["coordinator"],
        ).status_code
        == 422
    )

    coverage = {
        item["actor"]: item
        for item in client.get("/api/v1/plan/coverage", headers=auth["staff"]).json()
    }
    assert (coverage["school"]["last_12_months"], coverage["school"]["last_24_months"]) == (12, 12)
    assert (coverage["police"]["last_12_months"], coverage["police"]["last_24_months"]) == (0, 3)
    assert coverage["leisure"]["last_24_months"] == 0 and coverage["leisure"]["required"] is True


def test_the_council_report_shows_missing_actors_per_level(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    social = _organization(client, auth, "Socialtjänsten", ["social_services"])
    plan = _plan(client, auth)
    measure = {
        "plan_id": plan["id"],
        "title": "Orosanmälningar",
        "level": "indicated",
        "owner_organization_id": social,
    }
    client.post("/api/v1/plan/measures", json=measure, headers=auth["coordinator"])
    report = client.get(
        "/api/v1/plan/report", params={"period": PERIOD}, headers=auth["staff"]
    ).json()
    gaps = {gap["level"]: gap for gap in report["level_gaps"]}
    assert gaps["indicated"]["present"] == ["social_services"]
    assert gaps["indicated"]["missing"] == ["school", "leisure", "security", "police"]
    assert gaps["general"]["present"] == []
    assert report["measures_by_status"] == [
        {"level": "indicated", "status": "planned", "measures": 1}
    ]
    csv = client.get(
        "/api/v1/plan/report", params={"period": PERIOD, "format": "csv"}, headers=auth["staff"]
    )
    assert "missing_actor,indicated,police" in csv.text


def test_a_period_outside_1900_to_2199_is_refused(
    client: Client, auth: dict[str, dict[str, str]]
) -> None:
    for period in ("0000-H1", "9999-H2"):
        for path in ("/api/v1/plan/picture", "/api/v1/plan/report"):
            response = client.get(path, params={"period": period}, headers=auth["admin"])
            assert response.status_code == 400, (path, period)
