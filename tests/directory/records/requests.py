"""Requests the records' API tests share: a valid organisation body and a create as admin."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


def org(**fields: Any) -> dict[str, Any]:
    return {"name": "Socialtjänsten", "kind": "internal", "municipality": "Tyresö", **fields}


def create(client: Client, auth: Auth, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/v1/{path}", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
