"""Bearer tokens: list, issue with an expiry, last use and revoke, through the API and the CLI."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from litestar.testing import TestClient

from directory.accounts.service import create_account, create_token
from samverkan.cli import main
from tests.conftest import run_async

Client = TestClient  # type: ignore[type-arg]
Auth = dict[str, dict[str, str]]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_issue_list_use_and_revoke_ones_own_tokens(client: Client, auth: Auth) -> None:
    issued = client.post(
        "/api/v1/tokens",
        json={"label": "kalenderskript", "expires_in_days": 30},
        headers=auth["staff"],
    )
    assert issued.status_code == 201, issued.text
    created = issued.json()
    assert created["token"].startswith("sv_")
    expires = dt.datetime.fromisoformat(created["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    assert client.get("/api/v1/me", headers=_bearer(created["token"])).status_code == 200
    listed = client.get("/api/v1/tokens", headers=auth["staff"]).json()
    mine = next(item for item in listed if item["id"] == created["id"])
    assert mine["label"] == "kalenderskript" and mine["last_used_at"] is not None
    assert "token" not in mine and all("token" not in item for item in listed)
    # another account neither sees nor revokes it; an admin does both
    other = client.get("/api/v1/tokens", headers=auth["partner"]).json()
    assert created["id"] not in {item["id"] for item in other}
    assert (
        client.delete(f"/api/v1/tokens/{created['id']}", headers=auth["partner"]).status_code == 404
    )
    everyone = client.get("/api/v1/tokens", headers=auth["admin"]).json()
    assert created["id"] in {item["id"] for item in everyone}
    revoked = client.delete(f"/api/v1/tokens/{created['id']}", headers=auth["staff"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=_bearer(created["token"])).status_code == 401
    refused = client.post("/api/v1/tokens", json={"account_id": mine["id"]}, headers=auth["staff"])
    assert refused.status_code == 422  # only an admin issues tokens for others


def test_an_expired_token_signs_nobody_in(client: Client) -> None:
    account = run_async(create_account("skript", "staff"))
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    expired = run_async(create_token(account.id, "gammal", past))
    assert client.get("/api/v1/me", headers=_bearer(expired)).status_code == 401


def test_the_cli_lists_and_revokes_tokens(client: Client) -> None:
    runner = CliRunner()
    created = runner.invoke(main, ["token", "create", "--role", "staff", "--expires-days", "7"])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    listed = runner.invoke(main, ["token", "list"])
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.output.splitlines() if line.endswith("live"))
    assert "expires 20" in line and "last used 20" in line
    revoked = runner.invoke(main, ["token", "revoke", line.split()[0]])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert "revoked" in runner.invoke(main, ["token", "list"]).output
