"""The API takes what its OpenAPI schema says and documents the answers it gives.

Litestar converts input leniently; these requests are what schemathesis found accepted although
the schema refuses them, and the error answers it found undocumented.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/meetings", "start"),
        ("/api/v1/meetings", "end"),
        ("/api/v1/audit", "since"),
        ("/api/v1/contacts", "modified_after"),
        ("/api/v1/networks", "modified_after"),
    ],
)
def test_a_number_is_not_a_date_time_in_a_query(
    client: Client, auth: Auth, path: str, name: str
) -> None:
    refused = client.get(path, params={name: "0.5"}, headers=auth["admin"])
    assert refused.status_code == 422
    assert refused.json()["extra"] == [
        {"key": name, "message": "must be a date and time such as 2026-03-01T09:00:00Z"}
    ]
    taken = client.get(path, params={name: "2026-12-01T09:00:00Z"}, headers=auth["admin"])
    assert taken.status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("is_function", 1, "Expected `bool`, got `int`"),
        ("is_function", "true", "Expected `bool`, got `str`"),
        ("assured_date", 20260301, "Expected `date | null`, got `int`"),
    ],
)
def test_a_body_is_read_strictly(
    client: Client, auth: Auth, field: str, value: Any, message: str
) -> None:
    org = client.post(
        "/api/v1/organizations", json={"name": "Skolan", "kind": "internal"}, headers=auth["admin"]
    )
    body = {"name": "Eva", "organization_id": org.json()["id"], field: value}
    refused = client.post("/api/v1/contacts", json=body, headers=auth["admin"])
    assert refused.status_code == 400
    assert refused.json()["extra"] == [{"message": message, "key": field, "source": "body"}]
    assert client.get("/api/v1/contacts", headers=auth["admin"]).json()["total_items"] == 0


def test_an_unknown_field_with_a_line_break_in_its_name_is_a_400(
    client: Client, auth: Auth
) -> None:
    response = client.post(
        "/api/v1/organizations",
        json={"name": "Skolan", "kind": "internal", "a\nb": 1},
        headers=auth["admin"],
    )
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "data"


def _responses(client: Client, path: str, method: str) -> set[str]:
    schema = client.get("/schema/openapi.json").json()
    return set(schema["paths"][path][method]["responses"])


def test_each_operation_documents_the_errors_it_gives(client: Client) -> None:
    assert _responses(client, "/api/v1/me", "get") == {"200", "401", "429"}
    assert _responses(client, "/api/v1/meetings/{meeting_id}", "patch") == {
        "200", "400", "401", "403", "404", "409", "412", "422", "428", "429", "503"
    }  # fmt: skip
    assert "409" in _responses(client, "/api/v1/organizations/{record_id}/erase", "post")
    assert "409" not in _responses(client, "/api/v1/contacts/{record_id}/erase", "post")
    assert {"304", "404", "410", "429"} <= _responses(client, "/feeds/{filename}", "get")


def test_a_feed_is_documented_as_icalendar(client: Client) -> None:
    feed = client.get("/schema/openapi.json").json()["paths"]["/feeds/{filename}"]
    for method in ("get", "head"):
        assert list(feed[method]["responses"]["200"]["content"]) == ["text/calendar"]


def test_a_documented_error_has_the_body_the_schema_describes(client: Client, auth: Auth) -> None:
    schema = client.get("/schema/openapi.json").json()
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"status_code", "detail"}
    missing = client.get(
        "/api/v1/contacts/00000000-0000-0000-0000-000000000000", headers=auth["admin"]
    )
    assert missing.status_code == 404
    assert set(missing.json()) <= set(body["properties"])
