"""The five holes of issue 12, each through HTTP as the real roles, on one seeded directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.directory.access_fixtures import SECRET, Client, Seeded, open_client, seed


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from open_client()


@pytest.fixture(scope="module")
def seeded(client: Client) -> Seeded:
    return seed(client)


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """The module shares one directory (built by ``seeded``), so no test cleans it."""


def _etag(client: Client, path: str, headers: dict[str, str]) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def _leaks(body: str, seeded: Seeded) -> list[str]:
    found = [value for value in seeded.internal_ids if value in body]
    if SECRET in body:
        found.append(SECRET)
    return found


def test_a_coordinator_cannot_take_over_another_network(client: Client, seeded: Seeded) -> None:
    path = f"/api/v1/networks/{seeded.ids['open_network']}"
    intruder = seeded.headers["other_coordinator"]
    etag = _etag(client, path, seeded.headers["admin"])
    for change in (
        {"coordinator_account_ids": [seeded.accounts["other_coordinator"]]},
        {"member_organization_ids": []},
        {"name": "Kapat nätverk"},
    ):
        response = client.patch(path, json=change, headers={**intruder, "If-Match": etag})
        assert response.status_code == 403, (change, response.text)
    assert client.delete(path, headers={**intruder, "If-Match": etag}).status_code == 403
    network = client.get(path, headers=seeded.headers["admin"]).json()
    assert network["coordinator_account_ids"] == [seeded.accounts["coordinator"]]
    assert network["name"] == "SSPF Tyresö"
    meeting = f"/api/v1/meetings/{seeded.ids['open_meeting']}"
    meeting_etag = _etag(client, meeting, intruder)
    moved = client.patch(
        meeting, json={"title": "x"}, headers={**intruder, "If-Match": meeting_etag}
    )
    assert moved.status_code == 403
    feed = {"scope": "network", "subject_id": seeded.ids["open_network"], "detail": "staff"}
    assert client.post("/api/v1/feed-tokens", json=feed, headers=intruder).status_code == 403


def test_the_networks_own_coordinator_and_an_admin_may_change_it(
    client: Client, seeded: Seeded
) -> None:
    path = f"/api/v1/networks/{seeded.ids['other_network']}"
    for identity in ("other_coordinator", "admin"):
        etag = _etag(client, path, seeded.headers[identity])
        response = client.patch(
            path,
            json={"description": f"ändrad av {identity}"},
            headers={**seeded.headers[identity], "If-Match": etag},
        )
        assert response.status_code == 200, response.text


def test_the_follow_up_report_and_attendance_name_no_internal_organisation(
    client: Client, seeded: Seeded
) -> None:
    network, meeting = seeded.ids["open_network"], seeded.ids["open_meeting"]
    report = client.get(
        "/api/v1/meetings/report",
        params={"network_id": network, "start": "2020-01-01", "end": "2035-01-01"},
        headers=seeded.headers["member_partner"],
    )
    assert report.status_code == 200, report.text
    assert _leaks(report.text, seeded) == []
    assert [row["name"] for row in report.json()["attendance_by_organization"]] == ["Polisen Nacka"]
    attendance = client.get(
        f"/api/v1/meetings/{meeting}/attendance", headers=seeded.headers["member_partner"]
    )
    assert attendance.status_code == 200
    assert _leaks(attendance.text, seeded) == []
    staff = client.get(
        "/api/v1/meetings/report",
        params={"network_id": network, "start": "2020-01-01", "end": "2035-01-01"},
        headers=seeded.headers["staff"],
    )
    assert SECRET in staff.text


def test_a_hit_under_an_internal_parent_shows_partners_neither_its_name_nor_id(
    client: Client, seeded: Seeded
) -> None:
    unit = seeded.ids["public_unit"]
    for identity in ("member_partner", "partner"):
        headers = seeded.headers[identity]
        hits = client.get("/api/v1/search", params={"q": "Fältgruppen"}, headers=headers)
        assert hits.status_code == 200
        assert _leaks(hits.text, seeded) == [], hits.text
        record = client.get(f"/api/v1/organizations/{unit}", headers=headers)
        assert _leaks(record.text.replace(unit, ""), seeded) == []
        listed = client.get("/api/v1/organizations", headers=headers)
        assert _leaks(listed.text.replace(unit, ""), seeded) == []
        seeded.as_web(client, identity)
        page = client.get("/", params={"q": "Fältgruppen"})
        assert page.status_code == 200
        assert _leaks(page.text, seeded) == []
    staff = client.get(
        "/api/v1/search", params={"q": "Fältgruppen"}, headers=seeded.headers["staff"]
    )
    assert SECRET in staff.text


def test_meetings_of_an_internal_network_are_invisible_to_member_partners(
    client: Client, seeded: Seeded
) -> None:
    meeting = seeded.ids["internal_meeting"]
    headers = seeded.headers["member_partner"]
    for path in ("", "/notes", "/follow-ups", "/attendance"):
        response = client.get(f"/api/v1/meetings/{meeting}{path}", headers=headers)
        assert response.status_code == 404, (path, response.status_code, response.text)
    report = client.get(
        "/api/v1/meetings/report",
        params={
            "network_id": seeded.ids["internal_network"],
            "start": "2020-01-01",
            "end": "2035-01-01",
        },
        headers=headers,
    )
    assert report.status_code == 404
    listed = client.get("/api/v1/meetings", headers=headers)
    assert listed.status_code == 200
    assert _leaks(listed.text, seeded) == []
    seeded.as_web(client, "member_partner")
    for page in ("/calendar", f"/meetings/{meeting}"):
        response = client.get(page)
        assert _leaks(response.text.replace(meeting, ""), seeded) == [], page
    assert client.get(f"/meetings/{meeting}").status_code == 404
    assert (
        client.get(f"/api/v1/meetings/{meeting}", headers=seeded.headers["staff"]).status_code
        == 200
    )


def test_facets_filters_and_invitations_reveal_no_internal_id_to_partners(
    client: Client, seeded: Seeded
) -> None:
    internal = seeded.ids["internal_network"]
    for identity in ("member_partner", "partner"):
        headers = seeded.headers[identity]
        facets = client.get("/api/v1/search/facets/network", headers=headers)
        assert facets.status_code == 200
        assert _leaks(facets.text, seeded) == []
        found = client.get("/api/v1/search", params={"network": internal}, headers=headers)
        assert found.json()["total"] == 0
        assert _leaks(found.text, seeded) == []
        everything = client.get("/api/v1/search", headers=headers)
        assert _leaks(everything.text, seeded) == []
        listed = client.get("/api/v1/organizations", params={"network": internal}, headers=headers)
        assert listed.json()["total_items"] == 0
    meeting = client.get(
        f"/api/v1/meetings/{seeded.ids['open_meeting']}", headers=seeded.headers["member_partner"]
    )
    assert meeting.status_code == 200
    assert _leaks(meeting.text, seeded) == []
    assert meeting.json()["invited_organizations"] == [seeded.ids["partner_org"]]
    staff_facets = client.get("/api/v1/search/facets/network", headers=seeded.headers["staff"])
    assert internal in staff_facets.text


def test_partners_see_coordinators_by_name_and_address_not_account_id(
    client: Client, seeded: Seeded
) -> None:
    path = f"/api/v1/networks/{seeded.ids['open_network']}"
    coordinator = seeded.accounts["coordinator"]
    network = client.get(path, headers=seeded.headers["member_partner"])
    assert network.status_code == 200
    assert coordinator not in network.text
    assert network.json()["coordinators"] == [
        {"display_name": "Coordinator", "email": "coordinator@tyreso.se"}
    ]
    staff = client.get(path, headers=seeded.headers["staff"]).json()
    assert staff["coordinator_account_ids"] == [coordinator]
    seeded.as_web(client, "member_partner")
    page = client.get(f"/networks/{seeded.ids['open_network']}")
    assert "coordinator@tyreso.se" in page.text and coordinator not in page.text
    meeting = client.get(
        f"/api/v1/meetings/{seeded.ids['open_meeting']}", headers=seeded.headers["member_partner"]
    )
    assert coordinator not in meeting.text
